// Package localapi is the one client of the guest's local API: upstream's
// API Server REST on 127.0.0.1:8006 (resources, the KBS token) and
// trustgate's extensions (attestation summary, image settings, workload
// certificates), served by internal/guest. The tls-sidecar, the
// de-identification web app, `guest image`, imagesig and the beacon all
// use it, so that the limits, transport and retry live in one place:
//
//   - a transport that never uses a proxy: the API is on loopback, and a
//     resource it answers is a secret that HTTP(S)_PROXY must not see;
//   - a timeout and a response-size limit per endpoint (Limits);
//   - retry with capped exponential back-off and jitter for transient
//     failures only (connection refused while the guest starts, 503);
//   - typed errors (*Error) that never carry the body of a 200 answer (a
//     secret); of a refusal they keep the guest's short plain-text reason.
//
// It imports nothing of the guest daemon, so a workload binary that uses
// it does not link the attesters or the KBS client.
package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trustgate/trustgate/internal/sealed"
)

// DefaultURL is where the guest serves its local API.
const DefaultURL = "http://127.0.0.1:8006"

// The API's paths (wire-compat §6 and trustgate's extensions).
const (
	// ResourcePrefix + "repo/type/tag": GET a KBS resource (raw bytes).
	ResourcePrefix = "/cdh/resource/"
	// TokenPath: GET ?token_type=kbs → {"token","tee_keypair"}.
	TokenPath = "/aa/token"
	// AttestationPath: GET a read-only summary of where the workload runs
	// (Attestation). It carries no token, key or secret.
	AttestationPath = "/trustgate/attestation"
	// ImageConfigPath: GET the daemon's image settings (ImageConfig).
	ImageConfigPath = "/trustgate/image-config"
	// IdentityPath: POST {"csr","dns_names"} → a workload certificate
	// from Trustee's identity CA, through a fresh attestation that binds
	// the CSR's key (docs/tls-sidecar.md).
	IdentityPath = "/trustgate/identity/csr"
)

// Endpoint names an endpoint of the API, for Limits and errors.
type Endpoint string

// The endpoints this client calls.
const (
	EndpointResource    Endpoint = "resource"
	EndpointToken       Endpoint = "token"
	EndpointAttestation Endpoint = "attestation"
	EndpointImageConfig Endpoint = "image-config"
	EndpointIdentity    Endpoint = "identity"
)

// Limits bound one endpoint's calls.
type Limits struct {
	// MaxBytes is the largest answer accepted; a larger one is an error
	// of kind TooLarge, never truncated.
	MaxBytes int64
	// Timeout bounds the whole call, retries included.
	Timeout time.Duration
}

// DefaultLimits returns endpoint e's limits unless WithLimits changes them.
func DefaultLimits(e Endpoint) Limits { return defaultLimits[e] }

var defaultLimits = map[Endpoint]Limits{
	// Certificates, keys, policies, connection strings.
	EndpointResource: {MaxBytes: 1 << 20, Timeout: 30 * time.Second},
	// A token and a PEM key pair (an RSA-4096 key and a large EAR fit).
	EndpointToken: {MaxBytes: 256 << 10, Timeout: 30 * time.Second},
	// A few hundred bytes of local state: answered at once or not at all.
	EndpointAttestation: {MaxBytes: 16 << 10, Timeout: 2 * time.Second},
	EndpointImageConfig: {MaxBytes: 64 << 10, Timeout: 30 * time.Second},
	// A certificate chain; the guest attests to Trustee first.
	EndpointIdentity: {MaxBytes: 1 << 20, Timeout: 30 * time.Second},
}

// Retry is the policy for transient failures: the guest not listening yet
// (connection refused) and 503. Nothing else is retried: a 4xx or 500 is
// the guest's answer, and a request that may have reached it is not sent
// twice.
type Retry struct {
	// Attempts is how many times a call is tried (default 5; 1 disables
	// retry).
	Attempts int
	// Backoff spaces the attempts (default 100 ms doubling to 2 s).
	Backoff Backoff
	// Sleep waits d or until ctx ends (default: a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// defaultRetry is the retry policy unless WithRetry changes it.
var defaultRetry = Retry{Attempts: 5, Backoff: Backoff{Min: 100 * time.Millisecond, Max: 2 * time.Second}}

// Client calls one guest's local API. It is safe for concurrent use, and
// cheap: every Client shares one transport.
type Client struct {
	base   string
	hc     *http.Client
	limits map[Endpoint]Limits
	retry  Retry
}

// Option configures a Client.
type Option func(*Client)

// WithLimits replaces the limits of endpoint e; a zero field keeps its
// default.
func WithLimits(e Endpoint, l Limits) Option {
	return func(c *Client) {
		cur := c.limits[e]
		if l.MaxBytes > 0 {
			cur.MaxBytes = l.MaxBytes
		}
		if l.Timeout > 0 {
			cur.Timeout = l.Timeout
		}
		c.limits[e] = cur
	}
}

// WithRetry replaces the retry policy; zero fields keep the defaults.
func WithRetry(r Retry) Option {
	return func(c *Client) {
		if r.Attempts > 0 {
			c.retry.Attempts = r.Attempts
		}
		if r.Backoff.Min > 0 {
			c.retry.Backoff.Min = r.Backoff.Min
		}
		if r.Backoff.Max > 0 {
			c.retry.Backoff.Max = r.Backoff.Max
		}
		if r.Backoff.Rand != nil {
			c.retry.Backoff.Rand = r.Backoff.Rand
		}
		if r.Sleep != nil {
			c.retry.Sleep = r.Sleep
		}
	}
}

// New returns a client of the local API at baseURL (DefaultURL when "";
// an http or https URL, any path below which the API is served).
func New(baseURL string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("guest local API %s: want an http(s) URL such as %s, without credentials", redacted(baseURL), DefaultURL)
	}
	c := &Client{base: strings.TrimRight(u.String(), "/"), hc: newHTTPClient(), limits: map[Endpoint]Limits{}, retry: defaultRetry}
	for e, l := range defaultLimits {
		c.limits[e] = l
	}
	for _, o := range opts {
		o(c)
	}
	if c.retry.Sleep == nil {
		c.retry.Sleep = Sleep
	}
	return c, nil
}

// URL is the base URL the client calls.
func (c *Client) URL() string { return c.base }

// transport is the one transport of every Client: no proxy, and bounded
// dial and handshake waits below the per-call timeouts. Clients share it,
// so a Client per call costs no connection.
var transport = &http.Transport{
	Proxy:                  nil,
	DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:    10 * time.Second,
	MaxResponseHeaderBytes: 64 << 10,
	MaxIdleConnsPerHost:    4,
	IdleConnTimeout:        90 * time.Second,
	ExpectContinueTimeout:  time.Second,
}

// newHTTPClient follows no redirect: the guest never redirects, and
// following one would send the request elsewhere.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SplitURL splits the full URL of an endpoint (as a flag such as the web
// app's --secret-url names one) at the endpoint's path or prefix: the API's
// base URL, and what follows the prefix ("repo/type/tag" after
// ResourcePrefix, "" after AttestationPath).
func SplitURL(raw, prefix string) (base, rest string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("guest local API URL %s: want %s…%s", redacted(raw), DefaultURL, prefix)
	}
	i := strings.LastIndex(u.Path, prefix)
	if i < 0 {
		return "", "", fmt.Errorf("guest local API URL %s: want %s…%s", redacted(raw), DefaultURL, prefix)
	}
	rest = u.Path[i+len(prefix):]
	u.Path, u.RawPath = u.Path[:i], ""
	return u.String(), rest, nil
}

// redacted quotes raw without its password, for messages.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return strconv.Quote(u.Redacted())
}

// ResourcePath turns `kbs:///repo/type/tag`, `kbs://host/repo/type/tag` or
// `repo/type/tag` into "repo/type/tag", each segment checked by the KBS
// rule (the guest answers 404 for anything else).
func ResourcePath(uri string) (string, error) {
	s := uri
	if !strings.HasPrefix(s, "kbs://") {
		s = "kbs:///" + strings.TrimPrefix(s, "/")
	}
	u, err := sealed.ParseResourceURI(s)
	if err != nil {
		return "", err
	}
	return u.Path(), nil
}

// GetResource returns the KBS resource uri (see ResourcePath) that the
// guest releases after attestation.
func (c *Client) GetResource(ctx context.Context, uri string) ([]byte, error) {
	p, err := ResourcePath(uri)
	if err != nil {
		return nil, &Error{Endpoint: EndpointResource, Kind: BadRequest, Err: err}
	}
	b, err := c.do(ctx, EndpointResource, "kbs:///"+p, http.MethodGet, ResourcePrefix+p, nil)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// KBSToken is the guest's KBS attestation token and the TEE key pair bound
// into it. Its String never shows either.
type KBSToken struct {
	Token      string `json:"token"`
	TeeKeypair string `json:"tee_keypair"` // PKCS#8 PEM private key
}

// String keeps the token and key out of logs and %v.
func (KBSToken) String() string { return "localapi.KBSToken{…}" }

// GoString keeps them out of %#v.
func (t KBSToken) GoString() string { return t.String() }

// KBSToken returns the guest's current KBS token (GET /aa/token?token_type=kbs).
func (c *Client) KBSToken(ctx context.Context) (KBSToken, error) {
	var t KBSToken
	err := c.getJSON(ctx, EndpointToken, TokenPath+"?token_type=kbs", &t)
	return t, err
}

// Attestation is the body of GET AttestationPath.
type Attestation struct {
	// Tee is the TEE the guest attests as ("sample" proves nothing).
	Tee string `json:"tee"`
	// InitDataAlgorithm and InitDataDigest (lower-case hex): the initdata
	// bound at launch; empty when the guest runs without initdata.
	InitDataAlgorithm string `json:"init_data_algorithm,omitempty"`
	InitDataDigest    string `json:"init_data_digest,omitempty"`
	// Attested is false until an attestation gave a token (the guest
	// attests when a workload first asks for a resource or a token).
	Attested bool `json:"attested"`
	// LastAttestation is when the last token was received (RFC 3339, UTC).
	LastAttestation *time.Time `json:"last_attestation,omitempty"`
	// EARStatus is that token's ear.status (read, not verified, by the
	// guest: for display only).
	EARStatus string `json:"ear_status,omitempty"`
}

// Attestation returns the guest's attestation summary.
func (c *Client) Attestation(ctx context.Context) (Attestation, error) {
	var a Attestation
	err := c.getJSON(ctx, EndpointAttestation, AttestationPath, &a)
	return a, err
}

// ImageConfig is the body of GET ImageConfigPath. An empty URI means no
// image policy is configured.
type ImageConfig struct {
	ImageSecurityPolicyURI string `json:"image_security_policy_uri"`
}

// ImageConfig returns the daemon's image settings.
func (c *Client) ImageConfig(ctx context.Context) (ImageConfig, error) {
	var ic ImageConfig
	err := c.getJSON(ctx, EndpointImageConfig, ImageConfigPath, &ic)
	return ic, err
}

// CertificateRequest is the body of POST IdentityPath (Trustee's too).
type CertificateRequest struct {
	CSR      string   `json:"csr"`
	DNSNames []string `json:"dns_names,omitempty"`
}

// Certificate is the answer of POST IdentityPath (Trustee's too).
type Certificate struct {
	CertificateChain string    `json:"certificate_chain"` // PEM, leaf first
	SPIFFEID         string    `json:"spiffe_id"`
	NotAfter         time.Time `json:"not_after"`
}

// SignCSR has Trustee's identity CA certify the key of csrPEM through a
// fresh attestation of this TEE. Only the CSR (public key and signature)
// is sent; the caller keeps the private key.
func (c *Client) SignCSR(ctx context.Context, csrPEM []byte, dnsNames []string) (Certificate, error) {
	body, err := json.Marshal(CertificateRequest{CSR: string(csrPEM), DNSNames: dnsNames})
	if err != nil {
		return Certificate{}, &Error{Endpoint: EndpointIdentity, Kind: BadRequest, Err: err}
	}
	b, err := c.do(ctx, EndpointIdentity, "", http.MethodPost, IdentityPath, body)
	if err != nil {
		return Certificate{}, err
	}
	var cert Certificate
	if json.Unmarshal(b, &cert) != nil {
		return Certificate{}, &Error{Endpoint: EndpointIdentity, Kind: Malformed}
	}
	return cert, nil
}

func (c *Client) getJSON(ctx context.Context, e Endpoint, path string, v any) error {
	b, err := c.do(ctx, e, "", http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	// The decoder's error can quote the body: it is not kept.
	if json.Unmarshal(b, v) != nil {
		return &Error{Endpoint: e, Kind: Malformed}
	}
	return nil
}

// do runs one call: attempts spaced by the back-off while the failure is
// transient, within the endpoint's timeout.
func (c *Client) do(ctx context.Context, e Endpoint, resource, method, path string, body []byte) ([]byte, error) {
	lim := c.limits[e]
	callCtx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	fail := func(k Kind, a answer, attempts int, err error) *Error {
		if ctx.Err() != nil {
			k, err = Canceled, ctx.Err()
		}
		return &Error{Endpoint: e, Resource: resource, Kind: k, Status: a.status, Reason: a.reason, Attempts: attempts, Err: err}
	}
	bo := c.retry.Backoff
	for attempt := 1; ; attempt++ {
		a, err := c.once(callCtx, method, path, body, lim.MaxBytes)
		switch {
		case err == nil && a.status == http.StatusOK:
			return a.body, nil
		case errors.Is(err, errTooLarge):
			return nil, fail(TooLarge, a, attempt, nil)
		case err == nil && a.status != http.StatusServiceUnavailable:
			return nil, fail(Status, a, attempt, nil)
		case err != nil && !refused(err):
			return nil, fail(Unreachable, answer{}, attempt, err)
		}
		// Transient: refused (the request never reached the guest) or 503.
		if attempt >= c.retry.Attempts {
			if err != nil {
				return nil, fail(Unreachable, answer{}, attempt, err)
			}
			return nil, fail(Status, a, attempt, nil)
		}
		if serr := c.retry.Sleep(callCtx, bo.Next()); serr != nil {
			return nil, fail(Unreachable, a, attempt, serr)
		}
	}
}

// answer is one response: the body of a 200, the reason of another.
type answer struct {
	status int
	body   []byte
	reason string
}

var errTooLarge = errors.New("answer too large")

// once sends one request and reads at most max bytes of a 200 answer.
func (c *Client) once(ctx context.Context, method, path string, body []byte, max int64) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the Error already
		}
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		// The guest's error text, read within a small bound; the rest is
		// drained so that the connection can be reused.
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		a.reason = reason(resp.Header.Get("Content-Type"), head)
		return a, nil
	}
	if resp.ContentLength > max {
		return a, errTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return a, err
	}
	if int64(len(b)) > max {
		return a, errTooLarge
	}
	a.body = b
	return a, nil
}

// refused reports a connection refused: the guest is not listening (yet),
// so the request was never sent and retrying is safe for any method.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// Backoff yields capped exponential delays with jitter: the n-th delay is
// drawn from [d/2, d] where d = min(Min·2ⁿ, Max). Its zero value plus Min
// and Max is ready; it is not safe for concurrent use (copy it per loop).
type Backoff struct {
	Min, Max time.Duration
	// Rand returns a value in [0, n) (default math/rand/v2's Int64N).
	Rand func(n int64) int64
	cur  time.Duration
}

// Next returns the next delay.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi < lo {
		hi = lo
	}
	if b.cur == 0 {
		b.cur = lo
	} else {
		b.cur = min(2*b.cur, hi)
	}
	r := b.Rand
	if r == nil {
		r = rand.Int64N
	}
	half := b.cur / 2
	return b.cur - half + time.Duration(r(int64(half)+1))
}

// Sleep waits d, or returns ctx's error when it ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
