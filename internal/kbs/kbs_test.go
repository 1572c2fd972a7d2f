package kbs

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

// The JCS + SHA-384 vector of wire-compat §1.
func TestJCSVector(t *testing.T) {
	c, err := jcs.Transform([]byte(`{"b":1,"a":"test","c":{"d":"e"}}`))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(c)
	const want = "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c4597480a186427c813ca941da78870c3"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("sha384(jcs) = %s, want %s", got, want)
	}
}

var ecKey = TeePubKey{Kty: "EC", Crv: "P-256", Alg: "ECDH-ES+A256KW", X: "xx", Y: "yy"}

func TestRuntimeDataJCS(t *testing.T) {
	tests := []struct {
		name  string
		nonce string
		key   TeePubKey
		addl  string
		want  string
	}{
		{"ec", "n0nce==", ecKey, "",
			`{"additional-evidence":"","nonce":"n0nce==","tee-pubkey":{"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":"xx","y":"yy"}}`},
		{"rsa", "abc", TeePubKey{Kty: "RSA", Alg: "RSA-OAEP-256", N: "nn", E: "AQAB"}, `{"nvidia":{}}`,
			`{"additional-evidence":"{\"nvidia\":{}}","nonce":"abc","tee-pubkey":{"alg":"RSA-OAEP-256","e":"AQAB","kty":"RSA","n":"nn"}}`},
		// JCS does not escape <, > and & as encoding/json does.
		{"html chars", "<&>", ecKey, "",
			`{"additional-evidence":"","nonce":"<&>","tee-pubkey":{"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":"xx","y":"yy"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RuntimeDataJCS(tc.nonce, tc.key, tc.addl)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			sum := sha512.Sum384([]byte(tc.want))
			if rd := ReportData(tc.nonce, tc.key, tc.addl); hex.EncodeToString(rd) != hex.EncodeToString(sum[:]) {
				t.Fatalf("ReportData is not SHA-384 of the JCS")
			}
			s256 := sha256.Sum256([]byte(tc.want))
			if rd, err := ReportDataHash("sha256", tc.nonce, tc.key, tc.addl); err != nil || hex.EncodeToString(rd) != hex.EncodeToString(s256[:]) {
				t.Fatalf("ReportDataHash(sha256): %v", err)
			}
			if _, err := ReportDataHash("sm3", tc.nonce, tc.key, tc.addl); err == nil {
				t.Fatal("sm3 accepted")
			}
			s512 := sha512.Sum512([]byte(tc.want))
			if rd := ReportDataFor("se", tc.nonce, tc.key, tc.addl); hex.EncodeToString(rd) != hex.EncodeToString(s512[:]) {
				t.Fatalf("ReportDataFor(se) is not SHA-512 of the JCS")
			}
		})
	}
}

// Unknown members of a received tee-pubkey never reach the binding: upstream
// rebuilds the key from its typed fields.
func TestTeePubKeyDropsUnknownMembers(t *testing.T) {
	var k TeePubKey
	if err := json.Unmarshal([]byte(`{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"xx","y":"yy","kid":"evil","n":"zz"}`), &k); err != nil {
		t.Fatal(err)
	}
	if k != ecKey {
		t.Fatalf("got %+v", k)
	}
	b, _ := json.Marshal(k)
	if string(b) != `{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"xx","y":"yy"}` {
		t.Fatalf("marshal = %s", b)
	}
	if ReportData("n", k, "") == nil {
		t.Fatal("nil report data")
	}
	if ReportData("n", TeePubKey{Kty: "OKP"}, "") != nil {
		t.Fatal("report data for an unsupported key type must be nil")
	}
}

func TestTeePubKeyUnmarshalErrors(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"kty":"EC","alg":"ECDH-ES+A256KW"}`, `{"kty":"RSA","alg":"RSA-OAEP-256","n":"x"}`,
		`{"kty":"OKP","alg":"x"}`, `[]`, `{"kty":1}`,
	} {
		var k TeePubKey
		if err := json.Unmarshal([]byte(in), &k); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

func TestTeePubKeyRoundTrip(t *testing.T) {
	for _, c := range []ecdh.Curve{ecdh.P256(), ecdh.P521()} {
		priv, _ := c.GenerateKey(rand.Reader)
		k, err := NewTeePubKey(priv.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		if !got.(*ecdh.PublicKey).Equal(priv.PublicKey()) {
			t.Fatal("EC key round trip differs")
		}
		m, _ := TeePubKeyFromClaim(k.Map())
		if m != k {
			t.Fatal("claim round trip differs")
		}
	}
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	k, err := NewTeePubKey(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.PublicKey()
	if err != nil || !got.(*rsa.PublicKey).Equal(&rk.PublicKey) {
		t.Fatalf("RSA key round trip: %v", err)
	}
}

func TestTeePubKeyInvalid(t *testing.T) {
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	good, _ := NewTeePubKey(priv.PublicKey())
	offCurve := good
	offCurve.Y = good.X
	tests := map[string]TeePubKey{
		"off curve":     offCurve,
		"bad alg":       {Kty: "EC", Crv: "P-256", Alg: "ECDH-ES", X: good.X, Y: good.Y},
		"bad curve":     {Kty: "EC", Crv: "P-384", Alg: good.Alg, X: good.X, Y: good.Y},
		"short x":       {Kty: "EC", Crv: "P-256", Alg: good.Alg, X: "AAAA", Y: good.Y},
		"rsa small":     {Kty: "RSA", Alg: "RSA-OAEP-256", N: "AQAB", E: "AQAB"},
		"rsa bad e":     {Kty: "RSA", Alg: "RSA-OAEP-256", N: strings.Repeat("A", 400), E: "Ag"},
		"rsa not b64":   {Kty: "RSA", Alg: "RSA-OAEP-256", N: "!!", E: "AQAB"},
		"unknown kty":   {Kty: "oct"},
		"rsa alg on ec": {Kty: "EC", Crv: "P-256", Alg: "RSA-OAEP-256", X: good.X, Y: good.Y},
	}
	for name, k := range tests {
		if _, err := k.PublicKey(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDecodeRequest(t *testing.T) {
	tests := []struct {
		body    string
		variant Variant
	}{
		{`{"version":"0.4.0","tee":"snp","extra-params":{"supported-hash-algorithms":["sha384"]}}`, ""},
		{`{"version":"0.4.0","tee":"sample","extra-params":""}`, ""},
		{`{"version":"0.1.1","tee":"snp","extra-params":""}`, AttestationError},
		{`{"version":"0.4.1","tee":"snp"}`, AttestationError},
		{`{"version":"0.4.0"}`, SerdeError},
		{`{"version":"0.4.0","tee":"snp"} {}`, SerdeError},
		{`not json`, SerdeError},
		{``, SerdeError},
	}
	for _, tc := range tests {
		_, err := DecodeRequest([]byte(tc.body))
		var e *Error
		switch {
		case tc.variant == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.variant != "" && (!errors.As(err, &e) || e.Variant != tc.variant):
			t.Errorf("%s: got %v, want %s", tc.body, err, tc.variant)
		}
	}
}

func TestDecodeAttestation(t *testing.T) {
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	k, _ := NewTeePubKey(priv.PublicKey())
	kj, _ := json.Marshal(k)
	good := `{"runtime-data":{"nonce":"abc","tee-pubkey":` + string(kj) + `},"tee-evidence":{"primary_evidence":{"svn":"1"},"additional_evidence":""}}`
	a, err := DecodeAttestation([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if a.RuntimeData.Nonce != "abc" || a.InitData != nil || string(a.TeeEvidence.PrimaryEvidence) != `{"svn":"1"}` {
		t.Fatalf("%+v", a)
	}
	withInit := strings.Replace(good, `{"runtime-data"`, `{"init-data":{"format":"toml","body":"x"},"runtime-data"`, 1)
	if a, err := DecodeAttestation([]byte(withInit)); err != nil || a.InitData.Body != "x" {
		t.Fatalf("init-data: %v", err)
	}
	nullInit := strings.Replace(good, `{"runtime-data"`, `{"init-data":null,"runtime-data"`, 1)
	if _, err := DecodeAttestation([]byte(nullInit)); err != nil {
		t.Fatalf("null init-data: %v", err)
	}
	bad := map[string]string{
		"no nonce":      strings.Replace(good, `"nonce":"abc"`, `"nonce":""`, 1),
		"no evidence":   strings.Replace(good, `"primary_evidence":{"svn":"1"}`, `"primary_evidence":null`, 1),
		"bad key":       strings.Replace(good, `"kty":"EC"`, `"kty":"XX"`, 1),
		"json format":   strings.Replace(withInit, `"format":"toml"`, `"format":"json"`, 1),
		"trailing":      good + "{}",
		"wrong type":    strings.Replace(good, `"nonce":"abc"`, `"nonce":1`, 1),
		"addl not str":  strings.Replace(good, `"additional_evidence":""`, `"additional_evidence":{}`, 1),
		"empty":         ``,
		"off-curve key": strings.Replace(good, k.Y, k.X, 1),
	}
	for name, b := range bad {
		if _, err := DecodeAttestation([]byte(b)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if Status(err) != http.StatusBadRequest && Status(err) != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, Status(err))
		}
	}
}

func TestParseResourcePath(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"default/key/1", true},
		{"my-repo/type_a/tag.v1.2", true},
		{"a/b/c..d", true},
		{"../b/c", false},
		{"a/../c", false},
		{"a/b/..", false},
		{"a/b/.hidden", false},
		{"a%2Fb/c/d", false},
		{"a/b%2Fc/d", false},
		{"a/b/%2e%2e", false},
		{"a//c", false},
		{"/a/b/c", false},
		{"a/b/c/", false},
		{"a/b", false},
		{"a/b/c/d", false},
		{"", false},
		{"a/b/c d", false},
		{"a/b/ü", false},
		{"a/b/" + strings.Repeat("x", 256), false},
	}
	for _, tc := range tests {
		p, err := ParseResourcePath(tc.in)
		if tc.ok {
			if err != nil || p.String() != tc.in || len(p.Segments()) != 3 {
				t.Errorf("%q: %v %v", tc.in, p, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Variant != InvalidRequestPath || Status(err) != http.StatusNotFound {
			t.Errorf("%q: got %v, want InvalidRequestPath/404", tc.in, err)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{NewError(InvalidRequestPath, ""), 404},
		{NewError(PluginNotFound, ""), 404},
		{NewError(PolicyDeny, ""), 401},
		{NewError(TokenNotFound, ""), 401},
		{NewError(AttestationError, ""), 401},
		{NewError(PluginInternal, ""), 401},
		{NewError(AdminAuth, ""), 401},
		{NewError(SerdeError, ""), 400},
		{NewError(PayloadTooLarge, ""), 413},
		{NewError(TooManyRequests, ""), 429},
		{NewError(ResourceNotFound, ""), 404},
		{NewError(InternalError, ""), 500},
		{errors.New("plain"), 500},
		{nil, 200},
		{Errorf(PolicyDeny, "wrapped: %w", errors.New("x")), 401},
	}
	for _, tc := range tests {
		if got := Status(tc.err); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, Errorf(PolicyDeny, "Access denied by policy"))
	if rec.Code != 401 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("code %d", rec.Code)
	}
	const want = `{"type":"https://github.com/confidential-containers/kbs/errors/PolicyDeny","detail":"Access denied by policy"}`
	if rec.Body.String() != want {
		t.Fatalf("body %s", rec.Body)
	}
	info, err := ParseErrorInfo(rec.Body.Bytes())
	if err != nil || info.Variant() != PolicyDeny {
		t.Fatalf("%v %v", info, err)
	}
	// Internal errors never leak their message.
	rec = httptest.NewRecorder()
	WriteError(rec, errors.New("db password=hunter2 rejected"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") {
		t.Fatalf("leak: %d %s", rec.Code, rec.Body)
	}
}

func TestChallengeHashAlgorithm(t *testing.T) {
	tests := map[string]string{
		`{"nonce":"n","extra-params":""}`:                                   "sha384",
		`{"nonce":"n","extra-params":{"selected-hash-algorithm":"sha512"}}`: "sha512",
		`{"nonce":"n"}`: "sha384",
	}
	for in, want := range tests {
		var c Challenge
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatal(err)
		}
		if got := c.SelectedHashAlgorithm(); got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
	b, _ := json.Marshal(Challenge{Nonce: "n", ExtraParams: ""})
	if string(b) != `{"nonce":"n","extra-params":""}` {
		t.Fatalf("challenge = %s", b)
	}
}
