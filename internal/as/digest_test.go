package as

import (
	"encoding/json"
	"testing"
)

// claimsFromJSON decodes a JSON object as ear.Issue and ear.Verifier do.
func claimsFromJSON(t testing.TB, s string) (map[string]any, bool) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// TestClaimsDigestMatchesJCS: the direct canonical encoding gives the
// digest of json.Marshal + jcs.Transform, for the JCS corner cases: key
// order by UTF-16 units (supplementary characters against U+E000..U+FFFF),
// escapes, numbers in ES6 form, nesting, and the claims of a real token.
func TestClaimsDigestMatchesJCS(t *testing.T) {
	cases := []string{
		`{}`,
		`{"b":1,"a":2,"aa":3,"":4,"A":5}`,
		`{"\ud83d\ude00":1,"\ue000":2,"\uffff":3,"z":4,"\u00e9":5,"e\u0301":6}`,
		`{"s":"quote \" backslash \\ slash / \b\f\n\r\t \u0001\u001f\u007f \u2028\u2029 <>& é 😀"}`,
		`{"n":[0,-0,1,-1,0.1,1e21,1e-7,123456789012345680000,5e-324,1.7976931348623157e308,1764234000,0.000001,1.5e300,-2.5e-10]}`,
		`{"nested":{"a":[{"c":true,"b":false},null,[],{}],"x":{"y":{"z":"deep"}}}}`,
		`{"eat_profile":"tag:github.com,2024:confidential-containers/Trustee","iat":1764234000,"exp":1764234300,"ear.verifier-id":{"developer":"https://confidentialcontainers.org","build":"trustgate"},"submods":{"cpu0":{"ear.status":"affirming","ear.trustworthiness-vector":{"instance-identity":0,"configuration":2,"executables":3,"file-system":0,"hardware":2,"runtime-opaque":0,"storage-opaque":0,"sourced-data":0},"ear.appraisal-policy-id":"default","ear.veraison.annotated-evidence":{"init_data":"","report_data":"ab12","runtime_data_claims":{"nonce":"bm9uY2U=","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"x","y":"y"}},"sample":{"svn":"1","debug":false,"platform_version":{"major":1,"minor":4}}}}}}`,
	}
	for _, c := range cases {
		m, ok := claimsFromJSON(t, c)
		if !ok {
			t.Fatalf("bad case %s", c)
		}
		got, want := ClaimsDigest(m), claimsDigestJCS(m)
		if got != want || got == "" {
			t.Errorf("%s: digest %s, want %s", c, got, want)
		}
	}
	// Types the direct path does not handle still get the reference digest.
	m := map[string]any{"v": map[string]int{"b": 1, "a": 2}, "s": []string{"x"}}
	if got, want := ClaimsDigest(m), claimsDigestJCS(m); got != want || got == "" {
		t.Errorf("fallback: %s, want %s", got, want)
	}
}

// FuzzClaimsDigest checks the direct canonical encoding against
// json.Marshal + jcs.Transform on arbitrary JSON objects.
func FuzzClaimsDigest(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"\ud83d\ude00":1,"\ue000":2}`, `{"x":[1e21,0.1,"\u0000"]}`, `{"k":{"k":{"k":null}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := claimsFromJSON(t, s)
		if !ok {
			return
		}
		if got, want := ClaimsDigest(m), claimsDigestJCS(m); got != want {
			t.Fatalf("%q: digest %s, want %s", s, got, want)
		}
	})
}

func BenchmarkClaimsDigest(b *testing.B) {
	m, _ := claimsFromJSON(b, `{"eat_profile":"tag:github.com,2024:confidential-containers/Trustee","iat":1764234000,"exp":1764234300,"ear.verifier-id":{"developer":"https://confidentialcontainers.org","build":"trustgate"},"submods":{"cpu0":{"ear.status":"affirming","ear.trustworthiness-vector":{"instance-identity":0,"configuration":2,"executables":3,"file-system":0,"hardware":2,"runtime-opaque":0,"storage-opaque":0,"sourced-data":0},"ear.appraisal-policy-id":"default","ear.veraison.annotated-evidence":{"init_data":"","report_data":"ab12","runtime_data_claims":{"nonce":"bm9uY2U=","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"x","y":"y"}},"sample":{"svn":"1","debug":false,"platform_version":{"major":1,"minor":4}}}}}}`)
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			ClaimsDigest(m)
		}
	})
	b.Run("marshal+jcs", func(b *testing.B) {
		for b.Loop() {
			claimsDigestJCS(m)
		}
	})
}
