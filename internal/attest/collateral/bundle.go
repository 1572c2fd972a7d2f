package collateral

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/trustgate/trustgate/internal/attest"
)

// BundleVersion is the format version of exported bundles.
const BundleVersion = 1

// MaxBundleSize bounds an imported bundle.
const MaxBundleSize = 256 << 20

// Lister enumerates cache keys; trustee's store implements it next to
// attest.Cache so that collateral can be exported.
type Lister interface {
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// Store is a cache that can be listed.
type Store interface {
	attest.Cache
	Lister
}

// Bundle is the JSON document `trustee admin collateral export` writes:
// {"version":1,"entries":{"collateral/https://kdsintf.amd.com/...": "<base64 of the cached entry>"}}.
type Bundle struct {
	Version int               `json:"version"`
	Entries map[string][]byte `json:"entries"`
}

// Export writes every collateral entry of src as a Bundle to w and returns
// how many entries it wrote.
func Export(ctx context.Context, src Store, w io.Writer) (int, error) {
	keys, err := src.Keys(ctx, KeyPrefix)
	if err != nil {
		return 0, fmt.Errorf("export collateral: list: %w", err)
	}
	b := Bundle{Version: BundleVersion, Entries: map[string][]byte{}}
	for _, k := range keys {
		if !strings.HasPrefix(k, KeyPrefix) {
			continue
		}
		v, ok, err := src.Get(ctx, k)
		if err != nil {
			return 0, fmt.Errorf("export collateral: get %s: %w", k, err)
		}
		if ok {
			b.Entries[k] = v
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(b); err != nil {
		return 0, fmt.Errorf("export collateral: %w", err)
	}
	return len(b.Entries), nil
}

// Import reads a Bundle from r and stores its entries in dst, replacing
// existing ones. It validates every entry before writing any.
func Import(ctx context.Context, dst attest.Cache, r io.Reader) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBundleSize+1))
	if err != nil {
		return 0, fmt.Errorf("import collateral: %w", err)
	}
	b, err := ParseBundle(data)
	if err != nil {
		return 0, err
	}
	keys := make([]string, 0, len(b.Entries))
	for k := range b.Entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := dst.Put(ctx, k, b.Entries[k]); err != nil {
			return 0, fmt.Errorf("import collateral: put %s: %w", k, err)
		}
	}
	return len(keys), nil
}

// ParseBundle parses and validates a bundle (untrusted input: the
// collateral inside is still verified against vendor roots when used).
func ParseBundle(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("import collateral: bundle exceeds %d bytes", MaxBundleSize)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("import collateral: %w", err)
	}
	if b.Version != BundleVersion {
		return nil, fmt.Errorf("import collateral: bundle version %d, want %d", b.Version, BundleVersion)
	}
	for k, v := range b.Entries {
		if !strings.HasPrefix(k, KeyPrefix+"https://") {
			return nil, fmt.Errorf("import collateral: key %q is not a collateral URL", k)
		}
		var e entry
		if err := json.Unmarshal(v, &e); err != nil || len(e.Body) == 0 {
			return nil, fmt.Errorf("import collateral: entry %q is malformed", k)
		}
	}
	return &b, nil
}

// MemCache is an in-memory Store (tests, `trustee verify` offline bundles).
type MemCache struct {
	mu sync.RWMutex
	m  map[string][]byte
}

var _ Store = (*MemCache)(nil)

// NewMemCache returns an empty MemCache.
func NewMemCache() *MemCache { return &MemCache{m: map[string][]byte{}} }

// Get implements attest.Cache.
func (c *MemCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, ok, nil
}

// Put implements attest.Cache.
func (c *MemCache) Put(_ context.Context, key string, val []byte) error {
	if key == "" {
		return errors.New("empty key")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = append([]byte(nil), val...)
	return nil
}

// Keys implements Lister.
func (c *MemCache) Keys(_ context.Context, prefix string) ([]string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for k := range c.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}
