// Package ear issues and verifies the attestation result tokens of trustee:
// EAR (EAT Attestation Result) JWTs signed ES256 with the signer's JWK in the
// header, under upstream Trustee's EAT profile. Claims are modelled and
// validated with github.com/veraison/ear; signing and verification use
// go-jose, because the EAR library cannot add exp, iss or the jwk header that
// upstream tokens carry.
package ear

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	vear "github.com/veraison/ear"

	"github.com/trustgate/trustgate/internal/kbs"
)

// Profile is upstream Trustee's EAT profile.
const Profile = vear.EatTrusteeProfile

// Defaults for an Issuer.
const (
	DefaultTTL    = 5 * time.Minute // upstream's token lifetime
	DefaultIssuer = "trustgate-trustee"
	// DefaultAudience is the "aud" of trustee's tokens: the trustgate
	// relying parties (the KBS resource endpoint, the dashboard's beacon
	// check). A token without it is not for us.
	DefaultAudience          = "trustgate"
	DefaultVerifierDeveloper = "https://github.com/trustgate/trustgate"
	DefaultVerifierBuild     = "trustgate-trustee"
	// DefaultSubmod is where CPU evidence is appraised.
	DefaultSubmod = "cpu0"
)

// MaxTokenSize bounds the tokens Verify and ParseUnverified read, and the
// tokens Issue signs.
const MaxTokenSize = 256 << 10

// ErrTokenTooLarge is returned by Issue for claims whose token would exceed
// MaxTokenSize.
var ErrTokenTooLarge = errors.New("ear: token too large")

// TrustVectorKeys are the AR4SI trustworthiness claims, in upstream's order.
var TrustVectorKeys = []string{
	"instance-identity", "configuration", "executables", "file-system",
	"hardware", "runtime-opaque", "storage-opaque", "sourced-data",
}

// Appraisal is one submodule's result, the input to Issue.
type Appraisal struct {
	// Tee names the TEE; its claims appear under this key in the annotated
	// evidence.
	Tee string
	// TrustVector maps TrustVectorKeys to values in -128..127; missing keys
	// are 0 (no claim).
	TrustVector map[string]int
	// PolicyID is the attestation policy that produced the vector.
	PolicyID string
	// Claims are the TEE claims from the verifier.
	Claims map[string]any
	// InitData is the hex of the hardware-bound initdata digest, or "".
	InitData string
	// InitDataClaims are the parsed initdata (nil when none was sent).
	InitDataClaims any
	// ReportData is the hex of the runtime-data digest the evidence bound.
	ReportData string
	// RuntimeDataClaims hold the guest's runtime data; its "tee-pubkey"
	// member is the key resources are encrypted to.
	RuntimeDataClaims map[string]any
	// Extensions are added to the appraisal as "ear.veraison.policy-claims"
	// when non-empty (the attestation policy's data.policy.extensions).
	Extensions any
}

// Status returns the appraisal's ear.status: the worst tier of its vector.
func (a Appraisal) Status() string { return StatusOf(a.TrustVector).String() }

// Tier returns the AR4SI tier of a trust claim value: -1..1 none, |v|<32
// affirming, |v|<96 warning, else contraindicated.
func Tier(v int) vear.TrustTier {
	if v > 127 || v < -128 {
		return vear.TrustTierContraindicated
	}
	return vear.TrustClaim(v).GetTier()
}

// StatusOf returns the worst tier in the vector (none when all are none).
func StatusOf(vec map[string]int) vear.TrustTier {
	worst := vear.TrustTierNone
	for _, v := range vec {
		if t := Tier(v); t > worst {
			worst = t
		}
	}
	return worst
}

// Options configure an Issuer.
type Options struct {
	Issuer            string           // "iss"; DefaultIssuer when empty
	Audience          string           // "aud"; DefaultAudience when empty
	TTL               time.Duration    // exp - iat; DefaultTTL when zero
	VerifierDeveloper string           // ear.verifier-id developer
	VerifierBuild     string           // ear.verifier-id build
	Now               func() time.Time // clock; time.Now when nil
}

// Issuer signs EAR tokens. Its key can be replaced while it is in use
// (SetKey: token key rotation).
type Issuer struct {
	cur  atomic.Pointer[issuerKey]
	opts Options
}

type issuerKey struct {
	key *ecdsa.PrivateKey
	kid string
	// header64 is the base64url protected header of every token this key
	// signs ({"alg":"ES256","jwk":…,"kid":…,"typ":"JWT"}), as go-jose
	// writes it: it does not change from token to token, so it is
	// encoded once (sign).
	header64 string
}

// KeyID is the "kid" of a token key: the base64url (no padding) RFC 7638
// JWK thumbprint (SHA-256) of its public key.
func KeyID(pub *ecdsa.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("ear: key thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

func newIssuerKey(key *ecdsa.PrivateKey) (*issuerKey, error) {
	if key == nil || key.Curve != elliptic.P256() {
		return nil, errors.New("ear: signing key must be ECDSA P-256")
	}
	kid, err := KeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	// The header carries the signer's JWK, as upstream's tokens do, and
	// its kid, so that a relying party holding a JWKS picks the key.
	so := (&jose.SignerOptions{EmbedJWK: true}).WithType("JWT").WithHeader("kid", kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, so)
	if err != nil {
		return nil, fmt.Errorf("ear: signer: %w", err)
	}
	jws, err := s.Sign([]byte("{}"))
	if err != nil {
		return nil, fmt.Errorf("ear: signer: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("ear: signer: %w", err)
	}
	h64, _, _ := strings.Cut(tok, ".")
	return &issuerKey{key: key, kid: kid, header64: h64}, nil
}

// sign returns the compact JWS (ES256, RFC 7515 and 7518 §3.4: the
// signature is R and S, 32 bytes each) of payload under the key's header.
// It writes what go-jose's signer would, without building and marshalling
// the header (and its JWK) again for every token.
func (k *issuerKey) sign(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(k.header64)+2+enc.EncodedLen(len(payload))+enc.EncodedLen(64))
	buf = append(buf, k.header64...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	h := sha256.Sum256(buf)
	r, s, err := ecdsa.Sign(rand.Reader, k.key, h[:])
	if err != nil {
		return "", err
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	buf = append(buf, '.')
	return string(enc.AppendEncode(buf, sig[:])), nil
}

// NewIssuer returns an Issuer signing with key (P-256, ES256).
func NewIssuer(key *ecdsa.PrivateKey, opts Options) (*Issuer, error) {
	ik, err := newIssuerKey(key)
	if err != nil {
		return nil, err
	}
	if opts.Issuer == "" {
		opts.Issuer = DefaultIssuer
	}
	if opts.Audience == "" {
		opts.Audience = DefaultAudience
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.VerifierDeveloper == "" {
		opts.VerifierDeveloper = DefaultVerifierDeveloper
	}
	if opts.VerifierBuild == "" {
		opts.VerifierBuild = DefaultVerifierBuild
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	i := &Issuer{opts: opts}
	i.cur.Store(ik)
	return i, nil
}

// SetKey makes key the signing key of every token issued from now on.
func (i *Issuer) SetKey(key *ecdsa.PrivateKey) error {
	ik, err := newIssuerKey(key)
	if err != nil {
		return err
	}
	i.cur.Store(ik)
	return nil
}

// PublicKey returns the key that verifies this issuer's tokens.
func (i *Issuer) PublicKey() *ecdsa.PublicKey { return &i.cur.Load().key.PublicKey }

// KeyID returns the kid of the current signing key.
func (i *Issuer) KeyID() string { return i.cur.Load().kid }

// TTL returns the lifetime of the tokens this issuer signs.
func (i *Issuer) TTL() time.Duration { return i.opts.TTL }

// Claims builds the token claims for one appraisal under DefaultSubmod,
// validated by the EAR library.
func (i *Issuer) Claims(a Appraisal) (map[string]any, error) {
	if a.Tee == "" {
		return nil, errors.New("ear: appraisal without TEE name")
	}
	vec := map[string]any{}
	for _, k := range TrustVectorKeys {
		vec[k] = 0
	}
	for k, v := range a.TrustVector {
		if _, ok := vec[k]; !ok {
			return nil, fmt.Errorf("ear: unknown trust claim %q", k)
		}
		if v < -128 || v > 127 {
			return nil, fmt.Errorf("ear: trust claim %s=%d outside -128..127", k, v)
		}
		vec[k] = v
	}
	annotated := map[string]any{
		"init_data":           a.InitData,
		"init_data_claims":    a.InitDataClaims,
		"report_data":         a.ReportData,
		"runtime_data_claims": nilIfEmpty(a.RuntimeDataClaims),
		a.Tee:                 a.Claims,
	}
	sub := map[string]any{
		"ear.status":                      a.Status(),
		"ear.trustworthiness-vector":      vec,
		"ear.appraisal-policy-id":         a.PolicyID,
		"ear.veraison.annotated-evidence": annotated,
	}
	if a.Extensions != nil {
		sub["ear.veraison.policy-claims"] = map[string]any{"extensions": a.Extensions}
	}
	now := i.opts.Now()
	claims := map[string]any{
		"eat_profile": Profile,
		"iat":         now.Unix(),
		"exp":         now.Add(i.opts.TTL).Unix(),
		"iss":         i.opts.Issuer,
		"aud":         i.opts.Audience,
		"ear.verifier-id": map[string]any{
			"developer": i.opts.VerifierDeveloper,
			"build":     i.opts.VerifierBuild,
		},
		"submods": map[string]any{DefaultSubmod: sub},
	}
	return claims, nil
}

func nilIfEmpty(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// Issue signs the token for one appraisal and returns it with its claims
// (as the resource policy will later see them).
func (i *Issuer) Issue(a Appraisal) (string, map[string]any, error) {
	claims, err := i.Claims(a)
	if err != nil {
		return "", nil, err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", nil, fmt.Errorf("ear: encode claims: %w", err)
	}
	// No round trip through the EAR library here: Claims builds the
	// profile, iat, verifier-id and a status from a checked vector, which
	// is what the library validates (TestIssuedTokensValidateWithEAR), and
	// every Verify validates the claims with it again.
	tok, err := i.cur.Load().sign(payload)
	if err != nil {
		return "", nil, fmt.Errorf("ear: sign: %w", err)
	}
	if len(tok) > MaxTokenSize {
		// Every replica refuses a token over MaxTokenSize: never issue one.
		return "", nil, fmt.Errorf("%w: %d bytes, over the %d every verifier accepts", ErrTokenTooLarge, len(tok), MaxTokenSize)
	}
	// The claims as a consumer decodes them from the token (numbers as
	// float64, objects as map[string]any), built without parsing the
	// payload again.
	decoded, err := jsonValue(claims)
	if err != nil {
		return "", nil, fmt.Errorf("ear: decode claims: %w", err)
	}
	return tok, decoded.(map[string]any), nil
}

// jsonValue returns v as encoding/json would decode its encoding: numbers
// float64, objects map[string]any, arrays []any. The shapes Claims builds
// and verifiers emit are converted directly; anything else goes through
// JSON.
func jsonValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case map[string]any:
		if x == nil {
			return nil, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			d, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = d
		}
		return out, nil
	case []any:
		if x == nil {
			return nil, nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			d, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case []string:
		if x == nil {
			return nil, nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Token is a parsed result token.
type Token struct {
	// Claims are all claims, as JSON-decoded values: the resource policy's
	// input.
	Claims map[string]any
	// Result is the EAR view of the claims.
	Result   vear.AttestationResult
	IssuedAt time.Time
	Expiry   time.Time
	Issuer   string
	// Audience is the "aud" claim (a string or each member of an array).
	Audience []string
	// KeyID is the kid of the key that verified the token ("" when parsed
	// unverified).
	KeyID string
}

// Status returns the ear.status of a submodule ("" when absent).
func (t *Token) Status(submod string) string {
	a, ok := t.Result.Submods[submod]
	if !ok || a.Status == nil {
		return ""
	}
	return a.Status.String()
}

// TeePubKey returns the key resources must be encrypted to.
func (t *Token) TeePubKey() (kbs.TeePubKey, error) { return TeePubKeyFromClaims(t.Claims) }

// teePubKeyPointers is upstream's search order for the encryption key in a
// token's claims (JSON pointers); the first match wins.
var teePubKeyPointers = [][]string{
	{"tdx", "attester_runtime_data", "tee-pubkey"},
	{"tdx", "attester_user_data", "tee-pubkey"},
	{"customized_claims", "runtime_data", "tee-pubkey"},
	{"submods", "cpu0", "ear.veraison.annotated-evidence", "runtime_data_claims", "tee-pubkey"},
	{"tee-pubkey"},
}

// TeePubKeyFromClaims finds the tee-pubkey in token claims using upstream's
// "first match wins" list of locations.
func TeePubKeyFromClaims(claims map[string]any) (kbs.TeePubKey, error) {
	for _, p := range teePubKeyPointers {
		var cur any = claims
		for _, seg := range p {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[seg]
		}
		if cur != nil {
			k, err := kbs.TeePubKeyFromClaim(cur)
			if err != nil {
				return kbs.TeePubKey{}, fmt.Errorf("ear: claim /%s: %w", strings.Join(p, "/"), err)
			}
			return k, nil
		}
	}
	return kbs.TeePubKey{}, errors.New("ear: token carries no tee-pubkey")
}

// VerifyKey is one key a Verifier trusts.
type VerifyKey struct {
	Key *ecdsa.PublicKey
	// KeyID is the key's kid (KeyID(Key) when empty).
	KeyID string
	// Until, when set, is when the key stops being trusted: a retired
	// signing key verifies the tokens it signed until they expired, and
	// nothing after.
	Until time.Time
}

// Verifier checks tokens against trusted keys. Its keys can be replaced
// while it is in use (SetKeys: token key rotation).
type Verifier struct {
	mu   sync.RWMutex
	keys []VerifyKey
	// Skew is the clock tolerance on iat and exp.
	Skew time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Issuer, when not empty, must equal the token's "iss"
	// (NewVerifier: DefaultIssuer).
	Issuer string
	// Audience, when not empty, must be one of the token's "aud"
	// (NewVerifier: DefaultAudience).
	Audience string
}

// DefaultSkew is the tolerated clock difference between replicas.
const DefaultSkew = 30 * time.Second

// NewVerifier returns a Verifier trusting keys, expecting trustee's issuer
// and audience (DefaultIssuer, DefaultAudience).
func NewVerifier(keys ...*ecdsa.PublicKey) *Verifier {
	v := &Verifier{Skew: DefaultSkew, Issuer: DefaultIssuer, Audience: DefaultAudience}
	vk := make([]VerifyKey, 0, len(keys))
	for _, k := range keys {
		vk = append(vk, VerifyKey{Key: k})
	}
	if err := v.SetKeys(vk...); err != nil {
		// Only a key that cannot be thumbprinted (not a P-256 point)
		// fails: such a key verifies nothing anyway.
		v.keys = nil
	}
	return v
}

// SetKeys replaces the trusted keys.
func (v *Verifier) SetKeys(keys ...VerifyKey) error {
	out := make([]VerifyKey, 0, len(keys))
	for _, k := range keys {
		if k.Key == nil {
			continue
		}
		if k.KeyID == "" {
			kid, err := KeyID(k.Key)
			if err != nil {
				return err
			}
			k.KeyID = kid
		}
		out = append(out, k)
	}
	v.mu.Lock()
	v.keys = out
	v.mu.Unlock()
	return nil
}

// Follow keeps the trusted keys in step with a JWKS (trustee's
// /kbs/v0/token-keys, ParseJWKS's format) until ctx ends: fetch is called
// at once and then every interval (default 30 s), and each JWKS it returns
// replaces the keys. A relying party that follows the JWKS accepts tokens
// of a rotated key without a restart, and stops accepting the previous
// key's when trustee drops it. A failed fetch or a bad JWKS keeps the
// current keys and is reported to onError (may be nil). The first fetch's
// error is returned; later ones only reported.
func (v *Verifier) Follow(ctx context.Context, fetch func(context.Context) ([]byte, error), interval time.Duration, onError func(error)) error {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	update := func() error {
		b, err := fetch(ctx)
		if err != nil {
			return fmt.Errorf("ear: fetch token keys: %w", err)
		}
		keys, err := ParseJWKS(b)
		if err != nil {
			return err
		}
		return v.SetKeys(keys...)
	}
	if err := update(); err != nil {
		return err
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := update(); err != nil && onError != nil && ctx.Err() == nil {
					onError(err)
				}
			}
		}
	}()
	return nil
}

// Keys returns the trusted keys (for a JWKS).
func (v *Verifier) Keys() []VerifyKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return append([]VerifyKey(nil), v.keys...)
}

// Trusts reports whether a token signed by the key kid would verify at now
// as far as the key is concerned (the key is trusted and not past its
// Until). Caches of verified tokens check it on every hit, so that a key
// dropped by a rotation stops verifying at once.
func (v *Verifier) Trusts(kid string, now time.Time) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, k := range v.keys {
		if k.KeyID == kid {
			return k.Until.IsZero() || now.Before(k.Until)
		}
	}
	return false
}

// HeaderKeyID returns the kid in a compact JWS's protected header without
// verifying anything ("" when there is none).
func HeaderKeyID(token string) string {
	h, _, ok := strings.Cut(token, ".")
	if !ok || len(h) > 4096 {
		return ""
	}
	// An issuer encodes its header once per key, so consecutive tokens
	// usually share it byte for byte: remember the last one decoded.
	if last := lastHeaderKeyID.Load(); last != nil && last.header == h {
		return last.kid
	}
	kid := headerKeyID(h)
	lastHeaderKeyID.Store(&headerKID{header: strings.Clone(h), kid: kid})
	return kid
}

type headerKID struct{ header, kid string }

var lastHeaderKeyID atomic.Pointer[headerKID]

// headerKeyID decodes the kid of a protected header segment h.
func headerKeyID(h string) string {
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(b, &hdr) != nil {
		return ""
	}
	return hdr.Kid
}

// Token verification failures, for errors.Is.
var (
	ErrBadSignature = errors.New("ear: token signature does not verify with any trusted key")
	ErrExpired      = errors.New("ear: token expired")
	ErrRetiredKey   = errors.New("ear: token signed by a retired key")
	ErrWrongIssuer  = errors.New("ear: token issuer is not trusted")
	ErrWrongAud     = errors.New("ear: token is not for this audience")
)

// Verify checks the signature (ES256, against a trusted key chosen by the
// header's kid, else any trusted key; the jwk in the header is never
// trusted on its own), exp and iat (with Skew), iss and aud, and the EAR
// shape. Any failure is an error: it fails closed.
func (v *Verifier) Verify(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, ErrTokenTooLarge
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("ear: parse token: %w", err)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	n := now()
	kid := jws.Signatures[0].Protected.KeyID
	v.mu.RLock()
	keys := v.keys
	v.mu.RUnlock()
	var payload []byte
	var used VerifyKey
	for _, k := range keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if p, err := jws.Verify(k.Key); err == nil {
			payload, used = p, k
			break
		}
	}
	if payload == nil {
		return nil, ErrBadSignature
	}
	if !used.Until.IsZero() && !n.Before(used.Until) {
		return nil, fmt.Errorf("%w (kid %s, retired until %s)", ErrRetiredKey, used.KeyID, used.Until.UTC().Format(time.RFC3339))
	}
	t, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	t.KeyID = used.KeyID
	if t.Expiry.IsZero() {
		return nil, errors.New("ear: token has no exp")
	}
	if !n.Before(t.Expiry.Add(v.Skew)) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.IssuedAt.After(n.Add(v.Skew)) {
		return nil, fmt.Errorf("ear: token issued in the future (%s)", t.IssuedAt.UTC().Format(time.RFC3339))
	}
	if v.Issuer != "" && t.Issuer != v.Issuer {
		return nil, fmt.Errorf("%w: iss %q, want %q", ErrWrongIssuer, boundString(t.Issuer), v.Issuer)
	}
	if v.Audience != "" && !slices.Contains(t.Audience, v.Audience) {
		return nil, fmt.Errorf("%w: want aud %q", ErrWrongAud, v.Audience)
	}
	return t, nil
}

func boundString(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

// ParseUnverified reads a token's claims without checking the signature or
// times. Only for a guest caching its own token (to know when it expires)
// and for display; never for an authorisation decision.
func ParseUnverified(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, ErrTokenTooLarge
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("ear: parse token: %w", err)
	}
	return parseClaims(jws.UnsafePayloadWithoutVerification())
}

func parseClaims(payload []byte) (*Token, error) {
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, fmt.Errorf("ear: token claims are not a JSON object")
	}
	t := &Token{Claims: claims}
	if err := t.Result.UnmarshalJSON(payload); err != nil {
		return nil, fmt.Errorf("ear: token claims: %w", err)
	}
	if t.Result.Profile == nil || *t.Result.Profile != Profile {
		return nil, errors.New("ear: token profile is not " + Profile)
	}
	if t.Result.IssuedAt != nil {
		t.IssuedAt = time.Unix(*t.Result.IssuedAt, 0)
	}
	if exp, ok := claims["exp"].(float64); ok {
		t.Expiry = time.Unix(int64(exp), 0)
	} else if _, present := claims["exp"]; present {
		return nil, errors.New("ear: exp is not a number")
	}
	if iss, ok := claims["iss"].(string); ok {
		t.Issuer = iss
	}
	switch aud := claims["aud"].(type) {
	case string:
		t.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok {
				t.Audience = append(t.Audience, s)
			}
		}
	}
	return t, nil
}

// GenerateKey makes a new P-256 token signing key.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ear: generate signing key: %w", err)
	}
	return k, nil
}

// MarshalPrivateKey encodes the signing key as PKCS#8 PEM, for the store.
func MarshalPrivateKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("ear: marshal signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey decodes a PKCS#8 PEM P-256 signing key.
func ParsePrivateKey(b []byte) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("ear: signing key is not a PKCS#8 PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("ear: parse signing key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("ear: signing key is not ECDSA P-256")
	}
	return ek, nil
}

// MarshalPublicKey encodes a verification key as PKIX PEM, for operators
// configuring another verifier.
func MarshalPublicKey(k *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("ear: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// JWK is one key of a JWKS (RFC 7517), as JWKS writes it.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	// Exp, on a retired key, is when it stops verifying (Unix seconds):
	// a trustgate extension, ignored by other JWKS readers.
	Exp int64 `json:"exp,omitempty"`
}

// JWKS encodes keys as a JSON Web Key Set {"keys":[…]}, current key first.
func JWKS(keys []VerifyKey) ([]byte, error) {
	set := struct {
		Keys []JWK `json:"keys"`
	}{Keys: []JWK{}}
	for _, k := range keys {
		if k.Key == nil || k.Key.Curve != elliptic.P256() {
			return nil, errors.New("ear: JWKS: not a P-256 key")
		}
		pk, err := k.Key.ECDH()
		if err != nil {
			return nil, fmt.Errorf("ear: JWKS: %w", err)
		}
		raw := pk.Bytes() // 0x04 || X || Y
		kid := k.KeyID
		if kid == "" {
			if kid, err = KeyID(k.Key); err != nil {
				return nil, err
			}
		}
		j := JWK{Kty: "EC", Crv: "P-256", X: base64.RawURLEncoding.EncodeToString(raw[1:33]),
			Y: base64.RawURLEncoding.EncodeToString(raw[33:]), Kid: kid, Use: "sig", Alg: "ES256"}
		if !k.Until.IsZero() {
			j.Exp = k.Until.Unix()
		}
		set.Keys = append(set.Keys, j)
	}
	return json.Marshal(set)
}

// ParseJWKS reads a JWKS written by JWKS (ES256 P-256 signing keys; other
// keys are skipped). Each key's kid must be its thumbprint.
func ParseJWKS(b []byte) ([]VerifyKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("ear: JWKS: %w", err)
	}
	var extra struct {
		Keys []struct {
			Exp int64 `json:"exp"`
		} `json:"keys"`
	}
	_ = json.Unmarshal(b, &extra) // same document: cannot fail after the above
	var out []VerifyKey
	for i, k := range set.Keys {
		pub, ok := k.Key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		kid, err := KeyID(pub)
		if err != nil {
			return nil, err
		}
		if k.KeyID != "" && k.KeyID != kid {
			return nil, fmt.Errorf("ear: JWKS: kid %q is not the key's thumbprint", boundString(k.KeyID))
		}
		vk := VerifyKey{Key: pub, KeyID: kid}
		if i < len(extra.Keys) && extra.Keys[i].Exp > 0 {
			vk.Until = time.Unix(extra.Keys[i].Exp, 0)
		}
		out = append(out, vk)
	}
	if len(out) == 0 {
		return nil, errors.New("ear: JWKS holds no ES256 P-256 key")
	}
	return out, nil
}

// ParsePublicKey decodes a PKIX PEM P-256 verification key (what
// MarshalPublicKey writes).
func ParsePublicKey(b []byte) (*ecdsa.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("ear: not a PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("ear: parse public key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("ear: public key is not ECDSA P-256")
	}
	return ek, nil
}
