// Package catalog lists the built-in verifiers, one registration per TEE
// (each in its own catalog_<tee>.go file), and builds the set a trustee
// server uses. Adding a TEE means adding its package and one file here.
package catalog

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/google/go-sev-guest/kds"

	"github.com/trustgate/trustgate/internal/attest"
)

// Options configure the verifiers. The zero value works: real clock, no
// cache, no network fetches, no development roots.
type Options struct {
	// Now is the clock used for certificate validity; nil means time.Now.
	Now func() time.Time
	// Cache holds fetched collateral; nil means no caching.
	Cache attest.Cache
	// HTTPClient fetches collateral from vendor services (AMD KDS, Intel
	// PCS); nil means collateral must come from the evidence or the cache.
	HTTPClient *http.Client
	// SNPMinimumTCB is the minimum REPORTED_TCB per AMD product line
	// ("Milan", "Genoa", "Turin"), for snp and az-snp-vtpm (snp.ParseMinimumTCB
	// reads the flag form); a line it does not name has no minimum.
	SNPMinimumTCB map[string]kds.TCBParts
	// DevEmulatedSNPRoot, when set, is the ARK of a locally generated
	// snp-emulated chain. Only then is the snp-emulated verifier enabled.
	DevEmulatedSNPRoot *x509.Certificate
	// Logger receives operator-facing messages; nil means slog.Default().
	Logger *slog.Logger
}

// Factory builds a verifier from options. It returns (nil, nil) when the
// TEE is disabled under these options (snp-emulated without a dev root).
type Factory func(Options) (attest.Verifier, error)

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register adds a built-in verifier factory; it panics on a duplicate name
// because that is a programming error found at init time.
func Register(tee string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[tee]; dup {
		panic("catalog: duplicate verifier " + tee)
	}
	factories[tee] = f
}

// Names returns the registered TEE names, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(factories))
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Build returns the enabled verifiers keyed by TEE name.
func Build(opts Options) (map[string]attest.Verifier, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	out := map[string]attest.Verifier{}
	for _, name := range Names() {
		mu.Lock()
		f := factories[name]
		mu.Unlock()
		v, err := f(opts)
		if err != nil {
			return nil, fmt.Errorf("build %s verifier: %w", name, err)
		}
		if v != nil {
			out[name] = v
		}
	}
	return out, nil
}
