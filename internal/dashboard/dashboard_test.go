package dashboard

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
)

type fixture struct {
	trusteeKey *ecdsa.PrivateKey
	teeKey     *ecdsa.PrivateKey
	now        time.Time
	initData   string // hex initdata digest the tokens attest
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	tk, err := ear.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	teeKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{trusteeKey: tk, teeKey: teeKey, now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
}

// token issues an EAR token binding the fixture's TEE key, signed by key.
func (f *fixture) token(t *testing.T, key *ecdsa.PrivateKey, status int, at time.Time) string {
	t.Helper()
	iss, err := ear.NewIssuer(key, ear.Options{Now: func() time.Time { return at }, TTL: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := f.teeECDH(t)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := iss.Issue(ear.Appraisal{
		Tee:               "snp",
		TrustVector:       map[string]int{"executables": status, "hardware": 2},
		PolicyID:          "default_cpu",
		Claims:            map[string]any{"measurement": "abc"},
		RuntimeDataClaims: map[string]any{"tee-pubkey": pub.Map()},
		InitData:          f.initData,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (f *fixture) teeECDH(t *testing.T) (kbs.TeePubKey, error) {
	t.Helper()
	k, err := f.teeKey.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	return kbs.NewTeePubKey(k)
}

func (f *fixture) server(t *testing.T, logs io.Writer) *Server {
	t.Helper()
	tv := ear.NewVerifier(&f.trusteeKey.PublicKey)
	tv.Now = func() time.Time { return f.now }
	return New(Config{
		Verifier:      &BeaconVerifier{Tokens: tv, Now: func() time.Time { return f.now }},
		LateAfter:     30 * time.Second,
		AdminPassword: "correct horse",
		Logger:        slog.New(slog.NewTextHandler(logs, nil)),
		Now:           func() time.Time { return f.now },
	})
}

func (f *fixture) heartbeat(t *testing.T, tok string, signer crypto.Signer, id string, at time.Time) []byte {
	t.Helper()
	hb, err := beacon.Sign(tok, signer, beacon.Payload{
		Workload: beacon.Workload{Pod: "deid-0", Namespace: "hospital", ImageDigest: "sha256:1234", TEE: "snp"},
		ID:       id, SentAt: at, Seq: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(hb)
	return b
}

func post(t *testing.T, s *Server, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/beacons", bytes.NewReader(body)))
	return rec
}

func TestBeacons(t *testing.T) {
	f := newFixture(t)
	otherTrustee, _ := ear.GenerateKey()
	otherTEE, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	tests := []struct {
		name     string
		body     func(s *Server) []byte
		wantCode int
		wantText string // in the alert
	}{
		{"valid", func(s *Server) []byte {
			return f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now), f.teeKey, "a1", f.now)
		}, http.StatusNoContent, ""},
		{"token signed by another key", func(s *Server) []byte {
			return f.heartbeat(t, f.token(t, otherTrustee, 2, f.now), f.teeKey, "a2", f.now)
		}, http.StatusUnauthorized, "attestation token rejected"},
		{"heartbeat signed by a key the token does not bind", func(s *Server) []byte {
			return f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now), otherTEE, "a3", f.now)
		}, http.StatusUnauthorized, "not signed by the TEE key"},
		{"expired token", func(s *Server) []byte {
			return f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now.Add(-time.Hour)), f.teeKey, "a4", f.now)
		}, http.StatusUnauthorized, "expired"},
		{"stale heartbeat", func(s *Server) []byte {
			return f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now), f.teeKey, "a5", f.now.Add(-10*time.Minute))
		}, http.StatusUnauthorized, "outside the allowed skew"},
		{"replayed heartbeat", func(s *Server) []byte {
			b := f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now), f.teeKey, "a6", f.now)
			if rec := post(t, s, b); rec.Code != http.StatusNoContent {
				t.Fatalf("first delivery: %d %s", rec.Code, rec.Body)
			}
			return b
		}, http.StatusUnauthorized, "replayed"},
		{"malformed body", func(s *Server) []byte { return []byte(`{"token":1}`) }, http.StatusBadRequest, "malformed heartbeat"},
		{"oversized body", func(s *Server) []byte {
			return []byte(`{"token":"` + strings.Repeat("a", beacon.MaxBody) + `"}`)
		}, http.StatusRequestEntityTooLarge, "oversized heartbeat"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := f.server(t, &logs)
			rec := post(t, s, tc.body(s))
			if rec.Code != tc.wantCode {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			alerts := s.st.listAlerts()
			if tc.wantText == "" {
				if len(alerts) != 0 {
					t.Fatalf("unexpected alerts %+v", alerts)
				}
				return
			}
			if len(alerts) != 1 || alerts[0].Kind != AlertBeaconForged || !strings.Contains(alerts[0].Message, tc.wantText) {
				t.Fatalf("alerts %+v, want one %s containing %q", alerts, AlertBeaconForged, tc.wantText)
			}
			if alerts[0].Source != "192.0.2.1" {
				t.Errorf("alert names source %q", alerts[0].Source)
			}
			if tc.wantCode == http.StatusUnauthorized && alerts[0].Workload != "hospital/deid-0" {
				t.Errorf("alert names workload %q", alerts[0].Workload)
			}
			if strings.Contains(logs.String(), "eyJ") {
				t.Errorf("a token reached the logs: %s", logs.String())
			}
		})
	}
}

func TestWorkloadListAndLateAlert(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	if rec := post(t, s, f.heartbeat(t, f.token(t, f.trusteeKey, 2, f.now), f.teeKey, "b1", f.now)); rec.Code != http.StatusNoContent {
		t.Fatalf("beacon: %d %s", rec.Code, rec.Body)
	}
	ws := s.st.list(f.now)
	if len(ws) != 1 || !ws[0].Attested || ws[0].TEE != "snp" || ws[0].ImageDigest != "sha256:1234" || ws[0].PolicyID != "default_cpu" {
		t.Fatalf("workloads %+v", ws)
	}
	// A contraindicated token is not "attested".
	if rec := post(t, s, f.heartbeat(t, f.token(t, f.trusteeKey, 97, f.now), f.teeKey, "b2", f.now)); rec.Code != http.StatusNoContent {
		t.Fatalf("beacon: %d", rec.Code)
	}
	if ws := s.st.list(f.now); ws[0].Attested || ws[0].Status != "contraindicated" {
		t.Fatalf("contraindicated token shown as %+v", ws[0])
	}
	later := f.now.Add(time.Minute)
	late := s.st.newlyLate(later)
	if len(late) != 1 {
		t.Fatalf("newlyLate = %+v", late)
	}
	if again := s.st.newlyLate(later.Add(time.Second)); len(again) != 0 {
		t.Fatalf("late reported twice: %+v", again)
	}
}

func TestAuditAlertsAndBuckets(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	s.onAudit(audit.Event{ID: 1, Time: f.now, Kind: audit.KindAttest, Tee: "snp", Outcome: audit.OutcomeDeny, Reason: "report_data check failed"})
	s.onAudit(audit.Event{ID: 2, Time: f.now, Kind: audit.KindResource, Outcome: audit.OutcomeAllow, Resource: "default/azure/conn"})
	s.onAudit(audit.Event{ID: 3, Time: f.now.Add(time.Second), Kind: audit.KindResource, Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied"})
	al := s.st.listAlerts()
	if len(al) != 2 || al[1].Kind != AlertAttestationFailed || al[0].Kind != AlertReleaseDenied || !al[0].Last.Equal(f.now.Add(time.Second)) {
		t.Fatalf("alerts %+v", al)
	}
	b := s.st.listBuckets()
	if len(b) != 1 || b[0].Releases != 1 || b[0].Denials != 1 {
		t.Fatalf("buckets %+v", b)
	}
}

func TestAccessControl(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := c.Get(srv.URL + "/api/v1/workloads")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated API: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		pw   string
		want string
	}{{"wrong", "/login?failed=1"}, {"correct horse", "/"}} {
		resp, err := c.PostForm(srv.URL+"/login", url.Values{"password": {tc.pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != tc.want {
			t.Fatalf("login with %q → %q, want %q", tc.pw, loc, tc.want)
		}
		if tc.want == "/" {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/workloads", nil)
			for _, ck := range resp.Cookies() {
				req.AddCookie(ck)
			}
			r2, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r2.Body.Close()
			if r2.StatusCode != http.StatusOK {
				t.Fatalf("API after login: %d", r2.StatusCode)
			}
		}
	}
}

func TestFollowFuncResumes(t *testing.T) {
	var sinces []string
	calls := 0
	ctx, cancel := context.WithCancel(context.Background())
	f := FollowFunc(func(ctx context.Context, since string, fn func(audit.Event) error) error {
		sinces = append(sinces, since)
		calls++
		if calls == 1 {
			_ = fn(audit.Event{ID: 7, Kind: audit.KindAttest})
			return nil // stream ended: reconnect from 7
		}
		cancel()
		return nil
	})
	var got []int64
	_ = f.Follow(ctx, func(e audit.Event) { got = append(got, e.ID) })
	if len(sinces) != 2 || sinces[0] != "" || sinces[1] != "7" || len(got) != 1 {
		t.Fatalf("sinces %q, got %v", sinces, got)
	}
}

// FuzzHeartbeat: any body is refused with a 4xx, and what it leaves behind
// is a bounded set of beacon-forged alert groups, never a workload.
func FuzzHeartbeat(f *testing.F) {
	fx := &fixture{now: time.Now()}
	fx.trusteeKey, _ = ear.GenerateKey()
	s := New(Config{Verifier: &BeaconVerifier{Tokens: ear.NewVerifier(&fx.trusteeKey.PublicKey)}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Add([]byte(`{"token":"a.b.c","signed":"x.y.z"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"token":"eyJhbGciOiJFUzI1NiJ9.e30.AA","signed":"eyJhbGciOiJFUzI1NiJ9.eyJ3b3JrbG9hZCI6eyJwb2QiOiI8Yj4ifX0.AA"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := post(t, s, body)
		switch rec.Code {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		default:
			t.Fatalf("status %d for fuzzed heartbeat", rec.Code)
		}
		al := s.Alerts()
		if len(al) == 0 || len(al) > maxPerKind {
			t.Fatalf("%d alert groups", len(al))
		}
		for _, a := range al {
			if a.Kind != AlertBeaconForged || a.Count < 1 || len(a.Message) > 2100 {
				t.Fatalf("alert %+v", a)
			}
		}
		if len(s.Workloads()) != 0 {
			t.Fatal("a fuzzed heartbeat registered a workload")
		}
	})
}

// FuzzAuditEvent: whatever Trustee's stream decodes into an event, the
// dashboard keeps it dated, cut to size and counted once.
func FuzzAuditEvent(f *testing.F) {
	f.Add([]byte(`{"id":1,"time":"2026-11-27T09:00:00Z","kind":"resource","outcome":"deny","resource":"a/b/c","reason":"<script>"}`))
	f.Add([]byte(`{"id":-3,"kind":"attest","outcome":"??"}`))
	f.Add([]byte(`{"time":"9999-01-01T00:00:00Z","kind":"admin","outcome":"allow","action":"set-resource"}`))
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e audit.Event
		if json.Unmarshal(raw, &e) != nil {
			return
		}
		s := New(Config{Verifier: &BeaconVerifier{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
		s.onAudit(e)
		s.onAudit(e)
		ev := s.st.listEvents()
		if e.ID > 0 && len(ev) != 1 || len(ev) == 0 {
			t.Fatalf("%d events kept for one event delivered twice (id %d)", len(ev), e.ID)
		}
		for _, k := range ev {
			if k.Time.IsZero() || k.Time.After(now.Add(5*time.Minute)) {
				t.Fatalf("event kept with time %s", k.Time)
			}
			for _, v := range []string{k.Reason, k.Resource, k.Client, k.Kind, k.Outcome, k.Action, k.Tee, k.PolicyID} {
				if len(v) > maxEventField+len("…") {
					t.Fatalf("field of %d bytes kept", len(v))
				}
			}
		}
		for _, a := range s.Alerts() {
			if a.Count < 1 || a.Kind == "" {
				t.Fatalf("alert %+v", a)
			}
		}
	})
}

func TestIncidentFromAttestedWorkload(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, io.Discard)
	hb, err := beacon.Sign(f.token(t, f.trusteeKey, 2, f.now), f.teeKey, beacon.Payload{
		Workload: beacon.Workload{Pod: "deid-0", Namespace: "hospital"}, ID: "i1", SentAt: f.now,
		Incident: &beacon.Incident{Kind: "image-rejected", Message: "unsigned image example.com/x@sha256:00"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(hb)
	if rec := post(t, s, b); rec.Code != http.StatusNoContent {
		t.Fatalf("incident: %d %s", rec.Code, rec.Body)
	}
	al := s.Alerts()
	if len(al) != 1 || al[0].Kind != "image-rejected" || !strings.Contains(al[0].Message, "unsigned image") {
		t.Fatalf("alerts %+v", al)
	}
}

// TestIncidentKind: an incident's kind becomes a metrics label, so only a
// short lower-case slug is kept; anything else is the generic kind.
func TestIncidentKind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"image-rejected", "image-rejected"},
		{"disk-key-2", "disk-key-2"},
		{"", AlertIncident},
		{"Image Rejected", AlertIncident},
		{`x"} 1` + "\n", AlertIncident},
		{"ünicode", AlertIncident},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{strings.Repeat("a", 65), AlertIncident},
	}
	for _, tc := range tests {
		if got := incidentKind(tc.in); got != tc.want {
			t.Errorf("incidentKind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestBeaconInitDataMustBeAttested: the initdata digest a heartbeat names is
// shown beside "attested", so it must be the one in the token.
func TestBeaconInitDataMustBeAttested(t *testing.T) {
	const digest = "5f1c3a2b"
	tests := []struct {
		name              string
		attested, claimed string
		wantCode          int
	}{
		{"match", digest, digest, http.StatusNoContent},
		{"match in upper case", digest, "5F1C3A2B", http.StatusNoContent},
		{"no claim", digest, "", http.StatusNoContent},
		{"other digest", digest, "00112233", http.StatusUnauthorized},
		{"token attests none", "", digest, http.StatusUnauthorized},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.initData = tc.attested
			s := f.server(t, io.Discard)
			hb, err := beacon.Sign(f.token(t, f.trusteeKey, 2, f.now), f.teeKey, beacon.Payload{
				Workload: beacon.Workload{Pod: "deid-0", Namespace: "hospital", InitDataDigest: tc.claimed},
				ID:       fmt.Sprintf("i%d", i), SentAt: f.now,
			})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(hb)
			rec := post(t, s, b)
			if rec.Code != tc.wantCode {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			if tc.wantCode != http.StatusNoContent && !strings.Contains(rec.Body.String(), "initdata") {
				t.Fatalf("refusal does not say why: %s", rec.Body)
			}
		})
	}
}
