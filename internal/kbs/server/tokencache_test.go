package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/ear"
)

// TestSessionTokenCache: a cached session answers its token until the
// session expires, never after, and the cache stays bounded.
func TestSessionTokenCache(t *testing.T) {
	c := newTokenCache(0)
	now := time.Now()
	c.putSession("s1", "tok1", now.Add(time.Minute), now)
	if raw, ok := c.session("s1", now); !ok || raw != "tok1" {
		t.Fatalf("%q %v", raw, ok)
	}
	if _, ok := c.session("s1", now.Add(time.Minute)); ok {
		t.Fatal("expired session answered from the cache")
	}
	if _, ok := c.session("s1", now); ok {
		t.Fatal("expired entry not dropped")
	}
	if _, ok := c.session("other", now); ok {
		t.Fatal("unknown session answered")
	}
}

// TestTokenCacheBoundedInBytes: whatever is inserted, the cache's cost
// stays within its budget; expired entries go first, and a timed sweep
// drops them with no insert.
func TestTokenCacheBoundedInBytes(t *testing.T) {
	const budget = 1 << 20
	c := newTokenCache(budget)
	now := time.Now()
	big := strings.Repeat("x", 100<<10)
	for i := range 200 {
		raw := fmt.Sprintf("%d.%s", i, big)
		c.put(raw, cachedToken{tok: &ear.Token{Expiry: now.Add(time.Minute)}}, now)
		c.putSession(fmt.Sprint(i), raw, now.Add(time.Minute), now)
		if _, b := c.size(); b > budget {
			t.Fatalf("cache holds %d bytes, budget %d", b, budget)
		}
	}
	n, b := c.size()
	if n == 0 || b == 0 {
		t.Fatal("cache kept nothing")
	}
	// An entry larger than the whole budget is not cached.
	c.putSession("huge", strings.Repeat("y", budget+1), now.Add(time.Minute), now)
	if _, ok := c.session("huge", now); ok {
		t.Fatal("entry over the budget cached")
	}
	// Expired: the sweep empties the cache and its accounting.
	c.sweep(now.Add(time.Minute))
	if n, b := c.size(); n != 0 || b != 0 {
		t.Fatalf("after sweep: %d entries, %d bytes", n, b)
	}
}
