package server

import (
	"bytes"
	"crypto/x509"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
)

// TestReleaseEveryKeyType runs the handshake with each guest key type and
// opens the released JWE with go-jose, a decoder independent of ours.
func TestReleaseEveryKeyType(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	h.setResourcePolicy("allow-all")
	for _, c := range []struct {
		kt  jwe.KeyType
		alg jose.KeyAlgorithm
	}{{jwe.KeyP256, jose.ECDH_ES_A256KW}, {jwe.KeyP521, jose.ECDH_ES_A256KW}, {jwe.KeyRSA, jose.RSA_OAEP_256}} {
		t.Run(string(c.kt), func(t *testing.T) {
			priv, pub, err := jwe.GenerateKey(c.kt)
			if err != nil {
				t.Fatal(err)
			}
			g := &guest{h: h, c: h.client(), priv: priv, pub: pub}
			g.handshake()
			r := g.get("default/db/password", nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			obj, err := jose.ParseEncryptedJSON(string(r.body), []jose.KeyAlgorithm{c.alg}, []jose.ContentEncryption{jose.A256GCM})
			if err != nil {
				t.Fatal(err)
			}
			// go-jose wants crypto/ecdsa keys: convert through PKCS#8.
			der, err := x509.MarshalPKCS8PrivateKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			k, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				t.Fatal(err)
			}
			pt, err := obj.Decrypt(k)
			if err != nil || string(pt) != secret {
				t.Fatalf("go-jose: %q %v", pt, err)
			}
		})
	}
}

// TestNoSecretsInLogs runs releases, denials and admin calls with a
// debug-level logger and canary values, then searches the log.
func TestNoSecretsInLogs(t *testing.T) {
	var logs bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, func(c *Config) { c.Logger = lg })
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	g := h.guest()
	tok := g.handshake()
	wantError(t, g.get("default/db/password", nil), 401, kbs.PolicyDeny)
	h.setResourcePolicy("allow-all")
	g.open(g.get("default/db/password", nil))
	h.do(http.DefaultClient, "GET", "/kbs/v0/resources", nil, map[string]string{"Authorization": "Bearer " + tok})
	// Store down: fail closed, 500 without detail, readiness says so.
	h.st.Close()
	g2 := h.guest()
	wantError(t, g2.get("default/db/password", map[string]string{"Authorization": "Bearer " + tok}), 500, kbs.InternalError)
	// /auth stores nothing (a stateless session): the attestation that
	// follows cannot record its decision, and fails closed.
	n := g2.auth()
	wantError(t, g2.attest(g2.attestBody(n, n)), 500, kbs.InternalError)
	// A TEE with a stored session cannot even start.
	wantError(t, h.do(g2.c, "POST", "/kbs/v0/auth", authBody("cca"), nil), 500, kbs.InternalError)
	if r := h.do(http.DefaultClient, "GET", "/readyz", nil, nil); r.status != 503 {
		t.Fatalf("readyz with store down: %d", r.status)
	}
	evs := logs.String()
	for _, canary := range []string{secret, tok, h.adminToken()[:40], tok[strings.LastIndex(tok, ".")+1:]} {
		if strings.Contains(evs, canary) {
			t.Fatalf("log contains a secret or token")
		}
	}
	if !strings.Contains(evs, "level=ERROR") {
		t.Fatal("store failure not logged")
	}
}
