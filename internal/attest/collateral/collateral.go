// Package collateral fetches and caches the vendor collateral that hardware
// verifiers need but evidence does not always carry: AMD KDS VCEK
// certificates and CRLs, Intel PCS TCB info, QE identity and CRLs. Every
// response is stored in an attest.Cache under its URL, so a fleet shares one
// copy, repeated verifications never hit the vendor (AMD KDS rate-limits
// hard), and air-gapped sites can import a bundle exported elsewhere
// (`trustee admin collateral export|import`).
package collateral

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
)

// KeyPrefix prefixes every cache key this package writes.
const KeyPrefix = "collateral/"

// MaxResponseSize bounds one collateral response (a CRL is the largest).
const MaxResponseSize = 4 << 20

// ErrOffline is returned when a URL is not cached and fetching is disabled.
var ErrOffline = errors.New("collateral not in cache and network fetching is disabled (import a collateral bundle)")

// entry is the cached form of one response. PCS returns issuer chains in
// headers, so headers are kept.
type entry struct {
	Fetched time.Time           `json:"fetched"`
	Header  map[string][]string `json:"header,omitempty"`
	Body    []byte              `json:"body"`
}

// Getter serves collateral from the cache, fetching on a miss (and refreshing
// mutable entries older than MaxAge) when Client is set. It implements
// go-sev-guest's trust.HTTPSGetter and ContextHTTPSGetter; TDX() adapts it
// to go-tdx-guest's.
type Getter struct {
	// Cache stores responses; nil means a private in-memory cache.
	Cache attest.Cache
	// Client fetches from vendor services; nil means offline (cache only).
	Client *http.Client
	// MaxAge is how long mutable collateral (CRLs, TCB info, QE identity)
	// is served before a refetch is attempted; 0 means 24h. VCEK/VLEK
	// certificates are immutable (their URL names the TCB) and never expire.
	MaxAge time.Duration
	// Retries is how often a 429/5xx answer is retried; 0 means 4.
	Retries int
	// Backoff is the first retry delay, doubled each time unless the vendor
	// sends Retry-After; 0 means 2s (AMD asks for 10s between repeats).
	Backoff time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between retries; nil means a context-aware timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives fetch notices; nil means slog.Default().
	Logger *slog.Logger

	privateOnce sync.Once
	private     attest.Cache // the cache when Cache is nil, made once
}

func (g *Getter) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// cache returns Cache or, when nil, a private in-memory cache made on first
// use. It never writes Cache, so a zero-value Getter is safe for
// concurrent use.
func (g *Getter) cache() attest.Cache {
	if g.Cache != nil {
		return g.Cache
	}
	g.privateOnce.Do(func() { g.private = NewMemCache() })
	return g.private
}

// immutable reports whether a URL names content that never changes.
func immutable(url string) bool {
	return strings.Contains(url, "/vcek/v1/") && !strings.HasSuffix(url, "/crl") && !strings.HasSuffix(url, "/cert_chain") ||
		strings.Contains(url, "/vlek/v1/") && !strings.HasSuffix(url, "/crl") && !strings.HasSuffix(url, "/cert_chain")
}

// Key returns the cache key for url.
func Key(url string) string { return KeyPrefix + url }

// Get implements go-sev-guest's trust.HTTPSGetter.
func (g *Getter) Get(url string) ([]byte, error) { return g.GetContext(context.Background(), url) }

// GetContext implements go-sev-guest's trust.ContextHTTPSGetter.
func (g *Getter) GetContext(ctx context.Context, url string) ([]byte, error) {
	_, body, err := g.Fetch(ctx, url)
	return body, err
}

// Fetch returns the headers and body for url from the cache or the vendor.
func (g *Getter) Fetch(ctx context.Context, url string) (map[string][]string, []byte, error) {
	var cached *entry
	if raw, ok, err := g.cache().Get(ctx, Key(url)); err != nil {
		return nil, nil, fmt.Errorf("collateral cache get %s: %w", url, err)
	} else if ok {
		var e entry
		if err := json.Unmarshal(raw, &e); err == nil {
			cached = &e
		}
	}
	maxAge := g.MaxAge
	if maxAge == 0 {
		maxAge = 24 * time.Hour
	}
	if cached != nil && (g.Client == nil || immutable(url) || g.now().Sub(cached.Fetched) < maxAge) {
		return cached.Header, cached.Body, nil
	}
	if g.Client == nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", url, ErrOffline)
	}
	hdr, body, err := g.fetch(ctx, url)
	if err != nil {
		if cached != nil { // stale beats nothing; the verifier checks validity dates itself
			g.logger().Warn("collateral refresh failed; serving cached copy", "url", url, "err", err)
			return cached.Header, cached.Body, nil
		}
		return nil, nil, err
	}
	val, err := json.Marshal(entry{Fetched: g.now(), Header: hdr, Body: body})
	if err != nil {
		return nil, nil, err
	}
	if err := g.cache().Put(ctx, Key(url), val); err != nil {
		return nil, nil, fmt.Errorf("collateral cache put %s: %w", url, err)
	}
	return hdr, body, nil
}

func (g *Getter) logger() *slog.Logger {
	if g.Logger != nil {
		return g.Logger
	}
	return slog.Default()
}

func (g *Getter) sleep(ctx context.Context, d time.Duration) error {
	if g.Sleep != nil {
		return g.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// keptHeaders are the response headers verifiers read (PCS issuer chains).
var keptHeaders = []string{"Tcb-Info-Issuer-Chain", "Sgx-Tcb-Info-Issuer-Chain", "Sgx-Enclave-Identity-Issuer-Chain", "Sgx-Pck-Crl-Issuer-Chain", "Content-Type"}

func (g *Getter) fetch(ctx context.Context, url string) (map[string][]string, []byte, error) {
	retries := g.Retries
	if retries == 0 {
		retries = 4
	}
	delay := g.Backoff
	if delay == 0 {
		delay = 2 * time.Second
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
		}
		resp, err := g.Client.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
		resp.Body.Close()
		switch {
		case rerr != nil:
			return nil, nil, fmt.Errorf("fetch %s: read body: %w", url, rerr)
		case resp.StatusCode == http.StatusOK:
			if len(body) > MaxResponseSize {
				return nil, nil, fmt.Errorf("fetch %s: response exceeds %d bytes", url, MaxResponseSize)
			}
			hdr := map[string][]string{}
			for _, h := range keptHeaders {
				if v := resp.Header.Values(h); len(v) > 0 {
					hdr[h] = v
				}
			}
			return hdr, body, nil
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) && attempt < retries:
			wait := delay
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			g.logger().Info("collateral fetch throttled; backing off", "url", url, "status", resp.StatusCode, "wait", wait)
			if err := g.sleep(ctx, wait); err != nil {
				return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
			}
			delay *= 2
		default:
			return nil, nil, fmt.Errorf("fetch %s: HTTP %d", url, resp.StatusCode)
		}
	}
}

// TDXGetter adapts a Getter to go-tdx-guest's trust.HTTPSGetter and
// ContextHTTPSGetter.
type TDXGetter struct{ G *Getter }

// Get implements go-tdx-guest's trust.HTTPSGetter.
func (t TDXGetter) Get(url string) (map[string][]string, []byte, error) {
	return t.G.Fetch(context.Background(), url)
}

// GetContext implements go-tdx-guest's trust.ContextHTTPSGetter.
func (t TDXGetter) GetContext(ctx context.Context, url string) (map[string][]string, []byte, error) {
	return t.G.Fetch(ctx, url)
}

// Put stores a response for url in c as if it had been fetched at fetched.
// Only tests and their helpers (internal/attest/vectors) call it, to preload
// a cache with captured PCS/KDS responses; operators move collateral with
// `trustee admin collateral export|import` (Export, Import).
func Put(ctx context.Context, c attest.Cache, url string, header map[string][]string, body []byte, fetched time.Time) error {
	val, err := json.Marshal(entry{Fetched: fetched, Header: header, Body: body})
	if err != nil {
		return err
	}
	return c.Put(ctx, Key(url), val)
}
