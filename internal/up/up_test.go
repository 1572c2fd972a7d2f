package up

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/dashboard"
	"github.com/trustgate/trustgate/internal/testenv"
)

// startTestStack starts up on loopback ports the kernel picks, in a fresh
// state directory, with azurite ("-": none) and whatever edit changes in
// the options, and returns it with its progress output and logs; a failed
// start fails the test with both. The caller closes the stack.
func startTestStack(t *testing.T, ctx context.Context, azurite string, edit func(*Options)) (*Stack, *syncBuffer, *syncBuffer) {
	t.Helper()
	var out, logs syncBuffer
	opts := loopbackOptions(filepath.Join(t.TempDir(), "state"))
	opts.Out, opts.Log, opts.Azurite = &out, &logs, azurite
	if edit != nil {
		edit(&opts)
	}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v\n%s\n%s", err, out.String(), logs.String())
	}
	return s, &out, &logs
}

// loopbackOptions is up on loopback ports the kernel picks, in dir, with
// no output and no Azurite.
func loopbackOptions(dir string) Options {
	return Options{StateDir: dir, Out: io.Discard, Log: io.Discard, Azurite: "-",
		TrusteeAddr: "127.0.0.1:0", GuestAddr: "127.0.0.1:0", AppAddr: "127.0.0.1:0",
		SidecarAddr: "127.0.0.1:0", DashboardAddr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", BeaconInterval: 500 * time.Millisecond}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const seed = "Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12"

// TestUpEndToEnd starts the whole flow, on its default path (workload
// identity), from an empty state directory, with Azurite, then:
// de-identifies the seed's example through the mTLS sidecar, approves a
// note and finds the blob, sees the workload attested and both workloads'
// identity certificates on the dashboard, runs the denial scenarios,
// checks in Chromium that the dashboard shows the workload and every
// denial and that the browser sees the Trustee-issued server certificate,
// and scans the state dir, Trustee's database, the offline bundle and the
// logs for the sidecars' private keys.
func TestUpEndToEnd(t *testing.T) {
	testenv.Require(t, testenv.AzuriteConn) // scripts/test.sh put azurite-blob on PATH
	azurite, err := exec.LookPath("azurite-blob")
	if err != nil {
		if testenv.InCI() {
			t.Fatal("CI=true but azurite-blob is not on PATH")
		}
		t.Skip("azurite-blob not on PATH; run scripts/test.sh")
	}
	testenv.Require(t, testenv.ChromiumPath) // skip before building the stack

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, out, logs := startTestStack(t, ctx, azurite, nil)
	defer s.Close()
	if s.GatewayURL == "" || !strings.HasSuffix(s.SidecarCA, filepath.Join("identity", "bundle.pem")) {
		t.Fatalf("default path without workload identity: gateway %q, sidecar CA %q", s.GatewayURL, s.SidecarCA)
	}
	if s.BlobDir != "" {
		t.Fatal("Azurite was given but up used a local directory")
	}

	tc, err := s.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}

	// The seed's example through the sidecar.
	resp, err := client.Post(s.SidecarURL+"/api/redact", "text/plain", strings.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := string(b); resp.StatusCode != 200 || got != "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]\n" {
		t.Fatalf("redact through sidecar: %d %q", resp.StatusCode, got)
	}
	// Without a client certificate the sidecar refuses the handshake.
	noCert := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc.Clone()}}
	noCert.Transport.(*http.Transport).TLSClientConfig.Certificates = nil
	if r, err := noCert.Get(s.SidecarURL + "/readyz"); err == nil {
		r.Body.Close()
		t.Fatalf("sidecar answered %d without a client certificate", r.StatusCode)
	}

	// Review and approve a note through the sidecar; the blob lands in Azurite.
	blob := approveNote(t, client, s.SidecarURL, seed)
	st, err := blobstore.NewAzure(ctx, s.BlobConn, Container)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(ctx, blob)
	if err != nil || string(got) != "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]" {
		t.Fatalf("approved blob %s: %q, %v", blob, got, err)
	}

	// The dashboard's API lists the workload as attested.
	dash := login(t, s)
	var ws []dashboard.WorkloadState
	getJSON(t, dash, s.DashboardURL+"/api/v1/workloads", &ws)
	if len(ws) != 1 || ws[0].Key != Namespace+"/"+Pod || !ws[0].Attested || ws[0].TEE != "snp-emulated" {
		t.Fatalf("dashboard workloads: %+v", ws)
	}
	// It asks the real Trustee (admin API) which workloads hold a valid
	// identity certificate: both, on the default path.
	var ids dashboard.IdentitiesView
	waitFor(t, 10*time.Second, func() bool {
		getJSON(t, dash, s.DashboardURL+"/api/v1/identities", &ids)
		var got []string
		for _, c := range ids.Certificates {
			got = append(got, c.SPIFFEID)
		}
		return ids.Configured && ids.Error == "" && slices.Contains(got, DeidSPIFFEID) && slices.Contains(got, GatewaySPIFFEID)
	})

	// Every denial scenario is refused and raises an alert.
	var demo bytes.Buffer
	rec := s.record()
	if err := Denials(ctx, &rec, &demo); err != nil {
		t.Fatalf("denials: %v\n%s", err, demo.String())
	}
	wantAlerts := []string{"release-denied", "image-rejected", "attestation-failed", "beacon-forged"}
	waitFor(t, 20*time.Second, func() bool {
		kinds := map[string]bool{}
		for _, a := range s.Dashboard.Alerts() {
			kinds[a.Kind] = true
		}
		for _, k := range wantAlerts {
			if !kinds[k] {
				return false
			}
		}
		return true
	})

	browserCheck(t, s, wantAlerts)
	checkAppInChromium(t, s)
	checkSidecarKeysNowhere(t, s, logs.String(), out.String())

	// Nothing secret or patient-identifying reached the logs.
	all := logs.String() + out.String()
	for _, canary := range []string{"John Doe", "Mount Rushmore", azuriteKey} {
		if strings.Contains(all, canary) {
			t.Errorf("logs contain %q", canary)
		}
	}
}

var csrfRe = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// approveNote pastes text in the review app, approves it and returns the blob name.
func approveNote(t *testing.T, c *http.Client, base, text string) string {
	t.Helper()
	csrf, raw := uploadNote(t, c, base, text)
	var up struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &up); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/notes/"+up.ID+"/approve", nil)
	req.Header.Set("X-CSRF-Token", csrf)
	var note struct {
		Status, Blob string
	}
	doJSON(t, c, req, &note)
	if note.Status != "approved" || note.Blob == "" {
		t.Fatalf("approve: %+v", note)
	}
	return note.Blob
}

// uploadNote pastes text in the review app and returns the page's CSRF
// token and the note as the app answered it (JSON).
func uploadNote(t *testing.T, c *http.Client, base, text string) (string, json.RawMessage) {
	t.Helper()
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d)", resp.StatusCode)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("text", text)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/notes", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", string(m[1]))
	var up struct {
		Notes []json.RawMessage `json:"notes"`
	}
	doJSON(t, c, req, &up)
	if len(up.Notes) != 1 {
		t.Fatalf("upload: %d notes", len(up.Notes))
	}
	return string(m[1]), up.Notes[0]
}

func doJSON(t *testing.T, c *http.Client, req *http.Request, v any) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", req.URL.Path, err)
	}
}

func login(t *testing.T, s *Stack) *http.Client {
	t.Helper()
	pw, err := os.ReadFile(s.DashPassword)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.PostForm(s.DashboardURL+"/login", url.Values{"password": {strings.TrimSpace(string(pw))}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

func getJSON(t *testing.T, c *http.Client, u string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	doJSON(t, c, req, v)
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserCheck logs in to the dashboard in Chromium and waits until the
// page shows the attested workload, each denial in the alerts, and refused
// decisions highlighted in the audit feed.
func browserCheck(t *testing.T, s *Stack, alerts []string) {
	t.Helper()
	pw, err := os.ReadFile(s.DashPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx, closeBrowser := testenv.Chromium(t, 1280, 1100)
	defer closeBrowser()
	step, cancelStep := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStep()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("dashboard in Chromium: %s: %v\n%s", what, err, html)
		}
	}
	must("log in", chromedp.Do(step,
		chromedp.Navigate(s.DashboardURL+"/"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), strings.TrimSpace(string(pw))),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	))
	must("attested workload", chromedp.Do(step,
		chromedp.WaitVisible(chromedp.CSS(`#workloads tbody tr[data-workload="`+Namespace+"/"+Pod+`"] .badge.ok`))))
	for _, id := range []string{DeidSPIFFEID, GatewaySPIFFEID} {
		must("identity "+id, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS(`#identities tr.valid[data-spiffe-id="`+id+`"]`))))
	}
	must("refusals highlighted in the audit feed", chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS(`#audit tbody tr.deny`))))
	for _, a := range alerts {
		must("alert "+a, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS(`#alerts li.`+a))))
	}
	if dir := os.Getenv("TRUSTGATE_SCREENSHOT_DIR"); dir != "" {
		if png, err := chromedp.Run(step, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "dashboard.png"), png, 0o644)
		}
	}
}
