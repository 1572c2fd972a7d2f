package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
)

func postFrom(t *testing.T, s *Server, addr string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/beacons", bytes.NewReader(body))
	req.RemoteAddr = addr
	s.ServeHTTP(rec, req)
	return rec
}

func countKinds(al []Alert) map[string]int {
	m := map[string]int{}
	for _, a := range al {
		m[a.Kind]++
	}
	return m
}

// TestForgedFloodKeepsOtherKinds: the flood of the issue (700 garbage
// heartbeats, then the same from hundreds of addresses) leaves the refused
// attestation and release in the list; one source's flood is one or two
// groups whose count says how big it was, and the source is throttled.
func TestForgedFloodKeepsOtherKinds(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	s.onAudit(audit.Event{ID: 1, Time: f.now, Kind: audit.KindAttest, Tee: "snp", Outcome: audit.OutcomeDeny, Reason: "debug bit set", Client: "10.0.0.5"})
	s.onAudit(audit.Event{ID: 2, Time: f.now, Kind: audit.KindResource, Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied"})
	throttled := 0
	for i := 0; i < 700; i++ {
		rec := postFrom(t, s, "203.0.113.9:4000", []byte(`{"token":"a.b.c","signed":"x.y.z"}`))
		if rec.Code == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled < 600 {
		t.Fatalf("only %d of 700 rejected heartbeats from one source were throttled", throttled)
	}
	var one []Alert
	for _, a := range s.Alerts() {
		if a.Source == "203.0.113.9" {
			one = append(one, a)
		}
	}
	total := 0
	for _, a := range one {
		total += a.Count
	}
	if len(one) > 2 || total != 700 {
		t.Fatalf("one source's flood: %d groups counting %d, want ≤ 2 groups counting 700: %+v", len(one), total, one)
	}
	// Many sources: the forged kind hits its quota, the others stay.
	for i := 0; i < 3*maxPerKind; i++ {
		postFrom(t, s, fmt.Sprintf("198.51.%d.%d:1", i/250, i%250), []byte(`{"token":"a.b.c","signed":"x.y.z"}`))
	}
	k := countKinds(s.Alerts())
	if k[AlertAttestationFailed] != 1 || k[AlertReleaseDenied] != 1 || k[AlertBeaconForged] != maxPerKind {
		t.Fatalf("alert kinds after the flood: %v", k)
	}
}

// TestQuotaPerKind: a thousand distinct refused attestations evict only
// older refused attestations.
func TestQuotaPerKind(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	s.raise(Alert{Kind: "image-rejected", Workload: "default/deid-0", Cause: "unsigned", Message: "unsigned image"}, f.now.Add(-time.Hour))
	for i := 0; i < 1000; i++ {
		s.onAudit(audit.Event{ID: int64(i + 1), Time: f.now.Add(time.Duration(i-1000) * time.Second), Kind: audit.KindAttest,
			Outcome: audit.OutcomeDeny, Reason: fmt.Sprintf("check %d failed", i)})
	}
	al := s.Alerts()
	k := countKinds(al)
	if k[AlertAttestationFailed] != maxPerKind || k["image-rejected"] != 1 {
		t.Fatalf("kinds %v", k)
	}
	if al[0].Cause != "check 999 failed" {
		t.Fatalf("newest group %+v, want the last refusal first", al[0])
	}
}

// TestGroupingKeepsEventTimes: a guest retrying the same refused release
// five times is one group with a count and the events' own first and last
// times.
func TestGroupingKeepsEventTimes(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	for i := 0; i < 5; i++ {
		s.onAudit(audit.Event{ID: int64(i + 1), Time: f.now.Add(-time.Hour + time.Duration(i)*time.Second), Kind: audit.KindResource,
			Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied"})
	}
	al := s.Alerts()
	if len(al) != 1 || al[0].Count != 5 || !al[0].First.Equal(f.now.Add(-time.Hour)) || !al[0].Last.Equal(f.now.Add(-time.Hour+4*time.Second)) {
		t.Fatalf("alerts %+v", al)
	}
}

func loggedIn(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"password": {"correct horse"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	jar := &cookieJar{cookies: resp.Cookies()}
	c.Jar = jar
	return c
}

type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie     { return j.cookies }

func TestAcknowledge(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := loggedIn(t, srv)
	deny := audit.Event{Time: f.now, Kind: audit.KindResource, Outcome: audit.OutcomeDeny, Resource: "r/s/t", Reason: "policy denied"}
	deny.ID = 1
	s.onAudit(deny)
	id := s.Alerts()[0].ID
	ack := func(hdr bool, id string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/alerts/"+id+"/ack", nil)
		if hdr {
			req.Header.Set("X-Requested-With", "dashboard")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := ack(false, fmt.Sprint(id)); code != http.StatusForbidden {
		t.Fatalf("ack without the header: %d", code)
	}
	if code := ack(true, "999"); code != http.StatusNotFound {
		t.Fatalf("ack of an unknown id: %d", code)
	}
	if code := ack(true, fmt.Sprint(id)); code != http.StatusOK || !s.Alerts()[0].Acknowledged {
		t.Fatalf("ack: %d %+v", code, s.Alerts())
	}
	deny.ID = 2
	s.onAudit(deny)
	if a := s.Alerts()[0]; a.Acknowledged || a.Count != 2 {
		t.Fatalf("a new occurrence must reopen the group: %+v", a)
	}
}

// TestRestartKeepsAlertsAndDoesNotReplay: after a restart the alerts are
// there with their own times, the audit stream resumes after the last
// event seen, and an old event delivered again is an anomaly, not a new
// refusal.
func TestRestartKeepsAlertsAndDoesNotReplay(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	old := f.now.Add(-2 * time.Hour)
	// The stream runs in Run's goroutine: what it saw is read under mu.
	var mu sync.Mutex
	var sinces []string
	seen := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(sinces) }
	src := FollowFunc(func(ctx context.Context, since string, fn func(audit.Event) error) error {
		mu.Lock()
		sinces = append(sinces, since)
		mu.Unlock()
		<-ctx.Done()
		return nil
	})
	mk := func() *Server {
		s := f.server(t, io.Discard)
		s.cfg.StateDir = dir
		s.cfg.Audit = src
		if err := s.st.load(s.statePath()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := mk()
	s1.onAudit(audit.Event{ID: 41, Time: old, Kind: audit.KindResource, Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied"})
	s1.raise(Alert{Kind: "image-rejected", Workload: "default/deid-0", Cause: "unsigned", Message: "unsigned image"}, old)
	if err := s1.Save(); err != nil {
		t.Fatal(err)
	}
	s2 := mk()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s2.Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(seen()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if sinces := seen(); len(sinces) == 0 || sinces[0] != "41" {
		t.Fatalf("audit stream resumed with since=%q, want 41", sinces)
	}
	al := s2.Alerts()
	k := countKinds(al)
	if k[AlertReleaseDenied] != 1 || k["image-rejected"] != 1 {
		t.Fatalf("alerts after restart: %+v", al)
	}
	for _, a := range al {
		if !a.Last.Equal(old) {
			t.Fatalf("alert %+v lost its own time %s", a, old)
		}
	}
	if len(s2.st.listEvents()) != 1 || len(s2.st.listBuckets()) != 1 {
		t.Fatalf("audit feed not kept: %d events, %d buckets", len(s2.st.listEvents()), len(s2.st.listBuckets()))
	}
	s2.onAudit(audit.Event{ID: 41, Time: old, Kind: audit.KindResource, Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied"})
	k = countKinds(s2.Alerts())
	if k[AlertAuditAnomaly] != 1 {
		t.Fatalf("a replayed event raised no anomaly: %v", k)
	}
	for _, a := range s2.Alerts() {
		if a.Kind == AlertReleaseDenied && a.Count != 1 {
			t.Fatalf("the replay counted as a new refusal: %+v", a)
		}
	}
}

func TestUnreadableStateStartsFresh(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	if err := writeFile(dir+"/"+StateFile, "{not json"); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := New(Config{Verifier: f.server(t, io.Discard).cfg.Verifier, StateDir: dir, Logger: slogTo(&logs)})
	if len(s.Alerts()) != 0 || !strings.Contains(logs.String(), "unreadable") {
		t.Fatalf("alerts %v, logs %s", s.Alerts(), logs.String())
	}
}

func TestLoginThrottled(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	try := func(addr, pw string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < loginBurst; i++ {
		if code := try("192.0.2.7:1", "guess"); code != http.StatusSeeOther {
			t.Fatalf("failed login %d: %d", i, code)
		}
	}
	if code := try("192.0.2.7:1", "correct horse"); code != http.StatusTooManyRequests {
		t.Fatalf("login after %d failures: %d, want 429", loginBurst, code)
	}
	if code := try("192.0.2.8:1", "correct horse"); code != http.StatusSeeOther {
		t.Fatalf("another address: %d", code)
	}
	f.now = f.now.Add(loginEvery)
	if code := try("192.0.2.7:1", "correct horse"); code != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", code)
	}
}

// TestBadAuditEvents: an oversized, undated or odd audit event is shown cut
// to size and raises an anomaly.
func TestBadAuditEvents(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	s.onAudit(audit.Event{ID: 1, Kind: audit.KindResource, Outcome: "maybe", Reason: strings.Repeat("<b>x</b>", 1000)})
	ev := s.st.listEvents()
	if len(ev) != 1 || len(ev[0].Reason) > maxEventField+len("…") || ev[0].Time.IsZero() {
		t.Fatalf("event kept as %+v", ev)
	}
	causes := map[string]bool{}
	for _, a := range s.Alerts() {
		if a.Kind == AlertAuditAnomaly {
			causes[a.Cause] = true
		}
	}
	for _, want := range []string{"oversized audit event field reason", "audit event without a time", "audit event with an unknown outcome"} {
		if !causes[want] {
			t.Errorf("no anomaly %q in %v", want, causes)
		}
	}
}

// TestEmptyAPIsAreArrays: a fresh dashboard answers [] everywhere, never
// null (the page used to throw on null).
func TestEmptyAPIsAreArrays(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.server(t, io.Discard))
	defer srv.Close()
	c := loggedIn(t, srv)
	for _, p := range []string{"/api/v1/workloads", "/api/v1/alerts", "/api/v1/audit", "/api/v1/stats"} {
		resp, err := c.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v []json.RawMessage
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &v) != nil || v == nil {
			t.Errorf("%s: %d %q, want []", p, resp.StatusCode, b)
		}
	}
}

func TestHint(t *testing.T) {
	tests := []struct{ err, want string }{
		{"Get \"https://x\": tls: failed to verify certificate: x509: certificate signed by unknown authority", "--trustee-cacert"},
		{"Get \"https://x\": http: server gave HTTP response to HTTPS client", "http://"},
		{"GET http://127.0.0.1:8080/kbs/v0/audit: HTTP 400", "https://"},
		{"dial tcp 127.0.0.1:1: connect: connection refused", "Trustee running"},
		{"something else", ""},
	}
	for _, tc := range tests {
		got := Hint(fmt.Errorf("%s", tc.err))
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("Hint(%q) = %q, want it to mention %q", tc.err, got, tc.want)
		}
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// TestRefusalExplained: what Trustee records about a refusal (the failing
// check, the claims, the workload) reaches the alert, which groups by the
// check and names the workload.
func TestRefusalExplained(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	for i, reason := range []string{"resource policy denied default/azure/conn", "resource policy denied default/azure/conn (retry)"} {
		s.onAudit(audit.Event{ID: int64(i + 1), Time: f.now, Kind: audit.KindResource, Outcome: audit.OutcomeDeny,
			Resource: "default/azure/conn", Reason: reason, Check: "resource-policy default: allow is false",
			Claims: []string{"init_data: registered d14c…, evidence 9a1f…", "ear.status: warning"}, Workload: "default/deid"})
	}
	al := s.Alerts()
	if len(al) != 1 || al[0].Count != 2 || al[0].Workload != "default/deid" {
		t.Fatalf("alerts %+v, want one group of 2 for default/deid", al)
	}
	for _, want := range []string{"init_data: registered d14c…, evidence 9a1f…", "ear.status: warning", "check: resource-policy default"} {
		if !strings.Contains(al[0].Message, want) {
			t.Errorf("alert message %q lacks %q", al[0].Message, want)
		}
	}
}
