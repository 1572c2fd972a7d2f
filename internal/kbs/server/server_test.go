package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/refvalue"
)

const secret = "canary-db-password-5d1e"

func TestReleaseAllowAll(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	h.setResourcePolicy("allow-all")
	g := h.guest()
	tok := g.handshake()

	// Cookie session.
	if got := g.open(g.get("default/db/password", nil)); string(got) != secret {
		t.Fatalf("released %q", got)
	}
	// Bearer token from a client without the session cookie.
	g2 := &guest{h: h, c: h.client(), priv: g.priv, pub: g.pub}
	if got := g2.open(g2.get("default/db/password", map[string]string{"Authorization": "Bearer " + tok})); string(got) != secret {
		t.Fatalf("bearer release %q", got)
	}
	// A second attest on the attested session returns the stored token.
	n := "AAAA" // whatever the body says, the session is already attested
	r := g.attest(g.attestBody(n, n))
	var tr kbs.TokenResponse
	if r.status != 200 || json.Unmarshal(r.body, &tr) != nil || tr.Token != tok {
		t.Fatalf("second attest: %d %s", r.status, r.body)
	}

	// Audit: release recorded with claims digest, never the secret.
	evs, err := h.srv.cfg.Audit.Since(context.Background(), 0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var released int
	for _, e := range evs {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), secret) || strings.Contains(string(b), tok) {
			t.Fatalf("audit event leaks a secret: %s", b)
		}
		if e.Kind == audit.KindResource && e.Outcome == audit.OutcomeAllow {
			released++
			if e.ClaimsDigest == "" || e.Resource != "default/db/password" || e.Tee != "sample" || e.Client == "" {
				t.Fatalf("release event incomplete: %+v", e)
			}
		}
	}
	if released != 2 {
		t.Fatalf("%d release events, want 2", released)
	}
}

func TestNegative(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))

	t.Run("wrong protocol version", func(t *testing.T) {
		g := h.guest()
		r := h.do(g.c, "POST", "/kbs/v0/auth", []byte(`{"version":"0.2.0","tee":"sample","extra-params":""}`), nil)
		wantError(t, r, 401, kbs.AttestationError)
		if r.header.Get("Set-Cookie") != "" {
			t.Fatal("session created for a refused auth")
		}
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		g := h.guest()
		g.auth()
		other := base64.StdEncoding.EncodeToString(make([]byte, 32))
		wantError(t, g.attest(g.attestBody(other, other)), 401, kbs.AttestationError)
	})
	t.Run("replayed nonce", func(t *testing.T) {
		g := h.guest()
		n := g.auth()
		good := g.attestBody(n, n)
		// A first attempt with bad evidence consumes the nonce …
		wantError(t, g.attest(g.attestBody(n, "not-the-nonce")), 401, kbs.AttestationError)
		// … so the good body on the same session is refused,
		r := g.attest(good)
		wantError(t, r, 401, kbs.AttestationError)
		if !strings.Contains(string(r.body), "already used") {
			t.Fatalf("reason: %s", r.body)
		}
		// and replaying it on a fresh session fails the nonce check.
		g2 := &guest{h: h, c: h.client(), priv: g.priv, pub: g.pub}
		g2.auth()
		wantError(t, g2.attest(good), 401, kbs.AttestationError)
	})
	t.Run("expired session", func(t *testing.T) {
		g := h.guest()
		n := g.auth()
		h.clock.Store(int64(6 * time.Minute))
		defer h.clock.Store(0)
		r := g.attest(g.attestBody(n, n))
		wantError(t, r, 401, kbs.AttestationError)
		if !strings.Contains(string(r.body), "expired") {
			t.Fatalf("reason: %s", r.body)
		}
	})
	t.Run("report_data not bound to nonce and key", func(t *testing.T) {
		g := h.guest()
		n := g.auth()
		other := h.guest() // evidence binds another key
		body := other.attestBody(n, n)
		var a map[string]any
		_ = json.Unmarshal(body, &a)
		a["runtime-data"].(map[string]any)["tee-pubkey"] = g.pub.Map()
		b, _ := json.Marshal(a)
		wantError(t, g.attest(b), 401, kbs.AttestationError)
	})
	t.Run("attest without session", func(t *testing.T) {
		g := h.guest()
		wantError(t, g.attest(g.attestBody("x", "x")), 401, kbs.AttestationError)
	})
	t.Run("policy deny (default policy, sample TEE)", func(t *testing.T) {
		g := h.guest()
		g.handshake()
		wantError(t, g.get("default/db/password", nil), 401, kbs.PolicyDeny)
	})
	t.Run("no token", func(t *testing.T) {
		g := h.guest()
		wantError(t, g.get("default/db/password", nil), 401, kbs.TokenNotFound)
	})
	t.Run("forged token", func(t *testing.T) {
		g := h.guest()
		wantError(t, g.get("default/db/password", map[string]string{"Authorization": "Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA"}), 401, kbs.TokenVerifierError)
	})
	t.Run("invalid path segments", func(t *testing.T) {
		g := h.guest()
		g.handshake()
		for _, p := range []string{"default/../password", "default/db%2Fpassword/x", "default//password", "default/db/", "default/db", "default/db/password/extra", "..%2F..%2Fetc/passwd/x", "%2e%2e/db/password"} {
			wantError(t, g.get(p, nil), 404, kbs.InvalidRequestPath)
		}
	})
	t.Run("huge version string is bounded in the audit log", func(t *testing.T) {
		g := h.guest()
		v := strings.Repeat("9", 100000)
		wantError(t, h.do(g.c, "POST", "/kbs/v0/auth", []byte(`{"version":"`+v+`","tee":"sample"}`), nil), 401, kbs.AttestationError)
		evs, _ := h.srv.cfg.Audit.Since(context.Background(), 0, time.Time{}, 0)
		for _, e := range evs {
			if len(e.Reason) > 600 {
				t.Fatalf("audit reason of %d bytes", len(e.Reason))
			}
		}
	})
	t.Run("malformed bodies", func(t *testing.T) {
		g := h.guest()
		wantError(t, h.do(g.c, "POST", "/kbs/v0/auth", []byte(`{"version":`), nil), 400, kbs.SerdeError)
		g.auth()
		wantError(t, g.attest([]byte(`not json`)), 400, kbs.SerdeError)
	})
	t.Run("oversized bodies", func(t *testing.T) {
		g := h.guest()
		big := bytes.Repeat([]byte("a"), 3<<20)
		wantError(t, h.do(g.c, "POST", "/kbs/v0/auth", big, nil), 413, kbs.PayloadTooLarge)
		g.auth()
		wantError(t, g.attest(big), 413, kbs.PayloadTooLarge)
		r := h.admin("POST", "/kbs/v0/resource/default/big/blob", big)
		wantError(t, r, 413, kbs.PayloadTooLarge)
	})

	t.Run("expired token", func(t *testing.T) {
		h.setResourcePolicy("allow-all")
		defer h.setResourcePolicy("deny-all")
		g := h.guest()
		tok := g.handshake()
		g.open(g.get("default/db/password", nil)) // valid now (cached at issue)
		h.clock.Store(int64(10 * time.Minute))
		defer h.clock.Store(0)
		g2 := &guest{h: h, c: h.client(), priv: g.priv, pub: g.pub}
		wantError(t, g2.get("default/db/password", map[string]string{"Authorization": "Bearer " + tok}), 401, kbs.TokenVerifierError)
	})

	// Unknown resource: allowed by policy, absent from the store.
	t.Run("unknown resource", func(t *testing.T) {
		h.setResourcePolicy("allow-all")
		g := h.guest()
		g.handshake()
		wantError(t, g.get("default/db/nope", nil), 401, kbs.PluginInternal)
		// and the known one is released to the same guest
		if got := g.open(g.get("default/db/password", nil)); string(got) != secret {
			t.Fatal(string(got))
		}
		h.setResourcePolicy("deny-all")
		wantError(t, g.get("default/db/password", nil), 401, kbs.PolicyDeny)
	})
}

func TestAdminAuth(t *testing.T) {
	h := newHarness(t)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	expired, _ := kbsadmin.NewToken(h.adminKey, time.Now().Add(-3*time.Hour), time.Hour)
	wrongKey, _ := kbsadmin.NewToken(otherKey, time.Now(), time.Hour)
	future, _ := kbsadmin.NewToken(h.adminKey, time.Now().Add(time.Hour), time.Hour)
	good := h.adminToken()
	forged := good[:strings.LastIndex(good, ".")+1] + base64.RawURLEncoding.EncodeToString(make([]byte, 64))
	sign := func(c any, alg jose.SignatureAlgorithm, key any) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(c).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	noExp := sign(jwt.Claims{IssuedAt: jwt.NewNumericDate(time.Now())}, jose.EdDSA, h.adminKey)
	noIat := sign(jwt.Claims{Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}, jose.EdDSA, h.adminKey)
	hmac := sign(jwt.Claims{IssuedAt: jwt.NewNumericDate(time.Now()), Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}, jose.HS256, []byte("0123456789abcdef0123456789abcdef"))

	cases := map[string]map[string]string{
		"no token":         nil,
		"not bearer":       {"Authorization": "Basic YWRtaW46YWRtaW4="},
		"garbage":          {"Authorization": "Bearer not-a-jwt"},
		"forged signature": {"Authorization": "Bearer " + forged},
		"expired":          {"Authorization": "Bearer " + expired},
		"wrong key":        {"Authorization": "Bearer " + wrongKey},
		"issued in future": {"Authorization": "Bearer " + future},
		"no exp":           {"Authorization": "Bearer " + noExp},
		"no iat":           {"Authorization": "Bearer " + noIat},
		"HS256":            {"Authorization": "Bearer " + hmac},
	}
	endpoints := []struct{ method, path string }{
		{"POST", "/kbs/v0/resource/default/db/password"},
		{"DELETE", "/kbs/v0/resource/default/db/password"},
		{"GET", "/kbs/v0/resources"},
		{"POST", "/kbs/v0/resource-policy"},
		{"GET", "/kbs/v0/resource-policy"},
		{"POST", "/kbs/v0/attestation-policy"},
		{"POST", "/kbs/v0/reference-value"},
		{"GET", "/kbs/v0/reference-value/x"},
		{"GET", "/kbs/v0/audit"},
		{"POST", "/kbs/v0/admin/rotate-kek"},
	}
	for name, hdr := range cases {
		t.Run(name, func(t *testing.T) {
			for _, ep := range endpoints {
				r := h.do(http.DefaultClient, ep.method, ep.path, []byte(secret), hdr)
				wantError(t, r, 401, kbs.AdminAuth)
			}
		})
	}
	// Nothing was written by the refused calls.
	r := h.mustAdmin("GET", "/kbs/v0/resources", nil)
	if string(r.body) != `{"resources":[]}` {
		t.Fatalf("resources after refused writes: %s", r.body)
	}
	// Refusals are audited without the token.
	evs, _ := h.srv.cfg.Audit.Since(context.Background(), 0, time.Time{}, 0)
	if len(evs) < len(cases)*len(endpoints) {
		t.Fatalf("%d audit events", len(evs))
	}
	for _, e := range evs {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), good[:20]) || strings.Contains(string(b), secret) {
			t.Fatalf("audit leaks: %s", b)
		}
	}
}

func TestAdminAPI(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/a/1", []byte("one"))
	h.mustAdmin("POST", "/kbs/v0/resource/default/b/2", []byte("two"))
	r := h.mustAdmin("GET", "/kbs/v0/resources", nil)
	if string(r.body) != `{"resources":["default/a/1","default/b/2"]}` {
		t.Fatal(string(r.body))
	}
	if strings.Contains(string(r.body), "one") {
		t.Fatal("list returned a value")
	}
	h.mustAdmin("DELETE", "/kbs/v0/resource/default/b/2", nil)
	wantError(t, h.admin("DELETE", "/kbs/v0/resource/default/b/2", nil), 404, kbs.ResourceNotFound)
	wantError(t, h.admin("POST", "/kbs/v0/resource/default/../x", []byte("v")), 404, kbs.InvalidRequestPath)

	// Policies: invalid Rego refused, valid stored and read back.
	bad, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte("package policy\nallow := {"))})
	wantError(t, h.admin("POST", "/kbs/v0/resource-policy", bad), 401, kbs.ParsePolicyError)
	wantError(t, h.admin("POST", "/kbs/v0/resource-policy", []byte(`{"policy":"!!"}`)), 400, kbs.SerdeError)
	src := "package policy\ndefault allow := false\n"
	good, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
	h.mustAdmin("POST", "/kbs/v0/resource-policy", good)
	var pr PolicyRequest
	_ = json.Unmarshal(h.mustAdmin("GET", "/kbs/v0/resource-policy", nil).body, &pr)
	if b, _ := base64.RawURLEncoding.DecodeString(pr.Policy); string(b) != src {
		t.Fatalf("read back %q", b)
	}
	ap, _ := json.Marshal(PolicyRequest{Type: "rego", PolicyID: "strict_cpu", Policy: base64.RawURLEncoding.EncodeToString([]byte("package policy\ntrust_claims := {\"hardware\": 97}\n"))})
	h.mustAdmin("POST", "/kbs/v0/attestation-policy", ap)
	r = h.mustAdmin("GET", "/kbs/v0/attestation-policy", nil)
	if string(r.body) != `{"policies":["strict_cpu"]}` {
		t.Fatal(string(r.body))
	}
	h.mustAdmin("GET", "/kbs/v0/attestation-policy/default_cpu", nil)
	wantError(t, h.admin("GET", "/kbs/v0/attestation-policy/nope", nil), 404, kbs.ResourceNotFound)

	// Reference values.
	msg, _ := refvalue.NewMessage(refvalue.Values{"snp_launch_measurement": {"abababababababababababababababababababababababababababababababababababababababababababababababab"}}, time.Time{})
	h.mustAdmin("POST", "/kbs/v0/reference-value", msg)
	var e refvalue.Entry
	if err := json.Unmarshal(h.mustAdmin("GET", "/kbs/v0/reference-value/snp_launch_measurement", nil).body, &e); err != nil || e.Value[0] != "abababababababababababababababababababababababababababababababababababababababababababababababab" {
		t.Fatal(e, err)
	}
	wantError(t, h.admin("POST", "/kbs/v0/reference-value", []byte(`{"version":"9"}`)), 401, kbs.RvpsError)
	h.mustAdmin("DELETE", "/kbs/v0/reference-value/snp_launch_measurement", nil)
	wantError(t, h.admin("GET", "/kbs/v0/reference-value/snp_launch_measurement", nil), 404, kbs.ResourceNotFound)

	// Audit query.
	var al AuditList
	if err := json.Unmarshal(h.mustAdmin("GET", "/kbs/v0/audit?since=0&limit=5", nil).body, &al); err != nil || len(al.Events) != 5 {
		t.Fatal(len(al.Events), err)
	}
	wantError(t, h.admin("GET", "/kbs/v0/audit?since=yesterday", nil), 400, kbs.SerdeError)
	// rotate-kek is not wired in this harness
	wantError(t, h.admin("POST", "/kbs/v0/admin/rotate-kek", nil), 404, kbs.PluginNotFound)
}

func TestOperations(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AuthRate, c.AuthBurst = 1, 2 })
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := h.do(http.DefaultClient, "GET", p, nil, nil); r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
	}
	g := h.guest()
	g.auth()
	g.auth()
	wantError(t, h.do(g.c, "POST", "/kbs/v0/auth", authBody("sample"), nil), 429, kbs.TooManyRequests)
	r := h.do(http.DefaultClient, "GET", "/metrics", nil, nil)
	for _, want := range []string{`trustee_requests_total{endpoint="auth",outcome="200"} 2`, `trustee_requests_total{endpoint="auth",outcome="429"} 1`, "trustee_request_duration_seconds_bucket"} {
		if !strings.Contains(string(r.body), want) {
			t.Fatalf("metrics lack %q", want)
		}
	}
	h2 := newHarness(t)
	r = h2.do(h2.client(), "POST", "/kbs/v0/auth", authBody("se"), nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"extra-params":{"selected-hash-algorithm":"sha512"}`) {
		t.Fatalf("se challenge: %d %s", r.status, r.body)
	}
	r = h2.do(h2.client(), "POST", "/kbs/v0/auth", authBody("snp"), nil)
	if !strings.Contains(string(r.body), `"extra-params":""`) || !strings.Contains(r.header.Get("Set-Cookie"), "kbs-session-id=") {
		t.Fatalf("snp challenge: %s %v", r.body, r.header)
	}
	// Upstream's shapes: cookie = UUID v4 as 32 hex digits, nonce = padded
	// standard base64 of 32 bytes, Expires set.
	if !regexp.MustCompile(`^kbs-session-id=[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}; .*Expires=`).MatchString(r.header.Get("Set-Cookie")) {
		t.Fatalf("cookie %q", r.header.Get("Set-Cookie"))
	}
	var ch kbs.Challenge
	_ = json.Unmarshal(r.body, &ch)
	if nb, err := base64.StdEncoding.DecodeString(ch.Nonce); err != nil || len(nb) != 32 {
		t.Fatalf("nonce %q", ch.Nonce)
	}
	wantError(t, h.do(http.DefaultClient, "GET", "/kbs/v0/nothing", nil, nil), 404, kbs.PluginNotFound)
	wantError(t, h.do(http.DefaultClient, "PATCH", "/kbs/v0/resource/a/b/c", nil, nil), 404, kbs.PluginNotFound)
}
