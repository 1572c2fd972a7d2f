// Package rvps is the reference value provider: named sets of acceptable
// values (launch measurements, initdata digests, …) that attestation
// policies compare claims against. It accepts upstream's "sample"
// registration message, keeps each name with an expiration (default 12
// months) and, unlike upstream, never lets an expired value match.
package rvps

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/store"
)

// MessageVersion is the only registration message version upstream defines.
const MessageVersion = "0.1.0"

// DefaultExpiry is how long a registered value stays valid unless the
// message says otherwise (upstream: 12 months).
const DefaultExpiry = 365 * 24 * time.Hour

// MaxMessage bounds a registration message.
const MaxMessage = 1 << 20

// ErrInvalid marks a message or value that cannot be registered (a client error).
var ErrInvalid = errors.New("invalid reference value")

// Message is upstream's registration message. Expiration is a trustgate
// extension (RFC 3339); when absent the default expiry applies.
type Message struct {
	Version    string `json:"version"`
	Type       string `json:"type"`
	Payload    string `json:"payload"`
	Expiration string `json:"expiration,omitempty"`
}

// Entry is a stored reference value in upstream's shape.
type Entry struct {
	Version    string    `json:"version"`
	Name       string    `json:"name"`
	Expiration time.Time `json:"expiration"`
	Value      []any     `json:"value"`
}

// Values are the parsed contents of a message: name → acceptable values.
type Values map[string][]any

// ParseMessage decodes and checks a registration message. now is used to
// reject an expiration in the past. It returns the values and expiration.
func ParseMessage(b []byte, now time.Time) (Values, time.Time, error) {
	if len(b) > MaxMessage {
		return nil, time.Time{}, fmt.Errorf("%w: message over %d bytes", ErrInvalid, MaxMessage)
	}
	var m Message
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: decode message: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, time.Time{}, fmt.Errorf("%w: trailing data after message", ErrInvalid)
	}
	if m.Version != MessageVersion {
		return nil, time.Time{}, fmt.Errorf("%w: message version %q, want %s", ErrInvalid, m.Version, MessageVersion)
	}
	if m.Type != "sample" {
		return nil, time.Time{}, fmt.Errorf("%w: message type %q is not supported (only \"sample\")", ErrInvalid, m.Type)
	}
	raw, err := base64.StdEncoding.DecodeString(m.Payload)
	if err != nil {
		// Be lenient on padding as upstream clients differ.
		if raw, err = base64.RawStdEncoding.DecodeString(m.Payload); err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: payload is not base64", ErrInvalid)
		}
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(raw, &payload); err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: payload is not a JSON object: %v", ErrInvalid, err)
	}
	if len(payload) == 0 {
		return nil, time.Time{}, fmt.Errorf("%w: payload names no reference value", ErrInvalid)
	}
	out := Values{}
	for name, v := range payload {
		if err := checkName(name); err != nil {
			return nil, time.Time{}, err
		}
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
		}
		if arr, ok := val.([]any); ok {
			out[name] = arr
		} else {
			out[name] = []any{val} // a single value is a one-element set
		}

	}
	exp := now.Add(DefaultExpiry)
	if m.Expiration != "" {
		t, err := time.Parse(time.RFC3339, m.Expiration)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: expiration: %v", ErrInvalid, err)
		}
		if !t.After(now) {
			return nil, time.Time{}, fmt.Errorf("%w: expiration %s is in the past", ErrInvalid, m.Expiration)
		}
		exp = t
	}
	return out, exp, nil
}

func checkName(name string) error {
	if name == "" || len(name) > 256 {
		return fmt.Errorf("%w: name must be 1..256 bytes", ErrInvalid)
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: name %q must be printable ASCII without spaces", ErrInvalid, name)
		}
	}
	return nil
}

// NewMessage builds a registration message for values (what the admin
// client sends). A zero exp means the server's default expiry.
func NewMessage(values Values, exp time.Time) ([]byte, error) {
	p, err := json.Marshal(values)
	if err != nil {
		return nil, fmt.Errorf("encode reference values: %w", err)
	}
	m := Message{Version: MessageVersion, Type: "sample", Payload: base64.StdEncoding.EncodeToString(p)}
	if !exp.IsZero() {
		m.Expiration = exp.UTC().Format(time.RFC3339)
	}
	return json.Marshal(m)
}

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
}

// New returns a Service over st.
func New(st store.Store) *Service { return &Service{Store: st, CacheTTL: time.Second} }

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
}

// lookup returns the stored value for name, from the cache when fresh.
func (s *Service) lookup(ctx context.Context, name string) (store.ReferenceValue, bool, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[name]
	s.mu.Unlock()
	if ok && now.Sub(c.fetched) < s.CacheTTL {
		return c.rv, c.found, nil
	}
	rv, err := s.Store.GetReferenceValue(ctx, name)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.ReferenceValue{}, false, err
	}
	if s.CacheTTL > 0 {
		s.mu.Lock()
		if s.cache == nil || len(s.cache) > 4096 {
			s.cache = map[string]cachedValue{}
		}
		s.cache[name] = cachedValue{rv: rv, found: found, fetched: now}
		s.mu.Unlock()
	}
	return rv, found, nil
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
	vals, exp, err := ParseMessage(msg, s.now())
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
	if err := checkName(name); err != nil {
		return store.ReferenceValue{}, err
	}
	if values == nil {
		values = []any{}
	}
	b, err := json.Marshal(values)
	if err != nil {
		return store.ReferenceValue{}, fmt.Errorf("%w: %v", ErrInvalid, err)
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
func (s *Service) Get(ctx context.Context, name string) (Entry, error) {
	rv, err := s.Store.GetReferenceValue(ctx, name)
	if err != nil {
		return Entry{}, err
	}
	return entry(rv)
}

func entry(rv store.ReferenceValue) (Entry, error) {
	e := Entry{Version: MessageVersion, Name: rv.Name, Expiration: rv.Expiration.UTC()}
	if err := json.Unmarshal(rv.Values, &e.Value); err != nil {
		return Entry{}, fmt.Errorf("reference value %s: stored value is corrupt: %w", rv.Name, err)
	}
	return e, nil
}

// List returns every entry, expired ones included (their Expiration says so).
func (s *Service) List(ctx context.Context) ([]Entry, error) {
	rvs, err := s.Store.ListReferenceValues(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rvs))
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
// matches). It implements policy.ReferenceValues.
func (s *Service) Query(ctx context.Context, name string) ([]any, error) {
	rv, found, err := s.lookup(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("query reference value %s: %w", name, err)
	}
	if !found {
		return nil, nil
	}
	if !s.now().Before(rv.Expiration) {
		return nil, nil
	}
	e, err := entry(rv)
	if err != nil {
		return nil, err
	}
	return e.Value, nil
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
