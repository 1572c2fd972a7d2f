package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/store"
)

// PolicyCache keeps resource and attestation policies in memory, so that
// an attestation and a resource request do not read the policy text from
// the store each time. A policy set through this replica is seen at once
// (Invalidate); one set through another replica within MaxAge, the bound
// on how stale a replica may be (as for reference values).
type PolicyCache struct {
	Store store.Store
	// MaxAge is how long a policy read from the store is used (default 1 s).
	MaxAge time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu sync.Mutex
	m  map[policyKey]cachedPolicy
	// gen counts invalidations: a read that started before one does not
	// fill the cache with what it read.
	gen uint64
}

type policyKey struct{ kind, id string }

type cachedPolicy struct {
	body    string
	found   bool
	fetched time.Time
}

// NewPolicyCache returns a cache over st.
func NewPolicyCache(st store.Store) *PolicyCache {
	return &PolicyCache{Store: st, MaxAge: time.Second, m: map[policyKey]cachedPolicy{}}
}

func (c *PolicyCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the policy of kind under id; found is false when none is
// stored.
func (c *PolicyCache) Get(ctx context.Context, kind, id string) (body string, found bool, err error) {
	k := policyKey{kind, id}
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[k]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.MaxAge {
		return e.body, e.found, nil
	}
	b, err := c.Store.GetPolicy(ctx, kind, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e = cachedPolicy{found: false, fetched: now}
	case err != nil:
		return "", false, err
	default:
		e = cachedPolicy{body: string(b), found: true, fetched: now}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.m[k] = e
	}
	c.mu.Unlock()
	return e.body, e.found, nil
}

// Invalidate drops every cached policy (after a policy write).
func (c *PolicyCache) Invalidate() {
	c.mu.Lock()
	clear(c.m)
	c.gen++
	c.mu.Unlock()
}

// AttestationPolicy implements as.PolicyStore.
func (c *PolicyCache) AttestationPolicy(ctx context.Context, id string) (string, bool, error) {
	b, ok, err := c.Get(ctx, store.PolicyAttestation, id)
	if err != nil {
		return "", false, fmt.Errorf("attestation policy %s: %w", id, err)
	}
	return b, ok, nil
}

var _ as.PolicyStore = (*PolicyCache)(nil)
