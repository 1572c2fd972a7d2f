package dashboard

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// Main runs `dashboard [flags]`. Every flag also reads an environment
// variable DASHBOARD_<FLAG> (upper case, dashes as underscores).
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:9443", "address to serve on")
	dataDir := fs.String("data-dir", "dashboard-data", "directory for the admin password and the dashboard's state (alerts, audit feed)")
	tokenKey := fs.String("token-key", "", "PEM public key that signs Trustee's attestation tokens; get it with: trustee admin --url URL token-key > token.pub\n(optional with --trustee-url, whose token keys the dashboard follows)")
	trusteeURL := fs.String("trustee-url", "", "Trustee base URL, to follow its audit stream")
	trusteeCA := fs.String("trustee-cacert", "", "PEM certificate to trust for Trustee's TLS")
	adminKey := fs.String("admin-key", "", "Trustee admin private key (Ed25519 PEM), for the audit stream")
	tlsCert := fs.String("tls-cert", "", "serving certificate (PEM); without it the dashboard serves plain HTTP and only on loopback")
	tlsKey := fs.String("tls-key", "", "serving key (PEM)")
	clientCA := fs.String("client-ca", "", "PEM CA whose client certificates may use the dashboard without logging in")
	lateAfter := fs.Duration("late-after", 30*time.Second, "beacon age after which a workload is late and an alert is raised")
	var logging cliflags.Logging
	logging.Register(fs)
	if code, ok := cliflags.Parse(fs, args, "DASHBOARD_", summary, stdout, stderr); !ok {
		return code
	}
	log, err := logging.Logger(stderr)
	if err != nil {
		return cliflags.Report(stderr, "dashboard", err)
	}
	cfg, admin, pub, err := buildConfig(*dataDir, *tokenKey, *trusteeURL, *trusteeCA, *adminKey, *lateAfter, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "dashboard:", err)
		return 1
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if admin != nil {
		if err := FollowTokenKeys(ctx, cfg.Verifier.Tokens, admin.TokenKeys, TokenKeysInterval, pub, log); err != nil {
			fmt.Fprintln(stderr, "dashboard:", err)
			return 1
		}
	}
	cfg.Logger = log
	cfg.StateDir = *dataDir
	cfg.ClientCertAuth = *clientCA != ""
	srv := New(cfg)
	hs := &http.Server{Addr: *listen, Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	if *tlsCert != "" {
		tc, err := serverTLS(*tlsCert, *tlsKey, *clientCA)
		if err != nil {
			fmt.Fprintln(stderr, "dashboard:", err)
			return 1
		}
		hs.TLSConfig = tc
	} else if host, _, _ := net.SplitHostPort(*listen); !isLoopback(host) {
		fmt.Fprintln(stderr, "dashboard: refusing plain HTTP on a non-loopback address; give --tls-cert and --tls-key")
		return 1
	} else {
		log.Warn("serving plain HTTP on loopback: give --tls-cert for TLS and client-certificate access")
	}
	go srv.Run(ctx)
	errc := make(chan error, 1)
	go func() {
		if hs.TLSConfig != nil {
			errc <- hs.ListenAndServeTLS("", "")
		} else {
			errc <- hs.ListenAndServe()
		}
	}()
	scheme := "http"
	if hs.TLSConfig != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "dashboard on %s://%s\n", scheme, *listen)
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "dashboard:", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return 0
}

const summary = `The security administrator's fleet view: workloads that send beacons and whether
they are attested, Trustee's audit feed, and grouped alerts. Example:

  trustee admin --url https://127.0.0.1:8080 --cacert trustee-data/tls.crt token-key > token.pub
  dashboard --token-key token.pub --trustee-url https://127.0.0.1:8080 \
    --trustee-cacert trustee-data/tls.crt --admin-key trustee-data/admin.key

See docs/dashboard.md.`

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// buildConfig reads the flags' files. With --trustee-url it also returns
// the admin client, whose token keys Main then follows; pub is the
// --token-key key (nil without one).
func buildConfig(dataDir, tokenKey, trusteeURL, trusteeCA, adminKey string, lateAfter time.Duration, stdout io.Writer) (cfg Config, admin *kbsadmin.Client, pub *ecdsa.PublicKey, err error) {
	cfg.LateAfter = lateAfter
	if tokenKey == "" && trusteeURL == "" {
		return cfg, nil, nil, errors.New("--token-key is required (or --trustee-url, whose token keys the dashboard then follows): the dashboard trusts only tokens signed by Trustee's key; get it with `trustee admin --url URL token-key > token.pub`")
	}
	if tokenKey != "" {
		if pub, err = ReadTokenKey(tokenKey); err != nil {
			return cfg, nil, nil, err
		}
	}
	cfg.Verifier = &BeaconVerifier{Tokens: ear.NewVerifier(pub)}
	pw, err := AdminPassword(dataDir, stdout)
	if err != nil {
		return cfg, nil, nil, err
	}
	cfg.AdminPassword = pw
	if trusteeURL == "" {
		return cfg, nil, pub, nil
	}
	if adminKey == "" {
		return cfg, nil, nil, errors.New("--trustee-url needs --admin-key to read the audit stream (Trustee writes admin.key in its data directory on first start)")
	}
	c, err := kbsadmin.New(trusteeURL, adminKey, kbsadmin.TLSOptions{CACert: trusteeCA})
	if err != nil {
		return cfg, nil, nil, err
	}
	cfg.Audit = FollowFunc(c.FollowAudit)
	cfg.Identities = c.IdentityIssued
	return cfg, c, pub, nil
}

// TokenKeysInterval is how often a standalone dashboard reloads Trustee's
// token keys (GET /kbs/v0/token-keys).
const TokenKeysInterval = 30 * time.Second

// FollowTokenKeys keeps v's keys in step with Trustee's token-key JWKS
// (fetch: kbsadmin.Client.TokenKeys) every interval until ctx ends, so
// that beacons carrying tokens of a rotated key keep verifying without a
// restart, and the dropped key's stop. When the first fetch fails and
// fallback (the --token-key key) is given, the dashboard starts on that key
// and the next fetches replace it; without one the first fetch's error is
// returned: the dashboard would trust nothing. Later failures keep the
// current keys and are logged.
func FollowTokenKeys(ctx context.Context, v *ear.Verifier, fetch func(context.Context) ([]byte, error), interval time.Duration, fallback *ecdsa.PublicKey, log *slog.Logger) error {
	onErr := func(err error) { log.Warn("cannot reload Trustee's token keys; keeping the current ones", "err", err) }
	first := true
	get := func(ctx context.Context) ([]byte, error) {
		b, err := fetch(ctx)
		if err != nil && first && fallback != nil {
			onErr(err)
			b, err = ear.JWKS([]ear.VerifyKey{{Key: fallback}})
		}
		first = false
		return b, err
	}
	if err := v.Follow(ctx, get, interval, onErr); err != nil {
		return fmt.Errorf("token keys from Trustee: %w", err)
	}
	return nil
}

// ReadTokenKey reads Trustee's token-signing public key (PEM, PKIX).
func ReadTokenKey(path string) (*ecdsa.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read token key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("token key %s is not PEM (write it with `trustee admin --url URL token-key > %s`)", path, path)
	}
	if blk.Type == "CERTIFICATE" {
		return nil, fmt.Errorf("token key %s is a certificate (Trustee's TLS certificate?), not the token-signing public key: get that with `trustee admin --url URL token-key`", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("token key is not an ECDSA key")
	}
	return pub, nil
}

// AdminPassword reads, or on first run creates (mode 0600), the local
// admin password in dir. It prints the file's path, never the password.
func AdminPassword(dir string, stdout io.Writer) (string, error) {
	p := filepath.Join(dir, "dashboard-admin-password")
	if b, err := os.ReadFile(p); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	var r [18]byte
	_, _ = rand.Read(r[:]) // crypto/rand never fails on supported platforms
	pw := hex.EncodeToString(r[:])
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin password: %w", err)
	}
	fmt.Fprintf(stdout, "dashboard admin password written to %s\n", p)
	return pw, nil
}

func serverTLS(certFile, keyFile, clientCA string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS key pair: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCA != "" {
		b, err := os.ReadFile(clientCA)
		if err != nil {
			return nil, fmt.Errorf("read client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, errors.New("client CA: no certificate found")
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return tc, nil
}
