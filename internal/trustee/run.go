package trustee

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/attest/catalog"
	"github.com/trustgate/trustgate/internal/auditlog"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/kbs/server"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/rvps"
	"github.com/trustgate/trustgate/internal/store"
)

// signingKeyName is the store name of the EAR token signing key, shared by
// all replicas so that a token issued by one is accepted by the others.
const signingKeyName = "ear-signing-key"

// Instance is a started trustee.
type Instance struct {
	// URL is the base URL clients use (https://127.0.0.1:PORT).
	URL string
	// Addr is the listening address.
	Addr string
	// Material describes the first-run files (fingerprint, admin key path).
	Material *Material
	// Store is the open store (for in-process callers and tests).
	Store *store.SQL
	// Server is the HTTP handler.
	Server *server.Server

	tk     *tokenKeys
	hs     *http.Server
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// Options for Start beyond the configuration.
type Options struct {
	// Logger receives operator messages; nil builds one from cfg on stderr.
	Logger *slog.Logger
	// Getenv reads the environment (TRUSTEE_KEK); nil means os.Getenv.
	Getenv func(string) string
	// Out receives the first-run banner (fingerprint, key paths); nil: stderr.
	Out io.Writer
	// Listener, when set, is used instead of listening on cfg.Listen.
	Listener net.Listener
	// AdminLeeway is the clock skew tolerated on admin tokens (0: 60 s).
	AdminLeeway time.Duration
}

// NewLogger builds the slog logger a configuration asks for
// (cliflags.NewLogger); a level or format it does not know (refused by
// ParseServeFlags) logs at info as text.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	l, err := cliflags.NewLogger(cfg.LogLevel, cfg.LogFormat, w)
	if err != nil {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return l
}

// Run starts trustee and serves until ctx ends, then shuts down gracefully
// (in-flight requests get up to 10 s). It is the hook for `trustgate up`.
func Run(ctx context.Context, cfg Config, opts Options) error {
	inst, err := Start(ctx, cfg, opts)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-inst.done:
		inst.done <- err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return inst.Shutdown(sctx)
}

// Start prepares the data directory, opens the store, builds the
// verifiers, attestation service and server, and starts serving. It
// returns once the listener is open.
func Start(ctx context.Context, cfg Config, opts Options) (*Instance, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Out == nil {
		opts.Out = os.Stderr
	}
	log := opts.Logger
	if log == nil {
		log = NewLogger(cfg, os.Stderr)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	cfg.resolve()
	m, err := Prepare(cfg, opts.Getenv)
	if err != nil {
		return nil, err
	}
	// The store's writer batches more while the server is saturated
	// (store.Options.Pressure): the server is made below.
	var served atomic.Pointer[server.Server]
	pressure := func() int {
		if s := served.Load(); s != nil {
			return s.InFlight()
		}
		return 0
	}
	st, err := store.Open(ctx, store.Options{URL: cfg.Store, KEK: m.KEK, Pressure: pressure})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	inst := &Instance{Store: st, Material: m, done: make(chan error, 1)}
	ok := false
	defer func() {
		if !ok {
			st.Close()
		}
	}()

	signKey, err := storedKey(ctx, st, signingKeyName)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	issuer, err := ear.NewIssuer(signKey, ear.Options{TTL: cfg.TokenLifetime.Duration})
	if err != nil {
		return nil, err
	}
	tk := &tokenKeys{st: st, issuer: issuer, verifier: ear.NewVerifier(), log: log, now: time.Now}
	if err := tk.load(ctx); err != nil {
		return nil, err
	}
	rv := rvps.New(st)
	engine := policy.NewEngine(rv)

	var devRoot *x509.Certificate
	if cfg.DevEmulatedSNPRoot != "" {
		devRoot, err = readCert(cfg.DevEmulatedSNPRoot)
		if err != nil {
			return nil, fmt.Errorf("dev emulated SNP root: %w", err)
		}
		log.Warn("DEVELOPMENT MODE: the snp-emulated verifier is enabled with a locally generated root; evidence it accepts proves nothing about hardware",
			"root", cfg.DevEmulatedSNPRoot)
	}
	copts := catalogOptions(cfg, st, devRoot, log)
	if copts.HTTPClient == nil {
		log.Info("collateral fetching is off (--collateral-fetch=false): TDX and SNP evidence without its VCEK need imported collateral (trustee admin collateral import)")
	}
	verifiers, err := catalog.Build(copts)
	if err != nil {
		return nil, err
	}
	// The workload identity CA is made now, or checked: one stored for
	// another trust domain stops the start (identity.ErrTrustDomainMismatch).
	if _, err := identity.LoadOrCreate(ctx, st, cfg.IdentityTrustDomain); err != nil {
		return nil, err
	}
	importKey, err := loadImportKey(ctx, st, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	policies := server.NewPolicyCache(st)
	asvc, err := as.New(as.Config{Verifiers: verifiers, Policies: policies, Engine: engine, Issuer: issuer, Logger: log})
	if err != nil {
		return nil, err
	}
	var adminKeys []ed25519.PublicKey
	for _, p := range cfg.AdminPublicKeys {
		b, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("admin public key: %w", err)
		}
		k, err := server.ParseAdminPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		adminKeys = append(adminKeys, k)
	}

	var rotate func(context.Context) (string, error)
	if opts.Getenv("TRUSTEE_KEK") == "" && opts.Getenv("TRUSTGATE_TRUSTEE_KEK") == "" {
		var mu sync.Mutex
		rotate = func(ctx context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			nk := make([]byte, 32)
			if _, err := rand.Read(nk); err != nil {
				return "", err
			}
			// Write the new key next to the old one first: if the process
			// dies between the two steps, both keys are on disk.
			if err := writeNewFile(cfg.KEKFile+".next", EncodeKEK(nk)); err != nil {
				return "", fmt.Errorf("write new KEK: %w", err)
			}
			if err := st.RotateKEK(ctx, nk); err != nil {
				_ = os.Remove(cfg.KEKFile + ".next")
				return "", err
			}
			if err := WriteKEKFile(cfg.KEKFile, nk); err != nil {
				return "", fmt.Errorf("store re-wrapped but KEK file not replaced (new key is in %s.next): %w", cfg.KEKFile, err)
			}
			_ = os.Remove(cfg.KEKFile + ".next")
			log.Info("key-encryption key rotated", "kek_id", st.KEKID(), "file", cfg.KEKFile)
			return st.KEKID(), nil
		}
	}

	srv, err := server.New(server.Config{
		Store:               st,
		Audit:               auditlog.New(st),
		RVPS:                rv,
		Policy:              engine,
		AS:                  asvc,
		Tokens:              tk.verifier,
		RotateTokenKey:      tk.rotate,
		Policies:            policies,
		Admin:               &server.AdminAuth{Keys: adminKeys, Leeway: opts.AdminLeeway},
		SessionTimeout:      cfg.SessionTimeout.Duration,
		MaxBody:             cfg.MaxBody,
		MaxImportBody:       cfg.MaxImportBody,
		ImportKey:           importKey,
		IdentityTrustDomain: cfg.IdentityTrustDomain,
		AuthRate:            cfg.AuthRate,
		AuthBurst:           cfg.AuthBurst,
		AuditRetention:      cfg.AuditRetention.Duration,
		AllowEmulated:       devRoot != nil,
		RotateKEK:           rotate,
		Logger:              log,
	})
	if err != nil {
		return nil, err
	}
	inst.Server = srv
	served.Store(srv)
	inst.tk = tk

	ln := opts.Listener
	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
	}
	scheme := "https"
	if cfg.InsecureHTTP {
		scheme = "http"
		log.Warn("INSECURE: serving plain HTTP (--insecure-http); tokens, evidence and admin credentials travel unencrypted. Development only.")
	} else {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("TLS: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}})
	}
	inst.Addr = ln.Addr().String()
	inst.URL = scheme + "://" + inst.Addr
	inst.hs = &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	rctx, cancel := context.WithCancel(context.Background())
	inst.cancel = cancel
	go srv.Run(rctx)
	go tk.run(rctx)
	go func() {
		err := inst.hs.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		inst.done <- err
	}()
	ok = true

	printBanner(opts.Out, cfg, inst, st.Dialect())
	log.Info("trustee serving", "url", inst.URL, "store", st.Dialect(), "tees", strings.Join(keys(verifiers), ","))
	return inst, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func printBanner(w io.Writer, cfg Config, inst *Instance, dialect string) {
	m := inst.Material
	fmt.Fprintf(w, "trustee listening on %s (store: %s)\n", inst.URL, dialect)
	if m.TLSFingerprint != "" {
		made := ""
		if m.CreatedTLS {
			made = " (self-signed, made now)"
		}
		fmt.Fprintf(w, "  TLS certificate %s%s\n  SHA-256 fingerprint %s\n", cfg.TLSCert, made, m.TLSFingerprint)
	}
	if m.AdminKeyPath != "" {
		made := ""
		if m.CreatedAdminKey {
			made = " (made now)"
		}
		fmt.Fprintf(w, "  admin key %s%s\n  admin public key %s\n", m.AdminKeyPath, made, m.AdminPubPath)
		ca := ""
		if !cfg.InsecureHTTP {
			ca = " --cacert " + cfg.TLSCert
		}
		fmt.Fprintf(w, "  try: trustee admin --url %s --key %s%s list-resources\n", inst.URL, m.AdminKeyPath, ca)
	}
	fmt.Fprintf(w, "  bundle import key (public, for cocofy --import-key) %s\n", filepath.Join(cfg.DataDir, ImportPubFile))
	if m.CreatedKEK {
		fmt.Fprintf(w, "  key-encryption key made at %s: back it up; without it stored resources are lost\n", cfg.KEKFile)
	}
}

// Shutdown stops accepting requests, waits for in-flight ones (until ctx
// ends), then closes the store after its queued writes are committed.
func (i *Instance) Shutdown(ctx context.Context) error {
	var err error
	i.once.Do(func() {
		err = i.hs.Shutdown(ctx)
		if serr := <-i.done; serr != nil && err == nil {
			err = serr
		}
		i.cancel()
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		i.Server.Close(cctx) // aggregated /auth audit rows
		cancel()
		if cerr := i.Store.Close(); cerr != nil && err == nil {
			err = cerr
		}
	})
	return err
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("want a PEM CERTIFICATE")
	}
	return x509.ParseCertificate(blk.Bytes)
}

func writeNewFile(path string, b []byte) error {
	_ = os.Remove(path)
	return writeNew(path, b, 0o600)
}

// catalogOptions builds the verifier options: the store is the collateral
// cache, and with CollateralFetch an HTTP client lets the verifiers fetch
// what the cache lacks from AMD KDS and Intel PCS.
func catalogOptions(cfg Config, st *store.SQL, devRoot *x509.Certificate, log *slog.Logger) catalog.Options {
	o := catalog.Options{Cache: st, DevEmulatedSNPRoot: devRoot, Logger: log}
	if cfg.CollateralFetch {
		o.HTTPClient = collateralHTTPClient()
	}
	return o
}

// collateralHTTPClient fetches vendor collateral. Every step has a timeout
// so that an unreachable vendor delays an attestation by at most 30 s (the
// collateral getter then serves a stale cached copy, or the check fails
// closed). HTTPS_PROXY is honoured for sites that reach the internet
// through a proxy.
func collateralHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
		},
	}
}

// importKeyName is the store name of the bundle import key, shared by all
// replicas (like the token signing key), so that a bundle encrypted to
// one replica's import.pub imports through any of them.
const importKeyName = "bundle-import-key"

// ImportPubFile is the file in the data directory that holds the public
// bundle import key (what `cocofy apply --import-key` takes).
const ImportPubFile = "import.pub"

// loadImportKey returns the bundle import key (ECDSA P-256, kept encrypted
// under the KEK in the store, made on first run) and writes its public
// half to DATA_DIR/import.pub.
func loadImportKey(ctx context.Context, st *store.SQL, dataDir string) (*ecdsa.PrivateKey, error) {
	k, err := storedKey(ctx, st, importKeyName)
	if err != nil {
		return nil, fmt.Errorf("bundle import key: %w", err)
	}
	pub, err := ear.MarshalPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, ImportPubFile)
	if cur, err := os.ReadFile(path); err != nil || !bytes.Equal(cur, pub) {
		// Replace atomically: the file is public, but a torn write would
		// make cocofy refuse it.
		tmp := path + ".new"
		_ = os.Remove(tmp)
		if err := writeNew(tmp, pub, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return k, nil
}

// storedKey returns the ECDSA P-256 key kept (encrypted under the KEK) in
// the store under name, making it on first use; replicas share it.
func storedKey(ctx context.Context, st *store.SQL, name string) (*ecdsa.PrivateKey, error) {
	b, err := st.SecretKey(ctx, name, func() ([]byte, error) {
		k, err := ear.GenerateKey()
		if err != nil {
			return nil, err
		}
		return ear.MarshalPrivateKey(k)
	})
	if err != nil {
		return nil, err
	}
	return ear.ParsePrivateKey(b)
}
