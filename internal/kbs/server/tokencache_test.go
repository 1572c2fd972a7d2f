package server

import (
	"testing"
	"time"
)

// TestSessionTokenCache: a cached session answers its token until the
// session expires, never after, and the cache stays bounded.
func TestSessionTokenCache(t *testing.T) {
	c := newTokenCache()
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
	for i := range maxCachedTokens + 10 {
		c.putSession(string(rune(i)), "t", now.Add(time.Minute), now)
	}
	if n := len(c.sessions); n > maxCachedTokens {
		t.Fatalf("%d cached sessions", n)
	}
}
