package ear

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	vear "github.com/veraison/ear"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/kbs"
)

var t0 = time.Unix(1760426134, 0)

func fixedNow() time.Time { return t0 }

func newIssuer(t testing.TB) *Issuer {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	i, err := NewIssuer(k, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

var pub = kbs.TeePubKey{Kty: "EC", Crv: "P-256", Alg: "ECDH-ES+A256KW", X: "xx", Y: "yy"}

func sampleAppraisal() Appraisal {
	return Appraisal{
		Tee:               "sample",
		TrustVector:       map[string]int{"executables": 3, "hardware": 2, "configuration": 2},
		PolicyID:          "default",
		Claims:            map[string]any{"svn": "1", "debug": false},
		ReportData:        "abcd",
		RuntimeDataClaims: map[string]any{"nonce": "n", "tee-pubkey": pub.Map()},
	}
}

func TestIssueVerify(t *testing.T) {
	i := newIssuer(t)
	tok, claims, err := i.Issue(sampleAppraisal())
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier(i.PublicKey())
	v.Now = func() time.Time { return t0.Add(time.Minute) }
	got, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status("cpu0") != "affirming" || got.Issuer != DefaultIssuer {
		t.Fatalf("status %q iss %q", got.Status("cpu0"), got.Issuer)
	}
	if !got.IssuedAt.Equal(t0) || !got.Expiry.Equal(t0.Add(DefaultTTL)) {
		t.Fatalf("iat %v exp %v", got.IssuedAt, got.Expiry)
	}
	k, err := got.TeePubKey()
	if err != nil || k != pub {
		t.Fatalf("tee-pubkey %+v %v", k, err)
	}
	cb, _ := json.Marshal(claims)
	gb, _ := json.Marshal(got.Claims)
	if string(cb) != string(gb) {
		t.Fatalf("issued claims differ from verified claims\n%s\n%s", cb, gb)
	}

	// Header: ES256, typ JWT, the signer's JWK.
	jws, _ := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	h := jws.Signatures[0].Protected
	if h.Algorithm != "ES256" || h.JSONWebKey == nil || !h.JSONWebKey.Valid() {
		t.Fatalf("header %+v", h)
	}
	if h.ExtraHeaders["typ"] != "JWT" {
		t.Fatalf("typ %v", h.ExtraHeaders["typ"])
	}
	hk := h.JSONWebKey.Key.(*ecdsa.PublicKey)
	if !hk.Equal(i.PublicKey()) {
		t.Fatal("jwk in header is not the signer's key")
	}
}

func TestStatusTiers(t *testing.T) {
	tests := []struct {
		vec  map[string]int
		want string
	}{
		{map[string]int{}, "none"},
		{map[string]int{"hardware": 1, "executables": -1}, "none"},
		{map[string]int{"hardware": 2}, "affirming"},
		{map[string]int{"hardware": 31, "executables": -32}, "affirming"},
		{map[string]int{"hardware": 2, "executables": 32}, "warning"},
		{map[string]int{"hardware": 95, "executables": -96}, "warning"},
		{map[string]int{"hardware": 2, "configuration": 96}, "contraindicated"},
		{map[string]int{"hardware": 97, "executables": 33, "configuration": 36}, "contraindicated"},
		{map[string]int{"hardware": -128}, "contraindicated"},
	}
	for _, tc := range tests {
		if got := StatusOf(tc.vec).String(); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.vec, got, tc.want)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	i := newIssuer(t)
	tok, _, err := i.Issue(sampleAppraisal())
	if err != nil {
		t.Fatal(err)
	}
	other := newIssuer(t)
	otherTok, _, _ := other.Issue(sampleAppraisal())

	at := func(d time.Duration) *Verifier {
		v := NewVerifier(i.PublicKey())
		v.Now = func() time.Time { return t0.Add(d) }
		return v
	}
	// Unsigned / HS256 / tampered tokens built by hand.
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := strings.Replace(string(payload), `"affirming"`, `"warning"  `, 1)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	tests := []struct {
		name string
		v    *Verifier
		tok  string
	}{
		{"expired", at(DefaultTTL + DefaultSkew + time.Second), tok},
		{"exactly expired+skew", at(DefaultTTL + DefaultSkew), tok},
		{"issued in the future", at(-DefaultSkew - time.Minute), tok},
		{"other key", at(0), otherTok},
		{"no keys", &Verifier{Now: fixedNow}, tok},
		{"tampered payload", at(0), parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2]},
		{"alg none", at(0), none},
		{"garbage", at(0), "a.b.c"},
		{"empty", at(0), ""},
		{"huge", at(0), strings.Repeat("a", MaxTokenSize+1)},
	}
	for _, tc := range tests {
		if _, err := tc.v.Verify(tc.tok); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := at(DefaultTTL + DefaultSkew - time.Second).Verify(tok); err != nil {
		t.Errorf("within skew: %v", err)
	}
}

// A token without exp, or with the wrong profile, is refused even when signed.
func TestVerifyRequiresExpAndProfile(t *testing.T) {
	k, _ := GenerateKey()
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, nil)
	i := newIssuer(t)
	good, _ := i.Claims(sampleAppraisal())
	for name, mutate := range map[string]func(map[string]any){
		"no exp":        func(m map[string]any) { delete(m, "exp") },
		"string exp":    func(m map[string]any) { m["exp"] = "tomorrow" },
		"veraison prof": func(m map[string]any) { m["eat_profile"] = vear.EatProfile },
		"no status":     func(m map[string]any) { delete(m["submods"].(map[string]any)["cpu0"].(map[string]any), "ear.status") },
		"no submods":    func(m map[string]any) { m["submods"] = map[string]any{} },
		"no iss":        func(m map[string]any) { delete(m, "iss") },
		"other iss":     func(m map[string]any) { m["iss"] = "CoCo-Attestation-Service" },
		"no aud":        func(m map[string]any) { delete(m, "aud") },
		"other aud":     func(m map[string]any) { m["aud"] = "someone-else" },
		"aud list":      func(m map[string]any) { m["aud"] = []any{"a", 1} },
	} {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mutate(m)
		p, _ := json.Marshal(m)
		jws, _ := s.Sign(p)
		tok, _ := jws.CompactSerialize()
		v := NewVerifier(&k.PublicKey)
		v.Now = fixedNow
		if _, err := v.Verify(tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTeePubKeyFromClaimsOrder(t *testing.T) {
	k := func(x string) map[string]any {
		m := pub.Map()
		m["x"] = x
		return m
	}
	tests := []struct {
		name   string
		claims map[string]any
		want   string
	}{
		{"tdx runtime first", map[string]any{
			"tdx":        map[string]any{"attester_runtime_data": map[string]any{"tee-pubkey": k("a")}, "attester_user_data": map[string]any{"tee-pubkey": k("b")}},
			"tee-pubkey": k("z"),
		}, "a"},
		{"tdx user", map[string]any{"tdx": map[string]any{"attester_user_data": map[string]any{"tee-pubkey": k("b")}}, "tee-pubkey": k("z")}, "b"},
		{"customized", map[string]any{"customized_claims": map[string]any{"runtime_data": map[string]any{"tee-pubkey": k("c")}}, "tee-pubkey": k("z")}, "c"},
		{"ear", map[string]any{
			"submods":    map[string]any{"cpu0": map[string]any{"ear.veraison.annotated-evidence": map[string]any{"runtime_data_claims": map[string]any{"tee-pubkey": k("d")}}}},
			"tee-pubkey": k("z"),
		}, "d"},
		{"top level", map[string]any{"tee-pubkey": k("z")}, "z"},
		{"wrong shape skipped", map[string]any{"tdx": "str", "tee-pubkey": k("z")}, "z"},
	}
	for _, tc := range tests {
		got, err := TeePubKeyFromClaims(tc.claims)
		if err != nil || got.X != tc.want {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
	}
	if _, err := TeePubKeyFromClaims(map[string]any{}); err == nil {
		t.Error("no key: accepted")
	}
	if _, err := TeePubKeyFromClaims(map[string]any{"tee-pubkey": "x"}); err == nil {
		t.Error("malformed key: accepted")
	}
}

// Our claims have upstream's shape: compare key sets with the upstream
// example token (an SGX appraisal from upstream Trustee).
func TestShapeMatchesUpstreamExample(t *testing.T) {
	b := vectors.Read(t, "trustee/ear/example.token.json")
	var up map[string]any
	if err := json.Unmarshal(b, &up); err != nil {
		t.Fatal(err)
	}
	// The EAR library accepts upstream's claims.
	var ar vear.AttestationResult
	if err := ar.UnmarshalJSON(b); err != nil {
		t.Fatalf("veraison/ear rejects upstream example: %v", err)
	}
	i := newIssuer(t)
	ours, err := i.Claims(Appraisal{Tee: "sgx", TrustVector: map[string]int{"executables": 33, "hardware": 97, "configuration": 36}, PolicyID: "default", Claims: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := json.Marshal(ours)
	var o map[string]any
	_ = json.Unmarshal(rt, &o)

	// Every upstream top-level claim is present; ours adds only iss and
	// aud (checked by our relying parties).
	if diff := keyDiff(up, o); diff != "aud,iss" {
		t.Errorf("top-level claims differ: %s", diff)
	}
	upSub := up["submods"].(map[string]any)["cpu0"].(map[string]any)
	ourSub := o["submods"].(map[string]any)["cpu0"].(map[string]any)
	if diff := keyDiff(upSub, ourSub); diff != "" {
		t.Errorf("cpu0 claims differ: %s", diff)
	}
	ua := upSub["ear.veraison.annotated-evidence"].(map[string]any)
	oa := ourSub["ear.veraison.annotated-evidence"].(map[string]any)
	if diff := keyDiff(ua, oa); diff != "" {
		t.Errorf("annotated evidence differs: %s", diff)
	}
	if diff := keyDiff(upSub["ear.trustworthiness-vector"].(map[string]any), ourSub["ear.trustworthiness-vector"].(map[string]any)); diff != "" {
		t.Errorf("trust vector keys differ: %s", diff)
	}
	if ourSub["ear.status"] != upSub["ear.status"] {
		t.Errorf("status %v, upstream %v for the same vector", ourSub["ear.status"], upSub["ear.status"])
	}
	if o["eat_profile"] != up["eat_profile"] {
		t.Errorf("profile %v", o["eat_profile"])
	}
	if up["exp"].(float64)-up["iat"].(float64) != DefaultTTL.Seconds() {
		t.Errorf("upstream TTL differs from ours")
	}
}

func keyDiff(a, b map[string]any) string {
	var d []string
	for k := range a {
		if _, ok := b[k]; !ok {
			d = append(d, "-"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	sort.Strings(d)
	return strings.Join(d, ",")
}

func TestKeyMarshal(t *testing.T) {
	k, _ := GenerateKey()
	p, err := MarshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePrivateKey(p)
	if err != nil || !got.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := MarshalPublicKey(&k.PublicKey); err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	bad, _ := MarshalPrivateKey(p384)
	for name, in := range map[string][]byte{"p384": bad, "garbage": []byte("x"), "empty": nil} {
		if _, err := ParsePrivateKey(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewIssuer(p384, Options{}); err == nil {
		t.Error("P-384 issuer accepted")
	}
}

func TestClaimsRejectBadVectors(t *testing.T) {
	i := newIssuer(t)
	for name, a := range map[string]Appraisal{
		"unknown claim": {Tee: "sample", TrustVector: map[string]int{"bogus": 2}},
		"out of range":  {Tee: "sample", TrustVector: map[string]int{"hardware": 200}},
		"no tee":        {TrustVector: map[string]int{"hardware": 2}},
	} {
		if _, _, err := i.Issue(a); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
}

// FuzzParseToken: only the token the issuer signed verifies (a mutation of
// a signed token never does: ES256 cannot be forged, and a token differing
// only in its base64 padding bits is still the same signed bytes), and a
// token that verifies carries a cpu0 status and the claims that were signed.
func FuzzParseToken(f *testing.F) {
	i := newIssuer(f)
	tok, claims, _ := i.Issue(sampleAppraisal())
	f.Add(tok)
	parts := strings.Split(tok, ".")
	f.Add(parts[0] + "." + parts[1] + "x." + parts[2])
	f.Add(parts[0] + ".." + parts[2])
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	v := NewVerifier(i.PublicKey())
	v.Now = fixedNow
	want, _ := json.Marshal(claims)
	f.Fuzz(func(t *testing.T, s string) {
		if tk, err := ParseUnverified(s); err == nil {
			_, _ = tk.TeePubKey()
			_ = tk.Status("cpu0")
		}
		tk, err := v.Verify(s)
		if err != nil {
			return
		}
		got, _ := json.Marshal(tk.Claims)
		if tk.Status("cpu0") == "" || string(got) != string(want) || tk.KeyID != i.KeyID() {
			t.Fatalf("verified a token that is not the signed one: %q", s)
		}
	})
}

func TestKeyIDInHeader(t *testing.T) {
	i := newIssuer(t)
	tok, _, err := i.Issue(sampleAppraisal())
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Protected
	kid, _ := KeyID(i.PublicKey())
	if h.KeyID != kid || h.KeyID == "" || h.JSONWebKey == nil {
		t.Fatalf("header kid %q jwk %v, want kid %q and the jwk", h.KeyID, h.JSONWebKey, kid)
	}
	// RFC 7638 thumbprint, as go-jose computes it.
	tp, _ := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if base64.RawURLEncoding.EncodeToString(tp) != kid {
		t.Fatal("kid is not the JWK thumbprint")
	}
}

// Rotation: tokens of the previous key verify until the key's Until (set
// by the key holder to the rotation time plus the token lifetime), none
// after; tokens of an unknown key never.
func TestRotation(t *testing.T) {
	old := newIssuer(t)
	oldTok, _, _ := old.Issue(sampleAppraisal())
	oldKey := old.PublicKey()
	nk, _ := GenerateKey()
	if err := old.SetKey(nk); err != nil {
		t.Fatal(err)
	}
	i := old // the same issuer, now signing with the new key
	newTok, _, _ := i.Issue(sampleAppraisal())
	if i.KeyID() == "" || newTok == oldTok {
		t.Fatal("key not replaced")
	}
	retired := t0.Add(time.Minute)
	v := NewVerifier()
	if err := v.SetKeys(VerifyKey{Key: i.PublicKey()}, VerifyKey{Key: oldKey, Until: retired.Add(DefaultTTL)}); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) func() time.Time { return func() time.Time { return t0.Add(d) } }
	v.Now = at(2 * time.Minute)
	if _, err := v.Verify(oldTok); err != nil {
		t.Fatalf("previous key's token before it expired: %v", err)
	}
	if _, err := v.Verify(newTok); err != nil {
		t.Fatalf("current key's token: %v", err)
	}
	v.Now = at(time.Minute + DefaultTTL)
	if _, err := v.Verify(oldTok); !errors.Is(err, ErrRetiredKey) {
		t.Fatalf("previous key after its tokens expired: %v", err)
	}
	// The current key alone: the old token's kid names no trusted key.
	_ = v.SetKeys(VerifyKey{Key: i.PublicKey()})
	v.Now = at(time.Minute)
	if _, err := v.Verify(oldTok); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("dropped key: %v", err)
	}
}

func TestJWKSRoundTrip(t *testing.T) {
	a, b := newIssuer(t), newIssuer(t)
	until := time.Unix(1900000000, 0)
	keys := []VerifyKey{{Key: a.PublicKey()}, {Key: b.PublicKey(), Until: until}}
	js, err := JWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	// go-jose reads it as a standard JWKS.
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(js, &set); err != nil || len(set.Keys) != 2 || set.Keys[0].KeyID != a.KeyID() || set.Keys[0].Algorithm != "ES256" {
		t.Fatalf("%v %s", err, js)
	}
	got, err := ParseJWKS(js)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Key.Equal(a.PublicKey()) || !got[1].Key.Equal(b.PublicKey()) || !got[1].Until.Equal(until) || !got[0].Until.IsZero() {
		t.Fatalf("round trip: %+v", got)
	}
	// A kid that is not the key's thumbprint is refused.
	bad := strings.Replace(string(js), a.KeyID(), b.KeyID(), 1)
	if _, err := ParseJWKS([]byte(bad)); err == nil {
		t.Fatal("mismatched kid accepted")
	}
	for _, in := range []string{``, `{}`, `{"keys":[]}`, `{"keys":[{"kty":"oct","k":"AAAA"}]}`} {
		if _, err := ParseJWKS([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// Issue never signs a token that verifiers would refuse for its size.
func TestIssueRefusesOversizedToken(t *testing.T) {
	i := newIssuer(t)
	a := sampleAppraisal()
	a.InitDataClaims = map[string]any{"data": map[string]any{"policy.rego": strings.Repeat("x", MaxTokenSize)}}
	if _, _, err := i.Issue(a); !errors.Is(err, ErrTokenTooLarge) {
		t.Fatalf("oversized token: %v", err)
	}
}

func BenchmarkIssue(b *testing.B) {
	i := newIssuer(b)
	a := sampleAppraisal()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := i.Issue(a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	i := newIssuer(b)
	tok, _, _ := i.Issue(sampleAppraisal())
	v := NewVerifier(i.PublicKey())
	v.Now = fixedNow
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIssuedTokensValidateWithEAR: Issue no longer round-trips through the
// EAR library, so check here that what it signs is what the library
// accepts, and that the claims it returns are exactly what a consumer
// decodes from the token, for claims of every shape verifiers emit.
func TestIssuedTokensValidateWithEAR(t *testing.T) {
	i := newIssuer(t)
	type custom struct {
		A int    `json:"a"`
		B []byte `json:"b"`
	}
	for name, a := range map[string]Appraisal{
		"sample": sampleAppraisal(),
		"shapes": {Tee: "snp", TrustVector: map[string]int{"executables": 33, "hardware": 97, "configuration": -1},
			Claims: map[string]any{
				"nil map": map[string]any(nil), "nil list": []any(nil), "strings": []string{"a"}, "nil strings": []string(nil),
				"big": uint64(1) << 60, "neg": int64(-3), "u32": uint32(7), "typed": map[string]string{"k": "v"},
				"struct": custom{A: 1, B: []byte{1, 2}}, "nested": []any{map[string]any{"x": 1}, 2.5, nil, true},
			},
			InitData: "ab", InitDataClaims: map[string]any{"data": map[string]any{"policy.rego": "p"}}, Extensions: []int{1, 2}},
	} {
		tok, claims, err := i.Issue(a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		payload, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		raw := payload.UnsafePayloadWithoutVerification()
		var ar vear.AttestationResult
		if err := ar.UnmarshalJSON(raw); err != nil {
			t.Fatalf("%s: the EAR library refuses what Issue signed: %v", name, err)
		}
		var decoded map[string]any
		if err := json.Unmarshal(raw, &decoded); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decoded, claims) {
			t.Fatalf("%s: returned claims differ from the token's:\n%v\n%v", name, claims, decoded)
		}
	}
}

// TestFollowJWKS: a verifier following a JWKS picks up a rotated key and
// drops one the JWKS no longer lists; a bad JWKS keeps the current keys.
func TestFollowJWKS(t *testing.T) {
	a, b := newIssuer(t), newIssuer(t)
	tokA, _, _ := a.Issue(sampleAppraisal())
	tokB, _, _ := b.Issue(sampleAppraisal())
	var mu sync.Mutex
	serve, _ := JWKS([]VerifyKey{{Key: a.PublicKey()}})
	fetch := func(context.Context) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		return serve, nil
	}
	v := NewVerifier()
	v.Now = fixedNow
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 10)
	if err := v.Follow(ctx, fetch, 5*time.Millisecond, func(err error) { errs <- err }); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tokA); err != nil {
		t.Fatalf("first key: %v", err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for i := 0; i < 400 && !ok(); i++ {
			time.Sleep(5 * time.Millisecond)
		}
		if !ok() {
			t.Fatal(what)
		}
	}
	mu.Lock()
	serve, _ = JWKS([]VerifyKey{{Key: b.PublicKey()}}) // rotated, previous key gone
	mu.Unlock()
	waitFor("rotated key not followed", func() bool { _, err := v.Verify(tokB); return err == nil })
	if _, err := v.Verify(tokA); err == nil {
		t.Fatal("dropped key still trusted")
	}
	mu.Lock()
	serve = []byte("not a jwks")
	mu.Unlock()
	if err := <-errs; err == nil {
		t.Fatal("no error reported")
	}
	if _, err := v.Verify(tokB); err != nil {
		t.Fatalf("a bad JWKS dropped the keys: %v", err)
	}
	if err := NewVerifier().Follow(ctx, func(context.Context) ([]byte, error) { return nil, errors.New("down") }, 0, nil); err == nil {
		t.Fatal("first fetch error not returned")
	}
}

// TestSignMatchesJose: a token is the JWS go-jose would write for the
// same key and options (the same protected header bytes), and go-jose
// verifies its signature; every signature is fresh (ECDSA's random k).
func TestSignMatchesJose(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ik, err := newIssuerKey(k)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := KeyID(&k.PublicKey)
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"eat_profile":"tag:github.com,2023:veraison/ear","iat":1}`)
	ref, err := js.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	refTok, _ := ref.CompactSerialize()
	tok, err := ik.sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ik.sign(payload)
	got, want := strings.Split(tok, "."), strings.Split(refTok, ".")
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || tok == again {
		t.Fatalf("token %q\nwant header and payload of %q", tok, refTok)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.Verify(&k.PublicKey)
	if err != nil || string(out) != string(payload) {
		t.Fatalf("go-jose: %q %v", out, err)
	}
	// A changed payload does not verify under the signature.
	forged := got[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iat":2}`)) + "." + got[2]
	if jws, err := jose.ParseSignedCompact(forged, []jose.SignatureAlgorithm{jose.ES256}); err == nil {
		if _, err := jws.Verify(&k.PublicKey); err == nil {
			t.Fatal("forged payload verified")
		}
	}
}

// TestHeaderKeyID: tokens of two issuers, alternated and repeated, each
// give their own kid (the remembered last header never answers for
// another); malformed tokens give "".
func TestHeaderKeyID(t *testing.T) {
	a, b := newIssuer(t), newIssuer(t)
	ta, _, err := a.Issue(sampleAppraisal())
	if err != nil {
		t.Fatal(err)
	}
	tb, _, err := b.Issue(sampleAppraisal())
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyID() == b.KeyID() {
		t.Fatal("two generated keys share a kid")
	}
	for _, tc := range []struct{ tok, want string }{
		{ta, a.KeyID()}, {ta, a.KeyID()}, {tb, b.KeyID()}, {ta, a.KeyID()}, {tb, b.KeyID()}, {tb, b.KeyID()},
		{"", ""}, {"no-dot", ""}, {"!!!.x.y", ""}, {"e30.x.y", ""}, {ta, a.KeyID()},
	} {
		if got := HeaderKeyID(tc.tok); got != tc.want {
			t.Fatalf("HeaderKeyID(%.20q…) = %q, want %q", tc.tok, got, tc.want)
		}
	}
}
