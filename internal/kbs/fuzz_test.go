package kbs

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"version":"0.4.0","tee":"snp","extra-params":{"supported-hash-algorithms":["sha384"]}}`))
	f.Add([]byte(`{"version":"0.4.0","tee":"sample","extra-params":""}`))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequest(b)
		if err == nil && (r.Version != ProtocolVersion || r.Tee == "") {
			t.Fatalf("accepted %+v", r)
		}
		if err != nil && Status(err) >= 500 {
			t.Fatalf("server error for client input: %v", err)
		}
	})
}

func FuzzDecodeAttestation(f *testing.F) {
	f.Add([]byte(`{"runtime-data":{"nonce":"abc","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"xx","y":"yy"}},"tee-evidence":{"primary_evidence":{"svn":"1"},"additional_evidence":""}}`))
	f.Add([]byte(`{"init-data":{"format":"toml","body":"x"},"runtime-data":{"nonce":"a","tee-pubkey":{"kty":"RSA","alg":"RSA-OAEP-256","n":"AQAB","e":"AQAB"}},"tee-evidence":{"primary_evidence":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeAttestation(b)
		if err != nil {
			if Status(err) >= 500 {
				t.Fatalf("server error for client input: %v", err)
			}
			return
		}
		if _, err := a.RuntimeData.TeePubKey.PublicKey(); err != nil {
			t.Fatalf("accepted an unusable key: %v", err)
		}
		if ReportData(a.RuntimeData.Nonce, a.RuntimeData.TeePubKey, a.TeeEvidence.AdditionalEvidence) == nil {
			t.Fatal("no report data for an accepted attestation")
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("cannot re-encode: %v", err)
		}
	})
}

func FuzzParseResourcePath(f *testing.F) {
	for _, s := range []string{"default/key/1", "../a/b", "a%2Fb/c/d", "a//b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseResourcePath(s)
		if err != nil {
			if Status(err) != 404 {
				t.Fatalf("status %d", Status(err))
			}
			return
		}
		for _, seg := range p.Segments() {
			if seg == "" || seg == "." || seg == ".." || !ValidSegment(seg) {
				t.Fatalf("accepted segment %q", seg)
			}
			for _, c := range seg {
				if c == '%' || c == '/' || c == '\\' {
					t.Fatalf("accepted %q", seg)
				}
			}
		}
	})
}

// FuzzRuntimeDataJCS: the direct writer of plain runtime data gives exactly
// the JCS library's bytes, and declines whatever it cannot write verbatim.
func FuzzRuntimeDataJCS(f *testing.F) {
	f.Add("n0nce==", "EC", "P-256", "xx", "yy", "")
	f.Add("<&>", "RSA", "", "nn", "AQAB", `{"nvidia":{}}`)
	f.Add("\u2028", "EC", "P-521", "a\x7f", "b", "\x1f")
	f.Fuzz(func(t *testing.T, nonce, kty, crv, a, b, addl string) {
		key := TeePubKey{Kty: kty, Alg: "ECDH-ES+A256KW", Crv: crv, X: a, Y: b, N: a, E: b}
		want, werr := runtimeDataJCSLib(nonce, key, addl)
		got, ok := runtimeDataJCSPlain(nonce, key, addl)
		if !ok {
			return
		}
		if werr != nil {
			t.Fatalf("plain writer accepted what the library refuses: %v", werr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("plain %s\nlib   %s", got, want)
		}
	})
}
