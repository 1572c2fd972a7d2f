package server

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
)

// auditEvents returns every audit event of h.
func (h *harness) auditEvents() []audit.Event {
	h.t.Helper()
	evs, err := h.srv.cfg.Audit.Since(context.Background(), 0, time.Time{}, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

// TestAuthRefusesBadTee: the TEE name is stored with the session, so
// /auth refuses one that is oversized or not a TEE name (400, no session)
// instead of storing megabytes per request.
func TestAuthRefusesBadTee(t *testing.T) {
	h := newHarness(t)
	for name, tee := range map[string]string{
		"oversized":   strings.Repeat("a", 1<<20),
		"65 bytes":    strings.Repeat("a", 65),
		"upper case":  "SNP",
		"control":     `sample\u0000`,
		"slash":       "a/b",
		"quote html":  `<script>`,
		"space":       "sample ",
		"unicode":     "sämple",
		"dot-dot":     "..",
		"escaped nul": `\u0000`,
	} {
		t.Run(name, func(t *testing.T) {
			r := h.do(h.client(), "POST", "/kbs/v0/auth", authBody(tee), nil)
			wantError(t, r, 400, kbs.SerdeError)
			if r.header.Get("Set-Cookie") != "" {
				t.Fatal("session created for a refused auth")
			}
		})
	}
	for _, tee := range []string{"sample", "snp-emulated", "azsnpvtpm", "az_tdx", strings.Repeat("a", 64)} {
		if r := h.do(h.client(), "POST", "/kbs/v0/auth", authBody(tee), nil); r.status != 200 {
			t.Fatalf("tee %q: %d %s", tee, r.status, r.body)
		}
	}
	for _, e := range h.auditEvents() {
		if len(e.Tee) > 300 || len(e.Reason) > 600 {
			t.Fatalf("unbounded audit event: tee %d bytes, reason %d bytes", len(e.Tee), len(e.Reason))
		}
	}
}

// TestMalformedSessionCookie: a cookie that cannot be a session id is an
// unknown session (401), whatever its size or bytes.
func TestMalformedSessionCookie(t *testing.T) {
	h := newHarness(t)
	g := h.guest()
	n := g.auth()
	body := g.attestBody(n, n)
	for _, id := range []string{"x", strings.Repeat("f", 31), strings.Repeat("F", 32), strings.Repeat("0", 33), strings.Repeat("a", 4000), "'; DROP TABLE sessions; --"} {
		r := h.do(h.client(), "POST", "/kbs/v0/attest", body, map[string]string{"Cookie": kbs.SessionCookie + "=" + id})
		wantError(t, r, 401, kbs.AttestationError)
		r = h.do(h.client(), "GET", "/kbs/v0/resource/default/db/password", nil, map[string]string{"Cookie": kbs.SessionCookie + "=" + id})
		wantError(t, r, 401, kbs.TokenNotFound)
	}
	// The real session still works.
	if r := g.attest(body); r.status != http.StatusOK {
		t.Fatalf("attest: %d %s", r.status, r.body)
	}
	var tr kbs.TokenResponse
	_ = json.Unmarshal(g.attest(body).body, &tr)
	if tr.Token == "" {
		t.Fatal("no token on the attested session")
	}
}

// TestSessionCookieAttributes: the session cookie is HttpOnly and
// SameSite=Strict always, Secure when the request came over TLS, and a
// guest's cookie jar still sends it back over TLS (the handshake works).
func TestSessionCookieAttributes(t *testing.T) {
	h := newHarness(t)
	check := func(c *http.Cookie, secure bool) {
		t.Helper()
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != secure || c.Expires.IsZero() {
			t.Fatalf("cookie %s: HttpOnly %v SameSite %v Secure %v (want %v) Expires %v", c.Raw, c.HttpOnly, c.SameSite, c.Secure, secure, c.Expires)
		}
	}
	r := h.do(h.client(), "POST", "/kbs/v0/auth", authBody("sample"), nil)
	cs := (&http.Response{Header: r.header}).Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	check(cs[0], false)

	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	h.setResourcePolicy("allow-all")
	tls := httptest.NewTLSServer(h.srv)
	defer tls.Close()
	plain := h.ts
	h.ts = tls
	defer func() { h.ts = plain }()
	g := h.guest()
	jar, _ := cookiejar.New(nil)
	g.c = tls.Client()
	g.c.Jar = jar
	r = h.do(g.c, "POST", "/kbs/v0/auth", authBody("sample"), nil)
	cs = (&http.Response{Header: r.header}).Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	check(cs[0], true)
	g.handshake()
	if got := g.open(g.get("default/db/password", nil)); string(got) != secret {
		t.Fatalf("released %q over TLS", got)
	}
}

// TestDenialsAuditedBeforeAnswer: every refusal is in the audit log when
// its answer arrives, and a refusal that cannot be recorded (store down)
// is answered 500, never as an unrecorded 4xx.
func TestDenialsAuditedBeforeAnswer(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	g := h.guest()
	g.handshake()
	before := len(h.auditEvents())
	denials := []struct {
		method, path string
		hdr          map[string]string
		status       int
	}{
		{"GET", "/kbs/v0/resource/default/../password", nil, 404},
		{"GET", "/kbs/v0/resource/default/db/password", map[string]string{"Authorization": "Bearer x.y.z"}, 401},
		{"GET", "/kbs/v0/resource/default/db/password", nil, 401}, // no token
		{"POST", "/kbs/v0/attest", nil, 401},                      // no session
		{"GET", "/kbs/v0/resources", nil, 401},                    // no admin token
	}
	for i, d := range denials {
		r := h.do(h.client(), d.method, d.path, nil, d.hdr)
		if r.status != d.status {
			t.Fatalf("%s %s: %d %s", d.method, d.path, r.status, r.body)
		}
		if n := len(h.auditEvents()) - before; n != i+1 {
			t.Fatalf("%s %s answered %d with %d new audit events, want %d", d.method, d.path, r.status, n, i+1)
		}
	}
	// The policy denial of the attested guest (default policy: never the
	// sample TEE) is audited with its claims digest.
	wantError(t, g.get("default/db/password", nil), 401, kbs.PolicyDeny)
	evs := h.auditEvents()
	last := evs[len(evs)-1]
	if last.Kind != audit.KindResource || last.Outcome != audit.OutcomeDeny || last.ClaimsDigest == "" || !strings.Contains(last.Reason, "denied") {
		t.Fatalf("policy denial event: %+v", last)
	}

	h.st.Close()
	for _, d := range denials {
		r := h.do(h.client(), d.method, d.path, nil, d.hdr)
		wantError(t, r, 500, kbs.InternalError)
	}
}

// TestFailClosed: an unknown TEE, evidence of another TEE than the
// session's, a resource policy that fails at evaluation and an expired
// token are all refused, each with an audit reason an operator can read.
func TestFailClosed(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	lastReason := func() string {
		evs := h.auditEvents()
		return evs[len(evs)-1].Reason
	}
	t.Run("unknown tee", func(t *testing.T) {
		g := h.guest()
		r := h.do(g.c, "POST", "/kbs/v0/auth", authBody("tdx"), nil)
		var ch kbs.Challenge
		if r.status != 200 || json.Unmarshal(r.body, &ch) != nil {
			t.Fatalf("auth: %d %s", r.status, r.body)
		}
		// Sample evidence correctly bound to the tdx session's nonce.
		wantError(t, g.attest(g.attestBody(ch.Nonce, ch.Nonce)), 401, kbs.AttestationError)
		if reason := lastReason(); !strings.Contains(reason, `unknown tee "tdx"`) {
			t.Fatalf("audit reason %q", reason)
		}
	})
	t.Run("evidence of another tee", func(t *testing.T) {
		// A sample session cannot be finished with SNP evidence: the
		// session's TEE picks the verifier, whatever the evidence is.
		report := testenvReport(t)
		g := h.guest()
		n := g.auth()
		b, _ := json.Marshal(kbs.Attestation{
			RuntimeData: kbs.RuntimeData{Nonce: n, TeePubKey: g.pub},
			TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: report},
		})
		wantError(t, g.attest(b), 401, kbs.AttestationError)
		if reason := lastReason(); !strings.Contains(reason, "evidence") {
			t.Fatalf("audit reason %q", reason)
		}
	})
	t.Run("resource policy error", func(t *testing.T) {
		src := "package policy\n\nallow := true if { input.submods }\nallow := false if { input.submods }\n"
		b, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
		h.mustAdmin("POST", "/kbs/v0/resource-policy", b)
		g := h.guest()
		g.handshake()
		wantError(t, g.get("default/db/password", nil), 401, kbs.PolicyEngineError)
		if reason := lastReason(); !strings.Contains(reason, "resource policy could not be evaluated (denied): ") || !strings.Contains(reason, "conflict") {
			t.Fatalf("audit reason %q", reason)
		}
		h.setResourcePolicy("allow-all")
	})
	t.Run("expired token", func(t *testing.T) {
		g := h.guest()
		tok := g.handshake()
		h.clock.Store(int64(time.Hour))
		defer h.clock.Store(0)
		g2 := &guest{h: h, c: h.client(), priv: g.priv, pub: g.pub}
		wantError(t, g2.get("default/db/password", map[string]string{"Authorization": "Bearer " + tok}), 401, kbs.TokenVerifierError)
		if reason := lastReason(); !strings.Contains(reason, "expired") {
			t.Fatalf("audit reason %q", reason)
		}
		// The cookie of the expired session releases nothing either.
		if r := g.get("default/db/password", nil); r.status != 401 {
			t.Fatalf("expired session: %d %s", r.status, r.body)
		} else {
			noJWE(t, r.body)
		}
	})
}

// testenvReport is an SNP attestation report from the shared test vectors.
func testenvReport(t *testing.T) json.RawMessage {
	t.Helper()
	b := vectors.Read(t, "trustee/snp/test-report.bin")
	j, _ := json.Marshal(map[string]any{"attestation_report": b})
	return j
}

// TestAdminTokenLifetime: exp-iat is bounded (24 h by default): a token
// that stays valid for days is refused, upstream's 2 h tokens pass.
func TestAdminTokenLifetime(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		life time.Duration
		ok   bool
	}{{5 * time.Minute, true}, {2 * time.Hour, true}, {24 * time.Hour, true}, {25 * time.Hour, false}, {10 * 365 * 24 * time.Hour, false}} {
		tok, err := kbsadmin.NewToken(h.adminKey, time.Now(), c.life)
		if err != nil {
			t.Fatal(err)
		}
		r := h.do(h.client(), "GET", "/kbs/v0/resources", nil, map[string]string{"Authorization": "Bearer " + tok})
		if c.ok && r.status != 200 {
			t.Fatalf("lifetime %s: %d %s", c.life, r.status, r.body)
		}
		if !c.ok {
			wantError(t, r, 401, kbs.AdminAuth)
			if !strings.Contains(string(r.body), "lifetime") {
				t.Fatalf("reason: %s", r.body)
			}
		}
	}
	// An operator may lift the bound.
	a := &AdminAuth{Keys: h.srv.cfg.Admin.Keys, MaxLifetime: -1}
	tok, _ := kbsadmin.NewToken(h.adminKey, time.Now(), 10*365*24*time.Hour)
	if err := a.CheckToken(tok); err != nil {
		t.Fatal(err)
	}
}

// TestNoStore: the challenge, the token and admin answers must not be
// cached by a proxy or client, like the released resource.
func TestNoStore(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	h.setResourcePolicy("allow-all")
	g := h.guest()
	r := h.do(g.c, "POST", "/kbs/v0/auth", authBody("sample"), nil)
	var ch kbs.Challenge
	_ = json.Unmarshal(r.body, &ch)
	replies := map[string]reply{
		"auth":      r,
		"attest":    g.attest(g.attestBody(ch.Nonce, ch.Nonce)),
		"resource":  g.get("default/db/password", nil),
		"admin get": h.mustAdmin("GET", "/kbs/v0/resource-policy", nil),
	}
	for name, r := range replies {
		if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q", name, r.status, r.header.Get("Cache-Control"))
		}
	}
}

// newAuditHarness returns a harness over SQLite and a function that makes
// every audit insert fail from then on (a real SQLite trigger,
// audit_broken, as a full or broken audit table would), returning the
// connection that can drop it again.
func newAuditHarness(t *testing.T) (*harness, func() *sql.DB) {
	path := filepath.Join(t.TempDir(), "trustee.db")
	st, err := store.Open(context.Background(), store.Options{URL: path, KEK: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newHarnessOn(t, st, nil), func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TRIGGER audit_broken BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`); err != nil {
			t.Fatal(err)
		}
		return db
	}
}

// TestAdminChangeCommitsWithItsAudit: an admin change and its audit event
// commit in one transaction. With audit inserts failing (a real SQLite
// trigger, as a full or broken audit table would), every change is
// refused with 500 and nothing changed.
func TestAdminChangeCommitsWithItsAudit(t *testing.T) {
	h, breakAudit := newAuditHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/a/1", []byte("v1"))
	keep, _ := refvalue.NewMessage(refvalue.Values{"keep": {"old"}}, time.Time{})
	h.mustAdmin("POST", "/kbs/v0/reference-value", keep)
	db := breakAudit()
	allow, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte("package policy\ndefault allow := true\n"))})
	attestation, _ := json.Marshal(PolicyRequest{PolicyID: "x_cpu", Policy: base64.RawURLEncoding.EncodeToString([]byte("package policy\ntrust_claims := {\"hardware\": 2}\n"))})
	both, _ := refvalue.NewMessage(refvalue.Values{"keep": {"new"}, "other": {"x"}}, time.Time{})
	for _, c := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", "/kbs/v0/resource/default/a/1", []byte("v2")},
		{"POST", "/kbs/v0/resource/default/b/1", []byte("new")},
		{"DELETE", "/kbs/v0/resource/default/a/1", nil},
		{"POST", "/kbs/v0/resource-policy", allow},
		{"POST", "/kbs/v0/attestation-policy", attestation},
		{"POST", "/kbs/v0/reference-value", both},
		{"DELETE", "/kbs/v0/reference-value/keep", nil},
	} {
		wantError(t, h.admin(c.method, c.path, c.body), 500, kbs.InternalError)
	}
	if _, err := db.Exec(`DROP TRIGGER audit_broken`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if v, err := h.st.GetResource(ctx, "default/a/1"); err != nil || string(v) != "v1" {
		t.Fatalf("default/a/1 = %q, %v: changed without its audit event", v, err)
	}
	if _, err := h.st.GetResource(ctx, "default/b/1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("default/b/1 stored without its audit event: %v", err)
	}
	if _, err := h.st.GetPolicy(ctx, store.PolicyResource, DefaultResourcePolicyID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("resource policy stored without its audit event: %v", err)
	}
	if _, err := h.st.GetPolicy(ctx, store.PolicyAttestation, "x_cpu"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attestation policy stored without its audit event: %v", err)
	}
	if rv, err := h.st.GetReferenceValue(ctx, "keep"); err != nil || string(rv.Values) != `["old"]` {
		t.Fatalf("reference value keep = %s, %v: changed without its audit event", rv.Values, err)
	}
	if _, err := h.st.GetReferenceValue(ctx, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reference value other stored without its audit event: %v", err)
	}
	// Each successful change has exactly one event.
	h.mustAdmin("DELETE", "/kbs/v0/resource/default/a/1", nil)
	var sets, deletes int
	for _, e := range h.auditEvents() {
		if e.Outcome == audit.OutcomeAllow && e.Action == "set-resource" {
			sets++
		}
		if e.Outcome == audit.OutcomeAllow && e.Action == "delete-resource" {
			deletes++
		}
	}
	if sets != 1 || deletes != 1 {
		t.Fatalf("%d set-resource and %d delete-resource events, want 1 and 1", sets, deletes)
	}
}

// TestAuditStreamEndsWithToken: an audit stream is not a standing
// subscription: it ends when the admin token that opened it is no longer
// accepted (exp plus the leeway), after streaming what was there.
func TestAuditStreamEndsWithToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Admin.Leeway = time.Millisecond })
	h.mustAdmin("POST", "/kbs/v0/resource/default/a/1", []byte("v"))
	tok, err := kbsadmin.NewToken(h.adminKey, time.Now(), 4*time.Second) // exp is whole seconds: 3-4 s left, time for the request on a loaded machine
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", h.ts.URL+"/kbs/v0/audit?follow=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(resp.Body); done <- b }()
	select {
	case b := <-done:
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"action":"set-resource"`) {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("the audit stream outlived its admin token")
	}
}
