package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/testenv"
)

// page is the dashboard open in Chromium, logged in, with every uncaught
// script error recorded.
type page struct {
	t      *testing.T
	ctx    context.Context
	url    string
	mu     sync.Mutex
	errors []string
}

func openPage(t *testing.T, s *Server) *page {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	ctx, _ := testenv.Chromium(t, 1280, 1400)
	p := &page{t: t, ctx: ctx, url: srv.URL}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			p.mu.Lock()
			p.errors = append(p.errors, msg)
			p.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	p.do("log in",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-loaded="true"]`)))
	return p
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		html, _ := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		p.t.Fatalf("%s: %v\n%s", what, err, html)
	}
}

func run[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (p *page) reload() {
	p.t.Helper()
	p.do("reload", chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-loaded="true"]`)))
}

func (p *page) count(sel string) int {
	p.t.Helper()
	return run(p, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

// text reads sel's text in one script call: the page redraws sections on
// live updates, so a node found by one protocol call may be gone by the next.
func (p *page) text(sel string) string {
	p.t.Helper()
	return run(p, "text of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : "(no " + %q + ")"; })()`, sel, sel)))
}

// click clicks sel in one script call (see text).
func (p *page) click(sel string) {
	p.t.Helper()
	if !run(p, "click "+sel, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) e.click(); return !!e; })()`, sel))) {
		p.t.Fatalf("no %s to click", sel)
	}
}

// healthy fails the test on a script error or the error banner.
func (p *page) healthy() {
	p.t.Helper()
	p.mu.Lock()
	errs := append([]string(nil), p.errors...)
	p.mu.Unlock()
	if len(errs) > 0 {
		p.t.Fatalf("script errors: %v", errs)
	}
	if !run(p, "error banner", chromedp.Evaluate[bool](`document.querySelector("#error").hidden`)) {
		p.t.Fatalf("the page shows an error: %s", p.text("#error"))
	}
	if n := p.count("#chart .x-tick"); n < 2 {
		p.t.Fatalf("chart has %d time labels", n)
	}
	if n := p.count("#chart .y-tick"); n < 2 {
		p.t.Fatalf("chart has %d count labels", n)
	}
}

// TestBrowserEmpty: a fresh dashboard (fresh state dir, nothing received)
// renders every section; it used to throw on the null alert list.
func TestBrowserEmpty(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC() // the browser's clock draws the chart
	s := f.server(t, io.Discard)
	s.cfg.StateDir = t.TempDir()
	p := openPage(t, s)
	p.healthy()
	for sel, want := range map[string]string{
		"#alerts li.empty":     "No alerts.",
		"#workloads td.empty":  "No workload has sent a beacon yet.",
		"#audit td.empty":      "No decision from Trustee yet.",
		"#identities td.empty": "The dashboard has no admin access to Trustee (--trustee-url), so it cannot list the identity certificates.",
	} {
		if got := p.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
}

// TestBrowserFirstEvents: the first refusals, a forged heartbeat and hostile
// text appear as text, grouped, and can be acknowledged; a live alert
// arrives without a reload.
func TestBrowserFirstEvents(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC() // the browser's clock draws the chart
	s := f.server(t, io.Discard)
	s.cfg.StateDir = t.TempDir()
	hostile := `<img src=x onerror="document.body.dataset.pwned=1">`
	now := time.Now().UTC()
	s.onAudit(audit.Event{ID: 1, Time: now.Add(-3 * time.Minute), Kind: audit.KindResource, Outcome: audit.OutcomeAllow, Resource: "default/azure/conn"})
	for i := 0; i < 3; i++ { // a guest retrying
		s.onAudit(audit.Event{ID: int64(2 + i), Time: now.Add(time.Duration(i-2) * time.Minute), Kind: audit.KindResource,
			Outcome: audit.OutcomeDeny, Resource: "default/azure/conn", Reason: "policy denied " + hostile})
	}
	s.onAudit(audit.Event{ID: 9, Time: now, Kind: audit.KindAttest, Outcome: audit.OutcomeDeny, Tee: "snp",
		Reason: "policy", Check: "evidence: init_data", Claims: []string{"init_data: registered d14c…, evidence 9a1f…"}, Workload: "default/deid"})
	postFrom(t, s, "203.0.113.4:1", []byte(`{"token":"a.b.c","signed":"x.y.z"}`))
	p := openPage(t, s)
	p.healthy()
	if got := p.text("#audit tbody tr.deny"); !strings.Contains(got, "init_data: registered d14c…, evidence 9a1f…") || !strings.Contains(got, "default/deid") {
		t.Fatalf("the newest refusal's row does not explain it: %q", got)
	}
	if n := p.count("#alerts li.release-denied"); n != 1 {
		t.Fatalf("%d release-denied groups, want 1 for three retries", n)
	}
	if got := p.text("#alerts li.release-denied .count"); got != "× 3" {
		t.Fatalf("release-denied count %q", got)
	}
	if n := p.count("#alerts li.beacon-forged"); n != 1 {
		t.Fatalf("%d beacon-forged groups", n)
	}
	if n := p.count("main img"); n != 0 {
		t.Fatalf("hostile text became %d img elements", n)
	}
	if got := p.text("#alerts li.release-denied .message"); !strings.Contains(got, hostile) {
		t.Fatalf("hostile text not shown as text: %q", got)
	}
	if n := p.count("#chart rect.bar.den"); n == 0 {
		t.Fatal("no denial bar in the chart")
	}
	p.click(`#alerts li.release-denied button.ack`)
	p.do("acknowledged", chromedp.WaitVisible(chromedp.CSS(`#alerts li.release-denied.acked`)))
	s.raise(Alert{Kind: "image-rejected", Workload: "default/deid-0", Cause: "unsigned", Message: "unsigned image"}, time.Now())
	p.do("live alert", chromedp.WaitVisible(chromedp.CSS(`#alerts li.image-rejected`)))
	p.reload()
	p.healthy()
	if n := p.count("#alerts li.release-denied.acked"); n != 1 {
		t.Fatal("acknowledgement lost on reload")
	}
}

// TestBrowserThousands: thousands of events and a flood of forged
// heartbeats from many addresses; every kind stays visible, each capped,
// and the page stays whole.
func TestBrowserThousands(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC() // the browser's clock draws the chart
	s := f.server(t, io.Discard)
	s.cfg.StateDir = t.TempDir()
	now := time.Now().UTC()
	for i := 0; i < 3000; i++ {
		e := audit.Event{ID: int64(i + 1), Time: now.Add(time.Duration(i-3000) * 500 * time.Millisecond), Kind: audit.KindResource,
			Outcome: audit.OutcomeAllow, Resource: "default/azure/conn"}
		if i%3 == 0 {
			e.Outcome, e.Reason = audit.OutcomeDeny, fmt.Sprintf("policy rule %d denied", i%40)
		}
		if i%7 == 0 {
			e.Kind, e.Tee, e.Reason, e.Outcome = audit.KindAttest, "snp", fmt.Sprintf("check %d failed", i), audit.OutcomeDeny
		}
		s.onAudit(e)
	}
	for i := 0; i < 700; i++ {
		postFrom(t, s, fmt.Sprintf("198.51.100.%d:1", i%250), []byte(`{"token":"a.b.c","signed":"x.y.z"}`))
	}
	p := openPage(t, s)
	p.healthy()
	for _, k := range []string{AlertReleaseDenied, AlertAttestationFailed, AlertBeaconForged} {
		n := p.count("#alerts li." + k)
		if n == 0 || n > 20 {
			t.Errorf("%d %s groups shown, want 1..20", n, k)
		}
	}
	if n := p.count("#alerts li.more"); n < 2 {
		t.Errorf("%d 'more' lines, want one per flooded kind", n)
	}
	if n := p.count("#audit tbody tr"); n != 200 {
		t.Errorf("%d audit rows, want the newest 200", n)
	}
}

// TestBrowserIdentities: the page lists the workloads holding a valid
// identity certificate (not an expired one), and says so when Trustee does
// not answer.
func TestBrowserIdentities(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC()
	s := f.server(t, io.Discard)
	var fail atomic.Bool
	s.cfg.Identities = func(context.Context) ([]Identity, error) {
		if fail.Load() {
			return nil, errors.New("unreachable")
		}
		return identityFixture(f.now), nil
	}
	p := openPage(t, s)
	p.healthy()
	p.do("valid certificate listed", chromedp.WaitVisible(chromedp.CSS(`#identities tbody tr.valid[data-spiffe-id="spiffe://trustgate.local/ns/default/sa/deid"]`)))
	if n := p.count("#identities tbody tr.valid"); n != 1 {
		t.Errorf("%d certificate rows, want 1 (the expired one left out)", n)
	}
	if got := p.text("#identities tbody tr.valid td:nth-child(2)"); got != "snp-emulated" {
		t.Errorf("TEE cell = %q", got)
	}
	fail.Store(true)
	f.now = f.now.Add(identitiesMaxAge)
	p.reload()
	if got := p.text("#identities td.empty"); got != "Trustee did not list the identity certificates; see the dashboard's log" {
		t.Errorf("with Trustee failing the section says %q", got)
	}
}
