// Package kbs holds the wire types of the KBS attestation protocol (RCAR,
// version 0.4.0) as upstream Confidential Containers speaks it: the auth
// request, the challenge, the attestation body, the TEE public key, the token
// response and the error body, plus the two pieces of protocol logic that both
// sides must compute identically: the runtime-data binding (ReportData) and
// resource path validation.
//
// Everything here is pure data and pure functions; the HTTP server lives in
// internal/kbs/server and the guest side in internal/kbs/client.
package kbs

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// ProtocolVersion is the only protocol version this implementation speaks.
// Upstream matches the semver requirement "=0.4.0", i.e. exactly this string.
const ProtocolVersion = "0.4.0"

// SessionCookie is the name of the cookie carrying the session id.
const SessionCookie = "kbs-session-id"

// MaxBodySize is the default limit on request bodies (upstream's
// payload_request_size default, 2 MiB).
const MaxBodySize = 2 << 20

// MaxInitDataSize bounds the initdata an attestation may carry (the TOML
// text). Its parsed strings travel in the token, which every replica
// accepts only up to 256 KiB (ear.MaxTokenSize); cocofy's initdata (agent
// policy, aa.toml, cdh.toml with a certificate) is about 12 KiB.
const MaxInitDataSize = 64 << 10

// Key types and algorithms of a TEE public key.
const (
	KtyEC  = "EC"
	KtyRSA = "RSA"

	CurveP256 = "P-256"
	CurveP521 = "P-521"

	AlgECDHESA256KW = "ECDH-ES+A256KW"
	AlgRSAOAEP256   = "RSA-OAEP-256"
	AlgRSA15        = "RSA1_5" // deprecated upstream; accepted on the wire, never produced by our guest
)

// Request is the body of POST /kbs/v0/auth.
type Request struct {
	Version string `json:"version"`
	Tee     string `json:"tee"`
	// ExtraParams is opaque JSON: recent guests send
	// {"supported-hash-algorithms":[…]}, older ones the empty string.
	ExtraParams json.RawMessage `json:"extra-params,omitempty"`
}

// Challenge is the response to /auth.
type Challenge struct {
	// Nonce is standard padded base64 of 32 random bytes.
	Nonce string `json:"nonce"`
	// ExtraParams is "" for every TEE except se, where it is
	// {"selected-hash-algorithm":"sha512"}.
	ExtraParams any `json:"extra-params"`
}

// SelectedHashAlgorithm returns the hash the verifier asked the guest to use
// for the runtime-data binding; "sha384" (upstream's default) when absent.
func (c Challenge) SelectedHashAlgorithm() string {
	if m, ok := c.ExtraParams.(map[string]any); ok {
		if s, ok := m["selected-hash-algorithm"].(string); ok && s != "" {
			return s
		}
	}
	return "sha384"
}

// InitData is the optional initdata a guest sends with its evidence.
type InitData struct {
	Format string `json:"format"` // "toml"
	Body   string `json:"body"`   // the raw initdata document; its bytes are hashed as sent
}

// RuntimeData is what the guest binds into the hardware report.
type RuntimeData struct {
	Nonce     string    `json:"nonce"`
	TeePubKey TeePubKey `json:"tee-pubkey"`
}

// CompositeEvidence carries the TEE evidence.
type CompositeEvidence struct {
	// PrimaryEvidence is the TEE-specific evidence object, handed verbatim to
	// the verifier.
	PrimaryEvidence json.RawMessage `json:"primary_evidence"`
	// AdditionalEvidence is a JSON string (a serialised {tee: evidence} map)
	// or "". It is part of the binding as the exact string sent.
	AdditionalEvidence string `json:"additional_evidence"`
}

// Attestation is the body of POST /kbs/v0/attest.
type Attestation struct {
	InitData    *InitData         `json:"init-data,omitempty"`
	RuntimeData RuntimeData       `json:"runtime-data"`
	TeeEvidence CompositeEvidence `json:"tee-evidence"`
}

// TokenResponse is the response to /attest.
type TokenResponse struct {
	Token string `json:"token"`
}

// TeePubKey is the guest's ephemeral public key, to which resources are
// encrypted. Only the typed fields exist: upstream rebuilds the object from
// them before hashing, so unknown members never reach the binding.
type TeePubKey struct {
	Kty string // "EC" or "RSA"
	Alg string // "ECDH-ES+A256KW", "RSA-OAEP-256" or "RSA1_5"
	Crv string // EC only: "P-256" or "P-521"
	X   string // EC only: base64url, no padding
	Y   string // EC only
	N   string // RSA only: modulus, base64url, no padding
	E   string // RSA only: exponent
}

// ecKeyJSON and rsaKeyJSON fix the member order of upstream's serde
// serialisation (kbs-types: kty tag first, then the declared fields).
type ecKeyJSON struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Alg string `json:"alg"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

type rsaKeyJSON struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// MarshalJSON writes only the typed members of the key's type.
func (k TeePubKey) MarshalJSON() ([]byte, error) {
	switch k.Kty {
	case KtyEC:
		return json.Marshal(ecKeyJSON{Kty: k.Kty, Crv: k.Crv, Alg: k.Alg, X: k.X, Y: k.Y})
	case KtyRSA:
		return json.Marshal(rsaKeyJSON{Kty: k.Kty, Alg: k.Alg, N: k.N, E: k.E})
	default:
		return nil, fmt.Errorf("tee-pubkey: unsupported kty %q", k.Kty)
	}
}

// UnmarshalJSON reads a key and requires the members of its type.
func (k *TeePubKey) UnmarshalJSON(b []byte) error {
	var raw struct {
		Kty *string `json:"kty"`
		Crv *string `json:"crv"`
		Alg *string `json:"alg"`
		X   *string `json:"x"`
		Y   *string `json:"y"`
		N   *string `json:"n"`
		E   *string `json:"e"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("tee-pubkey: %w", err)
	}
	out, err := teePubKeyOf(raw.Kty, raw.Crv, raw.Alg, raw.X, raw.Y, raw.N, raw.E)
	if err != nil {
		return err
	}
	*k = out
	return nil
}

// teePubKeyOf builds a key from its JSON members (nil: absent) and requires
// the members of its type.
func teePubKeyOf(kty, crv, alg, x, y, n, e *string) (TeePubKey, error) {
	if kty == nil || alg == nil {
		return TeePubKey{}, errors.New("tee-pubkey: kty and alg are required")
	}
	out := TeePubKey{Kty: *kty, Alg: *alg}
	switch out.Kty {
	case KtyEC:
		if crv == nil || x == nil || y == nil {
			return TeePubKey{}, errors.New("tee-pubkey: EC key needs crv, x and y")
		}
		out.Crv, out.X, out.Y = *crv, *x, *y
	case KtyRSA:
		if n == nil || e == nil {
			return TeePubKey{}, errors.New("tee-pubkey: RSA key needs n and e")
		}
		out.N, out.E = *n, *e
	default:
		return TeePubKey{}, fmt.Errorf("tee-pubkey: unsupported kty %q", out.Kty)
	}
	return out, nil
}

// Map returns the key as a JSON object value (for token claims and policy
// input), holding only the typed members.
func (k TeePubKey) Map() map[string]any {
	if k.Kty == KtyRSA {
		return map[string]any{"kty": k.Kty, "alg": k.Alg, "n": k.N, "e": k.E}
	}
	return map[string]any{"kty": k.Kty, "crv": k.Crv, "alg": k.Alg, "x": k.X, "y": k.Y}
}

// TeePubKeyFromClaim reads a key from a decoded JSON value (a token claim).
// An object whose members are all among kty, crv, alg, x, y, n and e, each
// a valid UTF-8 string (what Map writes and a token's claim decodes to), is read
// directly; any other value takes the JSON round trip, which gives the
// same result for such an object (TestTeePubKeyFromClaimDirect).
func TeePubKeyFromClaim(v any) (TeePubKey, error) {
	if m, ok := v.(map[string]any); ok {
		if k, ok, err := teePubKeyFromMap(m); ok {
			return k, err
		}
	}
	return teePubKeyFromClaimJSON(v)
}

// teePubKeyFromMap reads a key from m when every member is a known one
// holding a string; ok is false otherwise.
func teePubKeyFromMap(m map[string]any) (k TeePubKey, ok bool, err error) {
	var kty, crv, alg, x, y, n, e *string
	for name, v := range m {
		s, isString := v.(string)
		if !isString || !utf8.ValidString(s) { // JSON would make it valid (U+FFFD)
			return TeePubKey{}, false, nil
		}
		switch name {
		case "kty":
			kty = &s
		case "crv":
			crv = &s
		case "alg":
			alg = &s
		case "x":
			x = &s
		case "y":
			y = &s
		case "n":
			n = &s
		case "e":
			e = &s
		default:
			return TeePubKey{}, false, nil
		}
	}
	k, err = teePubKeyOf(kty, crv, alg, x, y, n, e)
	return k, true, err
}

// teePubKeyFromClaimJSON is the reference reading: encode v, decode a key.
func teePubKeyFromClaimJSON(v any) (TeePubKey, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return TeePubKey{}, fmt.Errorf("tee-pubkey claim: %w", err)
	}
	var k TeePubKey
	if err := json.Unmarshal(b, &k); err != nil {
		return TeePubKey{}, err
	}
	return k, nil
}

// maxRSABits bounds the RSA modulus we accept: larger keys only cost CPU.
const maxRSABits = 8192

// PublicKey decodes and validates the key: an EC point must be on its curve
// (*ecdh.PublicKey), an RSA key must have 2048..8192 bits and a sane exponent
// (*rsa.PublicKey). The algorithm must suit the key type.
func (k TeePubKey) PublicKey() (any, error) {
	switch k.Kty {
	case KtyEC:
		if k.Alg != AlgECDHESA256KW {
			return nil, fmt.Errorf("tee-pubkey: EC algorithm %q is not supported", k.Alg)
		}
		var curve ecdh.Curve
		var size int
		switch k.Crv {
		case CurveP256:
			curve, size = ecdh.P256(), 32
		case CurveP521:
			curve, size = ecdh.P521(), 66
		default:
			return nil, fmt.Errorf("tee-pubkey: curve %q is not supported", k.Crv)
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != size {
			return nil, fmt.Errorf("tee-pubkey: x is not %d bytes of base64url", size)
		}
		y, err := base64.RawURLEncoding.DecodeString(k.Y)
		if err != nil || len(y) != size {
			return nil, fmt.Errorf("tee-pubkey: y is not %d bytes of base64url", size)
		}
		pt := make([]byte, 0, 1+2*size)
		pt = append(append(append(pt, 4), x...), y...)
		pub, err := curve.NewPublicKey(pt)
		if err != nil {
			return nil, fmt.Errorf("tee-pubkey: point is not on %s: %w", k.Crv, err)
		}
		return pub, nil
	case KtyRSA:
		if k.Alg != AlgRSAOAEP256 && k.Alg != AlgRSA15 {
			return nil, fmt.Errorf("tee-pubkey: RSA algorithm %q is not supported", k.Alg)
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil || len(n) == 0 {
			return nil, errors.New("tee-pubkey: n is not base64url")
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("tee-pubkey: e is not a base64url integer of at most 4 bytes")
		}
		nn := new(big.Int).SetBytes(n)
		if nn.BitLen() < 2048 || nn.BitLen() > maxRSABits {
			return nil, fmt.Errorf("tee-pubkey: RSA modulus of %d bits outside 2048..%d", nn.BitLen(), maxRSABits)
		}
		ee := int(new(big.Int).SetBytes(e).Int64())
		if ee < 3 || ee%2 == 0 {
			return nil, errors.New("tee-pubkey: RSA exponent must be odd and at least 3")
		}
		return &rsa.PublicKey{N: nn, E: ee}, nil
	default:
		return nil, fmt.Errorf("tee-pubkey: unsupported kty %q", k.Kty)
	}
}

// NewTeePubKey describes pub (an *ecdh.PublicKey on P-256/P-521, or an
// *rsa.PublicKey) as a TEE public key. RSA keys get RSA-OAEP-256.
func NewTeePubKey(pub any) (TeePubKey, error) {
	switch p := pub.(type) {
	case *ecdh.PublicKey:
		var crv string
		var size int
		switch p.Curve() {
		case ecdh.P256():
			crv, size = CurveP256, 32
		case ecdh.P521():
			crv, size = CurveP521, 66
		default:
			return TeePubKey{}, errors.New("tee-pubkey: unsupported curve")
		}
		b := p.Bytes() // 0x04 || X || Y
		return TeePubKey{
			Kty: KtyEC, Crv: crv, Alg: AlgECDHESA256KW,
			X: base64.RawURLEncoding.EncodeToString(b[1 : 1+size]),
			Y: base64.RawURLEncoding.EncodeToString(b[1+size:]),
		}, nil
	case *rsa.PublicKey:
		return TeePubKey{
			Kty: KtyRSA, Alg: AlgRSAOAEP256,
			N: base64.RawURLEncoding.EncodeToString(p.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(p.E)).Bytes()),
		}, nil
	default:
		return TeePubKey{}, fmt.Errorf("tee-pubkey: unsupported key type %T", pub)
	}
}

// runtimeData is the object hashed for the binding; JCS sorts the keys, the
// struct only has to carry the right names.
type runtimeData struct {
	AdditionalEvidence string    `json:"additional-evidence"`
	Nonce              string    `json:"nonce"`
	TeePubKey          TeePubKey `json:"tee-pubkey"`
}

// RuntimeDataJCS returns the RFC 8785 canonical JSON of
// {"additional-evidence","nonce","tee-pubkey"} that both sides hash.
func RuntimeDataJCS(nonce string, pub TeePubKey, additionalEvidence string) ([]byte, error) {
	if b, ok := runtimeDataJCSPlain(nonce, pub, additionalEvidence); ok {
		return b, nil
	}
	return runtimeDataJCSLib(nonce, pub, additionalEvidence)
}

// runtimeDataJCSLib canonicalises through encoding/json and the JCS library.
func runtimeDataJCSLib(nonce string, pub TeePubKey, additionalEvidence string) ([]byte, error) {
	raw, err := json.Marshal(runtimeData{AdditionalEvidence: additionalEvidence, Nonce: nonce, TeePubKey: pub})
	if err != nil {
		return nil, fmt.Errorf("runtime data: %w", err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("runtime data: canonicalise: %w", err)
	}
	return out, nil
}

// runtimeDataJCSPlain writes the canonical form directly when every string
// is printable ASCII other than '"' and '\\' (base64 nonces and keys, the
// usual case), which JCS writes verbatim, with the members in JCS order
// (sorted by name); ok is false otherwise, and RuntimeDataJCS canonicalises
// through encoding/json and the JCS library.
func runtimeDataJCSPlain(nonce string, pub TeePubKey, additionalEvidence string) ([]byte, bool) {
	var members [][2]string
	switch pub.Kty {
	case KtyEC:
		members = [][2]string{{"alg", pub.Alg}, {"crv", pub.Crv}, {"kty", pub.Kty}, {"x", pub.X}, {"y", pub.Y}}
	case KtyRSA:
		members = [][2]string{{"alg", pub.Alg}, {"e", pub.E}, {"kty", pub.Kty}, {"n", pub.N}}
	default:
		return nil, false
	}
	n := len(nonce) + len(additionalEvidence) + 64
	for _, m := range members {
		if !plainJSONString(m[1]) {
			return nil, false
		}
		n += len(m[0]) + len(m[1]) + 6
	}
	if !plainJSONString(nonce) || !plainJSONString(additionalEvidence) {
		return nil, false
	}
	b := make([]byte, 0, n)
	b = append(b, `{"additional-evidence":"`...)
	b = append(b, additionalEvidence...)
	b = append(b, `","nonce":"`...)
	b = append(b, nonce...)
	b = append(b, `","tee-pubkey":{`...)
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, m[0]...)
		b = append(b, `":"`...)
		b = append(b, m[1]...)
		b = append(b, '"')
	}
	return append(b, "}}"...), true
}

// plainJSONString reports whether s is printable ASCII without '"' or '\\'.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ReportData returns SHA-384(JCS(runtime data)), the digest a guest binds into
// its hardware report and the verifier expects there. It returns nil only for
// a key whose kty is neither EC nor RSA (which UnmarshalJSON never yields);
// callers must treat nil as a failed binding, never as "no binding".
func ReportData(nonce string, pub TeePubKey, additionalEvidence string) []byte {
	b, err := RuntimeDataJCS(nonce, pub, additionalEvidence)
	if err != nil {
		return nil
	}
	sum := sha512.Sum384(b)
	return sum[:]
}

// ReportDataFor is ReportData with the hash the TEE uses: SHA-512 for se (its
// challenge selects sha512), SHA-384 for every other TEE.
func ReportDataFor(tee string, nonce string, pub TeePubKey, additionalEvidence string) []byte {
	alg := "sha384"
	if tee == "se" {
		alg = "sha512"
	}
	d, _ := ReportDataHash(alg, nonce, pub, additionalEvidence)
	return d
}

// ReportDataHash computes the binding with a named hash ("sha256",
// "sha384", "sha512"), the guest's side of a challenge's
// selected-hash-algorithm.
func ReportDataHash(alg string, nonce string, pub TeePubKey, additionalEvidence string) ([]byte, error) {
	b, err := RuntimeDataJCS(nonce, pub, additionalEvidence)
	if err != nil {
		return nil, err
	}
	switch alg {
	case "sha256":
		s := sha256.Sum256(b)
		return s[:], nil
	case "sha384":
		s := sha512.Sum384(b)
		return s[:], nil
	case "sha512":
		s := sha512.Sum512(b)
		return s[:], nil
	default:
		return nil, fmt.Errorf("runtime data: hash algorithm %q is not supported", alg)
	}
}

// decodeStrict decodes one JSON value from b into v and refuses trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// DecodeRequest parses and checks an /auth body. Malformed JSON is a
// SerdeError (400); a version other than 0.4.0 is refused as upstream does
// (AttestationError, 401).
func DecodeRequest(body []byte) (*Request, error) {
	var r Request
	if err := decodeStrict(body, &r); err != nil {
		return nil, Errorf(SerdeError, "decode auth request: %v", err)
	}
	if r.Version != ProtocolVersion {
		return nil, Errorf(AttestationError, "KBS Client Protocol Version Mismatch: %q, want %s", r.Version, ProtocolVersion)
	}
	if r.Tee == "" {
		return nil, Errorf(SerdeError, "decode auth request: missing tee")
	}
	return &r, nil
}

// DecodeAttestation parses an /attest body. It checks the shape (a nonce, a
// usable key, an evidence object) but not the binding, which needs the
// session: see ReportData.
func DecodeAttestation(body []byte) (*Attestation, error) {
	a, err := decodeAttestationJSON(body)
	if err != nil {
		return nil, Errorf(SerdeError, "decode attestation: %v", err)
	}
	if a.RuntimeData.Nonce == "" {
		return nil, Errorf(SerdeError, "decode attestation: missing runtime-data nonce")
	}
	if _, err := a.RuntimeData.TeePubKey.PublicKey(); err != nil {
		return nil, Errorf(AttestationError, "attestation: %v", err)
	}
	pe := bytes.TrimSpace(a.TeeEvidence.PrimaryEvidence)
	if len(pe) == 0 || bytes.Equal(pe, []byte("null")) {
		return nil, Errorf(SerdeError, "decode attestation: missing tee-evidence primary_evidence")
	}
	if a.InitData != nil && len(a.InitData.Body) > MaxInitDataSize {
		return nil, Errorf(PayloadTooLarge, "attestation: init-data body of %d bytes is over the %d-byte limit", len(a.InitData.Body), MaxInitDataSize)
	}
	if a.InitData != nil && a.InitData.Format != "toml" {
		return nil, Errorf(AttestationError, "attestation: init-data format %q is not supported", a.InitData.Format)
	}
	return a, nil
}

// decodeAttestationJSON decodes an /attest body as decodeStrict does,
// through the fast path (fastattest.go) where it applies.
func decodeAttestationJSON(body []byte) (*Attestation, error) {
	var a Attestation
	if rest, ev, ok := fastAttestation(body); ok {
		if err := decodeStrict(rest, &a); err != nil {
			return nil, err
		}
		a.TeeEvidence.PrimaryEvidence = bytes.Clone(ev)
		return &a, nil
	}
	if err := decodeStrict(body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
