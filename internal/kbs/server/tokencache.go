package server

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/ear"
)

// tokenCache remembers tokens this process issued (or already verified),
// with their claims and claims digest, so that the resource request that
// follows an attestation skips a second ES256 verification and claims
// parse. Only tokens this process signed itself, or verified in full,
// enter the cache; a token from another replica or the store is verified
// before use, so a forged row in a shared database cannot release a secret.
//
// It also maps the sessions this process attested to their token, so that
// the resource request with the session cookie needs no store read: an
// attested session never changes, and the entry is dropped at the
// session's expiry, when the store would no longer return it either.
//
// Memory is bounded in bytes, not entries (a token carries up to 64 KiB of
// initdata): each entry is charged a cost from its token's size, and an
// insert over the budget first drops expired entries (scanning the whole
// cache at most once per minSweepInterval), then arbitrary ones of both
// kinds down to 1/evictFraction below the budget, so that the inserts that follow fit
// without evicting (a miss only costs a verification or a store read).
// Under sustained load the cache stays full (tokens live 5 minutes), and
// scanning it on every insert cost more CPU than the rest of the cache
// saves. Sweep, run on a timer, drops expired entries when nothing is
// inserted.
type tokenCache struct {
	mu       sync.Mutex
	m        map[[32]byte]cachedToken
	sessions map[string]sessionToken
	bytes    int64 // total cost of the entries
	max      int64
	swept    time.Time // when an insert last scanned for expired entries
}

type sessionToken struct {
	raw     string
	expires time.Time
}

type cachedToken struct {
	tok    *ear.Token
	digest string
	cost   int64
	// why an issued token is not affirming (the attestation service's
	// reason), for the audit of a refused release; "" when unknown.
	why string
}

// DefaultTokenCacheBytes is the token cache's default memory budget.
const DefaultTokenCacheBytes = 64 << 20

// Costs charged per entry: a session entry holds the raw token; a token
// entry holds its decoded claims, which take about twice the token's
// length in memory (maps, interface values, strings).
const (
	entryOverhead = 256
	claimsFactor  = 2
)

// An insert over the budget scans for expired entries at most once per
// minSweepInterval, and evicts down to max - max/evictFraction.
const (
	minSweepInterval = time.Second
	evictFraction    = 32
)

func newTokenCache(maxBytes int64) *tokenCache {
	if maxBytes <= 0 {
		maxBytes = DefaultTokenCacheBytes
	}
	return &tokenCache{m: map[[32]byte]cachedToken{}, sessions: map[string]sessionToken{}, max: maxBytes}
}

func sessionCost(raw string) int64 { return int64(len(raw)) + entryOverhead }

// session returns the token of a session this process attested.
func (c *tokenCache) session(id string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sessions[id]
	if !ok {
		return "", false
	}
	if !now.Before(e.expires) {
		c.dropSession(id, e)
		return "", false
	}
	return e.raw, true
}

func (c *tokenCache) dropSession(id string, e sessionToken) {
	delete(c.sessions, id)
	c.bytes -= sessionCost(e.raw)
}

func (c *tokenCache) dropToken(k [32]byte, e cachedToken) {
	delete(c.m, k)
	c.bytes -= e.cost
}

// putSession remembers the token of a session this process attested.
func (c *tokenCache) putSession(id, raw string, expires, now time.Time) {
	cost := sessionCost(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.sessions[id]; ok {
		c.dropSession(id, old)
	}
	// the handshake inserts its token, then its session: making room for
	// the session must not evict that token, which its next request needs
	keep := sha256.Sum256([]byte(raw))
	if !c.makeRoom(cost, now, &keep) {
		return
	}
	c.sessions[id] = sessionToken{raw: raw, expires: expires}
	c.bytes += cost
}

func (c *tokenCache) get(raw string, now time.Time) (cachedToken, bool) {
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return cachedToken{}, false
	}
	if !now.Before(e.tok.Expiry) {
		c.dropToken(k, e)
		return cachedToken{}, false
	}
	return e, true
}

func (c *tokenCache) put(raw string, e cachedToken, now time.Time) {
	if e.tok == nil || e.tok.Expiry.IsZero() {
		return
	}
	e.cost = int64(len(raw))*claimsFactor + entryOverhead
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.dropToken(k, old)
	}
	if !c.makeRoom(e.cost, now, nil) {
		return
	}
	c.m[k] = e
	c.bytes += e.cost
}

// makeRoom frees entries until cost fits in the budget; false when it
// cannot fit at all. A live token whose key is keep is not evicted. c.mu is
// held.
func (c *tokenCache) makeRoom(cost int64, now time.Time, keep *[32]byte) bool {
	if cost > c.max {
		return false
	}
	if c.bytes+cost <= c.max {
		return true
	}
	if d := now.Sub(c.swept); d >= minSweepInterval || d < 0 {
		c.swept = now
		c.sweepLocked(now)
		if c.bytes+cost <= c.max {
			return true
		}
	}
	// Still over: drop arbitrary entries (map order is random), a session
	// and a token in turn, leaving room for the next inserts. Both kinds
	// go alike: a cache that dropped all of one kind first would, once
	// full, hold none of it (a token miss costs a verification, a session
	// miss a store read); the token of the session being inserted is kept.
	goal := c.max - c.max/evictFraction
	if cost > goal {
		goal = c.max
	}
	for c.bytes+cost > goal && len(c.m)+len(c.sessions) > 0 {
		for id, e := range c.sessions {
			c.dropSession(id, e)
			break
		}
		if c.bytes+cost <= goal {
			break
		}
		dropped := false
		for k, e := range c.m {
			if keep != nil && k == *keep {
				continue
			}
			c.dropToken(k, e)
			dropped = true
			break
		}
		if !dropped && len(c.sessions) == 0 {
			break // only the kept token is left
		}
	}
	return c.bytes+cost <= c.max
}

// sweep drops expired entries.
func (c *tokenCache) sweep(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweepLocked(now)
}

func (c *tokenCache) sweepLocked(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.tok.Expiry) {
			c.dropToken(k, e)
		}
	}
	for id, e := range c.sessions {
		if !now.Before(e.expires) {
			c.dropSession(id, e)
		}
	}
}

// size returns the number of entries and their total cost.
func (c *tokenCache) size() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m) + len(c.sessions), c.bytes
}

// issued builds the cache entry of a token this process just signed.
func issuedToken(raw string, claims map[string]any, digest string) cachedToken {
	t := &ear.Token{Claims: claims, KeyID: ear.HeaderKeyID(raw)}
	if exp, ok := claims["exp"].(float64); ok {
		t.Expiry = time.Unix(int64(exp), 0)
	}
	if iat, ok := claims["iat"].(float64); ok {
		t.IssuedAt = time.Unix(int64(iat), 0)
	}
	return cachedToken{tok: t, digest: digest}
}
