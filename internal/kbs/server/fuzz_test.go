package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
)

func FuzzDecodePolicyRequest(f *testing.F) {
	f.Add([]byte(`{"policy":"cGFja2FnZSBwb2xpY3kKZGVmYXVsdCBhbGxvdyA6PSB0cnVl"}`), true)
	f.Add([]byte(`{"type":"rego","policy_id":"default_cpu","policy":"cGFja2FnZSBwb2xpY3k"}`), false)
	f.Add([]byte(`{"policy":1}`), true)
	f.Fuzz(func(t *testing.T, body []byte, resource bool) {
		k := policy.KindAttestation
		if resource {
			k = policy.KindResource
		}
		req, src, err := DecodePolicyRequest(body, k)
		if err == nil && (src == "" && !strings.Contains(string(body), `"policy":""`)) {
			t.Fatalf("accepted without source: %+v", req)
		}
		var ke *kbs.Error
		if err != nil && (!errors.As(err, &ke) || kbs.Status(err) < 400 || kbs.Status(err) >= 500) {
			t.Fatalf("refusal is not a typed 4xx error: %v", err)
		}
	})
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"", "0", "42", "2026-01-01T00:00:00Z", "-1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, since, err := audit.ParseSince(s)
		if err == nil && (id < 0 || (id > 0 && !since.IsZero())) {
			t.Fatalf("%q: %d %v", s, id, since)
		}
	})
}

func FuzzAdminToken(f *testing.F) {
	h := newHarness(f)
	good := h.adminToken()
	f.Add(good)
	f.Add("eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.e30.AAAA")
	f.Add("")
	a := h.srv.cfg.Admin
	f.Fuzz(func(t *testing.T, tok string) {
		if err := a.CheckToken(tok); err == nil && tok != good {
			// Only a token signed by the admin key may pass; the fuzzer
			// cannot forge Ed25519, so any other success is a bug.
			t.Fatalf("accepted %q", tok)
		}
	})
}

// FuzzServer sends arbitrary requests to every endpoint: whatever the
// method, path or body, the server answers without a 5xx and never
// returns a JWE to a request without a valid token.
func FuzzServer(f *testing.F) {
	importKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	h := newHarness(f, func(c *Config) { c.ImportKey = importKey })
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	tok := h.adminToken()
	for _, s := range []struct{ m, p, b string }{
		{"POST", "/kbs/v0/auth", `{"version":"0.4.0","tee":"sample"}`},
		{"POST", "/kbs/v0/attest", `{"runtime-data":{"nonce":"x","tee-pubkey":{"kty":"EC"}}}`},
		{"GET", "/kbs/v0/resource/default/db/password", ""},
		{"GET", "/kbs/v0/resource/a/../b", ""},
		{"POST", "/kbs/v0/resource-policy", `{"policy":"cGFja2FnZSBwb2xpY3k"}`},
		{"POST", "/kbs/v0/attestation-policy", `{"type":"rego"}`},
		{"POST", "/kbs/v0/reference-value", `{"version":"0.1.0","type":"sample","payload":"e30="}`},
		{"GET", "/kbs/v0/audit?since=x", ""},
		// trustgate extensions: collateral, cocofy bundles, public keys.
		{"GET", "/kbs/v0/collateral", ""},
		{"POST", "/kbs/v0/collateral", `{"version":1,"entries":{"collateral/https://kdsintf.amd.com/x":"AAAA"}}`},
		{"POST", "/kbs/v0/collateral", `{"version":1,"entries":{"x":1}}`},
		{"POST", "/kbs/v0/import", `{"format":"trustgate-bundle/v1","resources":[{"path":"a/b/c","value":"dg=="}],"reference_values":[{"name":"init_data","values":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}]}`},
		{"POST", "/kbs/v0/import", `{"format":"trustgate-bundle/v1","resources":[{"path":"a/../c","value":"!"}]}`},
		{"POST", "/kbs/v0/import", `eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d`},
		{"GET", "/kbs/v0/token-key", ""},
		{"GET", "/kbs/v0/import-key", ""},
		{"DELETE", "/kbs/v0/resource/default/db/password", ""},
		{"GET", "/kbs/v0/attestation-policy/default_cpu", ""},
		{"DELETE", "/kbs/v0/reference-value/init_data", ""},
	} {
		f.Add(s.m, s.p, []byte(s.b), false)
		f.Add(s.m, s.p, []byte(s.b), true)
	}
	// A bundle encrypted to the import key, as cocofy --import-key writes it.
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.ECDH_ES_A256KW, Key: &importKey.PublicKey},
		(&jose.EncrypterOptions{}).WithContentType(jose.ContentType(kbsadmin.BundleContentType)))
	if err != nil {
		f.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(`{"format":"trustgate-bundle/v1","resources":[{"path":"a/b/c","value":"dg=="}]}`))
	if err != nil {
		f.Fatal(err)
	}
	jweBundle, _ := obj.CompactSerialize()
	f.Add("POST", "/kbs/v0/import", []byte(jweBundle), true)
	f.Add("POST", "/kbs/v0/import", []byte(jweBundle[:len(jweBundle)-3]), true)
	methods := []string{"GET", "POST", "DELETE", "PUT"}
	f.Fuzz(func(t *testing.T, method, path string, body []byte, admin bool) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if strings.Contains(path, "follow") || strings.Contains(path, "audit") && strings.Contains(path, "event-stream") {
			return // streams never end by themselves
		}
		m := methods[len(method)%len(methods)]
		req, err := http.NewRequest(m, "http://trustee"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		if admin {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		last := lastAuditID(t, h)
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { h.srv.ServeHTTP(rec, req); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s hung", m, path)
		}
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", m, path, rec.Code, rec.Body.Bytes())
		}
		if bytes.Contains(rec.Body.Bytes(), []byte(`"ciphertext"`)) {
			t.Fatalf("JWE returned to %s %q", m, path)
		}
		if rec.Code >= 400 && rec.Code != http.StatusMethodNotAllowed {
			if _, err := kbs.ParseErrorInfo(rec.Body.Bytes()); err != nil {
				t.Fatalf("%s %q: %d without a KBS error body: %q", m, path, rec.Code, rec.Body.Bytes())
			}
		}
		// Every attestation and resource decision is audited.
		if n := auditRowsAfter(t, h, last); (m == "POST" && path == "/kbs/v0/attest" || m == "GET" && strings.HasPrefix(path, resourcePrefix)) && n != 1 {
			t.Fatalf("%s %q: %d audit rows written, want 1", m, path, n)
		}
	})
}

// lastAuditID returns the id of the newest audit row (0: none).
func lastAuditID(t *testing.T, h *harness) int64 {
	t.Helper()
	var last int64
	for {
		recs, err := h.st.AuditSince(context.Background(), last, time.Time{}, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return last
		}
		last = recs[len(recs)-1].ID
	}
}

// auditRowsAfter counts the audit rows written after id.
func auditRowsAfter(t *testing.T, h *harness, id int64) int {
	t.Helper()
	recs, err := h.st.AuditSince(context.Background(), id, time.Time{}, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}
