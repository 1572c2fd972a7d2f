// Package sealed reads and writes Confidential Containers sealed secrets:
// `sealed.<header>.<payload>.<signature>`, a compact JWS (ES256, base64url
// without padding) whose payload names where the real value lives
// (`kbs:///repo/type/tag`) or carries it encrypted (envelope). The manifests
// in git hold only these references; the guest resolves them after
// attestation.
//
// Following go-sev-guest's parse → verify → validate split, Parse never trusts
// its input and never checks a signature; Verify proves origin against a
// public key. The legacy unsigned form `sealed.fakejwsheader.<payload>.fakesignature`
// (what cococtl emits) parses, but Verify refuses it: a caller must choose
// explicitly to skip verification, as upstream's SKIP_SEALED_SECRET_VERIFICATION does.
package sealed

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Wire constants.
const (
	Prefix   = "sealed."
	Version  = "0.1.0"
	AlgES256 = "ES256"

	TypeVault    = "vault"
	TypeEnvelope = "envelope"

	ProviderKBS = "kbs"
	WrapA256GCM = "A256GCM"

	// Placeholders of the legacy unsigned form.
	FakeHeader    = "fakejwsheader"
	FakeSignature = "fakesignature"

	// MaxSize bounds a sealed secret string; real ones are a few hundred bytes.
	MaxSize = 64 << 10
)

// Errors callers may test with errors.Is.
var (
	ErrMalformed    = errors.New("malformed sealed secret")
	ErrUnsigned     = errors.New("sealed secret is unsigned (legacy fakejwsheader form)")
	ErrBadSignature = errors.New("sealed secret signature does not verify")
	ErrTooLarge     = errors.New("sealed secret too large")
)

// Strict decoding refuses non-zero trailing bits, so one signature has one encoding.
var b64 = base64.RawURLEncoding.Strict()

// Secret is the JSON payload of a sealed secret. Vault secrets use Name;
// envelope secrets use KeyID, EncryptedKey, EncryptedData, WrapType and IV
// (standard base64, as upstream's envelope layout expects).
type Secret struct {
	Version          string
	Type             string
	Name             string
	KeyID            string
	EncryptedKey     string
	EncryptedData    string
	WrapType         string
	IV               string
	Provider         string
	ProviderSettings map[string]any
	Annotations      map[string]any
}

// NewVault returns a vault secret that the guest resolves through Trustee:
// resource is a `kbs:///repo/type/tag` URI.
func NewVault(resource string) Secret {
	return Secret{Version: Version, Type: TypeVault, Name: resource, Provider: ProviderKBS}
}

type wireVault struct {
	Version          string         `json:"version"`
	Type             string         `json:"type"`
	Name             string         `json:"name"`
	Provider         string         `json:"provider"`
	ProviderSettings map[string]any `json:"provider_settings"`
	Annotations      map[string]any `json:"annotations"`
}

type wireEnvelope struct {
	Version          string         `json:"version"`
	Type             string         `json:"type"`
	KeyID            string         `json:"key_id"`
	EncryptedKey     string         `json:"encrypted_key"`
	EncryptedData    string         `json:"encrypted_data"`
	WrapType         string         `json:"wrap_type"`
	IV               string         `json:"iv"`
	Provider         string         `json:"provider"`
	ProviderSettings map[string]any `json:"provider_settings"`
	Annotations      map[string]any `json:"annotations"`
}

// wireAny accepts the union of both layouts for strict decoding.
type wireAny struct {
	Version          *string         `json:"version"`
	Type             *string         `json:"type"`
	Name             *string         `json:"name"`
	KeyID            *string         `json:"key_id"`
	EncryptedKey     *string         `json:"encrypted_key"`
	EncryptedData    *string         `json:"encrypted_data"`
	WrapType         *string         `json:"wrap_type"`
	IV               *string         `json:"iv"`
	Provider         *string         `json:"provider"`
	ProviderSettings *map[string]any `json:"provider_settings"`
	Annotations      *map[string]any `json:"annotations"`
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// MarshalJSON writes the fields in upstream's (serde) order.
func (s Secret) MarshalJSON() ([]byte, error) {
	switch s.Type {
	case TypeVault:
		return json.Marshal(wireVault{s.Version, s.Type, s.Name, s.Provider, orEmpty(s.ProviderSettings), orEmpty(s.Annotations)})
	case TypeEnvelope:
		return json.Marshal(wireEnvelope{s.Version, s.Type, s.KeyID, s.EncryptedKey, s.EncryptedData, s.WrapType, s.IV,
			s.Provider, orEmpty(s.ProviderSettings), orEmpty(s.Annotations)})
	default:
		return nil, fmt.Errorf("marshal sealed secret: unknown type %q", s.Type)
	}
}

// Validate checks the payload: version 0.1.0, a known type with its required
// fields present and the other type's fields absent.
func (s Secret) Validate() error {
	if s.Version != Version {
		return fmt.Errorf("%w: version %q is not supported (want %q)", ErrMalformed, s.Version, Version)
	}
	if s.Provider == "" {
		return fmt.Errorf("%w: provider is empty", ErrMalformed)
	}
	switch s.Type {
	case TypeVault:
		if s.Name == "" {
			return fmt.Errorf("%w: vault secret without name", ErrMalformed)
		}
		if s.KeyID != "" || s.EncryptedKey != "" || s.EncryptedData != "" || s.WrapType != "" || s.IV != "" {
			return fmt.Errorf("%w: vault secret with envelope fields", ErrMalformed)
		}
		if s.Provider == ProviderKBS {
			if _, err := ParseResourceURI(s.Name); err != nil {
				return fmt.Errorf("%w: %v", ErrMalformed, err)
			}
		}
	case TypeEnvelope:
		if s.Name != "" {
			return fmt.Errorf("%w: envelope secret with name", ErrMalformed)
		}
		if s.KeyID == "" || s.EncryptedKey == "" || s.EncryptedData == "" {
			return fmt.Errorf("%w: envelope secret needs key_id, encrypted_key and encrypted_data", ErrMalformed)
		}
		if s.WrapType != WrapA256GCM && s.WrapType != "A256CTR" {
			return fmt.Errorf("%w: wrap_type %q is not supported", ErrMalformed, s.WrapType)
		}
		for name, v := range map[string]string{"encrypted_key": s.EncryptedKey, "encrypted_data": s.EncryptedData, "iv": s.IV} {
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				return fmt.Errorf("%w: %s is not standard base64", ErrMalformed, name)
			}
		}
	default:
		return fmt.Errorf("%w: unknown type %q", ErrMalformed, s.Type)
	}
	return nil
}

func parsePayload(data []byte) (Secret, error) {
	var w wireAny
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Secret{}, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Secret{}, fmt.Errorf("%w: payload: trailing data", ErrMalformed)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	mp := func(p *map[string]any) map[string]any {
		if p == nil || *p == nil {
			return map[string]any{}
		}
		return *p
	}
	s := Secret{
		Version: str(w.Version), Type: str(w.Type), Name: str(w.Name),
		KeyID: str(w.KeyID), EncryptedKey: str(w.EncryptedKey), EncryptedData: str(w.EncryptedData),
		WrapType: str(w.WrapType), IV: str(w.IV), Provider: str(w.Provider),
		ProviderSettings: mp(w.ProviderSettings), Annotations: mp(w.Annotations),
	}
	if s.Type == TypeEnvelope && w.IV == nil {
		return Secret{}, fmt.Errorf("%w: envelope secret without iv", ErrMalformed)
	}
	if err := s.Validate(); err != nil {
		return Secret{}, err
	}
	return s, nil
}

// Header is the JWS protected header of a signed sealed secret.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// Sealed is a parsed, not yet verified, sealed secret.
type Sealed struct {
	Header   Header // zero for the unsigned form
	Secret   Secret
	Unsigned bool // legacy sealed.fakejwsheader.<payload>.fakesignature

	signingInput string
	signature    []byte
}

// IsSealed reports whether s looks like a sealed secret (has the prefix).
// Kata and our guest unseal exactly the env values for which this is true.
func IsSealed(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), Prefix) }

// Parse splits and decodes a sealed secret without verifying it.
func Parse(s string) (*Sealed, error) {
	if len(s) > MaxSize {
		return nil, fmt.Errorf("parse sealed secret: %w (%d bytes)", ErrTooLarge, len(s))
	}
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return nil, fmt.Errorf("parse sealed secret: %w: missing %q prefix", ErrMalformed, Prefix)
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("parse sealed secret: %w: want 4 dot-separated sections, got %d", ErrMalformed, len(parts)+1)
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("parse sealed secret: %w: payload is not base64url without padding", ErrMalformed)
	}
	sec, err := parsePayload(payload)
	if err != nil {
		return nil, fmt.Errorf("parse sealed secret: %w", err)
	}
	out := &Sealed{Secret: sec}
	if parts[0] == FakeHeader || parts[2] == FakeSignature {
		if parts[0] != FakeHeader || parts[2] != FakeSignature {
			return nil, fmt.Errorf("parse sealed secret: %w: half of the legacy unsigned form", ErrMalformed)
		}
		out.Unsigned = true
		return out, nil
	}
	hdrJSON, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("parse sealed secret: %w: header is not base64url without padding", ErrMalformed)
	}
	var hdr map[string]any
	if err := json.Unmarshal(hdrJSON, &hdr); err != nil {
		return nil, fmt.Errorf("parse sealed secret: %w: header: %v", ErrMalformed, err)
	}
	if _, ok := hdr["crit"]; ok {
		return nil, fmt.Errorf("parse sealed secret: %w: header has crit parameters", ErrMalformed)
	}
	alg, _ := hdr["alg"].(string)
	kid, _ := hdr["kid"].(string)
	if alg != AlgES256 {
		return nil, fmt.Errorf("parse sealed secret: %w: alg %q is not ES256", ErrMalformed, alg)
	}
	if kid == "" {
		return nil, fmt.Errorf("parse sealed secret: %w: header has no kid", ErrMalformed)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, fmt.Errorf("parse sealed secret: %w: signature must be 64 bytes of base64url", ErrMalformed)
	}
	out.Header = Header{Alg: alg, Kid: kid}
	out.signingInput = parts[0] + "." + parts[1]
	out.signature = sig
	return out, nil
}

// Verify checks the ES256 signature against pub (a P-256 key). The unsigned
// legacy form always fails with ErrUnsigned.
func (s *Sealed) Verify(pub *ecdsa.PublicKey) error {
	if s.Unsigned {
		return ErrUnsigned
	}
	if pub == nil || pub.Curve != elliptic.P256() {
		return fmt.Errorf("verify sealed secret: key must be ECDSA P-256")
	}
	if len(s.signature) != 64 {
		return ErrBadSignature
	}
	digest := sha256.Sum256([]byte(s.signingInput))
	r := new(big.Int).SetBytes(s.signature[:32])
	sv := new(big.Int).SetBytes(s.signature[32:])
	if !ecdsa.Verify(pub, digest[:], r, sv) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns `sealed.<header>.<payload>.<signature>` for sec, signed ES256
// with priv; kid names the verification key (a kbs:/// URI where the guest
// finds the public JWK, or a key file name).
func Sign(priv *ecdsa.PrivateKey, kid string, sec Secret) (string, error) {
	if priv == nil || priv.Curve != elliptic.P256() {
		return "", fmt.Errorf("sign sealed secret: key must be ECDSA P-256")
	}
	if kid == "" {
		return "", fmt.Errorf("sign sealed secret: empty kid")
	}
	if err := sec.Validate(); err != nil {
		return "", fmt.Errorf("sign sealed secret: %w", err)
	}
	hdr, err := json.Marshal(Header{Alg: AlgES256, Kid: kid})
	if err != nil {
		return "", fmt.Errorf("sign sealed secret: %w", err)
	}
	payload, err := json.Marshal(sec)
	if err != nil {
		return "", fmt.Errorf("sign sealed secret: %w", err)
	}
	input := b64.EncodeToString(hdr) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	// A nil random source makes ecdsa sign deterministically (RFC 6979), so
	// cocofy run twice on the same input writes byte-identical manifests.
	der, err := priv.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("sign sealed secret: %w", err)
	}
	var esig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &esig); err != nil || len(rest) != 0 {
		return "", fmt.Errorf("sign sealed secret: decode signature: %v", err)
	}
	sig := make([]byte, 64)
	esig.R.FillBytes(sig[:32])
	esig.S.FillBytes(sig[32:])
	return Prefix + input + "." + b64.EncodeToString(sig), nil
}

// Unsigned returns the legacy unsigned form of sec. Guests reject it unless
// verification is switched off; it exists for compatibility tests.
func Unsigned(sec Secret) (string, error) {
	if err := sec.Validate(); err != nil {
		return "", fmt.Errorf("encode sealed secret: %w", err)
	}
	payload, err := json.Marshal(sec)
	if err != nil {
		return "", fmt.Errorf("encode sealed secret: %w", err)
	}
	return Prefix + FakeHeader + "." + b64.EncodeToString(payload) + "." + FakeSignature, nil
}
