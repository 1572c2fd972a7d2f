// Package catalog lists the built-in verifiers, one registration per TEE
// (each in its own catalog_<tee>.go file), and builds the set a trustee
// server and `trustee verify` use. Its guest-side twin is
// internal/attester/detect; docs/adding-a-tee.md walks through adding a TEE
// to both.
package catalog

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
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
	// AllowDebug makes every verifier accept debug-enabled guests
	// (trustee verify --allow-debug); refused by default.
	AllowDebug bool
}

// Factory builds a verifier from options. It returns an error from
// Disabled when the TEE is off under these options (snp-emulated without a
// development root).
type Factory func(Options) (attest.Verifier, error)

// ErrDisabled matches the error of a factory whose TEE these options leave
// off: Build skips the TEE, BuildOne returns the error.
var ErrDisabled = errors.New("verifier not enabled")

// Disabled returns the error a factory gives for a TEE its options leave
// off, with what would enable it.
func Disabled(reason string) error { return &disabledError{reason} }

type disabledError struct{ reason string }

func (e *disabledError) Error() string        { return ErrDisabled.Error() + ": " + e.reason }
func (e *disabledError) Is(target error) bool { return target == ErrDisabled }

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

// factory returns the registered factory for tee.
func factory(tee string) (Factory, bool) {
	mu.Lock()
	defer mu.Unlock()
	f, ok := factories[tee]
	return f, ok
}

// BuildOne returns the verifier for tee under opts: an error wrapping
// attest.ErrUnknownTee for a TEE no package registered, or ErrDisabled when
// these options leave it off.
func BuildOne(tee string, opts Options) (attest.Verifier, error) {
	f, ok := factory(tee)
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", attest.ErrUnknownTee, tee, strings.Join(Names(), ", "))
	}
	v, err := f(defaults(opts))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tee, err)
	}
	return v, nil
}

func defaults(opts Options) Options {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return opts
}

// Build returns the enabled verifiers keyed by TEE name.
func Build(opts Options) (map[string]attest.Verifier, error) {
	opts = defaults(opts)
	out := map[string]attest.Verifier{}
	for _, name := range Names() {
		f, _ := factory(name)
		v, err := f(opts)
		if errors.Is(err, ErrDisabled) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("build %s verifier: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}
