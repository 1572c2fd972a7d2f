package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/auditlog"
)

// TestAuthAuditAggregated: a flood of /auth requests from one address, and
// from 3,000 addresses, writes a bounded number of audit rows, and the
// rows' counts add up to every request.
func TestAuthAuditAggregated(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	auth := func(addr string, body []byte) {
		req := httptest.NewRequest("POST", "/kbs/v0/auth", bytes.NewReader(body))
		req.RemoteAddr = addr
		h.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
	sent := 0
	for range 500 {
		auth("192.0.2.1:1000", authBody("sample"))
		auth("192.0.2.1:1000", []byte(`{"version":"0.4.0","tee":"NOT A TEE"}`))
		sent += 2
	}
	for i := range 3000 {
		auth(fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255), authBody("snp"))
		sent++
	}
	rows := func() []audit.Event {
		evs, err := auditlog.New(h.st).Since(ctx, 0, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	if n := len(rows()); n > 2+maxAuthKeys+1 {
		t.Fatalf("%d rows before the windows ended", n)
	}
	h.srv.flushAuthAudit(ctx, true)
	evs := rows()
	total := 0
	for _, e := range evs {
		if e.Kind != audit.KindAuth {
			t.Fatalf("event %+v", e)
		}
		total += max(1, e.Count)
	}
	if total != sent {
		t.Fatalf("rows stand for %d requests, %d sent", total, sent)
	}
	// One row for the first of each kind, one summary each, and the
	// 3,000 clients: maxAuthKeys-2 rows of their own, the rest in one key.
	if len(evs) > 2*(maxAuthKeys+1) {
		t.Fatalf("%d audit rows for %d /auth requests", len(evs), sent)
	}
	t.Logf("%d /auth requests, %d audit rows", sent, len(evs))
}

// TestAuditRetention: events older than AuditRetention are pruned, newer
// ones kept, and the pruning itself is an audit event.
func TestAuditRetention(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AuditRetention = 24 * time.Hour })
	ctx := context.Background()
	l := auditlog.New(h.st)
	for _, age := range []time.Duration{72 * time.Hour, 25 * time.Hour, time.Hour} {
		if _, err := l.Record(ctx, audit.Event{Time: time.Now().Add(-age), Kind: audit.KindAuth, Outcome: audit.OutcomeAllow}); err != nil {
			t.Fatal(err)
		}
	}
	h.srv.pruneAudit(ctx)
	evs, err := l.Since(ctx, 0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Time.Before(time.Now().Add(-2*time.Hour)) || evs[1].Action != "prune-audit" || evs[1].Reason == "" {
		t.Fatalf("after pruning: %+v", evs)
	}
}

// TestPolicyCache: a policy read once is served from memory until MaxAge;
// a write through this cache is seen at once; one made behind its back
// (another replica) within MaxAge.
func TestPolicyCache(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	now := time.Now()
	c := NewPolicyCache(h.st)
	c.Now = func() time.Time { return now }
	if _, found, err := c.Get(ctx, "resource", "default"); err != nil || found {
		t.Fatalf("%v %v", found, err)
	}
	if err := h.st.PutPolicy(ctx, "resource", "default", []byte("v1")); err != nil { // another replica
		t.Fatal(err)
	}
	if _, found, _ := c.Get(ctx, "resource", "default"); found {
		t.Fatal("read the store again within MaxAge")
	}
	now = now.Add(c.MaxAge)
	if b, found, _ := c.Get(ctx, "resource", "default"); !found || b != "v1" {
		t.Fatalf("after MaxAge: %q %v", b, found)
	}
	if err := h.st.PutPolicy(ctx, "resource", "default", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	c.Invalidate() // what the admin handlers do after their write
	if b, _, _ := c.Get(ctx, "resource", "default"); b != "v2" {
		t.Fatalf("after Invalidate: %q", b)
	}
}
