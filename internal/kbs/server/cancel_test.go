package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/auditlog"
)

// TestAuditSurvivesClientCancel sends auth, attest and resource requests
// whose client goes away before, during or after the handler runs: every
// request that reached the server leaves exactly one audit row, whatever
// its answer.
func TestAuditSurvivesClientCancel(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	h.setResourcePolicy("allow-all")
	ctx := context.Background()
	// count is the number of requests the audit rows stand for: one per
	// row, or its count for the summary rows of aggregated /auth requests
	// (written out first).
	count := func() int {
		h.srv.flushAuthAudit(ctx, true)
		evs, err := auditlog.New(h.st).Since(ctx, 0, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			n += max(1, e.Count)
		}
		return n
	}
	// serve runs req with a context cancelled after delay (0: before the
	// handler starts) and returns the status written, if any.
	serve := func(req *http.Request, delay time.Duration) int {
		c, cancel := context.WithCancel(ctx)
		if delay == 0 {
			cancel()
		} else {
			time.AfterFunc(delay, cancel)
		}
		defer cancel()
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req.WithContext(c))
		return rec.Code
	}
	delays := []time.Duration{0, 50 * time.Microsecond, 200 * time.Microsecond, time.Millisecond, 3 * time.Millisecond}
	sent := 0
	before := count()
	g := h.guest()
	tok := g.handshake()
	sent += 2 // the handshake's auth and attest
	for i := 0; i < 40; i++ {
		d := delays[i%len(delays)]
		// /auth
		req := httptest.NewRequest("POST", "/kbs/v0/auth", bytes.NewReader(authBody("sample")))
		serve(req, d)
		sent++
		// /attest on a fresh session (auth not cancelled: it is counted)
		n := g.auth()
		sent++
		req = httptest.NewRequest("POST", "/kbs/v0/attest", bytes.NewReader(g.attestBody(n, n)))
		for _, c := range g.c.Jar.Cookies(mustURL(t, h.ts.URL)) {
			req.AddCookie(c)
		}
		serve(req, d)
		sent++
		// a malformed attestation
		req = httptest.NewRequest("POST", "/kbs/v0/attest", strings.NewReader(`{"runtime-data":`))
		req.AddCookie(&http.Cookie{Name: "kbs-session-id", Value: strings.Repeat("a", 32)})
		serve(req, d)
		sent++
		// resource with a bearer token, and one with a mutated token
		req = httptest.NewRequest("GET", "/kbs/v0/resource/default/db/password", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		serve(req, d)
		sent++
		req = httptest.NewRequest("GET", "/kbs/v0/resource/default/db/password", nil)
		req.Header.Set("Authorization", "Bearer "+tok[:len(tok)-4]+"AAAA")
		serve(req, d)
		sent++
	}
	if got := count() - before; got != sent {
		t.Fatalf("%d audit rows for %d requests", got, sent)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
