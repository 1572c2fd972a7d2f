// Package ear issues and verifies the attestation result tokens of trustee:
// EAR (EAT Attestation Result) JWTs signed ES256 with the signer's JWK in the
// header, under upstream Trustee's EAT profile. Claims are modelled and
// validated with github.com/veraison/ear; signing and verification use
// go-jose, because the EAR library cannot add exp, iss or the jwk header that
// upstream tokens carry.
package ear

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	vear "github.com/veraison/ear"

	"github.com/trustgate/trustgate/internal/kbs"
)

// Profile is upstream Trustee's EAT profile.
const Profile = vear.EatTrusteeProfile

// Defaults for an Issuer.
const (
	DefaultTTL               = 5 * time.Minute // upstream's token lifetime
	DefaultIssuer            = "trustgate-trustee"
	DefaultVerifierDeveloper = "https://github.com/trustgate/trustgate"
	DefaultVerifierBuild     = "trustgate-trustee"
	// DefaultSubmod is where CPU evidence is appraised.
	DefaultSubmod = "cpu0"
)

// MaxTokenSize bounds the tokens Verify and ParseUnverified read.
const MaxTokenSize = 256 << 10

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
	TTL               time.Duration    // exp - iat; DefaultTTL when zero
	VerifierDeveloper string           // ear.verifier-id developer
	VerifierBuild     string           // ear.verifier-id build
	Now               func() time.Time // clock; time.Now when nil
}

// Issuer signs EAR tokens.
type Issuer struct {
	key    *ecdsa.PrivateKey
	signer jose.Signer
	opts   Options
}

// NewIssuer returns an Issuer signing with key (P-256, ES256).
func NewIssuer(key *ecdsa.PrivateKey, opts Options) (*Issuer, error) {
	if key == nil || key.Curve != elliptic.P256() {
		return nil, errors.New("ear: signing key must be ECDSA P-256")
	}
	if opts.Issuer == "" {
		opts.Issuer = DefaultIssuer
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
	so := (&jose.SignerOptions{EmbedJWK: true}).WithType("JWT")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, so)
	if err != nil {
		return nil, fmt.Errorf("ear: signer: %w", err)
	}
	return &Issuer{key: key, signer: s, opts: opts}, nil
}

// PublicKey returns the key that verifies this issuer's tokens.
func (i *Issuer) PublicKey() *ecdsa.PublicKey { return &i.key.PublicKey }

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
	// Round-trip through the EAR library so that we never sign what it
	// would refuse (profile, iat, verifier-id, status).
	var ar vear.AttestationResult
	if err := ar.UnmarshalJSON(payload); err != nil {
		return "", nil, fmt.Errorf("ear: invalid result: %w", err)
	}
	jws, err := i.signer.Sign(payload)
	if err != nil {
		return "", nil, fmt.Errorf("ear: sign: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", nil, fmt.Errorf("ear: serialise: %w", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(payload, &decoded); err != nil {
		return "", nil, fmt.Errorf("ear: decode claims: %w", err)
	}
	return tok, decoded, nil
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

// Verifier checks tokens against trusted keys.
type Verifier struct {
	keys []*ecdsa.PublicKey
	// Skew is the clock tolerance on iat and exp.
	Skew time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultSkew is the tolerated clock difference between replicas.
const DefaultSkew = 30 * time.Second

// NewVerifier returns a Verifier trusting keys.
func NewVerifier(keys ...*ecdsa.PublicKey) *Verifier {
	return &Verifier{keys: keys, Skew: DefaultSkew}
}

// Verify checks the signature (ES256, against a trusted key; the jwk in the
// header is never trusted on its own), exp and iat (with Skew), and the EAR
// shape. Any failure is an error: it fails closed.
func (v *Verifier) Verify(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, errors.New("ear: token too large")
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("ear: parse token: %w", err)
	}
	var payload []byte
	for _, k := range v.keys {
		if p, err := jws.Verify(k); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return nil, errors.New("ear: token signature does not verify with any trusted key")
	}
	t, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	n := now()
	if t.Expiry.IsZero() {
		return nil, errors.New("ear: token has no exp")
	}
	if !n.Before(t.Expiry.Add(v.Skew)) {
		return nil, fmt.Errorf("ear: token expired at %s", t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.IssuedAt.After(n.Add(v.Skew)) {
		return nil, fmt.Errorf("ear: token issued in the future (%s)", t.IssuedAt.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// ParseUnverified reads a token's claims without checking the signature or
// times. Only for a guest caching its own token (to know when it expires)
// and for display; never for an authorisation decision.
func ParseUnverified(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, errors.New("ear: token too large")
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
