package webapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/testenv"
)

// Canary PHI: values that appear in test notes and must never appear in any
// log line written during the whole test run (checked in TestMain).
var canaries = []string{"Quackenbush", "Zebulon", "Kalamazoo", "CANARY-MRN-99173", "rosebud", "555-867-5309"}

const canaryNote = "Patient Zebulon Quackenbush (MRN CANARY-MRN-99173) was seen on 2023-05-12 in Kalamazoo.\n" +
	"Call 555-867-5309 to follow up. He asked about rosebud again."

// logs collects every log line of the test run.
var logs syncBuffer

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var testLogger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

func TestMain(m *testing.M) {
	slog.SetDefault(testLogger)
	code := m.Run()
	out := logs.String()
	for _, c := range canaries {
		if strings.Contains(out, c) {
			fmt.Fprintf(os.Stderr, "FAIL: canary PHI %q found in the logs of this test run\n", c)
			code = 1
		}
	}
	if code == 0 && testing.Verbose() && !strings.Contains(out, "note approved and uploaded") {
		// The check above is only meaningful if the flows actually logged.
		fmt.Fprintln(os.Stderr, "note: no approval was logged in this run (integration tests skipped?)")
	}
	if os.Getenv("WEBAPP_DUMP_LOGS") != "" {
		os.WriteFile(os.Getenv("WEBAPP_DUMP_LOGS"), []byte(out), 0o600)
	}
	os.Exit(code)
}

// fakeGuest serves the guest local API's resource route: 404 until released,
// then the connection string. The real guest daemon is another component;
// this stands in for its documented HTTP contract only.
type fakeGuest struct {
	released atomic.Bool
	conn     string
	hits     atomic.Int64
	srv      *httptest.Server
}

func newFakeGuest(t *testing.T, conn string) *fakeGuest {
	g := &fakeGuest{conn: conn}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.hits.Add(1)
		if r.URL.Path != "/cdh/resource/default/azure/connection-string" {
			http.NotFound(w, r)
			return
		}
		if !g.released.Load() {
			http.Error(w, "resource not released: attestation pending", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, g.conn+"\n")
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGuest) url() string { return g.srv.URL + "/cdh/resource/default/azure/connection-string" }

type app struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	client *http.Client
	csrf   string
	store  blobstore.Store
}

// startApp runs the app against a store: real Azurite when azure is true,
// else a temp directory (opened only after the secret is released).
func startApp(t *testing.T, cfg Config, azure bool) *app {
	t.Helper()
	// Go's cookie jar keeps Secure cookies away from plain-HTTP test servers.
	cfg.InsecureCookie = true
	return startAppCookie(t, cfg, azure)
}

// startAppCookie is startApp keeping cfg.InsecureCookie (the browser test
// checks that Chromium accepts the Secure __Host- cookie on loopback).
func startAppCookie(t *testing.T, cfg Config, azure bool) *app {
	t.Helper()
	a := &app{t: t}
	if azure {
		conn := testenv.Require(t, testenv.AzuriteConn)
		if cfg.SecretURL == "" && cfg.ConnectionString == "" {
			cfg.ConnectionString = conn
		}
		cfg.Container = fmt.Sprintf("deid-test-%d", time.Now().UnixNano())
	} else {
		dir := t.TempDir()
		if cfg.SecretURL == "" && cfg.ConnectionString == "" {
			cfg.ConnectionString = "dir-store"
		}
		if cfg.OpenStore == nil {
			cfg.OpenStore = func(ctx context.Context, conn string) (blobstore.Store, error) {
				return blobstore.NewDir(dir)
			}
		}
	}
	cfg.Logger = testLogger
	if cfg.RetryMin == 0 {
		cfg.RetryMin, cfg.RetryMax = 20*time.Millisecond, 100*time.Millisecond
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.srv = srv
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv.Start(ctx)
	a.ts = httptest.NewUnstartedServer(srv.Handler())
	a.ts.Config.ErrorLog = slog.NewLogLogger(testLogger.Handler(), slog.LevelWarn)
	a.ts.Start()
	t.Cleanup(a.ts.Close)
	jar, _ := cookiejar.New(nil)
	a.client = &http.Client{Jar: jar, Timeout: 60 * time.Second}
	return a
}

func (a *app) waitReady() {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !a.srv.Ready() {
		if time.Now().After(deadline) {
			_, reason := a.srv.gate.status()
			a.t.Fatalf("app not ready: %s", reason)
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.store = a.srv.gate.store()
}

var csrfRe = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// open loads the page (creating the session) and keeps its CSRF token.
func (a *app) open() {
	a.t.Helper()
	resp, err := a.client.Get(a.ts.URL + "/")
	if err != nil {
		a.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		a.t.Fatalf("GET / = %d %s", resp.StatusCode, body)
	}
	m := csrfRe.FindSubmatch(body)
	if m == nil {
		a.t.Fatal("no CSRF token in page")
	}
	a.csrf = string(m[1])
}

type part struct {
	field, filename string
	data            []byte
}

func multipartBody(t testing.TB, parts []part) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.field, p.filename)
		} else {
			w, err = mw.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (a *app) do(method, path string, body io.Reader, contentType string) (int, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.ts.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.csrf != "" {
		req.Header.Set(csrfHeader, a.csrf)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (a *app) upload(parts []part) (int, uploadResult, []byte) {
	a.t.Helper()
	body, ct := multipartBody(a.t, parts)
	code, b := a.do("POST", "/api/notes", body, ct)
	var res uploadResult
	json.Unmarshal(b, &res)
	return code, res, b
}

func (a *app) paste(text string) noteView {
	a.t.Helper()
	code, res, raw := a.upload([]part{{field: "text", data: []byte(text)}})
	if code != 200 || len(res.Notes) != 1 {
		a.t.Fatalf("paste = %d %s", code, raw)
	}
	return res.Notes[0]
}

func (a *app) post(path string, v any) (int, noteView, []byte) {
	a.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	code, b := a.do("POST", path, body, "application/json")
	var nv noteView
	json.Unmarshal(b, &nv)
	return code, nv, b
}

// alive checks the server still answers after bad input.
func (a *app) alive() {
	a.t.Helper()
	if code, _ := a.do("GET", "/healthz", nil, ""); code != 200 {
		a.t.Fatalf("healthz = %d", code)
	}
	if n := a.paste("Seen on 2023-05-12."); n.Status != statusPending {
		a.t.Fatalf("paste after bad input: %+v", n)
	}
}
