package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vear "github.com/veraison/ear"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/attest"
	vsample "github.com/trustgate/trustgate/internal/attest/sample"
	asample "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
)

// fakeKBS is a minimal RCAR server built from this repository's libraries
// (the real server is internal/kbs/server); it lets the client be tested
// against real tokens, real JWE and real policy evaluation.
type fakeKBS struct {
	t        *testing.T
	svc      *as.Service
	verifier *ear.Verifier
	engine   *policy.Engine

	mu        sync.Mutex
	sessions  map[string]*fakeSession
	resources map[string][]byte
	policy    string

	auths, attests, gets, requests atomic.Int32
	// failAuth makes /auth answer 401 this many times.
	failAuth atomic.Int32
	// dropSessions forgets all sessions before each resource GET.
	dropSessions atomic.Bool
	// hugeResource answers resources with a body of this many bytes.
	hugeResource int
}

type fakeSession struct {
	tee, nonce, token string
}

var refs = map[string][]any{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {0}}

type rvMap map[string][]any

func (r rvMap) Query(_ context.Context, n string) ([]any, error) { return r[n], nil }

func newFakeKBS(t *testing.T, resourcePolicy string) *fakeKBS {
	// The sample verifier directly, not catalog.Build: these tests must
	// not depend on every other TEE package building.
	vs := map[string]attest.Verifier{attest.TeeSample: vsample.Verifier{}}
	k, _ := ear.GenerateKey()
	iss, _ := ear.NewIssuer(k, ear.Options{})
	eng := policy.NewEngine(rvMap(refs))
	svc, err := as.New(as.Config{Verifiers: vs, Engine: eng, Issuer: iss})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeKBS{t: t, svc: svc, verifier: ear.NewVerifier(iss.PublicKey()), engine: eng,
		sessions: map[string]*fakeSession{}, resources: map[string][]byte{}, policy: resourcePolicy}
}

func (f *fakeKBS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(io.LimitReader(r.Body, kbs.MaxBodySize))
	switch {
	case r.URL.Path == "/kbs/v0/auth" && r.Method == http.MethodPost:
		f.auths.Add(1)
		if f.failAuth.Load() > 0 {
			f.failAuth.Add(-1)
			kbs.WriteError(w, kbs.NewError(kbs.AttestationError, "try again"))
			return
		}
		req, err := kbs.DecodeRequest(body)
		if err != nil {
			kbs.WriteError(w, err)
			return
		}
		nb := make([]byte, 32)
		_, _ = rand.Read(nb)
		id := make([]byte, 16)
		_, _ = rand.Read(id)
		sid := hex.EncodeToString(id)
		s := &fakeSession{tee: req.Tee, nonce: base64.StdEncoding.EncodeToString(nb)}
		f.mu.Lock()
		f.sessions[sid] = s
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: kbs.SessionCookie, Value: sid, Expires: time.Now().Add(5 * time.Minute)})
		_ = json.NewEncoder(w).Encode(kbs.Challenge{Nonce: s.nonce, ExtraParams: ""})
	case r.URL.Path == "/kbs/v0/attest" && r.Method == http.MethodPost:
		f.attests.Add(1)
		s := f.session(r)
		if s == nil {
			kbs.WriteError(w, kbs.NewError(kbs.AttestationError, "no session"))
			return
		}
		a, err := kbs.DecodeAttestation(body)
		if err != nil {
			kbs.WriteError(w, err)
			return
		}
		res, err := f.svc.Attest(r.Context(), as.Request{Tee: s.tee, SessionNonce: s.nonce, Attestation: a})
		if err != nil {
			kbs.WriteError(w, err)
			return
		}
		f.mu.Lock()
		s.token = res.Token
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(kbs.TokenResponse{Token: res.Token})
	case strings.HasPrefix(r.URL.Path, "/kbs/v0/resource/") && r.Method == http.MethodGet:
		f.gets.Add(1)
		if f.dropSessions.Load() {
			f.mu.Lock()
			clear(f.sessions)
			f.mu.Unlock()
		}
		p, err := kbs.ParseResourcePath(strings.TrimPrefix(r.URL.EscapedPath(), "/kbs/v0/resource/"))
		if err != nil {
			kbs.WriteError(w, err)
			return
		}
		tok := f.token(w, r)
		if tok == nil {
			return
		}
		ok, err := f.engine.Allow(r.Context(), f.policy, tok.Claims, policy.Request{Plugin: "resource", Path: p.Segments()})
		if err != nil || !ok {
			kbs.WriteError(w, kbs.NewError(kbs.PolicyDeny, "Access denied by policy"))
			return
		}
		if f.hugeResource > 0 {
			_, _ = w.Write([]byte(strings.Repeat("a", f.hugeResource)))
			return
		}
		f.mu.Lock()
		val, found := f.resources[p.String()]
		f.mu.Unlock()
		if !found {
			kbs.WriteError(w, kbs.NewError(kbs.PluginInternal, "Plugin internal error"))
			return
		}
		key, err := tok.TeePubKey()
		if err != nil {
			kbs.WriteError(w, kbs.Errorf(kbs.JweError, "%v", err))
			return
		}
		out, err := jwe.Encrypt(key, val)
		if err != nil {
			kbs.WriteError(w, kbs.Errorf(kbs.JweError, "%v", err))
			return
		}
		_, _ = w.Write(out)
	case r.URL.Path == "/kbs/v0/echo-key" && r.Method == http.MethodPost:
		// A plugin that answers with the tee-pubkey its session's token
		// binds, and the body it was sent.
		tok := f.token(w, r)
		if tok == nil {
			return
		}
		key, _ := tok.TeePubKey()
		_ = json.NewEncoder(w).Encode(map[string]any{"key": key, "body": string(body)})
	default:
		kbs.WriteError(w, kbs.NewError(kbs.PluginNotFound, "Plugin not found"))
	}
}

// token verifies the token of r's session, or answers the refusal and
// returns nil.
func (f *fakeKBS) token(w http.ResponseWriter, r *http.Request) *ear.Token {
	s := f.session(r)
	if s == nil || s.token == "" {
		kbs.WriteError(w, kbs.NewError(kbs.TokenNotFound, "Attestation Token not found"))
		return nil
	}
	tok, err := f.verifier.Verify(s.token)
	if err != nil {
		kbs.WriteError(w, kbs.Errorf(kbs.TokenVerifierError, "%v", err))
		return nil
	}
	return tok
}

func (f *fakeKBS) session(r *http.Request) *fakeSession {
	c, err := r.Cookie(kbs.SessionCookie)
	if err != nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions[c.Value]
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newClient(t *testing.T, url string, mutate func(*Options)) *Client {
	t.Helper()
	o := Options{URL: url, Attester: &asample.Attester{}, RetryDelay: time.Millisecond, Logger: quiet}
	if mutate != nil {
		mutate(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGetResource(t *testing.T) {
	for _, kt := range []jwe.KeyType{jwe.KeyP256, jwe.KeyP521, jwe.KeyRSA} {
		t.Run(string(kt), func(t *testing.T) {
			f := newFakeKBS(t, "package policy\ndefault allow = true\n")
			f.resources["default/key/1"] = []byte("the secret")
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := newClient(t, srv.URL, func(o *Options) { o.KeyType = kt })
			for i := 0; i < 3; i++ {
				got, err := c.GetResource(context.Background(), "default", "key", "1")
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != "the secret" {
					t.Fatalf("got %q", got)
				}
			}
			// One handshake serves all requests while the token is valid.
			if f.auths.Load() != 1 || f.attests.Load() != 1 || f.gets.Load() != 3 {
				t.Fatalf("auth %d attest %d get %d", f.auths.Load(), f.attests.Load(), f.gets.Load())
			}
			tok, key, err := c.TokenAndKey(context.Background())
			if err != nil || tok == "" || !strings.Contains(string(key), "PRIVATE KEY") {
				t.Fatalf("TokenAndKey: %v", err)
			}
		})
	}
}

func TestRetryRules(t *testing.T) {
	tests := []struct {
		name                 string
		policy               string
		path                 [3]string
		setup                func(*fakeKBS)
		wantErr              bool
		notFound             bool
		auths, attests, gets int32
	}{
		// Policy denial is 401: re-attest and retry, three GETs in all.
		{name: "policy deny", policy: "package policy\ndefault allow = false\n", path: [3]string{"default", "key", "1"},
			wantErr: true, auths: 3, attests: 3, gets: 3},
		// Missing resource is 401 upstream too.
		{name: "missing resource", policy: "package policy\ndefault allow = true\n", path: [3]string{"default", "key", "none"},
			wantErr: true, auths: 3, attests: 3, gets: 3},
		// Sample TEE under the default resource policy: denied.
		{name: "default policy refuses sample", policy: policy.DefaultResourcePolicy(), path: [3]string{"default", "key", "1"},
			wantErr: true, auths: 3, attests: 3, gets: 3},
		// A lost session (server restart, expiry) is healed by one re-attestation.
		{name: "session lost once", policy: "package policy\ndefault allow = true\n", path: [3]string{"default", "key", "1"},
			setup: func(f *fakeKBS) { f.dropSessions.Store(true) }, wantErr: true, auths: 3, attests: 3, gets: 3},
		// Handshake failures are retried (five attempts in all).
		{name: "auth fails 4 times", policy: "package policy\ndefault allow = true\n", path: [3]string{"default", "key", "1"},
			setup: func(f *fakeKBS) { f.failAuth.Store(4) }, auths: 5, attests: 1, gets: 1},
		{name: "auth fails always", policy: "package policy\ndefault allow = true\n", path: [3]string{"default", "key", "1"},
			setup: func(f *fakeKBS) { f.failAuth.Store(100) }, wantErr: true, auths: 5, attests: 0, gets: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeKBS(t, tc.policy)
			f.resources["default/key/1"] = []byte("v")
			if tc.setup != nil {
				tc.setup(f)
			}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := newClient(t, srv.URL, nil)
			_, err := c.GetResource(context.Background(), tc.path[0], tc.path[1], tc.path[2])
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v", err)
			}
			if errors.Is(err, ErrNotFound) != tc.notFound {
				t.Fatalf("not found: %v", err)
			}
			if f.auths.Load() != tc.auths || f.attests.Load() != tc.attests || f.gets.Load() != tc.gets {
				t.Fatalf("auth %d attest %d get %d, want %d %d %d", f.auths.Load(), f.attests.Load(), f.gets.Load(), tc.auths, tc.attests, tc.gets)
			}
		})
	}
}

// 404 from the server is final: no second GET, no re-attestation.
func TestNotFoundIsFinal(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := newClient(t, srv.URL+"/wrongprefix", nil)
	_, err := c.GetResource(context.Background(), "a", "b", "c")
	var se *StatusError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &se) || se.Info.Variant() != kbs.PluginNotFound {
		t.Fatalf("err %v", err)
	}
	if f.requests.Load() != 1 {
		t.Fatalf("retried after 404: %d requests", f.requests.Load())
	}
	// Invalid segments never leave the client.
	c = newClient(t, srv.URL, nil)
	for _, p := range [][3]string{{"..", "b", "c"}, {"a", "b/c", "d"}, {"a", "", "c"}, {"a", "b", "c%2F"}} {
		if _, err := c.GetResource(context.Background(), p[0], p[1], p[2]); !errors.Is(err, ErrNotFound) {
			t.Errorf("%v: %v", p, err)
		}
	}
	if f.requests.Load() != 1 {
		t.Fatalf("client contacted the server for invalid paths")
	}
}

func TestTokenRenewal(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	srv := httptest.NewServer(f)
	defer srv.Close()
	var now atomic.Int64
	now.Store(time.Now().Unix())
	c := newClient(t, srv.URL, func(o *Options) { o.Now = func() time.Time { return time.Unix(now.Load(), 0) } })
	if _, ok := c.LastAttestation(); ok {
		t.Fatal("LastAttestation before any attestation")
	}
	t1, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The sample TEE with this fake's reference values: the token says
	// affirming, and the client reports exactly that.
	if a, ok := c.LastAttestation(); !ok || !a.Time.Equal(time.Unix(now.Load(), 0)) || a.Status != "affirming" || a.Expiry.IsZero() {
		t.Fatalf("LastAttestation after the first token: %+v %v", a, ok)
	}
	t2, _ := c.Token(context.Background())
	if t1 != t2 || f.auths.Load() != 1 {
		t.Fatal("token not cached")
	}
	// Shortly before expiry (TTL 5 min, margin 30 s) the token is renewed.
	now.Add(int64((ear.DefaultTTL - DefaultTokenMargin + time.Second) / time.Second))
	t3, err := c.Token(context.Background())
	if err != nil || t3 == t1 || f.auths.Load() != 2 {
		t.Fatalf("token not renewed: %v auths %d", err, f.auths.Load())
	}
	if a, _ := c.LastAttestation(); !a.Time.Equal(time.Unix(now.Load(), 0)) {
		t.Fatalf("LastAttestation not updated by the renewal: %+v", a)
	}
}

func TestResponseLimit(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	f.hugeResource = 64 << 10
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.MaxResponse = 16 << 10 })
	if _, err := c.GetResource(context.Background(), "a", "b", "c"); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("err %v", err)
	}
	// A body that is not a JWE is an error, not a panic.
	c = newClient(t, srv.URL, nil)
	if _, err := c.GetResource(context.Background(), "a", "b", "c"); err == nil {
		t.Fatal("accepted a non-JWE body")
	}
}

func TestTLS(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	f.resources["a/b/c"] = []byte("tls")
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	fp, err := FingerprintFromHex(strings.ToUpper(hex.EncodeToString(sum[:])))
	if err != nil {
		t.Fatal(err)
	}
	wrong := sum
	wrong[0] ^= 1
	tests := []struct {
		name string
		opt  func(*Options)
		ok   bool
	}{
		{"pinned", func(o *Options) { o.PinnedCertSHA256 = fp }, true},
		{"root ca", func(o *Options) { o.RootCAs = pool }, true},
		{"wrong pin", func(o *Options) { o.PinnedCertSHA256 = wrong[:] }, false},
		{"system roots", nil, false},
	}
	for _, tc := range tests {
		c := newClient(t, srv.URL, func(o *Options) {
			o.HandshakeAttempts = 1
			if tc.opt != nil {
				tc.opt(o)
			}
		})
		got, err := c.GetResource(context.Background(), "a", "b", "c")
		if (err == nil) != tc.ok || (tc.ok && string(got) != "tls") {
			t.Errorf("%s: %q %v", tc.name, got, err)
		}
	}
	for _, bad := range []string{"zz", "abcd", strings.Repeat("0", 62)} {
		if _, err := FingerprintFromHex(bad); err == nil {
			t.Errorf("fingerprint %q accepted", bad)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for _, o := range []Options{
		{URL: "http://x"},
		{URL: "ftp://x", Attester: &asample.Attester{}},
		{URL: "::", Attester: &asample.Attester{}},
		{URL: "https://", Attester: &asample.Attester{}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	f.failAuth.Store(100)
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.RetryDelay = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.auths.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := c.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

// FuzzServerResponses feeds arbitrary bodies to the client's decoders of
// server answers (challenge, token response, JWE, error body).
func FuzzServerResponses(f *testing.F) {
	f.Add([]byte(`{"nonce":"abc","extra-params":""}`), 200)
	f.Add([]byte(`{"token":"a.b.c"}`), 200)
	f.Add([]byte(`{"type":"https://github.com/confidential-containers/kbs/errors/PolicyDeny","detail":"x"}`), 401)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 200 || status > 599 {
			status = 200
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		defer srv.Close()
		c, err := New(Options{URL: srv.URL, Attester: &asample.Attester{}, RetryDelay: -1, HandshakeAttempts: 1, ResourceAttempts: 1, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetResource(context.Background(), "a", "b", "c"); err == nil {
			t.Fatal("resource from a server that cannot have produced one")
		}
	})
}

// A challenge selecting sha512 (as for se) makes the guest bind SHA-512.
func TestSelectedHashAlgorithm(t *testing.T) {
	var got []byte
	var want []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/kbs/v0/auth":
			_ = json.NewEncoder(w).Encode(kbs.Challenge{Nonce: "bm9uY2U=", ExtraParams: map[string]any{"selected-hash-algorithm": "sha512"}})
		case "/kbs/v0/attest":
			a, err := kbs.DecodeAttestation(body)
			if err != nil {
				kbs.WriteError(w, err)
				return
			}
			var ev struct {
				ReportData string `json:"report_data"`
			}
			_ = json.Unmarshal(a.TeeEvidence.PrimaryEvidence, &ev)
			got, _ = base64.StdEncoding.DecodeString(ev.ReportData)
			want, _ = kbs.ReportDataHash("sha512", a.RuntimeData.Nonce, a.RuntimeData.TeePubKey, "")
			kbs.WriteError(w, kbs.NewError(kbs.AttestationError, "stop here"))
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.HandshakeAttempts = 1 })
	if _, err := c.Token(context.Background()); err == nil {
		t.Fatal("token from a server that refused")
	}
	if len(got) != 64 || string(got) != string(want) {
		t.Fatalf("bound %x, want %x", got, want)
	}
}

// Tokens, keys and resource values never reach the client's log.
func TestNoSecretsInLogs(t *testing.T) {
	f := newFakeKBS(t, "package policy\ndefault allow = true\n")
	f.resources["default/key/1"] = []byte("CANARY-5f1e-SECRET")
	f.failAuth.Store(2)
	srv := httptest.NewServer(f)
	defer srv.Close()
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, func(o *Options) { o.Logger = logger })
	v, err := c.GetResource(context.Background(), "default", "key", "1")
	if err != nil || string(v) != "CANARY-5f1e-SECRET" {
		t.Fatalf("%q %v", v, err)
	}
	tok, key, _ := c.TokenAndKey(context.Background())
	_, _ = c.GetResource(context.Background(), "default", "key", "missing")
	mu.Lock()
	defer mu.Unlock()
	logs := buf.String()
	if !strings.Contains(logs, "handshake failed") {
		t.Fatalf("expected retry warnings, got %q", logs)
	}
	for _, secret := range []string{"CANARY-5f1e-SECRET", tok, string(key)} {
		if strings.Contains(logs, secret) {
			t.Fatalf("secret in logs")
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWorstStatus(t *testing.T) {
	tier := func(v vear.TrustTier) *vear.Appraisal { return &vear.Appraisal{Status: &v} }
	for _, tc := range []struct {
		submods map[string]*vear.Appraisal
		want    string
	}{
		{nil, ""},
		{map[string]*vear.Appraisal{"cpu": {}}, ""},
		{map[string]*vear.Appraisal{"cpu": tier(vear.TrustTierAffirming)}, "affirming"},
		{map[string]*vear.Appraisal{"a": tier(vear.TrustTierAffirming), "b": tier(vear.TrustTierWarning)}, "warning"},
		{map[string]*vear.Appraisal{"a": tier(vear.TrustTierContraindicated), "b": tier(vear.TrustTierWarning), "c": nil}, "contraindicated"},
		{map[string]*vear.Appraisal{"a": tier(vear.TrustTierNone)}, "none"},
	} {
		tok := &ear.Token{Result: vear.AttestationResult{Submods: tc.submods}}
		if got := worstStatus(tok); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.submods, got, tc.want)
		}
	}
}

// TestPostAttested: the session binds the caller's key (not one the client
// made), every call attests afresh, and a refusal is a *StatusError.
func TestPostAttested(t *testing.T) {
	f := newFakeKBS(t, "")
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	for i := range 2 {
		_, pub, err := jwe.GenerateKey(jwe.KeyP256)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.PostAttested(context.Background(), pub, "echo-key", []byte(`{"csr":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Key  kbs.TeePubKey
			Body string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(pub)
		have, _ := json.Marshal(got.Key)
		if string(have) != string(want) || got.Body != `{"csr":"x"}` {
			t.Fatalf("call %d: the session bound %s (want %s), body %q", i, have, want, got.Body)
		}
		if n := f.attests.Load(); n != int32(i+1) {
			t.Fatalf("call %d: %d attestations, want one per call", i, n)
		}
	}
	if _, ok := c.LastAttestation(); ok {
		t.Fatal("PostAttested's attestation became the client's cached one")
	}
	_, pub, _ := jwe.GenerateKey(jwe.KeyP256)
	_, err := c.PostAttested(context.Background(), pub, "no-such-plugin", nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || se.Op != "no-such-plugin" {
		t.Fatalf("refusal: %v", err)
	}
}
