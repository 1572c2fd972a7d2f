// Package client is the guest side of the KBS attestation protocol (RCAR
// 0.4.0): auth → attest → resource, with upstream's retry rules, a fresh
// ephemeral key per session, cookie sessions and a cached token. It speaks to
// trustgate's trustee and to upstream Trustee alike.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
)

// Defaults, as upstream's kbs_protocol.
const (
	DefaultHandshakeAttempts = 5
	DefaultRetryDelay        = time.Second
	DefaultResourceAttempts  = 3
	// DefaultMaxResponse bounds every response body read.
	DefaultMaxResponse = 16 << 20
	// DefaultTokenMargin: a cached token is renewed this long before exp.
	DefaultTokenMargin = 30 * time.Second
	// DefaultTimeout bounds each HTTP request.
	DefaultTimeout = 30 * time.Second
)

// Options configure a Client. URL and Attester are required.
type Options struct {
	// URL is the KBS base URL, e.g. https://trustee:8080 (without /kbs/v0).
	URL string
	// Attester produces the evidence.
	Attester attester.Attester
	// InitData, when set, is sent with every attestation ("toml" format,
	// the raw document as bound at launch).
	InitData *kbs.InitData
	// KeyType of the ephemeral key; P-256 (upstream's default) when empty.
	KeyType jwe.KeyType
	// RootCAs verifies the server certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// PinnedCertSHA256, when set, accepts exactly the server certificate
	// whose DER SHA-256 it is (trustee's self-signed certificate, whose
	// fingerprint it prints at first start), instead of chain verification.
	PinnedCertSHA256 []byte
	// HTTPClient overrides the transport (tests); its Jar is replaced per
	// session. When set, RootCAs and PinnedCertSHA256 are ignored.
	HTTPClient *http.Client
	// HandshakeAttempts, RetryDelay, ResourceAttempts: upstream's retry
	// rules (5 handshakes 1 s apart; 3 resource GETs, re-attesting on 401).
	// Zero values take those defaults; a negative RetryDelay means no delay.
	HandshakeAttempts int
	RetryDelay        time.Duration
	ResourceAttempts  int
	// MaxResponse bounds response bodies.
	MaxResponse int64
	// TokenMargin renews a cached token this long before it expires.
	TokenMargin time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger; slog.Default() when nil. Never receives tokens or keys.
	Logger *slog.Logger
}

// Client runs RCAR. Safe for concurrent use; handshakes are serialised.
type Client struct {
	opts Options
	base *url.URL
	hc   http.Client

	mu      sync.Mutex
	session *session
	// last is the last successful attestation, for display; read without
	// mu, which a handshake holds.
	last atomic.Pointer[Attestation]
}

// Attestation describes the last attestation that gave a token: when, and
// what trustee said. It holds no token or key. The status is read from the
// token without verifying it (the guest cannot verify its own token and
// must not act on it): it is for display only, never for a decision.
type Attestation struct {
	// Time is when the token was received (the client's clock).
	Time time.Time
	// Status is the token's ear.status, the least trustworthy of its
	// submodules' ("affirming", "warning", "contraindicated", "none"); ""
	// when the token has none.
	Status string
	// Expiry is the token's exp (zero when it has none).
	Expiry time.Time
}

// LastAttestation returns the last successful attestation; false when the
// client has not attested yet.
func (c *Client) LastAttestation() (Attestation, bool) {
	a := c.last.Load()
	if a == nil {
		return Attestation{}, false
	}
	return *a, true
}

// worstStatus is the least trustworthy ear.status of t's submodules.
func worstStatus(t *ear.Token) string {
	worst, found := 0, false
	out := ""
	for _, sm := range t.Result.Submods {
		if sm == nil || sm.Status == nil {
			continue
		}
		if v := int(*sm.Status); !found || v > worst {
			worst, found, out = v, true, sm.Status.String()
		}
	}
	return out
}

// session is one attested KBS session.
type session struct {
	jar    http.CookieJar
	priv   any
	pub    kbs.TeePubKey
	token  string
	expiry time.Time
}

// StatusError is a non-2xx KBS answer.
type StatusError struct {
	Op     string // "auth", "attest", "resource"
	Status int
	Info   kbs.ErrorInfo // zero when the body was not a KBS error
}

func (e *StatusError) Error() string {
	if e.Info.Type != "" {
		return fmt.Sprintf("kbs %s: HTTP %d: %s: %s", e.Op, e.Status, e.Info.Variant(), e.Info.Detail)
	}
	return fmt.Sprintf("kbs %s: HTTP %d", e.Op, e.Status)
}

// ErrNotFound is wrapped by errors for a 404 (an invalid path, or a missing
// plugin); the client never retries those.
var ErrNotFound = errors.New("kbs: not found")

// Unwrap lets errors.Is(err, ErrNotFound) see 404s.
func (e *StatusError) Unwrap() error {
	if e.Status == http.StatusNotFound {
		return ErrNotFound
	}
	return nil
}

// New returns a client.
func New(opts Options) (*Client, error) {
	if opts.Attester == nil {
		return nil, errors.New("kbs client: an attester is required")
	}
	u, err := url.Parse(strings.TrimRight(opts.URL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("kbs client: invalid URL %q", opts.URL)
	}
	if opts.HandshakeAttempts <= 0 {
		opts.HandshakeAttempts = DefaultHandshakeAttempts
	}
	if opts.RetryDelay < 0 {
		opts.RetryDelay = 0
	} else if opts.RetryDelay == 0 {
		opts.RetryDelay = DefaultRetryDelay
	}
	if opts.ResourceAttempts <= 0 {
		opts.ResourceAttempts = DefaultResourceAttempts
	}
	if opts.MaxResponse <= 0 {
		opts.MaxResponse = DefaultMaxResponse
	}
	if opts.TokenMargin <= 0 {
		opts.TokenMargin = DefaultTokenMargin
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.KeyType == "" {
		opts.KeyType = jwe.KeyP256
	}
	c := &Client{opts: opts, base: u}
	if opts.HTTPClient != nil {
		c.hc = *opts.HTTPClient
	} else {
		c.hc = http.Client{Timeout: DefaultTimeout, Transport: transport(opts)}
	}
	// Never follow redirects: a KBS does not redirect, and following one
	// would send evidence and cookies elsewhere.
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

func transport(opts Options) *http.Transport {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs}
	if len(opts.PinnedCertSHA256) > 0 {
		pin := append([]byte(nil), opts.PinnedCertSHA256...)
		// The pin replaces chain verification (self-signed certificate);
		// the verification below is the whole check, so it must not pass
		// anything but the pinned leaf.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("kbs client: server sent no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
				return errors.New("kbs client: server certificate does not match the pinned fingerprint")
			}
			return nil
		}
	}
	return &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4}
}

// Token returns a valid attestation token, attesting when none is cached or
// the cached one expires within TokenMargin.
func (c *Client) Token(ctx context.Context) (string, error) {
	s, err := c.current(ctx, nil)
	if err != nil {
		return "", err
	}
	return s.token, nil
}

// TokenAndKey returns the token and the PKCS#8 PEM of the session's private
// key, for the guest API's /aa/token (upstream returns the key pair with the
// token). The key is a secret: never log it.
func (c *Client) TokenAndKey(ctx context.Context) (string, []byte, error) {
	s, err := c.current(ctx, nil)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(s.priv)
	if err != nil {
		return "", nil, fmt.Errorf("kbs client: encode key: %w", err)
	}
	return s.token, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// current returns a session with a valid token, running the handshake when
// needed. stale, when non-nil, is a session the caller saw refused: it is
// replaced even if its token looks valid.
func (c *Client) current(ctx context.Context, stale *session) (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.session; s != nil && s != stale && c.opts.Now().Add(c.opts.TokenMargin).Before(s.expiry) {
		return s, nil
	}
	s, err := c.handshakeWithRetry(ctx)
	if err != nil {
		return nil, err
	}
	c.session = s
	return s, nil
}

func (c *Client) handshakeWithRetry(ctx context.Context) (*session, error) {
	var last error
	for i := 0; i < c.opts.HandshakeAttempts; i++ {
		if i > 0 {
			t := time.NewTimer(c.opts.RetryDelay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		s, err := c.handshake(ctx)
		if err == nil {
			return s, nil
		}
		last = err
		if ctx.Err() != nil {
			// Cancelled while (or just after) an attempt failed: the
			// caller asked to stop, so that is the answer, with the
			// attempt's error for context.
			return nil, fmt.Errorf("kbs handshake: %w (last attempt: %v)", ctx.Err(), last)
		}
		if errors.Is(err, ErrNotFound) {
			break
		}
		c.opts.Logger.Warn("kbs handshake failed", "attempt", i+1, "error", err)
	}
	return nil, fmt.Errorf("kbs handshake: %w", last)
}

// handshake runs auth and attest once, with a fresh key and cookie jar.
func (c *Client) handshake(ctx context.Context) (*session, error) {
	priv, pub, err := jwe.GenerateKey(c.opts.KeyType)
	if err != nil {
		return nil, err
	}
	s, t, err := c.attest(ctx, priv, pub)
	if err != nil {
		return nil, err
	}
	c.last.Store(&Attestation{Time: c.opts.Now(), Status: worstStatus(t), Expiry: s.expiry})
	if s.expiry.IsZero() {
		// No exp: use it for this request only.
		s.expiry = c.opts.Now()
	}
	return s, nil
}

// PostAttested attests once with pub as the session's tee-pubkey (a key
// the caller holds, such as a CSR's: the evidence binds it, so what the
// session obtains is for that key only), then POSTs body to
// /kbs/v0/<path> in that session and returns the 200 body. Nothing is
// cached or retried: every call is a fresh attestation (the identity
// plugin's issuances and renewals).
func (c *Client) PostAttested(ctx context.Context, pub kbs.TeePubKey, path string, body []byte) ([]byte, error) {
	s, _, err := c.attest(ctx, nil, pub)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, s, path, http.MethodPost, path, body)
}

// attest runs auth and attest once in a new cookie jar, binding pub, and
// returns the session and its token's (unverified) claims; priv (nil when
// the caller holds the key) decrypts resources later.
func (c *Client) attest(ctx context.Context, priv any, pub kbs.TeePubKey) (*session, *ear.Token, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, nil, err
	}
	s := &session{jar: jar, priv: priv, pub: pub}

	ext, _ := json.Marshal(map[string]any{"supported-hash-algorithms": []string{"sha256", "sha384", "sha512"}})
	reqBody, _ := json.Marshal(kbs.Request{Version: kbs.ProtocolVersion, Tee: c.opts.Attester.Tee(), ExtraParams: ext})
	body, err := c.do(ctx, s, "auth", http.MethodPost, "auth", reqBody)
	if err != nil {
		return nil, nil, err
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(body, &ch); err != nil || ch.Nonce == "" {
		return nil, nil, errors.New("kbs auth: malformed challenge")
	}

	addl := ""
	reportData, err := kbs.ReportDataHash(ch.SelectedHashAlgorithm(), ch.Nonce, pub, addl)
	if err != nil {
		return nil, nil, fmt.Errorf("kbs auth: %w", err)
	}
	ev, err := c.opts.Attester.Evidence(ctx, reportData)
	if err != nil {
		return nil, nil, fmt.Errorf("kbs: get evidence: %w", err)
	}
	att := kbs.Attestation{
		InitData:    c.opts.InitData,
		RuntimeData: kbs.RuntimeData{Nonce: ch.Nonce, TeePubKey: pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev, AdditionalEvidence: addl},
	}
	attBody, err := json.Marshal(att)
	if err != nil {
		return nil, nil, fmt.Errorf("kbs: encode attestation: %w", err)
	}
	body, err = c.do(ctx, s, "attest", http.MethodPost, "attest", attBody)
	if err != nil {
		return nil, nil, err
	}
	var tr kbs.TokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.Token == "" {
		return nil, nil, errors.New("kbs attest: malformed token response")
	}
	t, err := ear.ParseUnverified(tr.Token)
	if err != nil {
		return nil, nil, fmt.Errorf("kbs attest: %w", err)
	}
	s.token = tr.Token
	s.expiry = t.Expiry
	return s, t, nil
}

// GetResource fetches and decrypts kbs:///repo/typ/tag. On 401 it re-runs
// the handshake and retries (ResourceAttempts in all); on 404 it gives up.
func (c *Client) GetResource(ctx context.Context, repo, typ, tag string) ([]byte, error) {
	for _, seg := range []string{repo, typ, tag} {
		if !kbs.ValidSegment(seg) {
			return nil, fmt.Errorf("kbs resource: invalid path segment %q: %w", seg, ErrNotFound)
		}
	}
	path := "resource/" + repo + "/" + typ + "/" + tag
	var stale *session
	var last error
	for i := 0; i < c.opts.ResourceAttempts; i++ {
		s, err := c.current(ctx, stale)
		if err != nil {
			return nil, err
		}
		body, err := c.do(ctx, s, "resource", http.MethodGet, path, nil)
		if err == nil {
			pt, err := jwe.Decrypt(s.priv, body)
			if err != nil {
				return nil, fmt.Errorf("kbs resource %s: %w", path, err)
			}
			return pt, nil
		}
		last = err
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
			return nil, err
		}
		stale = s // 401: attest again
	}
	return nil, last
}

// do sends one request within session s and returns the 200 body.
func (c *Client) do(ctx context.Context, s *session, op, method, path string, body []byte) ([]byte, error) {
	u := c.base.JoinPath("kbs", "v0")
	u.Path += "/" + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("kbs %s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.hc
	hc.Jar = s.jar
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kbs %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("kbs %s: read response: %w", op, err)
	}
	if int64(len(b)) > c.opts.MaxResponse {
		return nil, fmt.Errorf("kbs %s: response exceeds %d bytes", op, c.opts.MaxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		se := &StatusError{Op: op, Status: resp.StatusCode}
		if info, err := kbs.ParseErrorInfo(b); err == nil {
			info.Detail = truncate(info.Detail, 512)
			se.Info = info
		}
		return nil, se
	}
	return b, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
