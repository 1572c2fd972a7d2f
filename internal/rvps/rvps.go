// Package rvps is the reference value provider: named sets of acceptable
// values (launch measurements, initdata digests, …) that attestation
// policies compare claims against. It accepts upstream's "sample"
// registration message, keeps each name with an expiration (default 12
// months) and, unlike upstream, never lets an expired value match. The
// message and value formats are package refvalue's.
package rvps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
)

// Service stores and answers reference values.
type Service struct {
	Store store.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CacheTTL is how long Query may answer from memory (default 1 s):
	// policies query the same names on every attestation. Local writes
	// invalidate at once; writes on another replica are seen within CacheTTL.
	// Expiry is checked on every answer, cached or not.
	CacheTTL time.Duration

	mu    sync.Mutex
	cache map[string]cachedValue
}

type cachedValue struct {
	rv      store.ReferenceValue
	found   bool
	fetched time.Time
	// vals is rv.Values decoded (when found and not corrupt), so that
	// the policies' queries on every attestation share one decoding.
	vals    []any
	decoded bool
}

// New returns a Service over st.
func New(st store.Store) *Service { return &Service{Store: st, CacheTTL: time.Second} }

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
}

// lookup returns the stored value for name, from the cache when fresh,
// with its values decoded when they are (c.decoded: not corrupt).
func (s *Service) lookup(ctx context.Context, name string) (cachedValue, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[name]
	s.mu.Unlock()
	if ok && now.Sub(c.fetched) < s.CacheTTL {
		return c, nil
	}
	rv, err := s.Store.GetReferenceValue(ctx, name)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return cachedValue{}, err
	}
	c = cachedValue{rv: rv, found: found, fetched: now}
	if found {
		if e, err := entry(rv); err == nil {
			c.vals, c.decoded = e.Value, true
		}
	}
	if s.CacheTTL > 0 {
		s.mu.Lock()
		if s.cache == nil || len(s.cache) > 4096 {
			s.cache = map[string]cachedValue{}
		}
		s.cache[name] = c
		s.mu.Unlock()
	}
	return c, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Register parses and stores a registration message, returning the names set.
func (s *Service) Register(ctx context.Context, msg []byte) ([]string, error) {
	return s.RegisterAudited(ctx, msg, nil)
}

// RegisterAudited is Register with an audit entry: entry, when not nil, is
// called with the names the message sets, and its row commits in the same
// transaction as the values (all names or none).
func (s *Service) RegisterAudited(ctx context.Context, msg []byte, entry func(names []string) (store.AuditEntry, error)) ([]string, error) {
	vals, exp, err := refvalue.ParseMessage(msg, s.now())
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	rvs := make([]store.ReferenceValue, 0, len(names))
	for _, n := range names {
		rv, err := storedValue(n, vals[n], exp)
		if err != nil {
			return nil, err
		}
		rvs = append(rvs, rv)
	}
	var audit []store.AuditEntry
	if entry != nil {
		e, err := entry(names)
		if err != nil {
			return nil, err
		}
		audit = append(audit, e)
	}
	defer s.invalidate()
	if err := s.Store.PutReferenceValues(ctx, rvs, audit...); err != nil {
		return nil, fmt.Errorf("register reference values: %w", err)
	}
	return names, nil
}

// storedValue checks name and encodes values for the store.
func storedValue(name string, values []any, exp time.Time) (store.ReferenceValue, error) {
	if err := refvalue.CheckName(name); err != nil {
		return store.ReferenceValue{}, err
	}
	if values == nil {
		values = []any{}
	}
	b, err := json.Marshal(values)
	if err != nil {
		return store.ReferenceValue{}, fmt.Errorf("%w: %v", refvalue.ErrInvalid, err)
	}
	return store.ReferenceValue{Name: name, Values: b, Expiration: exp}, nil
}

// Set stores values under name until exp.
func (s *Service) Set(ctx context.Context, name string, values []any, exp time.Time) error {
	rv, err := storedValue(name, values, exp)
	if err != nil {
		return err
	}
	defer s.invalidate()
	if err := s.Store.PutReferenceValue(ctx, rv); err != nil {
		return fmt.Errorf("register reference value %s: %w", name, err)
	}
	return nil
}

// Get returns the entry for name, expired or not (store.ErrNotFound when absent).
func (s *Service) Get(ctx context.Context, name string) (refvalue.Entry, error) {
	rv, err := s.Store.GetReferenceValue(ctx, name)
	if err != nil {
		return refvalue.Entry{}, err
	}
	return entry(rv)
}

func entry(rv store.ReferenceValue) (refvalue.Entry, error) {
	e := refvalue.Entry{Version: refvalue.MessageVersion, Name: rv.Name, Expiration: rv.Expiration.UTC()}
	if err := json.Unmarshal(rv.Values, &e.Value); err != nil {
		return refvalue.Entry{}, fmt.Errorf("reference value %s: stored value is corrupt: %w", rv.Name, err)
	}
	return e, nil
}

// List returns every entry, expired ones included (their Expiration says so).
func (s *Service) List(ctx context.Context) ([]refvalue.Entry, error) {
	rvs, err := s.Store.ListReferenceValues(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]refvalue.Entry, 0, len(rvs))
	for _, rv := range rvs {
		e, err := entry(rv)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Delete removes name, with audit rows in the same transaction.
func (s *Service) Delete(ctx context.Context, name string, audit ...store.AuditEntry) error {
	defer s.invalidate()
	return s.Store.DeleteReferenceValue(ctx, name, audit...)
}

// Query returns the values a policy may match for name: nil when the
// name is unknown or its values have expired (an expired value never
// matches). It implements policy.ReferenceValues. While the answer comes
// from the cache, every call returns the same slice (policy.Engine
// converts a slice it has seen once only): callers must not modify it.
func (s *Service) Query(ctx context.Context, name string) ([]any, error) {
	c, err := s.lookup(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("query reference value %s: %w", name, err)
	}
	if !c.found {
		return nil, nil
	}
	if !s.now().Before(c.rv.Expiration) {
		return nil, nil
	}
	if !c.decoded {
		_, err := entry(c.rv) // corrupt: say so, as every time
		return nil, err
	}
	return c.vals, nil
}

// Names returns the names with unexpired values (policy.ReferenceLister).
func (s *Service) Names(ctx context.Context) ([]string, error) {
	all, err := s.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(all))
	for n := range all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// All returns every unexpired value, name → values, for policies that read
// data.reference.<name>.
func (s *Service) All(ctx context.Context) (map[string][]any, error) {
	rvs, err := s.Store.ListReferenceValues(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := map[string][]any{}
	for _, rv := range rvs {
		if !now.Before(rv.Expiration) {
			continue
		}
		e, err := entry(rv)
		if err != nil {
			return nil, err
		}
		out[rv.Name] = e.Value
	}
	return out, nil
}
