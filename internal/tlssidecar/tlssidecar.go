// Package tlssidecar is an mTLS-terminating reverse proxy for confidential
// pods. In identity mode (Config.Identity, --identity, what cocofy injects by
// default) it generates its server key in memory, has Trustee's identity CA
// certify it through the guest's local API (POST /trustgate/identity/csr, a
// fresh attestation each time) and renews it with a new key before expiry;
// the key never leaves the process. The client CA, and in the deprecated
// uploaded-key scheme the certificate and key too, come from the guest's
// local API (GET /cdh/resource/…), which releases them only after the pod
// has attested to Trustee. Until it has its material it does not listen at
// all: a pod whose attestation fails exposes no port. It speaks TLS 1.3 only,
// requires a client certificate issued by the client CA (or, for --peer-id,
// one from the identity CA with an allowed SPIFFE ID), and checks its
// material periodically so renewed or rotated keys take effect without a
// restart.
package tlssidecar

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// MaxMaterialSize bounds each fetched resource and the certificate chain
// of identity mode.
const MaxMaterialSize = 1 << 20

// Config configures a Sidecar.
type Config struct {
	Listen       string // TLS address, e.g. ":8443"
	HealthListen string // plain HTTP /healthz address; "" disables
	Upstream     string // the app, e.g. "http://127.0.0.1:8080"
	API          string // guest local API, default http://127.0.0.1:8006
	CertURI      string // kbs:///repo/type/tag (or repo/type/tag)
	KeyURI       string
	ClientCAURI  string
	Refresh      time.Duration // rotation check interval, default 5m
	MinBackoff   time.Duration // first retry delay, default 500ms
	MaxBackoff   time.Duration // retry delay cap, default 30s
	Logger       *slog.Logger

	// Identity: the server key is generated in this process's memory and
	// certified by Trustee's identity CA through the guest's local API
	// (identity.go); CertURI and KeyURI are then unused. A new key and a
	// new attestation for every renewal.
	Identity bool
	// DNSNames are the server names asked for in identity mode.
	DNSNames []string
	// Now is the clock (time.Now when nil): expiry and renewal.
	Now func() time.Time
	// PeerIDs (identity mode): SPIFFE IDs of attested workloads admitted
	// as clients with a certificate from Trustee's identity CA, besides
	// the users of the client CA.
	PeerIDs []string
	// UpstreamIDs (identity mode, https upstream): the upstream is another
	// attested workload; the sidecar presents its own workload certificate
	// and requires the upstream's to come from the identity CA with one of
	// these SPIFFE IDs.
	UpstreamIDs []string
}

type material struct {
	cert     *tls.Certificate
	pool     *x509.CertPool
	raw      [3][]byte // cert, key, CA as fetched: compared to detect rotation
	notAfter time.Time
	// notBefore: identity mode, where renewal is due after two thirds
	// of the lifetime.
	notBefore time.Time
	idCA      *x509.Certificate // identity mode: Trustee's identity CA
}

// Sidecar is a running proxy.
type Sidecar struct {
	cfg      Config
	upstream *url.URL
	api      *localapi.Client
	cur      atomic.Pointer[material]
	log      *slog.Logger

	mu    sync.Mutex
	addr  net.Addr
	ready chan struct{}
}

// New validates cfg.
func New(cfg Config) (*Sidecar, error) {
	if cfg.API == "" {
		cfg.API = localapi.DefaultURL
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = 5 * time.Minute
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Listen == "" {
		return nil, errors.New("tls-sidecar: --listen is required")
	}
	u, err := url.Parse(cfg.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tls-sidecar: --upstream %q must be an http(s) URL", cfg.Upstream)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := checkPeerConfig(cfg, u); err != nil {
		return nil, err
	}
	uris := map[string]string{"--cert": cfg.CertURI, "--key": cfg.KeyURI, "--client-ca": cfg.ClientCAURI}
	if cfg.Identity {
		if cfg.CertURI != "" || cfg.KeyURI != "" {
			return nil, errors.New("tls-sidecar: --identity generates the key here; drop --cert and --key")
		}
		delete(uris, "--cert")
		delete(uris, "--key")
	}
	for name, v := range uris {
		if _, err := localapi.ResourcePath(v); err != nil {
			return nil, fmt.Errorf("tls-sidecar: %s: %w", name, err)
		}
	}
	api, err := localapi.New(cfg.API,
		localapi.WithLimits(localapi.EndpointResource, localapi.Limits{MaxBytes: MaxMaterialSize}),
		localapi.WithLimits(localapi.EndpointIdentity, localapi.Limits{MaxBytes: MaxMaterialSize}))
	if err != nil {
		return nil, fmt.Errorf("tls-sidecar: --api: %w", err)
	}
	return &Sidecar{cfg: cfg, upstream: u, api: api, log: cfg.Logger, ready: make(chan struct{})}, nil
}

// Ready is closed once the sidecar listens.
func (s *Sidecar) Ready() <-chan struct{} { return s.ready }

// Addr is the TLS listener's address (nil before Ready).
func (s *Sidecar) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// fetch gets one resource; the error never holds its bytes.
func (s *Sidecar) fetch(ctx context.Context, uri string) ([]byte, error) {
	b, err := s.api.GetResource(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", uri, err)
	}
	return b, nil
}

// load fetches and validates the three resources (in identity mode: a new
// key and its certificate, and the client CA).
func (s *Sidecar) load(ctx context.Context) (*material, error) {
	if s.cfg.Identity {
		return s.loadIdentity(ctx)
	}
	var raw [3][]byte
	for i, uri := range []string{s.cfg.CertURI, s.cfg.KeyURI, s.cfg.ClientCAURI} {
		b, err := s.fetch(ctx, uri)
		if err != nil {
			return nil, err
		}
		raw[i] = b
	}
	cert, err := tls.X509KeyPair(raw[0], raw[1])
	if err != nil {
		return nil, fmt.Errorf("server certificate and key do not form a pair: %w", err)
	}
	if s.cfg.Now().After(cert.Leaf.NotAfter) {
		return nil, fmt.Errorf("server certificate expired at %s", cert.Leaf.NotAfter.Format(time.RFC3339))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(raw[2]) {
		return nil, errors.New("client CA holds no PEM certificate")
	}
	return &material{cert: &cert, pool: pool, raw: raw, notAfter: cert.Leaf.NotAfter}, nil
}

// waitForMaterial retries load with exponential back-off (MinBackoff to
// MaxBackoff, jittered) until it succeeds: the guest answers 500 until
// attestation releases the material.
func (s *Sidecar) waitForMaterial(ctx context.Context) (*material, error) {
	bo := localapi.Backoff{Min: s.cfg.MinBackoff, Max: s.cfg.MaxBackoff}
	for {
		m, err := s.load(ctx)
		if err == nil {
			return m, nil
		}
		delay := bo.Next()
		s.log.Warn("waiting for TLS material from the guest API (attestation pending?)", "err", err, "retry_in", delay)
		if err := localapi.Sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

func (s *Sidecar) tlsConfig() *tls.Config {
	base := &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13}
	// GetConfigForClient picks up rotated material for every new handshake.
	base.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		m := s.cur.Load()
		if s.cfg.Identity && s.cfg.Now().After(m.notAfter) {
			// Renewal failed (policy or reference values changed): an
			// expired identity is never offered.
			return nil, errors.New("workload certificate expired; renewal pending")
		}
		return &tls.Config{
			MinVersion:   tls.VersionTLS13,
			MaxVersion:   tls.VersionTLS13,
			Certificates: []tls.Certificate{*m.cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    m.pool,
			NextProtos:   []string{"h2", "http/1.1"},
			// A client certificate from the identity CA is a workload
			// peer: admitted only with an allowed SPIFFE ID.
			VerifyConnection: func(cs tls.ConnectionState) error {
				if m.idCA == nil || len(cs.VerifiedChains) == 0 {
					return nil
				}
				chain := cs.VerifiedChains[0]
				if !chain[len(chain)-1].Equal(m.idCA) {
					return nil // a user of the client CA
				}
				_, err := verifyWorkload(m, cs.PeerCertificates, s.cfg.PeerIDs, s.cfg.Now(), x509.ExtKeyUsageClientAuth)
				return err
			},
		}, nil
	}
	return base
}

func (s *Sidecar) handler() http.Handler {
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(s.upstream)
		pr.SetXForwarded()
		// The app may trust this header: only the sidecar sets it.
		pr.Out.Header.Del("X-Client-Cert-Subject")
		pr.Out.Header.Del("X-Client-SPIFFE-ID")
		if pr.In.TLS != nil && len(pr.In.TLS.PeerCertificates) > 0 {
			pr.Out.Header.Set("X-Client-Cert-Subject", pr.In.TLS.PeerCertificates[0].Subject.String())
			if m := s.cur.Load(); m != nil && m.idCA != nil && len(pr.In.TLS.VerifiedChains) > 0 {
				if ch := pr.In.TLS.VerifiedChains[0]; ch[len(ch)-1].Equal(m.idCA) {
					pr.Out.Header.Set("X-Client-SPIFFE-ID", spiffeID(pr.In.TLS.PeerCertificates[0]))
				}
			}
		}
	}}
	if len(s.cfg.UpstreamIDs) > 0 {
		proxy.Transport = s.upstreamTransport()
	}
	// The sidecar's HSTS header is the only one: an app's own could weaken it.
	proxy.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Del("Strict-Transport-Security")
		return nil
	}
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.Warn("upstream unavailable", "err", err)
		http.Error(w, "upstream unavailable", http.StatusBadGateway)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Browsers that reached the app once over the sidecar never try
		// plain HTTP to this name again.
		w.Header().Set("Strict-Transport-Security", HSTS)
		proxy.ServeHTTP(w, r)
	})
}

// HSTS is the Strict-Transport-Security value of every response: two years.
const HSTS = "max-age=63072000; includeSubDomains"

func (s *Sidecar) health(w http.ResponseWriter, r *http.Request) {
	m := s.cur.Load()
	if m == nil || s.cfg.Now().After(m.notAfter) {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Run waits for the material, then serves until ctx ends.
func (s *Sidecar) Run(ctx context.Context) error {
	m, err := s.waitForMaterial(ctx)
	if err != nil {
		return err
	}
	s.cur.Store(m)
	s.log.Info("TLS material loaded", "not_after", m.notAfter.Format(time.RFC3339))

	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
	}
	srv := &http.Server{Handler: s.handler(), TLSConfig: s.tlsConfig(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	var health *http.Server
	var hln net.Listener
	if s.cfg.HealthListen != "" {
		hln, err = net.Listen("tcp", s.cfg.HealthListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s: %w", s.cfg.HealthListen, err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", s.health)
		health = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	close(s.ready)
	s.log.Info("tls-sidecar listening", "addr", ln.Addr().String(), "upstream", s.upstream.String())

	errc := make(chan error, 3)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	if health != nil {
		go func() { errc <- health.Serve(hln) }()
	}
	go s.rotate(ctx)
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	if health != nil {
		health.Shutdown(shut)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// rotate re-fetches the material every Refresh and swaps it in when it
// changed and is valid; a failed fetch keeps the current material.
func (s *Sidecar) rotate(ctx context.Context) {
	t := time.NewTicker(s.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.cfg.Identity {
			s.renewIfDue(ctx)
			continue
		}
		m, err := s.load(ctx)
		if err != nil {
			s.log.Warn("rotation check failed; keeping current certificate", "err", err)
			continue
		}
		old := s.cur.Load()
		if bytes.Equal(old.raw[0], m.raw[0]) && bytes.Equal(old.raw[1], m.raw[1]) && bytes.Equal(old.raw[2], m.raw[2]) {
			continue
		}
		s.cur.Store(m)
		s.log.Info("TLS material rotated", "not_after", m.notAfter.Format(time.RFC3339))
	}
}
