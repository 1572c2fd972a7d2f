package sealed

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The payload bytes must be what upstream's serde layout produces (field
// order version, type, then the variant's fields), e.g. its vault-2.json.
func TestPayloadLayoutMatchesUpstream(t *testing.T) {
	got, err := json.Marshal(NewVault("kbs:///one/2/trois"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":"0.1.0","type":"vault","name":"kbs:///one/2/trois","provider":"kbs","provider_settings":{},"annotations":{}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	env := Secret{Version: Version, Type: TypeEnvelope, KeyID: "xxx", EncryptedKey: "eXl5", EncryptedData: "enp6",
		WrapType: WrapA256GCM, IV: "d3d3", Provider: "aliyun"}
	got, err = json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"version":"0.1.0","type":"envelope","key_id":"xxx","encrypted_key":"eXl5","encrypted_data":"enp6","wrap_type":"A256GCM","iv":"d3d3","provider":"aliyun","provider_settings":{},"annotations":{}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestSignVerify(t *testing.T) {
	k := mustKey(t)
	const kid = "kbs:///default/sealed-secret/cocofy"
	sec := NewVault("kbs:///default/db/password")
	s, err := Sign(k, kid, sec)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Sign(k, kid, sec)
	if s != s2 {
		t.Fatal("signing is not deterministic")
	}
	if !IsSealed(s) || strings.Contains(s, "=") {
		t.Fatalf("bad form %q", s)
	}
	parts := strings.Split(s, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(hdr) != `{"alg":"ES256","kid":"kbs:///default/sealed-secret/cocofy"}` {
		t.Fatalf("header %s", hdr)
	}
	got, err := Open(s, &k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != sec.Name || got.Type != TypeVault {
		t.Fatalf("got %+v", got)
	}
	// An independent JWS implementation accepts it.
	jws, err := jose.ParseSignedCompact(strings.TrimPrefix(s, Prefix), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("go-jose parse: %v", err)
	}
	if _, err := jws.Verify(&k.PublicKey); err != nil {
		t.Fatalf("go-jose verify: %v", err)
	}
	// Wrong key.
	if _, err := Open(s, &mustKey(t).PublicKey); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("other key: %v", err)
	}
}

// Every single-byte change anywhere in a signed secret must make it fail.
func TestOneByteChangeFails(t *testing.T) {
	k := mustKey(t)
	s, err := Sign(k, "kbs:///default/sealed-secret/k", NewVault("kbs:///default/db/password"))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(Prefix); i < len(s); i++ {
		if s[i] == '.' {
			continue
		}
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if _, err := Open(string(b), &k.PublicKey); err == nil {
			t.Fatalf("change at %d accepted", i)
		}
	}
}

func TestVerifyWithJoseSignedInput(t *testing.T) {
	// A secret signed by go-jose (as another signer would) verifies with Open.
	k := mustKey(t)
	payload, _ := json.Marshal(NewVault("kbs:///default/azure/conn"))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k},
		(&jose.SignerOptions{}).WithHeader("kid", "kbs:///default/sealed-secret/x"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(Prefix + compact)
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Kid != "kbs:///default/sealed-secret/x" {
		t.Fatalf("kid %q", p.Header.Kid)
	}
	if err := p.Verify(&k.PublicKey); err != nil {
		t.Fatal(err)
	}
}

func TestUnsignedForm(t *testing.T) {
	sec := NewVault("kbs:///default/db/password")
	u, err := Unsigned(sec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "sealed.fakejwsheader.") || !strings.HasSuffix(u, ".fakesignature") {
		t.Fatalf("form %q", u)
	}
	p, err := Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Unsigned {
		t.Fatal("not detected as unsigned")
	}
	if _, err := Open(u, &mustKey(t).PublicKey); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Open accepted unsigned: %v", err)
	}
	if got, err := Parse(u); err != nil || got.Secret.Name != sec.Name {
		t.Fatalf("Parse of unsigned: %v %+v", err, got)
	}
}

func TestParseRejects(t *testing.T) {
	k := mustKey(t)
	good, _ := Sign(k, "kid", NewVault("kbs:///default/db/password"))
	parts := strings.Split(good, ".")
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	vault := func(extra string) string {
		return enc(`{"version":"0.1.0","type":"vault","name":"kbs:///a/b/c","provider":"kbs","provider_settings":{},"annotations":{}` + extra + `}`)
	}
	tests := []struct{ name, in string }{
		{"no prefix", strings.TrimPrefix(good, Prefix)},
		{"three sections", strings.Join(parts[:3], ".")},
		{"five sections", good + ".x"},
		{"padded payload", "sealed." + parts[1] + "." + base64.URLEncoding.EncodeToString([]byte(`{"version":"0.1.0","type":"vault","name":"kbs:///a/b/c","provider":"kbs","provider_settings":{},"annotations":{}}x`)) + "." + parts[3]},
		{"std base64 payload", "sealed." + parts[1] + ".+/+/." + parts[3]},
		{"alg none", "sealed." + enc(`{"alg":"none","kid":"k"}`) + "." + parts[2] + "." + parts[3]},
		{"alg HS256", "sealed." + enc(`{"alg":"HS256","kid":"k"}`) + "." + parts[2] + "." + parts[3]},
		{"no kid", "sealed." + enc(`{"alg":"ES256"}`) + "." + parts[2] + "." + parts[3]},
		{"crit", "sealed." + enc(`{"alg":"ES256","kid":"k","crit":["x"]}`) + "." + parts[2] + "." + parts[3]},
		{"short sig", "sealed." + parts[1] + "." + parts[2] + "." + enc("short")},
		{"half fake", "sealed.fakejwsheader." + parts[2] + "." + parts[3]},
		{"unknown field", "sealed.fakejwsheader." + vault(`,"x":1`) + ".fakesignature"},
		{"bad version", "sealed.fakejwsheader." + enc(`{"version":"0.2.0","type":"vault","name":"kbs:///a/b/c","provider":"kbs","provider_settings":{},"annotations":{}}`) + ".fakesignature"},
		{"bad type", "sealed.fakejwsheader." + enc(`{"version":"0.1.0","type":"plain","name":"kbs:///a/b/c","provider":"kbs"}`) + ".fakesignature"},
		{"bad uri", "sealed.fakejwsheader." + enc(`{"version":"0.1.0","type":"vault","name":"kbs:///a/../c","provider":"kbs"}`) + ".fakesignature"},
		{"vault with envelope fields", "sealed.fakejwsheader." + vault(`,"key_id":"x"`) + ".fakesignature"},
		{"envelope no iv", "sealed.fakejwsheader." + enc(`{"version":"0.1.0","type":"envelope","key_id":"k","encrypted_key":"eA==","encrypted_data":"eA==","wrap_type":"A256GCM","provider":"aliyun"}`) + ".fakesignature"},
		{"trailing json", "sealed.fakejwsheader." + enc(`{"version":"0.1.0","type":"vault","name":"kbs:///a/b/c","provider":"kbs"} {}`) + ".fakesignature"},
		{"too large", "sealed." + strings.Repeat("A", MaxSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.in); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	k := mustKey(t)
	env := Secret{Version: Version, Type: TypeEnvelope, KeyID: "key-1", EncryptedKey: Base64Std([]byte("dek")),
		EncryptedData: Base64Std([]byte("data")), WrapType: WrapA256GCM, IV: Base64Std(make([]byte, 12)), Provider: "aliyun",
		ProviderSettings: map[string]any{"client_type": "ecs_ram_role"}}
	s, err := Sign(k, "kid", env)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(s, &k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.KeyID != "key-1" || got.ProviderSettings["client_type"] != "ecs_ram_role" {
		t.Fatalf("got %+v", got)
	}
}

func TestKeys(t *testing.T) {
	k := mustKey(t)
	pemKey, err := MarshalPrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParsePrivateKeyPEM(pemKey)
	if err != nil || !k2.Equal(k) {
		t.Fatalf("private PEM round trip: %v", err)
	}
	jwk, err := MarshalPublicJWK(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(jwk), `"d"`) {
		t.Fatal("public JWK carries d")
	}
	// go-jose reads it as a public P-256 key.
	var jk jose.JSONWebKey
	if err := jk.UnmarshalJSON(jwk); err != nil || !jk.IsPublic() {
		t.Fatalf("go-jose JWK: %v", err)
	}
	pub, err := ParsePublicKey(jwk)
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Fatalf("JWK round trip: %v", err)
	}
	pubPEM, _ := MarshalPublicKeyPEM(&k.PublicKey)
	pub, err = ParsePublicKey(pubPEM)
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Fatalf("PEM round trip: %v", err)
	}
	priv := jose.JSONWebKey{Key: k}
	privJSON, _ := priv.MarshalJSON()
	if _, err := ParsePublicKey(privJSON); err == nil {
		t.Fatal("private JWK accepted as verification key")
	}
}

func TestParseResourceURI(t *testing.T) {
	u, err := ParseResourceURI("kbs:///default/db/password")
	if err != nil || u.Path() != "default/db/password" || u.String() != "kbs:///default/db/password" {
		t.Fatalf("%v %+v", err, u)
	}
	for _, bad := range []string{"kbs:///a/b", "kbs:///a/b/c/d", "http:///a/b/c", "kbs:///a/../c", "kbs:///a/b/.c", "kbs:///a//c"} {
		if _, err := ParseResourceURI(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	k, _ := GenerateKey()
	good, _ := Sign(k, "kid", NewVault("kbs:///default/db/password"))
	u, _ := Unsigned(NewVault("kbs:///default/db/password"))
	f.Add(good)
	f.Add(u)
	f.Add("sealed.a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if err := p.Secret.Validate(); err != nil {
			t.Fatalf("Parse returned an invalid payload: %v", err)
		}
		if s != good && p.Verify(&k.PublicKey) == nil && !strings.Contains(good, strings.TrimSpace(s)) {
			t.Fatalf("forged secret verified: %q", s)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	k, _ := GenerateKey()
	sec := NewVault("kbs:///default/azure/conn")
	for b.Loop() {
		if _, err := Sign(k, "kbs:///default/sealed-secret/k", sec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	k, _ := GenerateKey()
	s, _ := Sign(k, "kbs:///default/sealed-secret/k", NewVault("kbs:///default/azure/conn"))
	for b.Loop() {
		if _, err := Open(s, &k.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}
