package kbsadmin

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/trustgate/trustgate/internal/kbs"
)

// The client refuses what it cannot use with an error that says what to
// pass instead.
func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url, key string
		tls            TLSOptions
		want           string
	}{
		{"no scheme", "127.0.0.1:8080", "", TLSOptions{}, "want https://host:port"},
		{"ftp", "ftp://h", "", TLSOptions{}, "invalid trustee URL"},
		{"missing key", "https://h:1", filepath.Join(dir, "absent.key"), TLSOptions{}, "admin.key"},
		{"key not PEM", "https://h:1", junk, TLSOptions{}, "PRIVATE KEY"},
		{"missing CA", "https://h:1", "", TLSOptions{CACert: filepath.Join(dir, "absent.crt")}, "tls.crt"},
		{"CA not PEM", "https://h:1", "", TLSOptions{CACert: junk}, "no PEM certificate"},
		{"CA PEM not PEM", "https://h:1", "", TLSOptions{CAPEM: []byte("junk")}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.url, tc.key, tc.tls)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// ParseKey reads what trustee serve writes (PKCS#8 Ed25519) and nothing
// else; NewToken's token carries iat and exp = iat + lifetime and verifies
// with the public half.
func TestKeyAndToken(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	key, err := ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil || !key.Equal(priv) {
		t.Fatal(err)
	}
	if _, err := ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err == nil {
		t.Fatal("accepted a PUBLIC KEY block")
	}
	now := time.Unix(1_700_000_000, 0)
	tok, err := NewToken(key, now, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.Claims
	if err := parsed.Claims(pub, &c); err != nil {
		t.Fatal(err)
	}
	if !c.IssuedAt.Time().Equal(now) || !c.Expiry.Time().Equal(now.Add(5*time.Minute)) {
		t.Fatalf("claims %+v", c)
	}
	if typ := parsed.Headers[0].ExtraHeaders[jose.HeaderType]; typ != "JWT" {
		t.Fatalf("typ %v", typ)
	}
}

// A refusal is an *Error naming the call, the KBS variant and detail, with
// a hint for the usual mistakes.
func TestStatusError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"admin auth", 401, `{"type":"` + kbs.ErrorTypePrefix + `AdminAuth","detail":"admin token signature"}`,
			[]string{"POST /kbs/v0/import: HTTP 401: AdminAuth: admin token signature", "hint: the admin key is not one this trustee trusts"}},
		{"plain to https", 400, "Client sent an HTTP request to an HTTPS server.\n", []string{"HTTP 400", "hint: the server speaks HTTPS"}},
		{"not KBS", 502, "<html>bad gateway</html>", []string{"POST /kbs/v0/import: HTTP 502"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := statusError("POST", "/kbs/v0/import", tc.status, []byte(tc.body))
			var e *Error
			if !errors.As(err, &e) || e.Status != tc.status {
				t.Fatalf("%T %v", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

// TestIdentityBundleRefuses: the public identity bundle is read up to
// MaxIdentityBundle and must hold a certificate; an error status is an
// error. (TestIdentityBundle in internal/trustee fetches a real one.)
func TestIdentityBundleRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"oversized", 200, strings.Repeat("A", MaxIdentityBundle+1), "answer over 1 MiB"},
		{"no certificate", 200, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no PEM certificate"},
		{"not found", 404, "", "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/kbs/v0/identity/bundle" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := NewWithKey(srv.URL, nil, TLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if b, err := c.IdentityBundle(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %d bytes, error %v; want an error with %q", len(b), err, tc.want)
			}
		})
	}
}
