package webapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/testenv"
)

// TestNotReadyUntilSecretReleased: before the guest local API releases the
// connection string, everything but /healthz answers 503 and /readyz is
// false; the app keeps retrying and opens once it is released.
func TestNotReadyUntilSecretReleased(t *testing.T) {
	conn := "dir-store"
	azure := testenv.InCI() || hasAzurite()
	if azure {
		conn = testenv.Require(t, testenv.AzuriteConn)
	}
	g := newFakeGuest(t, conn)
	a := startApp(t, Config{SecretURL: g.url()}, azure)
	for g.hits.Load() < 3 { // several failed fetches: it retries
		time.Sleep(10 * time.Millisecond)
	}
	for _, path := range []string{"/", "/api/notes", "/static/app.js", "/readyz", "/nope"} {
		code, body := a.do("GET", path, nil, "")
		if code != http.StatusServiceUnavailable {
			t.Errorf("GET %s before release = %d, want 503", path, code)
		}
		if path != "/readyz" && !strings.Contains(string(body), "not ready") {
			t.Errorf("GET %s: body %s does not say why", path, body)
		}
	}
	if code, _ := a.do("POST", "/api/notes", strings.NewReader("x"), "text/plain"); code != http.StatusServiceUnavailable {
		t.Errorf("POST before release = %d", code)
	}
	_, body := a.do("GET", "/readyz", nil, "")
	var rz struct {
		Ready  bool   `json:"ready"`
		Reason string `json:"reason"`
	}
	json.Unmarshal(body, &rz)
	if rz.Ready || !strings.Contains(rz.Reason, "401") {
		t.Errorf("readyz = %s", body)
	}
	if code, _ := a.do("GET", "/healthz", nil, ""); code != 200 {
		t.Errorf("healthz = %d", code)
	}
	// A browser gets a page that explains and reloads itself.
	req, _ := http.NewRequest("GET", a.ts.URL+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(page), "Not ready yet") || !strings.Contains(string(page), "attestation") {
		t.Errorf("browser GET / before release = %d %s", resp.StatusCode, page)
	}
	g.released.Store(true)
	a.waitReady()
	if code, body := a.do("GET", "/readyz", nil, ""); code != 200 {
		t.Errorf("readyz after release = %d %s", code, body)
	}
	a.open()
	a.paste("Seen on 2023-05-12.")
}

func hasAzurite() bool { return os.Getenv(testenv.AzuriteConn) != "" }

func TestSealedConnectionStringRefused(t *testing.T) {
	a := startApp(t, Config{ConnectionString: "sealed.fakejwsheader.eyJ9.fakesignature"}, false)
	time.Sleep(50 * time.Millisecond)
	code, body := a.do("GET", "/readyz", nil, "")
	if code != 503 || !strings.Contains(string(body), "still sealed") {
		t.Errorf("readyz = %d %s", code, body)
	}
}

// TestApproveAndRejectAzurite: the approved note's de-identified text and
// report land in Azurite; the rejected note leaves nothing.
func TestApproveAndRejectAzurite(t *testing.T) {
	a := startApp(t, Config{}, true)
	a.waitReady()
	a.open()
	keep := a.paste(canaryNote)
	drop := a.paste("Second note: Zebulon Quackenbush, seen 2024-01-02 in Kalamazoo.")
	if len(keep.Spans) == 0 {
		t.Fatalf("engine found nothing in the canary note")
	}
	// The clinician marks the missed word and removes nothing.
	spans := keep.Spans
	start := strings.Index(keep.Text, "rosebud")
	startCP := len([]rune(keep.Text[:start]))
	edited := append(spansJSON(spans), map[string]any{"start": startCP, "end": startCP + 7, "type": "OTHER"})
	code, nv, raw := a.post("/api/notes/"+keep.ID+"/spans", map[string]any{"spans": edited})
	if code != 200 || strings.Contains(nv.Redacted.Text, "rosebud") {
		t.Fatalf("edit = %d %s", code, raw)
	}
	if code, _, raw = a.post("/api/notes/"+keep.ID+"/approve", nil); code != 200 {
		t.Fatalf("approve = %d %s", code, raw)
	}
	if code, _, raw = a.post("/api/notes/"+drop.ID+"/reject", nil); code != 200 {
		t.Fatalf("reject = %d %s", code, raw)
	}
	// A decided note cannot be decided again.
	if code, _, _ = a.post("/api/notes/"+drop.ID+"/approve", nil); code != http.StatusConflict {
		t.Errorf("approve after reject = %d, want 409", code)
	}
	ctx := context.Background()
	names, err := a.store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 {
		t.Fatalf("container holds %v, want exactly the approved note's text and report", names)
	}
	for _, n := range names {
		if strings.Contains(n, drop.ID) {
			t.Errorf("rejected note uploaded: %s", n)
		}
		if !strings.Contains(n, keep.ID) {
			t.Errorf("unexpected blob %s", n)
		}
	}
	day := time.Now().UTC().Format("2006-01-02")
	text, err := a.store.Get(ctx, "notes/"+day+"/"+keep.ID+".txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range canaries {
		if bytes.Contains(text, []byte(c)) {
			t.Errorf("uploaded text contains %q:\n%s", c, text)
		}
	}
	if !bytes.Contains(text, []byte("[OTHER]")) || !bytes.Contains(text, []byte("[DATE]")) {
		t.Errorf("uploaded text lacks tags:\n%s", text)
	}
	repRaw, err := a.store.Get(ctx, "notes/"+day+"/"+keep.ID+".json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range canaries {
		if bytes.Contains(repRaw, []byte(c)) {
			t.Errorf("report contains %q", c)
		}
	}
	t.Logf("uploaded text:\n%s\nreport:\n%s", text, repRaw)
	var rep report
	if err := json.Unmarshal(repRaw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Detectors) != 1 || rep.Detectors[0] != "rules" {
		t.Errorf("report detectors = %v, want [rules]", rep.Detectors)
	}
	if rep.Edits.Added != 1 || rep.Edits.Removed != 0 || len(rep.Spans) != len(spans)+1 || len(rep.OutputSpans) != len(rep.Spans) {
		t.Errorf("report = %s", repRaw)
	}
	if az, ok := a.store.(*blobstore.Azure); ok {
		if ct, _ := az.ContentType(ctx, rep.TextBlob); ct != "text/plain; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
	}
	// The originals are gone from memory once decided.
	a.srv.sessions.mu.Lock()
	for _, s := range a.srv.sessions.m {
		for _, n := range s.notes {
			if n.text != "" {
				t.Errorf("note %s still holds its original after %s", n.ID, n.Status)
			}
		}
	}
	a.srv.sessions.mu.Unlock()
}

func spansJSON(spans []deid.Span) []any {
	out := make([]any, 0, len(spans))
	for _, s := range spans {
		out = append(out, map[string]any{"start": s.Start, "end": s.End, "type": string(s.Type)})
	}
	return out
}

// TestBadInput: each bad input gets a clear message and a 4xx, and the
// server keeps working.
func TestBadInput(t *testing.T) {
	a := startApp(t, Config{}, false)
	a.waitReady()
	a.open()

	big := bytes.Repeat([]byte("Patient note line.\n"), 20<<20/19+1) // 20 MB
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	many := make([]part, 10000)
	for i := range many {
		many[i] = part{field: "files", filename: fmt.Sprintf("n%d.txt", i), data: []byte("Seen 2023-05-12.")}
	}
	cases := []struct {
		name  string
		parts []part
		code  int
		want  string
	}{
		{"empty paste", []part{{field: "text", data: []byte("  \n\t ")}}, 422, "empty"},
		{"empty file", []part{{field: "files", filename: "a.txt"}}, 422, "empty"},
		{"20 MB upload", []part{{field: "files", filename: "big.txt", data: big}}, 413, "limit"},
		{"binary file", []part{{field: "files", filename: "scan.png", data: png}}, 422, "binary"},
		{"invalid UTF-8", []part{{field: "files", filename: "latin1.txt", data: []byte("Patient Jos\xe9 seen.")}}, 422, "UTF-8"},
		{"10,000 notes", many, 413, "limit is 500 per batch"},
		{"no notes", []part{{field: "other", data: []byte("x")}}, 400, "Nothing to review"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, raw := a.upload(c.parts)
			if code != c.code || !strings.Contains(string(raw), c.want) {
				t.Errorf("= %d %.300s; want %d containing %q", code, raw, c.code, c.want)
			}
			a.alive()
		})
	}

	// The same 20 MB streamed without a Content-Length: the body limit
	// stops it mid-stream with the same clear answer.
	body, ct := multipartBody(t, []part{{field: "files", filename: "big.txt", data: big}})
	req, _ := http.NewRequest("POST", a.ts.URL+"/api/notes", io.NopCloser(body))
	req.ContentLength = -1
	req.Header.Set("Content-Type", ct)
	req.Header.Set(csrfHeader, a.csrf)
	if resp, err := a.client.Do(req); err != nil {
		t.Errorf("streamed 20 MB: %v", err)
	} else {
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 413 || !strings.Contains(string(msg), "limit") {
			t.Errorf("streamed 20 MB = %d %s", resp.StatusCode, msg)
		}
	}
	a.alive()

	// A mixed batch keeps the good notes and names the bad file.
	code, res, raw := a.upload([]part{
		{field: "files", filename: "good.txt", data: []byte("Seen 2023-05-12.")},
		{field: "files", filename: "bad.bin", data: png},
	})
	if code != 200 || len(res.Notes) != 1 || len(res.Errors) != 1 || res.Errors[0].Name != "bad.bin" {
		t.Errorf("mixed batch = %d %s", code, raw)
	}
	n := res.Notes[0]

	// Other malformed requests.
	if code, body := a.do("POST", "/api/notes", strings.NewReader("{}"), "application/json"); code != 415 {
		t.Errorf("JSON upload = %d %s", code, body)
	}
	if code, body := a.do("POST", "/api/notes", strings.NewReader("--x\r\n"), "multipart/form-data; boundary=x"); code != 400 {
		t.Errorf("truncated multipart = %d %s", code, body)
	}
	for _, bad := range []string{`{`, `{"spans":[{"start":5,"end":2,"type":"NAME"}]}`, `{"spans":[{"start":0,"end":999,"type":"NAME"}]}`, `{"spans":[{"start":0,"end":1,"type":"SECRET"}]}`} {
		if code, body := a.do("POST", "/api/notes/"+n.ID+"/spans", strings.NewReader(bad), "application/json"); code != 400 {
			t.Errorf("spans %s = %d %s", bad, code, body)
		}
	}
	if code, _, _ := a.post("/api/notes/doesnotexist/approve", nil); code != 404 {
		t.Errorf("unknown note = %d", code)
	}
	// CSRF: a POST without the token is refused.
	tok := a.csrf
	a.csrf = ""
	if code, _, _ := a.post("/api/notes/"+n.ID+"/reject", nil); code != 403 {
		t.Errorf("POST without CSRF token = %d, want 403", code)
	}
	a.csrf = "wrong"
	if code, _, _ := a.post("/api/notes/"+n.ID+"/reject", nil); code != 403 {
		t.Errorf("POST with wrong CSRF token = %d, want 403", code)
	}
	a.csrf = tok
	// Without a session cookie the API refuses.
	req, _ = http.NewRequest("GET", a.ts.URL+"/api/notes", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no session = %d", resp.StatusCode)
	}
	a.alive()
}

// TestSessionExpiry: an idle session and its originals are dropped.
func TestSessionExpiry(t *testing.T) {
	a := startApp(t, Config{SessionTTL: 100 * time.Millisecond}, false)
	a.waitReady()
	a.open()
	a.paste(canaryNote)
	deadline := time.Now().Add(10 * time.Second)
	for a.srv.sessions.count() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("session never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.srv.sessions.mu.Lock()
	held := a.srv.sessions.held
	a.srv.sessions.mu.Unlock()
	if held != 0 {
		t.Errorf("held bytes after expiry = %d", held)
	}
	if code, _ := a.do("GET", "/api/notes", nil, ""); code != 401 {
		t.Errorf("expired session = %d, want 401", code)
	}
}

// TestMemoryBudget: the process-wide cap on held originals refuses new notes
// with a message instead of growing without bound.
func TestMemoryBudget(t *testing.T) {
	a := startApp(t, Config{MaxHeldBytes: 100}, false)
	a.waitReady()
	a.open()
	n := a.paste(strings.Repeat("a", 60))
	code, _, raw := a.upload([]part{{field: "text", data: []byte(strings.Repeat("b", 60))}})
	if code != 503 || !strings.Contains(string(raw), "as many notes") {
		t.Errorf("over budget = %d %s", code, raw)
	}
	if code, _, _ := a.post("/api/notes/"+n.ID+"/reject", nil); code != 200 {
		t.Fatal("reject failed")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if code, _, _ := a.upload([]part{{field: "text", data: []byte(strings.Repeat("b", 60))}}); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("budget not released after reject")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestUploadFailureKeepsNote: a failing store leaves the note pending.
func TestUploadFailureKeepsNote(t *testing.T) {
	a := startApp(t, Config{OpenStore: func(context.Context, string) (blobstore.Store, error) { return failingStore{}, nil }}, false)
	a.waitReady()
	a.open()
	n := a.paste(canaryNote)
	code, _, raw := a.post("/api/notes/"+n.ID+"/approve", nil)
	if code != http.StatusBadGateway || !strings.Contains(string(raw), "still pending") {
		t.Errorf("approve with failing store = %d %s", code, raw)
	}
	if code, nv, _ := a.post("/api/notes/"+n.ID+"/spans", map[string]any{"spans": []any{}}); code != 200 || nv.Status != statusPending {
		t.Errorf("note not pending after failed upload: %d %+v", code, nv.Status)
	}
}

type failingStore struct{}

func (failingStore) Put(context.Context, string, []byte, string) error {
	return errors.New("storage unavailable")
}
func (failingStore) Get(context.Context, string) ([]byte, error)    { return nil, blobstore.ErrNotFound }
func (failingStore) List(context.Context, string) ([]string, error) { return nil, nil }
func (failingStore) Describe() string                               { return "failing" }

func TestMainFlags(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"TRUSTGATE_DEID_MODE": "bogus"}
	if code := mainWithEnv(nil, func(k string) string { return env[k] }, &out); code != 2 || !strings.Contains(out.String(), "bogus") {
		t.Errorf("bad mode from env = %d %s", code, out.String())
	}
	out.Reset()
	if code := mainWithEnv([]string{"-h"}, func(string) string { return "" }, &out); code != 0 || !strings.Contains(out.String(), "TRUSTGATE_DEID_") {
		t.Errorf("-h = %d %s", code, out.String())
	}
	out.Reset()
	if code := mainWithEnv([]string{"--model", t.TempDir()}, func(string) string { return "" }, &out); code != 1 {
		t.Errorf("missing model = %d %s", code, out.String())
	}
}

// FuzzUpload posts arbitrary bodies to the upload handler: never a panic,
// never a 5xx.
func FuzzUpload(f *testing.F) {
	body, ct := multipartBody(f, []part{{field: "text", data: []byte("Seen 2023-05-12 by Dr. Who.")}, {field: "files", filename: "a.txt", data: []byte("x\xff")}})
	f.Add(body.Bytes(), ct)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../x\"\r\n\r\n\x00\r\n--b--\r\n"), "multipart/form-data; boundary=b")
	srv, err := New(Config{ConnectionString: "x", Logger: testLogger, InsecureCookie: true, MaxUploadBytes: 1 << 16, MaxBatch: 20})
	if err != nil {
		f.Fatal(err)
	}
	srv.gate.st = failingStore{}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	csrf := csrfRe.FindStringSubmatch(rec.Body.String())[1]
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for _, path := range []string{"/api/notes", "/api/notes/x/spans"} {
			req := httptest.NewRequest("POST", path, bytes.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			req.Header.Set(csrfHeader, csrf)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != 503 {
				t.Fatalf("%s → %d %s", path, rec.Code, rec.Body)
			}
		}
	})
}

// FuzzEditSpans sends fuzzed span lists for a real pending note, so that the
// offsets and types reach the checks (FuzzUpload's note does not exist):
// never a panic or a 5xx.
func FuzzEditSpans(f *testing.F) {
	f.Add([]byte(`{"spans":[{"start":5,"end":15,"type":"DATE"}]}`))
	f.Add([]byte(`{"spans":[{"start":-1,"end":99999,"type":"NAME"},{"start":3,"end":2,"type":"x"}]}`))
	f.Add([]byte(`{"spans":[{"start":0,"end":27,"type":"NAME"},{"start":0,"end":27,"type":"NAME"}]}`))
	srv, err := New(Config{ConnectionString: "x", Logger: testLogger, InsecureCookie: true})
	if err != nil {
		f.Fatal(err)
	}
	srv.gate.st = failingStore{}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	csrf := csrfRe.FindStringSubmatch(rec.Body.String())[1]
	body, ct := multipartBody(f, []part{{field: "text", data: []byte("Seen 2023-05-12 by Dr. Who.")}})
	req := httptest.NewRequest("POST", "/api/notes", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set(csrfHeader, csrf)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var res uploadResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Notes) != 1 {
		f.Fatalf("paste: %d %s", rec.Code, rec.Body)
	}
	path := "/api/notes/" + res.Notes[0].ID + "/spans"
	edit := func(body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(csrfHeader, csrf)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	// The fuzzed requests reach the span checks only if a valid one works.
	if rec := edit([]byte(`{"spans":[{"start":5,"end":15,"type":"DATE"}]}`)); rec.Code != 200 {
		f.Fatalf("valid edit: %d %s", rec.Code, rec.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if rec := edit(body); rec.Code >= 500 {
			t.Fatalf("%s → %d %s", body, rec.Code, rec.Body)
		}
	})
}
