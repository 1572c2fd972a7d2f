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

// fillTokenCache fills c past its budget with live handshake-sized entries
// (a 2 KB token and its session each), as a server under sustained load
// leaves it, and returns how many handshakes that took.
func fillTokenCache(c *tokenCache, now time.Time) int {
	body := strings.Repeat("t", 2000)
	n := 0
	for ; ; n++ {
		raw := fmt.Sprintf("%d.%s", n, body)
		c.put(raw, cachedToken{tok: &ear.Token{Expiry: now.Add(5 * time.Minute)}}, now)
		c.putSession(fmt.Sprint(n), raw, now.Add(5*time.Minute), now)
		if _, b := c.size(); b+int64(3*len(raw)) > c.max {
			return n + 1
		}
	}
}

// TestTokenCacheFullKeepsBoth: once the cache is full of live entries,
// each new handshake's token and session are still cached (the next
// request finds them), both kinds stay in the cache, and the budget holds.
func TestTokenCacheFullKeepsBoth(t *testing.T) {
	c := newTokenCache(4 << 20)
	now := time.Now()
	n := fillTokenCache(c, now)
	body := strings.Repeat("u", 2000)
	for i := range 3 * n {
		raw := fmt.Sprintf("new%d.%s", i, body)
		c.put(raw, cachedToken{tok: &ear.Token{Expiry: now.Add(5 * time.Minute)}}, now)
		c.putSession(fmt.Sprint("new", i), raw, now.Add(5*time.Minute), now)
		if _, ok := c.get(raw, now); !ok {
			t.Fatalf("handshake %d: its token was not cached", i)
		}
		if _, ok := c.session(fmt.Sprint("new", i), now); !ok {
			t.Fatalf("handshake %d: its session was not cached", i)
		}
		if _, b := c.size(); b > c.max {
			t.Fatalf("cache holds %d bytes, budget %d", b, c.max)
		}
	}
	c.mu.Lock()
	tokens, sessions := len(c.m), len(c.sessions)
	c.mu.Unlock()
	if tokens < n/4 || sessions < n/4 {
		t.Fatalf("full cache holds %d tokens and %d sessions (%d of each fit): one kind was drained", tokens, sessions, n)
	}
}

// TestTokenCacheFullDropsExpiredFirst: an insert into a full cache drops
// the expired entries before any live one, even one inserted before them.
func TestTokenCacheFullDropsExpiredFirst(t *testing.T) {
	c := newTokenCache(1 << 20)
	now := time.Now()
	live := strings.Repeat("l", 2000)
	c.put("live."+live, cachedToken{tok: &ear.Token{Expiry: now.Add(time.Hour)}}, now)
	c.putSession("live", "live."+live, now.Add(time.Hour), now)
	n := fillTokenCache(c, now) // these expire in 5 minutes
	later := now.Add(5*time.Minute + time.Second)
	next := "next." + strings.Repeat("n", 8000) // more than the room left
	c.put(next, cachedToken{tok: &ear.Token{Expiry: later.Add(time.Hour)}}, later)
	if _, ok := c.get(next, later); !ok {
		t.Fatal("the new token was not cached")
	}
	if _, ok := c.get("live."+live, later); !ok {
		t.Fatalf("a live token was dropped while %d expired entries were cached", 2*n)
	}
	if _, ok := c.session("live", later); !ok {
		t.Fatal("a live session was dropped while expired entries were cached")
	}
	if entries, _ := c.size(); entries != 3 {
		t.Fatalf("%d entries after the expired ones were dropped, want 3", entries)
	}
}

// TestTokenCacheBoundsDecodedTokens: however many handshakes pass, the
// cache holds at most maxTokens decoded tokens (their claims are what the
// collector must mark), and those it holds are the newest: a handshake's
// own token is always found by its next request, and a full cache evicts
// the entries closest to expiry first.
func TestTokenCacheBoundsDecodedTokens(t *testing.T) {
	c := newTokenCache(DefaultTokenCacheBytes)
	c.maxTokens = 64
	now := time.Now()
	body := strings.Repeat("b", 500)
	raw := func(i int) string { return fmt.Sprintf("%d.%s", i, body) }
	const n = 1000
	for i := range n {
		at := now.Add(time.Duration(i) * time.Millisecond)
		c.put(raw(i), cachedToken{tok: &ear.Token{Expiry: at.Add(5 * time.Minute)}}, at)
		c.putSession(fmt.Sprint(i), raw(i), at.Add(5*time.Minute), at)
		if _, ok := c.get(raw(i), at); !ok {
			t.Fatalf("handshake %d: its own token not cached", i)
		}
		c.mu.Lock()
		tokens := len(c.m)
		c.mu.Unlock()
		if tokens > c.maxTokens {
			t.Fatalf("handshake %d: %d decoded tokens cached, at most %d", i, tokens, c.maxTokens)
		}
	}
	end := now.Add(n * time.Millisecond)
	for i := range n {
		_, ok := c.get(raw(i), end)
		if want := i >= n-c.maxTokens; ok != want {
			t.Fatalf("token %d cached %v, want %v (the newest %d stay)", i, ok, want, c.maxTokens)
		}
	}
	// Sessions are bounded by bytes alone: all of them fit here.
	if _, ok := c.session("0", end); !ok {
		t.Fatal("the oldest session was dropped although the byte budget holds every session")
	}
	// Over the byte budget, the sessions closest to expiry go first.
	small := newTokenCache(64 << 10)
	for i := range 200 {
		at := now.Add(time.Duration(i) * time.Millisecond)
		small.putSession(fmt.Sprint(i), raw(i), at.Add(5*time.Minute), at)
	}
	if _, ok := small.session("199", end); !ok {
		t.Fatal("the newest session was evicted")
	}
	if _, ok := small.session("0", end); ok {
		t.Fatal("the oldest session survived while newer ones were evicted")
	}
}

// BenchmarkTokenCacheFull: the CPU of one handshake's two inserts (token,
// session) into a cache full of live entries, the state under sustained
// load.
func BenchmarkTokenCacheFull(b *testing.B) {
	c := newTokenCache(DefaultTokenCacheBytes)
	now := time.Now()
	fillTokenCache(c, now)
	body := strings.Repeat("u", 2000)
	raws := make([]string, 4096)
	for i := range raws {
		raws[i] = fmt.Sprintf("new%d.%s", i, body)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := raws[i%len(raws)]
		c.put(raw, cachedToken{tok: &ear.Token{Expiry: now.Add(5 * time.Minute)}}, now)
		c.putSession(fmt.Sprint(i), raw, now.Add(5*time.Minute), now)
	}
}
