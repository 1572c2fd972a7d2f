package localapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// proxyHits counts requests that reached the proxy TestMain puts in the
// environment: the client must never send one there.
var proxyHits atomic.Int64

// TestMain sets HTTP_PROXY and HTTPS_PROXY before anything in this process
// reads them (net/http reads the environment once), so that every test
// here runs with a proxy configured.
func TestMain(m *testing.M) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxyHits.Add(1)
		io.WriteString(w, `{"tee":"via-proxy"}`)
	}))
	os.Setenv("HTTP_PROXY", proxy.URL)
	os.Setenv("HTTPS_PROXY", proxy.URL)
	os.Setenv("NO_PROXY", "")
	code := m.Run()
	proxy.Close()
	os.Exit(code)
}

// fakeSleep records the back-off delays instead of waiting.
type fakeSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.delays = append(f.delays, d)
	f.mu.Unlock()
	return ctx.Err()
}

// noJitter makes each delay the upper bound of its range.
func noJitter(n int64) int64 { return n - 1 }

func newClient(t *testing.T, url string, fs *fakeSleep, opts ...localapi.Option) *localapi.Client {
	t.Helper()
	opts = append([]localapi.Option{localapi.WithRetry(localapi.Retry{
		Attempts: 4, Backoff: localapi.Backoff{Min: 10 * time.Millisecond, Max: 25 * time.Millisecond, Rand: noJitter}, Sleep: fs.sleep,
	})}, opts...)
	c, err := localapi.New(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script answers the n-th request with statuses[n] (the last one repeats)
// and body on 200.
type script struct {
	statuses []int
	body     string
	n        atomic.Int64
	paths    sync.Map
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	s.paths.Store(r.Method+" "+r.URL.RequestURI(), true)
	st := s.statuses[min(i, len(s.statuses)-1)]
	if st != http.StatusOK {
		http.Error(w, "guest error text", st)
		return
	}
	io.WriteString(w, s.body)
}

// canary is a value that must never appear in an error: it stands for a
// secret resource or a TEE key in a 200 answer.
const canary = "CANARY-7f3a-secret"

func TestCalls(t *testing.T) {
	ms := 10 * time.Millisecond
	cases := []struct {
		name     string
		statuses []int
		body     string
		call     func(*localapi.Client) (string, error)
		wantPath string
		want     string
		kind     localapi.Kind
		status   int
		requests int64
		delays   []time.Duration
	}{
		{name: "resource", statuses: []int{200}, body: canary,
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "kbs:///default/tls/key")
				return string(b), err
			},
			wantPath: "GET /cdh/resource/default/tls/key", want: canary, requests: 1},
		{name: "resource bare path", statuses: []int{200}, body: "x",
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "default/tls/key")
				return string(b), err
			},
			wantPath: "GET /cdh/resource/default/tls/key", want: "x", requests: 1},
		{name: "resource bad URI, nothing sent", statuses: []int{200},
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "kbs:///a/../b")
				return string(b), err
			},
			kind: localapi.BadRequest, requests: 0},
		{name: "resource at the limit", statuses: []int{200}, body: strings.Repeat("a", 1<<20),
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return fmt.Sprint(len(b)), err
			},
			want: fmt.Sprint(1 << 20), requests: 1},
		{name: "resource over the limit", statuses: []int{200}, body: strings.Repeat("a", 1<<20) + canary,
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			kind: localapi.TooLarge, status: 200, requests: 1},
		{name: "503 while starting, then released", statuses: []int{503, 503, 200}, body: "v",
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			want: "v", requests: 3, delays: []time.Duration{ms, 2 * ms}},
		{name: "503 until the attempts run out", statuses: []int{503},
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			kind: localapi.Status, status: 503, requests: 4, delays: []time.Duration{ms, 2 * ms, 25 * time.Millisecond}},
		{name: "500 is the guest's answer: not retried", statuses: []int{500},
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			kind: localapi.Status, status: 500, requests: 1},
		{name: "404 not retried", statuses: []int{404},
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			kind: localapi.Status, status: 404, requests: 1},
		{name: "a redirect is not followed", statuses: []int{302},
			call: func(c *localapi.Client) (string, error) {
				b, err := c.GetResource(context.Background(), "a/b/c")
				return string(b), err
			},
			kind: localapi.Status, status: 302, requests: 1},
		{name: "token", statuses: []int{200}, body: `{"token":"t.` + canary + `","tee_keypair":"PEM"}`,
			call: func(c *localapi.Client) (string, error) {
				tk, err := c.KBSToken(context.Background())
				return tk.Token + "|" + tk.TeeKeypair, err
			},
			wantPath: "GET /aa/token?token_type=kbs", want: "t." + canary + "|PEM", requests: 1},
		{name: "token not JSON", statuses: []int{200}, body: `{"token":"` + canary,
			call: func(c *localapi.Client) (string, error) {
				tk, err := c.KBSToken(context.Background())
				return tk.Token, err
			},
			kind: localapi.Malformed, requests: 1},
		{name: "attestation", statuses: []int{200}, body: `{"tee":"snp","attested":true,"ear_status":"affirming"}`,
			call: func(c *localapi.Client) (string, error) {
				a, err := c.Attestation(context.Background())
				return fmt.Sprintf("%s %v %s", a.Tee, a.Attested, a.EARStatus), err
			},
			wantPath: "GET /trustgate/attestation", want: "snp true affirming", requests: 1},
		{name: "attestation over its 16 KiB limit", statuses: []int{200}, body: `{"tee":"` + strings.Repeat("a", 16<<10) + `"}`,
			call: func(c *localapi.Client) (string, error) {
				a, err := c.Attestation(context.Background())
				return a.Tee, err
			},
			kind: localapi.TooLarge, status: 200, requests: 1},
		{name: "image config", statuses: []int{200}, body: `{"image_security_policy_uri":"kbs:///default/p/1"}`,
			call: func(c *localapi.Client) (string, error) {
				ic, err := c.ImageConfig(context.Background())
				return ic.ImageSecurityPolicyURI, err
			},
			wantPath: "GET /trustgate/image-config", want: "kbs:///default/p/1", requests: 1},
		{name: "identity", statuses: []int{200}, body: `{"certificate_chain":"PEM","spiffe_id":"spiffe://t/x"}`,
			call: func(c *localapi.Client) (string, error) {
				cert, err := c.SignCSR(context.Background(), []byte("CSR"), []string{"a.example"})
				return cert.CertificateChain + " " + cert.SPIFFEID, err
			},
			wantPath: "POST /trustgate/identity/csr", want: "PEM spiffe://t/x", requests: 1},
		{name: "identity 503 retried", statuses: []int{503, 200}, body: `{"certificate_chain":"PEM"}`,
			call: func(c *localapi.Client) (string, error) {
				cert, err := c.SignCSR(context.Background(), []byte("CSR"), nil)
				return cert.CertificateChain, err
			},
			want: "PEM", requests: 2, delays: []time.Duration{ms}},
		{name: "identity refusal not retried", statuses: []int{403},
			call: func(c *localapi.Client) (string, error) {
				cert, err := c.SignCSR(context.Background(), []byte("CSR"), nil)
				return cert.CertificateChain, err
			},
			kind: localapi.Status, status: 403, requests: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: tc.statuses, body: tc.body}
			srv := httptest.NewServer(s)
			defer srv.Close()
			fs := &fakeSleep{}
			got, err := tc.call(newClient(t, srv.URL, fs))
			if tc.kind == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("got %.60q, %v; want %.60q", got, err, tc.want)
				}
			} else {
				if localapi.KindOf(err) != tc.kind || localapi.StatusOf(err) != map[bool]int{true: tc.status, false: 0}[tc.kind == localapi.Status] {
					t.Fatalf("err = %v (kind %v, status %d); want kind %v status %d", err, localapi.KindOf(err), localapi.StatusOf(err), tc.kind, tc.status)
				}
				if strings.Contains(err.Error(), canary) {
					t.Fatalf("the error carries the body: %v", err)
				}
			}
			if n := s.n.Load(); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.wantPath != "" {
				if _, ok := s.paths.Load(tc.wantPath); !ok {
					t.Errorf("no request %q", tc.wantPath)
				}
			}
			if fmt.Sprint(fs.delays) != fmt.Sprint(tc.delays) {
				t.Errorf("back-off delays %v, want %v", fs.delays, tc.delays)
			}
		})
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRefusedWhileStarting: a connection refused (the guest not listening
// yet) is retried with capped back-off, for a GET and a POST alike (the
// request was never sent), and reported as Unreachable in the end.
func TestRefusedWhileStarting(t *testing.T) {
	addr := closedAddr(t)
	for _, call := range []func(*localapi.Client) error{
		func(c *localapi.Client) error { _, err := c.GetResource(context.Background(), "a/b/c"); return err },
		func(c *localapi.Client) error {
			_, err := c.SignCSR(context.Background(), []byte("CSR"), nil)
			return err
		},
	} {
		fs := &fakeSleep{}
		err := call(newClient(t, "http://"+addr, fs))
		if localapi.KindOf(err) != localapi.Unreachable {
			t.Fatalf("err = %v, want Unreachable", err)
		}
		if want := "[10ms 20ms 25ms]"; fmt.Sprint(fs.delays) != want {
			t.Errorf("delays %v, want %s", fs.delays, want)
		}
	}

	// The guest comes up during the retries: the call succeeds.
	var calls atomic.Int64
	var srv *http.Server
	sleep := func(ctx context.Context, d time.Duration) error {
		if calls.Add(1) == 2 {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("address taken meanwhile: %v", err)
			}
			srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") })}
			go srv.Serve(ln)
		}
		return nil
	}
	c := newClient(t, "http://"+addr, &fakeSleep{}, localapi.WithRetry(localapi.Retry{Sleep: sleep}))
	b, err := c.GetResource(context.Background(), "a/b/c")
	if srv != nil {
		defer srv.Close()
	}
	if err != nil || string(b) != "up" || calls.Load() != 2 {
		t.Fatalf("got %q, %v after %d sleeps; want up after 2", b, err, calls.Load())
	}
}

// TestNoProxy: with HTTP_PROXY and HTTPS_PROXY set (TestMain), the client
// goes to the guest directly, for a loopback address and a name alike.
func TestNoProxy(t *testing.T) {
	// The control: a transport that honours the environment does go
	// through the proxy for a name, so the check below can fail.
	before := proxyHits.Load()
	ctl := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	if resp, err := ctl.Get("http://guest.invalid:8006/trustgate/attestation"); err == nil {
		resp.Body.Close()
	}
	if proxyHits.Load() != before+1 {
		t.Fatal("control: the environment's proxy is not in effect")
	}

	before = proxyHits.Load()
	c := newClient(t, "http://guest.invalid:8006", &fakeSleep{})
	a, err := c.Attestation(context.Background())
	if err == nil || a.Tee == "via-proxy" || localapi.KindOf(err) != localapi.Unreachable {
		t.Fatalf("attestation through a name: %+v, %v; want a direct (failed) lookup", a, err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"tee":"direct"}`) }))
	defer srv.Close()
	a, err = newClient(t, srv.URL, &fakeSleep{}).Attestation(context.Background())
	if err != nil || a.Tee != "direct" {
		t.Fatalf("loopback: %+v, %v", a, err)
	}
	if n := proxyHits.Load() - before; n != 0 {
		t.Fatalf("%d requests went through the proxy", n)
	}
}

// TestCancellation: the caller's context ends a call in flight and a
// back-off wait, reported as Canceled wrapping context.Canceled; the
// endpoint's own timeout ends a hanging call as Unreachable.
func TestCancellation(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	refusedURL := "http://" + closedAddr(t)
	cases := []struct {
		name string
		url  string
		opts []localapi.Option
		kind localapi.Kind
		is   error
	}{
		{"in flight", hang.URL, nil, localapi.Canceled, context.Canceled},
		{"during back-off", refusedURL, []localapi.Option{localapi.WithRetry(localapi.Retry{Attempts: 100, Backoff: localapi.Backoff{Min: time.Hour, Max: time.Hour}, Sleep: localapi.Sleep})}, localapi.Canceled, context.Canceled},
		{"endpoint timeout", hang.URL, []localapi.Option{localapi.WithLimits(localapi.EndpointResource, localapi.Limits{Timeout: 50 * time.Millisecond})}, localapi.Unreachable, context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := localapi.New(tc.url, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.kind == localapi.Canceled {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			done := make(chan error, 1)
			go func() { _, err := c.GetResource(ctx, "a/b/c"); done <- err }()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the call did not end")
			}
			if localapi.KindOf(err) != tc.kind || !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want kind %v wrapping %v", err, tc.kind, tc.is)
			}
		})
	}
}

// TestReason: a refusal's plain-text reason reaches the error, first line
// only, printable, bounded; another content type gives none.
func TestReason(t *testing.T) {
	cases := []struct {
		name, ctype, body, want string
	}{
		{"KBS refusal", "text/plain; charset=utf-8", "get resource kbs:///default/k/1: kbs: PolicyDeny: resource policy denied\n", "get resource kbs:///default/k/1: kbs: PolicyDeny: resource policy denied"},
		{"first line, controls dropped", "text/plain", "a\x1b[31mb\u00e9c\nsecond line", "a[31mbc"},
		{"bounded", "text/plain", strings.Repeat("x", 5000), strings.Repeat("x", localapi.MaxReason) + "..."},
		{"not plain text", "application/json", `{"detail":"x"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL, &fakeSleep{}).GetResource(context.Background(), "a/b/c")
			var e *localapi.Error
			if !errors.As(err, &e) || e.Reason != tc.want || e.Status != 500 {
				t.Fatalf("err = %#v, want reason %q", err, tc.want)
			}
			if tc.want != "" && !strings.HasSuffix(err.Error(), ": HTTP 500: "+tc.want) {
				t.Fatalf("Error() = %q", err.Error())
			}
		})
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	for _, u := range []string{"127.0.0.1:8006", "ftp://x", "http://", "http://u:p4ssw0rd@h", "http://h/?q=1"} {
		_, err := localapi.New(u)
		if err == nil {
			t.Errorf("New(%q) accepted", u)
		} else if strings.Contains(err.Error(), "p4ssw0rd") {
			t.Errorf("New(%q): the error shows the password: %v", u, err)
		}
	}
	c, err := localapi.New("")
	if err != nil || c.URL() != localapi.DefaultURL {
		t.Fatalf("default: %v, %v", c, err)
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		name     string
		min, max time.Duration
		rand     func(int64) int64
		want     string
	}{
		{"capped doubling, top of range", 100 * time.Millisecond, time.Second, noJitter, "[100ms 200ms 400ms 800ms 1s 1s]"},
		{"bottom of range: half the delay", 100 * time.Millisecond, time.Second, func(int64) int64 { return 0 }, "[50ms 100ms 200ms 400ms 500ms 500ms]"},
		{"max below min", time.Second, time.Millisecond, noJitter, "[1s 1s 1s 1s 1s 1s]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := localapi.Backoff{Min: tc.min, Max: tc.max, Rand: tc.rand}
			var got []time.Duration
			for range 6 {
				got = append(got, b.Next())
			}
			if fmt.Sprint(got) != tc.want {
				t.Fatalf("delays %v, want %s", got, tc.want)
			}
			b.Reset()
			if d := b.Next(); d != got[0] {
				t.Fatalf("after Reset: %v, want %v", d, got[0])
			}
		})
	}
	// The default jitter stays within [d/2, d].
	b := localapi.Backoff{Min: 100 * time.Millisecond, Max: 100 * time.Millisecond}
	for range 200 {
		if d := b.Next(); d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("jittered delay %v out of [50ms, 100ms]", d)
		}
	}
}

func TestKBSTokenNeverPrints(t *testing.T) {
	tk := localapi.KBSToken{Token: canary, TeeKeypair: canary}
	for _, s := range []string{fmt.Sprint(tk), fmt.Sprintf("%v %+v %#v %s", tk, tk, tk, tk)} {
		if strings.Contains(s, canary) {
			t.Fatalf("printed: %s", s)
		}
	}
}

// FuzzResourcePath: an accepted URI gives a path whose kbs:/// form gives
// the same path, with three segments and no traversal.
func FuzzResourcePath(f *testing.F) {
	f.Add("kbs:///a/b/c")
	f.Add("kbs://kbs.example:8080/default/key/tag")
	f.Add("a/b/c")
	f.Add("/a/b/c")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := localapi.ResourcePath(s)
		if err != nil {
			return
		}
		if again, err := localapi.ResourcePath("kbs:///" + p); err != nil || again != p {
			t.Fatalf("%q -> %q -> %q, %v", s, p, again, err)
		}
		segs := strings.Split(p, "/")
		if len(segs) != 3 {
			t.Fatalf("%q -> %q", s, p)
		}
		for _, seg := range segs {
			if seg == ".." || seg == "." || seg == "" || strings.ContainsAny(seg, "?#%\\\\ ") {
				t.Fatalf("%q -> %q", s, p)
			}
		}
	})
}

func TestSplitURL(t *testing.T) {
	cases := []struct {
		raw, prefix, base, rest string
		ok                      bool
	}{
		{"http://127.0.0.1:8006/cdh/resource/default/azure/connection-string", localapi.ResourcePrefix, "http://127.0.0.1:8006", "default/azure/connection-string", true},
		{"http://guest:8006/api/cdh/resource/a/b/c", localapi.ResourcePrefix, "http://guest:8006/api", "a/b/c", true},
		{"http://127.0.0.1:8006/trustgate/attestation", localapi.AttestationPath, "http://127.0.0.1:8006", "", true},
		{"http://127.0.0.1:8006/other", localapi.AttestationPath, "", "", false},
		{"http://127.0.0.1:8006/cdh/resource/a/b/c?x=1", localapi.ResourcePrefix, "", "", false},
		{"::", localapi.ResourcePrefix, "", "", false},
	}
	for _, tc := range cases {
		base, rest, err := localapi.SplitURL(tc.raw, tc.prefix)
		if (err == nil) != tc.ok || base != tc.base || rest != tc.rest {
			t.Errorf("SplitURL(%q) = %q, %q, %v", tc.raw, base, rest, err)
		}
	}
}
