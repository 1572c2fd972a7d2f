package server

import (
	"container/heap"
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
// initdata): each entry is charged a cost from its token's size. Decoded
// claims are also bounded in number (maxCachedTokens): they are small maps
// of many pointers, and a cache full of them (about 10,000 handshakes'
// under sustained load) doubled the live heap the collector marks, which
// set the latency tail of every request during a collection. A session's
// raw token is one pointer-free string, so sessions stay bounded by bytes
// alone.
//
// Each kind sits in a min-heap on expiry: expired entries are dropped from
// the top, and when the budget is reached the entries closest to expiry
// (under a steady load, the oldest) go first, a session and a token in
// turn, so that neither kind is drained. Every operation costs O(log n)
// under the lock; nothing scans the cache. A miss costs only a
// verification or a store read.
type tokenCache struct {
	mu        sync.Mutex
	m         map[[32]byte]*cacheEntry
	sessions  map[string]*cacheEntry
	tokHeap   expiryHeap
	sessHeap  expiryHeap
	bytes     int64 // total cost of the entries
	max       int64
	maxTokens int
}

// cacheEntry is one cached token (key, ct) or session (id, raw).
type cacheEntry struct {
	expires time.Time
	cost    int64
	index   int // position in its kind's heap
	key     [32]byte
	ct      cachedToken
	id      string
	raw     string
}

type cachedToken struct {
	tok    *ear.Token
	digest string
	cost   int64
	// why an issued token is not affirming (the attestation service's
	// reason), for the audit of a refused release; "" when unknown.
	why string
}

// expiryHeap is a min-heap of entries on expiry (container/heap).
type expiryHeap []*cacheEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*cacheEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}

// DefaultTokenCacheBytes is the token cache's default memory budget.
const DefaultTokenCacheBytes = 64 << 20

// maxCachedTokens bounds the decoded tokens held: the resource requests of
// a handshake follow its attestation within moments, so the newest few
// thousand tokens serve nearly every hit (at 1,000 handshakes a second a
// token stays about two seconds; a later request verifies it again).
const maxCachedTokens = 2048

// Costs charged per entry: a session entry holds the raw token; a token
// entry holds its decoded claims, which take about twice the token's
// length in memory (maps, interface values, strings).
const (
	entryOverhead = 256
	claimsFactor  = 2
)

func newTokenCache(maxBytes int64) *tokenCache {
	if maxBytes <= 0 {
		maxBytes = DefaultTokenCacheBytes
	}
	return &tokenCache{m: map[[32]byte]*cacheEntry{}, sessions: map[string]*cacheEntry{}, max: maxBytes, maxTokens: maxCachedTokens}
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
		c.dropSession(e)
		return "", false
	}
	return e.raw, true
}

func (c *tokenCache) dropSession(e *cacheEntry) {
	heap.Remove(&c.sessHeap, e.index)
	delete(c.sessions, e.id)
	c.bytes -= e.cost
}

func (c *tokenCache) dropToken(e *cacheEntry) {
	heap.Remove(&c.tokHeap, e.index)
	delete(c.m, e.key)
	c.bytes -= e.cost
}

// putSession remembers the token of a session this process attested.
func (c *tokenCache) putSession(id, raw string, expires, now time.Time) {
	cost := sessionCost(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.sessions[id]; ok {
		c.dropSession(old)
	}
	// the handshake inserts its token, then its session: making room for
	// the session must not evict that token, which its next request needs
	keep := sha256.Sum256([]byte(raw))
	if !c.makeRoom(cost, now, &keep) {
		return
	}
	// wall clock only: the heap's order must not mix monotonic readings
	// with wall-clock ones (they disagree after a clock step)
	e := &cacheEntry{expires: expires.Round(0), cost: cost, id: id, raw: raw}
	c.sessions[id] = e
	heap.Push(&c.sessHeap, e)
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
	if !now.Before(e.expires) {
		c.dropToken(e)
		return cachedToken{}, false
	}
	return e.ct, true
}

func (c *tokenCache) put(raw string, ct cachedToken, now time.Time) {
	if ct.tok == nil || ct.tok.Expiry.IsZero() {
		return
	}
	ct.cost = int64(len(raw))*claimsFactor + entryOverhead
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.dropToken(old)
	}
	if !c.makeRoom(ct.cost, now, nil) {
		return
	}
	for len(c.m) >= c.maxTokens && len(c.tokHeap) > 0 {
		c.dropToken(c.tokHeap[0])
	}
	e := &cacheEntry{expires: ct.tok.Expiry.Round(0), cost: ct.cost, key: k, ct: ct}
	c.m[k] = e
	heap.Push(&c.tokHeap, e)
	c.bytes += ct.cost
}

// makeRoom frees entries until cost fits in the budget; false when it
// cannot fit at all. A token whose key is keep is not evicted. c.mu is
// held.
func (c *tokenCache) makeRoom(cost int64, now time.Time, keep *[32]byte) bool {
	if cost > c.max {
		return false
	}
	c.dropExpired(now)
	for c.bytes+cost > c.max {
		if len(c.sessHeap) > 0 {
			c.dropSession(c.sessHeap[0])
			if c.bytes+cost <= c.max {
				break
			}
		}
		if !c.dropSoonestToken(keep) && len(c.sessHeap) == 0 {
			break // only the kept token is left
		}
	}
	return c.bytes+cost <= c.max
}

// dropSoonestToken drops the token closest to expiry other than keep;
// false when there is none.
func (c *tokenCache) dropSoonestToken(keep *[32]byte) bool {
	h := c.tokHeap
	switch {
	case len(h) == 0:
	case keep == nil || h[0].key != *keep:
		c.dropToken(h[0])
		return true
	default:
		// the kept token is the soonest: drop the sooner of its children
		best := -1
		for _, i := range []int{1, 2} {
			if i < len(h) && (best < 0 || h.Less(i, best)) {
				best = i
			}
		}
		if best > 0 {
			c.dropToken(h[best])
			return true
		}
	}
	return false
}

// dropExpired drops the entries that have expired: the tops of the heaps.
func (c *tokenCache) dropExpired(now time.Time) {
	for len(c.tokHeap) > 0 && !now.Before(c.tokHeap[0].expires) {
		c.dropToken(c.tokHeap[0])
	}
	for len(c.sessHeap) > 0 && !now.Before(c.sessHeap[0].expires) {
		c.dropSession(c.sessHeap[0])
	}
}

// sweep drops expired entries.
func (c *tokenCache) sweep(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropExpired(now)
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
