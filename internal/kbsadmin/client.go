package kbsadmin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/refvalue"
)

// MaxAnswer bounds an answer the client reads (a collateral export is the
// largest).
const MaxAnswer = 64 << 20

// Client calls trustee's admin API with Ed25519 JWT bearer tokens (the
// same tokens upstream's kbs-client makes): trustee's CLI, cocofy,
// trustgate up and the dashboard use it. Answers are read up to 64 MiB;
// a non-200 answer is an *Error.
type Client struct {
	// URL is the trustee base URL (https://host:port, no /kbs/v0).
	URL string
	// Key signs the admin tokens.
	Key ed25519.PrivateKey
	// HTTP is the client; nil means one with system roots.
	HTTP *http.Client
	// TokenLifetime is each token's exp-iat (default 5 min).
	TokenLifetime time.Duration
}

// TLSOptions select how the admin client trusts the server certificate.
// With neither CACert nor CAPEM the system roots are trusted.
type TLSOptions struct {
	// CACert is a PEM file of trusted roots, e.g. trustee-data/tls.crt
	// (the self-signed certificate is its own CA).
	CACert string
	// CAPEM is trusted roots given as PEM (cocofy's --trustee-cert).
	CAPEM []byte
	// SystemRoots trusts the system roots too when CACert or CAPEM is set.
	SystemRoots bool
	// Insecure skips certificate verification. Development only.
	Insecure bool
}

// New loads the admin key (PKCS#8 PEM) from keyFile and builds a client
// for baseURL (https://host:port). An empty keyFile makes a client for the
// public endpoints only (TokenKey, TokenKeys, ImportKey, IdentityBundle).
func New(baseURL, keyFile string, t TLSOptions) (*Client, error) {
	var key ed25519.PrivateKey
	if keyFile != "" {
		kb, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("admin key: %w%s", err, KeyHint())
		}
		if key, err = ParseKey(kb); err != nil {
			return nil, err
		}
	}
	return NewWithKey(baseURL, key, t)
}

// NewWithKey is New with the admin key already parsed (ParseKey); nil
// means the public endpoints only.
func NewWithKey(baseURL string, key ed25519.PrivateKey, t TLSOptions) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid trustee URL %q: want https://host:port (what trustee serve printed, e.g. https://127.0.0.1:8080)", baseURL)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CACert != "" || len(t.CAPEM) > 0 {
		pool := x509.NewCertPool()
		if t.SystemRoots {
			if sys, err := x509.SystemCertPool(); err == nil {
				pool = sys
			}
		}
		if t.CACert != "" {
			pem, err := os.ReadFile(t.CACert)
			if err != nil {
				return nil, fmt.Errorf("--cacert: %w (trustee serve writes its certificate to DATA_DIR/tls.crt, ./trustee-data/tls.crt by default)", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA certificate %s: no PEM certificate", t.CACert)
			}
		}
		if len(t.CAPEM) > 0 && !pool.AppendCertsFromPEM(t.CAPEM) {
			return nil, fmt.Errorf("trustee certificate: no PEM certificate")
		}
		tc.RootCAs = pool
	}
	if t.Insecure {
		tc.InsecureSkipVerify = true //nolint:gosec // explicit --insecure, documented as development only
	}
	// The default transport's dial, TLS handshake and idle timeouts and
	// proxy settings; HTTP/1.1, as before the clients were one.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.ForceAttemptHTTP2 = false
	return &Client{URL: u.String(), Key: key, HTTP: &http.Client{Transport: tr}}, nil
}

func (c *Client) do(ctx context.Context, method, path, ctype string, body []byte) ([]byte, error) {
	return c.doLimit(ctx, method, path, ctype, body, MaxAnswer)
}

// doLimit is do with an answer of at most limit bytes (a whole number of
// MiB).
func (c *Client) doLimit(ctx context.Context, method, path, ctype string, body []byte, limit int) ([]byte, error) {
	resp, err := c.send(ctx, method, path, ctype, body, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%s %s: answer over %d MiB", method, path, limit>>20)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(method, path, resp.StatusCode, b)
	}
	return b, nil
}

func (c *Client) send(ctx context.Context, method, path, ctype string, body []byte, accept string) (*http.Response, error) {
	life := c.TokenLifetime
	if life <= 0 {
		life = 5 * time.Minute
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if c.Key != nil { // nil: the public endpoints (token-key, import-key)
		tok, err := NewToken(c.Key, time.Now(), life)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w%s", method, path, err, connectHint(err, c.URL))
	}
	return resp, nil
}

// connectHint says how to fix the usual reasons an admin call cannot
// reach trustee ("" when none applies).
func connectHint(err error, base string) string {
	var ua x509.UnknownAuthorityError
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &ua) || errors.As(err, &cv) && strings.Contains(cv.Error(), "unknown authority"):
		return "\nhint: trustee's certificate is not signed by a CA this machine trusts; pass --cacert PATH " +
			"(trustee serve wrote its self-signed certificate to trustee-data/tls.crt), or --insecure for a throw-away setup"
	case errors.As(err, &cv):
		return "\nhint: the server certificate does not match " + base + "; use the host name or address it was issued for, or pass --cacert PATH"
	case errors.As(err, &rh) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "\nhint: the server speaks plain HTTP (trustee serve --insecure-http): use --url " + strings.Replace(base, "https://", "http://", 1)
	case strings.Contains(err.Error(), "connection refused"):
		return "\nhint: nothing listens at " + base + ": is trustee serve running, and on this address (--listen)?"
	}
	return ""
}

// Error is a non-200 admin API answer.
type Error struct {
	Status int
	Info   kbs.ErrorInfo
	Op     string
	// Hint says how to fix a common mistake ("" when none applies).
	Hint string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	if e.Info.Type != "" {
		msg = fmt.Sprintf("%s: HTTP %d: %s: %s", e.Op, e.Status, e.Info.Variant(), e.Info.Detail)
	}
	if e.Hint != "" {
		msg += "\nhint: " + e.Hint
	}
	return msg
}

func statusError(method, path string, status int, body []byte) error {
	info, _ := kbs.ParseErrorInfo(body)
	if status == http.StatusBadRequest && bytes.Contains(body, []byte("HTTP request to an HTTPS server")) {
		return &Error{Status: status, Op: method + " " + path, Hint: "the server speaks HTTPS: use --url https://… (and --cacert trustee-data/tls.crt for its self-signed certificate)"}
	}
	e := &Error{Status: status, Info: info, Op: method + " " + path}
	if status == http.StatusUnauthorized && info.Variant() == "AdminAuth" {
		e.Hint = "the admin key is not one this trustee trusts (--key must be the private half of a key in its admin_public_keys; trustee serve made trustee-data/admin.key on first run)"
	}
	return e
}

func resourceURL(path string) (string, error) {
	p, err := kbs.ParseResourcePath(path)
	if err != nil {
		return "", fmt.Errorf("resource path %q: want REPO/TYPE/TAG with segments [A-Za-z0-9_-][A-Za-z0-9_.-]*", path)
	}
	return "/kbs/v0/resource/" + p.String(), nil
}

// SetResource stores value at REPO/TYPE/TAG.
func (c *Client) SetResource(ctx context.Context, path string, value []byte) error {
	u, err := resourceURL(path)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPost, u, "application/octet-stream", value)
	return err
}

// DeleteResource removes REPO/TYPE/TAG.
func (c *Client) DeleteResource(ctx context.Context, path string) error {
	u, err := resourceURL(path)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodDelete, u, "", nil)
	return err
}

// ListResources returns the resource names (never values).
func (c *Client) ListResources(ctx context.Context) ([]string, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/resources", "", nil)
	if err != nil {
		return nil, err
	}
	var l ResourceList
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("list resources: %w", err)
	}
	return l.Resources, nil
}

// SetResourcePolicy uploads Rego source as the resource policy.
func (c *Client) SetResourcePolicy(ctx context.Context, rego []byte) error {
	b, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString(rego)})
	_, err := c.do(ctx, http.MethodPost, "/kbs/v0/resource-policy", "application/json", b)
	return err
}

func decodePolicy(b []byte) ([]byte, error) {
	var p PolicyRequest
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("policy response: %w", err)
	}
	src, err := base64.RawURLEncoding.DecodeString(p.Policy)
	if err != nil {
		return nil, fmt.Errorf("policy response: %w", err)
	}
	return src, nil
}

// GetResourcePolicy returns the resource policy's Rego source.
func (c *Client) GetResourcePolicy(ctx context.Context) ([]byte, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/resource-policy", "", nil)
	if err != nil {
		return nil, err
	}
	return decodePolicy(b)
}

// SetAttestationPolicy uploads a Rego attestation policy under id
// ("default_cpu" is what the attestation service uses).
func (c *Client) SetAttestationPolicy(ctx context.Context, id string, rego []byte) error {
	b, _ := json.Marshal(PolicyRequest{Type: "rego", PolicyID: id, Policy: base64.RawURLEncoding.EncodeToString(rego)})
	_, err := c.do(ctx, http.MethodPost, "/kbs/v0/attestation-policy", "application/json", b)
	return err
}

// GetAttestationPolicy returns an attestation policy's Rego source.
func (c *Client) GetAttestationPolicy(ctx context.Context, id string) ([]byte, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/attestation-policy/"+url.PathEscape(id), "", nil)
	if err != nil {
		return nil, err
	}
	return decodePolicy(b)
}

// ListAttestationPolicies returns the server's JSON list of attestation
// policies as it answered it.
func (c *Client) ListAttestationPolicies(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/kbs/v0/attestation-policy", "", nil)
}

// RegisterReferenceValueFor sends a raw RVPS registration message whose
// values are for tee ("": any hardware TEE): an init_data digest must be
// bound in full by it (refvalue.ValidateInitDataDigest).
func (c *Client) RegisterReferenceValueFor(ctx context.Context, tee string, msg []byte) error {
	// Refuse here what the server would refuse, with the same words, and
	// without a round trip.
	if vals, _, err := refvalue.ParseMessage(msg, time.Now()); err == nil {
		if err := refvalue.ValidateValuesFor(tee, vals); err != nil {
			return err
		}
	}
	path := "/kbs/v0/reference-value"
	if tee != "" {
		path += "?tee=" + url.QueryEscape(tee)
	}
	_, err := c.do(ctx, http.MethodPost, path, "application/json", msg)
	return err
}

// SetReferenceValue registers values under name until exp (zero: the
// server's default, 12 months).
func (c *Client) SetReferenceValue(ctx context.Context, name string, values []any, exp time.Time) error {
	return c.SetReferenceValueFor(ctx, "", name, values, exp)
}

// SetReferenceValueFor is SetReferenceValue for values meant for tee
// ("": any hardware TEE).
func (c *Client) SetReferenceValueFor(ctx context.Context, tee, name string, values []any, exp time.Time) error {
	msg, err := refvalue.NewMessage(refvalue.Values{name: values}, exp)
	if err != nil {
		return err
	}
	return c.RegisterReferenceValueFor(ctx, tee, msg)
}

// GetReferenceValue returns a stored reference value.
func (c *Client) GetReferenceValue(ctx context.Context, name string) (refvalue.Entry, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/reference-value/"+url.PathEscape(name), "", nil)
	if err != nil {
		return refvalue.Entry{}, err
	}
	var e refvalue.Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return refvalue.Entry{}, fmt.Errorf("reference value: %w", err)
	}
	return e, nil
}

// ListReferenceValues returns every stored reference value.
func (c *Client) ListReferenceValues(ctx context.Context) ([]refvalue.Entry, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/reference-value", "", nil)
	if err != nil {
		return nil, err
	}
	var l []refvalue.Entry
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("reference values: %w", err)
	}
	return l, nil
}

// DeleteReferenceValue removes a reference value.
func (c *Client) DeleteReferenceValue(ctx context.Context, name string) error {
	_, err := c.do(ctx, http.MethodDelete, "/kbs/v0/reference-value/"+url.PathEscape(name), "", nil)
	return err
}

// Audit returns audit events after since (an event id or RFC 3339 time; "" all).
func (c *Client) Audit(ctx context.Context, since string, limit int) ([]audit.Event, error) {
	q := url.Values{}
	if since != "" {
		q.Set("since", since)
	}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/audit?"+q.Encode(), "", nil)
	if err != nil {
		return nil, err
	}
	var l AuditList
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return l.Events, nil
}

// FollowAudit streams audit events after since (an event id or RFC 3339
// time; "" from the beginning) to fn until ctx ends or fn fails. The
// server ends a stream when the admin token that opened it expires; the
// stream is then reopened with a fresh token after the last event
// received, so fn sees every event once.
func (c *Client) FollowAudit(ctx context.Context, since string, fn func(audit.Event) error) error {
	for {
		last, err := c.followOnce(ctx, since, fn)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if last > 0 {
			since = strconv.FormatInt(last, 10)
		}
		// Ended by the server (token expiry): reopen, not in a tight loop.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// followOnce reads one audit stream until the server ends it (nil error)
// and returns the id of the last event delivered.
func (c *Client) followOnce(ctx context.Context, since string, fn func(audit.Event) error) (int64, error) {
	var last int64
	q := url.Values{"follow": {"1"}}
	if since != "" {
		q.Set("since", since)
	}
	resp, err := c.send(ctx, http.MethodGet, "/kbs/v0/audit?"+q.Encode(), "", nil, "text/event-stream")
	if err != nil {
		return last, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return last, statusError("GET", "/kbs/v0/audit", resp.StatusCode, b)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		d, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e audit.Event
		if err := json.Unmarshal([]byte(d), &e); err != nil {
			return last, fmt.Errorf("audit stream: %w", err)
		}
		if err := fn(e); err != nil {
			return last, err
		}
		last = e.ID
	}
	if ctx.Err() != nil {
		return last, nil
	}
	if err := sc.Err(); err != nil {
		return last, fmt.Errorf("audit stream: %w", err)
	}
	return last, nil
}

// RotateKEK asks the server to re-encrypt the store under a new KEK and
// returns the new KEK id.
func (c *Client) RotateKEK(ctx context.Context) (string, error) {
	b, err := c.do(ctx, http.MethodPost, "/kbs/v0/admin/rotate-kek", "", nil)
	if err != nil {
		return "", err
	}
	var r struct {
		KEKID string `json:"kek_id"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return "", fmt.Errorf("rotate-kek: %w", err)
	}
	return r.KEKID, nil
}

// ExportCollateral returns the collateral cache as a bundle (JSON) and the
// number of entries in it.
func (c *Client) ExportCollateral(ctx context.Context) ([]byte, int, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/collateral", "", nil)
	if err != nil {
		return nil, 0, err
	}
	var bundle struct {
		Entries map[string]json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		return nil, 0, fmt.Errorf("collateral export: %w", err)
	}
	return b, len(bundle.Entries), nil
}

// ImportCollateral stores a collateral bundle (what ExportCollateral
// returned, possibly on another trustee) and returns the entries imported.
func (c *Client) ImportCollateral(ctx context.Context, bundle []byte) (int, error) {
	b, err := c.do(ctx, http.MethodPost, "/kbs/v0/collateral", "application/json", bundle)
	if err != nil {
		return 0, err
	}
	var r CollateralImportResult
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, fmt.Errorf("collateral import: %w", err)
	}
	return r.Imported, nil
}

// Import sends a cocofy offline bundle (plain JSON, or a compact JWE
// encrypted to this trustee's import key): its resources are stored and its
// reference values merged into the stored ones.
func (c *Client) Import(ctx context.Context, bundle []byte) (ImportResult, error) {
	ctype := "application/json"
	if t := bytes.TrimSpace(bundle); len(t) > 0 && t[0] != '{' {
		ctype = "application/jose"
	}
	b, err := c.do(ctx, http.MethodPost, "/kbs/v0/import", ctype, bundle)
	if err != nil {
		return ImportResult{}, err
	}
	var r ImportResult
	if err := json.Unmarshal(b, &r); err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	return r, nil
}

// TokenKey returns the PEM public key that verifies this trustee's
// attestation tokens (no admin key needed).
func (c *Client) TokenKey(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/kbs/v0/token-key", "", nil)
}

// MaxIdentityBundle bounds the identity trust bundle (a few CA
// certificates in PEM).
const MaxIdentityBundle = 1 << 20

// IdentityBundle returns the trust bundle of Trustee's identity CA, the
// PEM certificates that verify workload certificates (GET
// /kbs/v0/identity/bundle; public, no admin key needed). An answer over
// MaxIdentityBundle or without a certificate is an error.
func (c *Client) IdentityBundle(ctx context.Context) ([]byte, error) {
	b, err := c.doLimit(ctx, http.MethodGet, "/kbs/v0/identity/bundle", "", nil, MaxIdentityBundle)
	if err != nil {
		return nil, err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return nil, errors.New("identity bundle: no PEM certificate")
	}
	return b, nil
}

// IdentityIssued returns the workload certificates of Trustee's identity
// CA that are still valid, newest first (GET /kbs/v0/identity/issued).
func (c *Client) IdentityIssued(ctx context.Context) ([]IssuedCertificate, error) {
	b, err := c.do(ctx, http.MethodGet, "/kbs/v0/identity/issued", "", nil)
	if err != nil {
		return nil, err
	}
	var r struct {
		Certificates []IssuedCertificate `json:"certificates"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("identity issued: %w", err)
	}
	return r.Certificates, nil
}

// TokenKeys returns the JWKS of every key that verifies this trustee's
// tokens: the current one first, then the previous one while tokens it
// signed may still be valid (no admin key needed).
func (c *Client) TokenKeys(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/kbs/v0/token-keys", "", nil)
}

// RotateTokenKey makes a new token signing key and returns its kid and the
// previous key's kid (which verifies its tokens until they expire).
func (c *Client) RotateTokenKey(ctx context.Context) (kid, prevKid string, err error) {
	b, err := c.do(ctx, http.MethodPost, "/kbs/v0/admin/rotate-token-key", "", nil)
	if err != nil {
		return "", "", err
	}
	var r struct {
		Kid     string `json:"kid"`
		PrevKid string `json:"previous_kid"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return "", "", fmt.Errorf("rotate-token-key: %w", err)
	}
	return r.Kid, r.PrevKid, nil
}

// ImportKey returns the PEM public key that cocofy encrypts offline bundles
// to (`cocofy apply --offline --import-key`; no admin key needed).
func (c *Client) ImportKey(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/kbs/v0/import-key", "", nil)
}

// defaultAdminKey is where `trustee serve` writes the admin key on first
// run with the default data directory.
var defaultAdminKey = filepath.Join("trustee-data", "admin.key")

// KeyHint says where trustee serve wrote the admin key (a line starting
// with a newline, for an error about a missing or unreadable key).
func KeyHint() string {
	if _, err := os.Stat(defaultAdminKey); err == nil {
		return "\nhint: trustee serve wrote its admin key to " + defaultAdminKey + " (pass --key " + defaultAdminKey + ")"
	}
	return "\nhint: trustee serve writes the admin key to DATA_DIR/admin.key on first run (./trustee-data/admin.key by default; " +
		"trustgate up prints its path); pass it with --key or TRUSTEE_ADMIN_KEY"
}
