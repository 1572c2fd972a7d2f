package guest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type fakeIssuer struct {
	calls int
	err   error
}

func (f *fakeIssuer) Certificate(_ context.Context, csrPEM []byte, dns []string) (json.RawMessage, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return json.RawMessage(`{"certificate_chain":"x","spiffe_id":"spiffe://t/ns/a/sa/b"}`), nil
}

// TestIdentityEndpoint: the local identity endpoint forwards only a
// readable, self-signed CSR, maps Trustee's refusals to 403 and its faults
// to 502, and bounds the body.
func TestIdentityEndpoint(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, p384)
	csr384 := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der384}))
	body := func(c string) string {
		b, _ := json.Marshal(map[string]any{"csr": c, "dns_names": []string{"a.example"}})
		return string(b)
	}
	cases := []struct {
		name, method, body string
		issuer             *fakeIssuer
		status, calls      int
	}{
		{"issued", "POST", body(csr), &fakeIssuer{}, 200, 1},
		{"GET", "GET", "", &fakeIssuer{}, 405, 0},
		{"no KBS", "POST", body(csr), nil, 500, 0},
		{"not JSON", "POST", "csr", &fakeIssuer{}, 400, 0},
		{"unknown field", "POST", `{"csr":"x","key":"y"}`, &fakeIssuer{}, 400, 0},
		{"unreadable CSR", "POST", body("garbage"), &fakeIssuer{}, 400, 0},
		{"P-384 key (no KBS tee-pubkey)", "POST", body(csr384), &fakeIssuer{}, 400, 0},
		{"oversized", "POST", body(strings.Repeat("A", maxIdentityRequest)), &fakeIssuer{}, 413, 0},
		{"Trustee refuses", "POST", body(csr), &fakeIssuer{err: &IdentityError{Status: 401, Msg: "kbs identity/csr: HTTP 401: resource policy denied"}}, 403, 1},
		{"Trustee unreachable", "POST", body(csr), &fakeIssuer{err: errors.New("kbs auth: connection refused")}, 502, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := &API{}
			if c.issuer != nil {
				api.Identity = c.issuer
			}
			r := httptest.NewRequest(c.method, "http://127.0.0.1:8006"+IdentityPath, strings.NewReader(c.body))
			r.RemoteAddr = "127.0.0.1:9"
			w := httptest.NewRecorder()
			api.ServeHTTP(w, r)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if c.issuer != nil && c.issuer.calls != c.calls {
				t.Errorf("%d calls to Trustee, want %d", c.issuer.calls, c.calls)
			}
		})
	}
	// Non-loopback callers get nothing.
	r := httptest.NewRequest("POST", "http://10.0.0.1:8006"+IdentityPath, strings.NewReader(body(csr)))
	r.RemoteAddr = "10.0.0.9:9"
	w := httptest.NewRecorder()
	(&API{Identity: &fakeIssuer{}}).ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("non-loopback: %d", w.Code)
	}
}
