package dashboard

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/ear"
)

// TestMainRefusesBadEnv: a DASHBOARD_<FLAG> value the flag refuses stops
// the start with the variable's name (it used to be ignored silently).
func TestMainRefusesBadEnv(t *testing.T) {
	t.Setenv("DASHBOARD_LATE_AFTER", "soon")
	var stderr bytes.Buffer
	if code := Main([]string{"--data-dir", t.TempDir()}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "DASHBOARD_LATE_AFTER") {
		t.Fatalf("stderr does not name the variable: %s", stderr.String())
	}
}

func TestMainUsage(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "tls.crt")
	if err := os.WriteFile(cert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, adminPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(adminPriv)
	adminKey := filepath.Join(dir, "admin.key")
	if err := os.WriteFile(adminKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	noTrustee := []string{"--data-dir", dir, "--trustee-url", "http://127.0.0.1:1", "--admin-key", adminKey, "--listen", "127.0.0.1:0"}
	tests := []struct {
		name      string
		args      []string
		code      int
		firstLine string
	}{
		{"--help", []string{"--help"}, 0, "usage: dashboard [flags]"},
		{"-h", []string{"-h"}, 0, "usage: dashboard [flags]"},
		{"help", []string{"help"}, 0, "usage: dashboard [flags]"},
		{"no token key", []string{"--data-dir", dir}, 1, "dashboard: --token-key is required"},
		{"a certificate as token key", []string{"--data-dir", dir, "--token-key", cert}, 1, "dashboard: token key " + cert + " is a certificate"},
		{"no token key and Trustee's keys unreadable", noTrustee, 1, "dashboard: token keys from Trustee:"},
		{"unknown flag", []string{"--token", "x"}, 2, "dashboard: flag provided but not defined: -token"},
		{"bad log level", []string{"--data-dir", dir, "--log-level", "loud"}, 2, `dashboard: --log-level "loud"`},
		{"bad log format", []string{"--data-dir", dir, "--log-format=xml"}, 2, `dashboard: --log-format "xml"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := cliflagstest.FirstLine(t, Main, tc.args, tc.code, tc.firstLine)
			if tc.code == 0 && strings.Contains(out, "token-signer.pub") {
				t.Fatal("help names a file Trustee does not write")
			}
		})
	}
}

// TestFollowTokenKeys: a standalone dashboard follows Trustee's token-key
// JWKS. Without a --token-key a first fetch that fails stops it (it would
// trust nothing); with one it starts on that key, and once the JWKS answers
// (a rotated key) the new key's tokens verify and the dropped key's do not.
func TestFollowTokenKeys(t *testing.T) {
	issuer := func() *ear.Issuer {
		k, err := ear.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		iss, err := ear.NewIssuer(k, ear.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return iss
	}
	oldIss, newIss := issuer(), issuer()
	token := func(iss *ear.Issuer) string {
		tok, _, err := iss.Issue(ear.Appraisal{Tee: "snp-emulated", PolicyID: "default_cpu",
			TrustVector: map[string]int{"executables": 2, "hardware": 2, "configuration": 2}})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	var mu sync.Mutex
	var jwks []byte // nil: Trustee does not answer
	fetch := func(context.Context) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if jwks == nil {
			return nil, errors.New("connection refused")
		}
		return jwks, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	if err := FollowTokenKeys(ctx, ear.NewVerifier(), fetch, 10*time.Millisecond, nil, quiet); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("no key and no JWKS: err %v, want the fetch's error", err)
	}
	v := ear.NewVerifier()
	if err := FollowTokenKeys(ctx, v, fetch, 10*time.Millisecond, oldIss.PublicKey(), quiet); err != nil {
		t.Fatalf("with a token key a failing first fetch must not stop the dashboard: %v", err)
	}
	if _, err := v.Verify(token(oldIss)); err != nil {
		t.Fatalf("the --token-key key does not verify: %v", err)
	}
	b, err := ear.JWKS([]ear.VerifyKey{{Key: newIss.PublicKey()}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	jwks = b
	mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, errNew := v.Verify(token(newIss))
		_, errOld := v.Verify(token(oldIss))
		if errNew == nil && errOld != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the JWKS answered: new key err %v, old key err %v", errNew, errOld)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
