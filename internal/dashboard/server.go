package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/beacon"
)

//go:embed web
var webFS embed.FS

// Config configures a dashboard Server.
type Config struct {
	// Verifier authenticates beacon heartbeats.
	Verifier *BeaconVerifier
	// LateAfter is how long without a heartbeat before a workload is late.
	LateAfter time.Duration
	// AdminPassword enables the local admin login; empty disables it.
	AdminPassword string
	// ClientCertAuth accepts any request that carries a client certificate
	// verified by the TLS listener (tls.Config.ClientCAs with
	// VerifyClientCertIfGiven).
	ClientCertAuth bool
	// Audit follows Trustee's audit stream; nil shows no feed.
	Audit AuditSource
	// Identities lists the workload certificates of Trustee's identity CA
	// still valid; nil shows none (GET /api/v1/identities says so).
	Identities IdentitySource
	// StateDir keeps alerts, the audit feed and the last audit event seen
	// across restarts (StateFile); empty keeps them in memory only.
	StateDir string
	Logger   *slog.Logger
	Now      func() time.Time
	// Registry receives the metrics; nil means a private registry.
	Registry *prometheus.Registry
}

// AuditSource delivers Trustee's audit events until ctx ends.
type AuditSource interface {
	Follow(ctx context.Context, fn func(audit.Event)) error
}

// Server is the dashboard.
type Server struct {
	cfg   Config
	st    *state
	hub   *hub
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
	reg   *prometheus.Registry
	beats *prometheus.CounterVec
	alrts *prometheus.CounterVec
	loads prometheus.GaugeFunc

	idCache identityCache

	sessMu   sync.Mutex
	sessions map[string]time.Time

	// forged limits rejected heartbeats per source address; logins limits
	// failed logins per address, loginAll all of them together.
	forged   *limiter
	logins   *limiter
	loginAll *limiter
	pubMu    sync.Mutex
	pubAt    map[int64]time.Time // when each alert group was last published
}

// New returns a dashboard server.
func New(cfg Config) *Server {
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 30 * time.Second
	}
	s := &Server{cfg: cfg, st: newState(cfg.LateAfter), hub: newHub(), log: cfg.Logger, now: cfg.Now,
		sessions: map[string]time.Time{}, reg: cfg.Registry,
		forged: newLimiter(forgedBurst, forgedEvery, 10000), logins: newLimiter(loginBurst, loginEvery, 10000),
		loginAll: newLimiter(loginGlobalBurst, loginGlobalEvery, 1),
		pubAt:    map[int64]time.Time{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.StateDir != "" {
		if err := s.st.load(s.statePath()); err != nil {
			// Keep the unreadable file for inspection and start afresh.
			aside := s.statePath() + ".unreadable"
			_ = os.Rename(s.statePath(), aside)
			s.log.Warn("dashboard state unreadable; starting with an empty one", "err", err, "kept_as", aside)
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.beats = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dashboard_beacons_total", Help: "Heartbeats received, by outcome."}, []string{"outcome"})
	s.alrts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dashboard_alerts_total", Help: "Alerts raised, by kind."}, []string{"kind"})
	s.loads = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dashboard_workloads", Help: "Workloads known."}, func() float64 {
		return float64(len(s.st.list(s.now())))
	})
	s.reg.MustRegister(s.beats, s.alrts, s.loads)
	s.routes()
	return s
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web") // the embedded tree always has web/
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	m.HandleFunc("GET /{$}", s.user(s.index))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	m.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	// Heartbeats authenticate themselves (token + TEE-key signature).
	m.HandleFunc("POST /api/v1/beacons", s.postBeacon)
	m.HandleFunc("GET /api/v1/workloads", s.user(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.st.list(s.now())) }))
	m.HandleFunc("GET /api/v1/alerts", s.user(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.st.listAlerts()) }))
	m.HandleFunc("GET /api/v1/audit", s.user(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.st.listEvents()) }))
	m.HandleFunc("GET /api/v1/identities", s.user(s.identities))
	m.HandleFunc("GET /api/v1/stats", s.user(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.st.listBuckets()) }))
	m.HandleFunc("POST /api/v1/alerts/{id}/ack", s.user(s.ack))
	m.HandleFunc("GET /api/v1/events", s.user(s.events))
	s.mux = m
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// Limits on what an unauthenticated client can make the dashboard do.
const (
	forgedBurst = 20               // rejected heartbeats a source may send at once,
	forgedEvery = 3 * time.Second  // then one more per this
	loginBurst  = 5                // failed logins an address may try at once,
	loginEvery  = 12 * time.Second // then one more per this
	// loginGlobalBurst failed logins from all addresses together, then one
	// more per loginGlobalEvery.
	loginGlobalBurst = 30
	loginGlobalEvery = 2 * time.Second
)

func (s *Server) statePath() string { return filepath.Join(s.cfg.StateDir, StateFile) }

// Save writes the state file now (Run saves every few seconds and when it
// ends).
func (s *Server) Save() error {
	if s.cfg.StateDir == "" {
		return nil
	}
	return s.st.save(s.statePath())
}

// resumer is an AuditSource that can start after a given event id.
type resumer interface {
	FollowFrom(ctx context.Context, since int64, fn func(audit.Event)) error
}

// Run follows the audit stream, checks for late beacons and saves the state
// until ctx ends.
func (s *Server) Run(ctx context.Context) {
	defer func() {
		if err := s.Save(); err != nil {
			s.log.Warn("save dashboard state", "err", err)
		}
	}()
	if s.cfg.Audit != nil {
		go func() {
			backoff := time.Second
			for ctx.Err() == nil {
				var err error
				if r, ok := s.cfg.Audit.(resumer); ok {
					err = r.FollowFrom(ctx, s.st.auditHighWater(), s.onAudit)
				} else {
					err = s.cfg.Audit.Follow(ctx, s.onAudit)
				}
				if ctx.Err() != nil {
					return
				}
				s.log.Warn("audit stream ended; reconnecting", "err", err, "hint", Hint(err), "in", backoff)
				if err != nil {
					s.raise(Alert{Kind: AlertAuditAnomaly, Cause: "audit stream failed: " + clip(err.Error(), 200),
						Message: withDetail("Trustee's audit stream failed; the dashboard reconnects: "+clip(err.Error(), 500), Hint(err))}, s.now())
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				if backoff < 30*time.Second {
					backoff *= 2
				}
			}
		}()
	}
	tick := s.cfg.LateAfter / 4
	if tick > 5*time.Second {
		tick = 5 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	saveT := time.NewTicker(2 * time.Second)
	defer saveT.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-saveT.C:
			if err := s.Save(); err != nil {
				s.log.Warn("save dashboard state", "err", err)
			}
		case <-t.C:
			for _, w := range s.st.newlyLate(s.now()) {
				s.raise(Alert{Kind: AlertBeaconLate, Workload: w.Key, Cause: "no heartbeat",
					Message: fmt.Sprintf("no heartbeat from %s for %s", w.Key, s.now().Sub(w.LastBeacon).Round(time.Second))}, s.now())
			}
			s.hub.publish("workloads", s.st.list(s.now()))
		}
	}
}

func (s *Server) onAudit(e audit.Event) {
	now := s.now()
	if s.st.seenAudit(e.ID) {
		// Resuming after the last event seen never delivers an old one: this
		// is a replay (or a Trustee whose ids went back), worth a look, and
		// not a new refusal.
		s.raise(Alert{Kind: AlertAuditAnomaly, Cause: "audit event replayed",
			Message: fmt.Sprintf("audit event %d arrived again (already seen); not counted as a new decision", e.ID)}, now)
		return
	}
	e, problems := sanitizeEvent(e, now)
	for _, p := range problems {
		s.raise(Alert{Kind: AlertAuditAnomaly, Cause: p, Message: fmt.Sprintf("audit event %d: %s", e.ID, p)}, now)
	}
	s.st.event(e)
	s.hub.publish("audit", e)
	if e.Outcome == audit.OutcomeAllow {
		return
	}
	x := explain(e)
	// The failing check, when Trustee names it, is what groups refusals:
	// the reason's text can vary with the values involved.
	cause := clip(e.Reason, 200)
	if x.check != "" {
		cause = x.check
	}
	switch e.Kind {
	case audit.KindAttest:
		who := x.workload
		if who == "" {
			who = e.Client
		}
		s.raise(Alert{Kind: AlertAttestationFailed, Workload: x.workload, Source: e.Client, Cause: cause,
			Message: withDetail(fmt.Sprintf("%s attestation refused for %s: %s", orUnknown(e.Tee), orUnknown(who), e.Reason), x.detail)}, e.Time)
	case audit.KindResource:
		s.raise(Alert{Kind: AlertReleaseDenied, Workload: x.workload, Cause: clip(e.Resource+": "+cause, 300),
			Message: withDetail(fmt.Sprintf("release of %s refused: %s", e.Resource, e.Reason), x.detail)}, e.Time)
	}
}

// Hint answers the common mistakes behind an error reaching Trustee with
// the fix; "" when it knows none.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	m := err.Error()
	switch {
	case strings.Contains(m, "certificate signed by unknown authority"):
		return "Trustee's certificate is not trusted: give --trustee-cacert PATH (Trustee's tls.crt, in its data directory)"
	case strings.Contains(m, "server gave HTTP response to HTTPS client"):
		return "Trustee answers plain HTTP: use an http:// --trustee-url, or start Trustee with TLS"
	case strings.Contains(m, "HTTP 400") && strings.Contains(m, "http://"), strings.Contains(m, "plain HTTP request was sent to HTTPS"):
		return "Trustee serves HTTPS: use an https:// --trustee-url"
	case strings.Contains(m, "HTTP 401"), strings.Contains(m, "HTTP 403"):
		return "Trustee refused the admin key: --admin-key must be the private half of a key Trustee trusts (its data directory's admin.key)"
	case strings.Contains(m, "connection refused"):
		return "nothing listens at --trustee-url: is Trustee running, on that address?"
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func withDetail(msg, detail string) string {
	if detail == "" {
		return msg
	}
	return msg + " — " + detail
}

// raise files one occurrence of a at time at. A new group is logged and
// published at once; a repeat is published at most once a second and
// logged when its count reaches a power of two, so that a flood costs
// neither the log nor the browsers anything.
func (s *Server) raise(a Alert, at time.Time) {
	if at.IsZero() {
		at = s.now()
	}
	a.Message = clip(a.Message, 2000)
	g, isNew := s.st.alert(a, at)
	s.alrts.WithLabelValues(g.Kind).Inc()
	if isNew || g.Count&(g.Count-1) == 0 {
		s.log.Warn("alert", "kind", g.Kind, "workload", g.Workload, "source", g.Source, "count", g.Count, "message", g.Message)
	}
	s.pubMu.Lock()
	last, seen := s.pubAt[g.ID]
	pub := isNew || !seen || s.now().Sub(last) >= time.Second
	if pub {
		if len(s.pubAt) > 4*maxPerKind*maxKinds {
			clear(s.pubAt)
		}
		s.pubAt[g.ID] = s.now()
	}
	s.pubMu.Unlock()
	if pub {
		s.hub.publish("alert", g)
	}
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	// A custom header: a cross-site form cannot send it without a CORS
	// preflight, which this server never answers.
	if r.Header.Get("X-Requested-With") != "dashboard" {
		http.Error(w, "acknowledge needs the header X-Requested-With: dashboard", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "alert id must be a number", http.StatusBadRequest)
		return
	}
	a, ok := s.st.acknowledge(id)
	if !ok {
		http.Error(w, "no such alert (it may have been replaced by newer ones of its kind)", http.StatusNotFound)
		return
	}
	s.hub.publish("alert", a)
	writeJSON(w, a)
}

func (s *Server) postBeacon(w http.ResponseWriter, r *http.Request) {
	src := clientAddr(r)
	now := s.now()
	if !s.forged.allowed(src, now) {
		// Still counted, in the source's one "too many" group: cheap, and
		// the administrator sees the flood's size.
		s.beats.WithLabelValues("throttled").Inc()
		s.raise(Alert{Kind: AlertBeaconForged, Source: src, Cause: "too many rejected heartbeats",
			Message: fmt.Sprintf("%s keeps sending heartbeats that are refused; further ones are not checked until it slows down", src)}, now)
		w.Header().Set("Retry-After", strconv.Itoa(int(s.forged.retryAfter(src, now).Seconds())+1))
		http.Error(w, "too many rejected heartbeats from this address; retry later", http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, beacon.MaxBody)
	var hb beacon.Heartbeat
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hb); err != nil {
		s.beats.WithLabelValues("malformed").Inc()
		s.forged.take(src, now)
		cause, reply, code := "malformed heartbeat", "malformed heartbeat", http.StatusBadRequest
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			cause, reply, code = "oversized heartbeat", fmt.Sprintf("heartbeat larger than %d bytes", beacon.MaxBody), http.StatusRequestEntityTooLarge
		}
		s.raise(Alert{Kind: AlertBeaconForged, Source: src, Cause: cause,
			Message: fmt.Sprintf("%s from %s: %s", cause, src, clip(err.Error(), 200))}, now)
		http.Error(w, reply, code)
		return
	}
	v, err := s.cfg.Verifier.Verify(hb)
	if err != nil {
		s.beats.WithLabelValues("rejected").Inc()
		s.forged.take(src, now)
		claimed := claimedWorkload(hb.Signed)
		// Grouped by source and cause (see Alert.key).
		s.raise(Alert{Kind: AlertBeaconForged, Workload: claimed, Source: src, Cause: causeOf(err),
			Message: fmt.Sprintf("heartbeat rejected from %s (claimed workload %q): %v", src, claimed, err)}, now)
		http.Error(w, "heartbeat rejected: "+err.Error(), http.StatusUnauthorized)
		return
	}
	s.beats.WithLabelValues("accepted").Inc()
	ws := s.st.beacon(v, now)
	if in := v.Payload.Incident; in != nil {
		kind := incidentKind(in.Kind)
		msg := clip(in.Message, 1000)
		s.raise(Alert{Kind: kind, Workload: ws.Key, Cause: clip(msg, 200), Message: fmt.Sprintf("%s reports: %s", ws.Key, msg)}, now)
	}
	s.hub.publish("workload", ws)
	w.WriteHeader(http.StatusNoContent)
}

// causeOf is the stable part of a verification error: the text before its
// first colon ("attestation token rejected"), without the varying details.
func causeOf(err error) string {
	c := err.Error()
	if i := strings.IndexByte(c, ':'); i > 0 {
		c = c[:i]
	}
	return clip(c, 120)
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// incidentKind is the alert kind for an incident's kind: kept when it is a
// short lower-case slug ("image-rejected"), AlertIncident otherwise. The kind
// becomes a metrics label and a CSS-visible string, so a workload (attested,
// but not trusted to be tidy) cannot mint unbounded or odd label values.
func incidentKind(k string) string {
	if k == "" || len(k) > 64 {
		return AlertIncident
	}
	for _, r := range k {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return AlertIncident
		}
	}
	return k
}

// claimedWorkload reads the workload a (possibly forged) heartbeat claims,
// without trusting it, for the alert text.
func claimedWorkload(compact string) string {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 || len(parts[1]) > beacon.MaxBody {
		return ""
	}
	raw, err := decodeB64URL(parts[1])
	if err != nil {
		return ""
	}
	var p beacon.Payload
	if json.Unmarshal(raw, &p) != nil {
		return ""
	}
	k := p.Workload.Key()
	if len(k) > 200 {
		k = k[:200]
	}
	return k
}

func clientAddr(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return r.RemoteAddr[:i]
	}
	return r.RemoteAddr
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	b, _ := webFS.ReadFile("web/index.html") // embedded: always present
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// events streams live updates as server-sent events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, cancel := s.hub.subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case m := <-ch:
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.kind, m.data); err != nil {
				return
			}
			fl.Flush()
		case <-keep.C:
			if _, err := io.WriteString(w, ": keepalive\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

// --- access control -------------------------------------------------------

const sessionCookie = "dashboard-session"
const sessionTTL = 8 * time.Hour

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.ClientCertAuth && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	h := sessionHash(c.Value)
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	exp, ok := s.sessions[h]
	if !ok || s.now().After(exp) {
		delete(s.sessions, h)
		return false
	}
	return true
}

func (s *Server) user(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				http.Error(w, "authentication required: present a client certificate or log in", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	b, _ := webFS.ReadFile("web/login.html") // embedded: always present
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	src, now := clientAddr(r), s.now()
	if !s.logins.allowed(src, now) || !s.loginAll.allowed("*", now) {
		wait := max(s.logins.retryAfter(src, now), s.loginAll.retryAfter("*", now))
		s.log.Warn("dashboard login throttled", "client", src)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		http.Error(w, fmt.Sprintf("too many failed logins; try again in %s", wait.Round(time.Second)+time.Second), http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	got := sha256.Sum256([]byte(r.PostFormValue("password")))
	want := sha256.Sum256([]byte(s.cfg.AdminPassword))
	if s.cfg.AdminPassword == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.log.Warn("dashboard login failed", "client", src)
		s.logins.take(src, now)
		s.loginAll.take("*", now)
		http.Redirect(w, r, "/login?failed=1", http.StatusSeeOther)
		return
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	tok := hex.EncodeToString(b[:])
	s.sessMu.Lock()
	s.sessions[sessionHash(tok)] = s.now().Add(sessionTTL)
	s.sessMu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessMu.Lock()
		delete(s.sessions, sessionHash(c.Value))
		s.sessMu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// sessionHash keeps session tokens out of memory dumps in the clear and
// makes the map lookup independent of the token's bytes.
func sessionHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// --- live updates -----------------------------------------------------------

type message struct {
	kind string
	data []byte
}

type hub struct {
	mu   sync.Mutex
	subs map[chan message]struct{}
}

func newHub() *hub { return &hub{subs: map[chan message]struct{}{}} }

func (h *hub) subscribe() (chan message, func()) {
	ch := make(chan message, 64)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// publish sends to every subscriber; a slow one misses updates rather than
// stalling the dashboard (the page re-reads the API on reconnect).
func (h *hub) publish(kind string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- message{kind, b}:
		default:
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	writeJSONBody(w, v)
}

func writeJSONBody(w io.Writer, v any) { _ = json.NewEncoder(w).Encode(v) }

// --- Trustee audit stream ---------------------------------------------------

// FollowFunc adapts a "follow from an event id" function, such as
// (*kbsadmin.Client).FollowAudit, to AuditSource. It resumes after the
// last event it delivered when the stream is reconnected.
type FollowFunc func(ctx context.Context, since string, fn func(audit.Event) error) error

// Follow implements AuditSource.
func (f FollowFunc) Follow(ctx context.Context, fn func(audit.Event)) error {
	return f.FollowFrom(ctx, 0, fn)
}

// FollowFrom follows the events after the id since (0: from the first).
func (f FollowFunc) FollowFrom(ctx context.Context, since int64, fn func(audit.Event)) error {
	last := since
	for {
		since := ""
		if last > 0 {
			since = strconv.FormatInt(last, 10)
		}
		err := f(ctx, since, func(e audit.Event) error {
			if e.ID > last {
				last = e.ID
			}
			fn(e)
			return nil
		})
		if ctx.Err() != nil || err != nil {
			return err
		}
	}
}

// Workloads returns the workloads as the API lists them.
func (s *Server) Workloads() []WorkloadState { return s.st.list(s.now()) }

// Alerts returns the current alerts, oldest first.
func (s *Server) Alerts() []Alert { return s.st.listAlerts() }
