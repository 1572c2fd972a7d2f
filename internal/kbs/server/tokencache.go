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
type tokenCache struct {
	mu       sync.Mutex
	m        map[[32]byte]cachedToken
	sessions map[string]sessionToken
}

type sessionToken struct {
	raw     string
	expires time.Time
}

type cachedToken struct {
	tok    *ear.Token
	digest string
}

// maxCachedTokens bounds memory: about 2 KiB of claims each.
const maxCachedTokens = 20000

func newTokenCache() *tokenCache {
	return &tokenCache{m: map[[32]byte]cachedToken{}, sessions: map[string]sessionToken{}}
}

// session returns the token of a session this process attested.
func (c *tokenCache) session(id string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sessions[id]
	if !ok {
		return "", false
	}
	if !now.Before(e.expires) {
		delete(c.sessions, id)
		return "", false
	}
	return e.raw, true
}

// putSession remembers the token of a session this process attested.
func (c *tokenCache) putSession(id, raw string, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sessions) >= maxCachedTokens {
		for k, v := range c.sessions {
			if !now.Before(v.expires) {
				delete(c.sessions, k)
			}
		}
		if len(c.sessions) >= maxCachedTokens {
			clear(c.sessions) // misses fall back to the store
		}
	}
	c.sessions[id] = sessionToken{raw: raw, expires: expires}
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
		delete(c.m, k)
		return cachedToken{}, false
	}
	return e, true
}

func (c *tokenCache) put(raw string, e cachedToken, now time.Time) {
	if e.tok == nil || e.tok.Expiry.IsZero() {
		return
	}
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedTokens {
		for key, v := range c.m {
			if !now.Before(v.tok.Expiry) {
				delete(c.m, key)
			}
		}
		if len(c.m) >= maxCachedTokens {
			clear(c.m) // a cache, not a record: refill costs only verifications
		}
	}
	c.m[k] = e
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
