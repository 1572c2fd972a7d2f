package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

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
	Audit  AuditSource
	Logger *slog.Logger
	Now    func() time.Time
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

	sessMu   sync.Mutex
	sessions map[string]time.Time
}

// New returns a dashboard server.
func New(cfg Config) *Server {
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 30 * time.Second
	}
	s := &Server{cfg: cfg, st: newState(cfg.LateAfter), hub: newHub(), log: cfg.Logger, now: cfg.Now,
		sessions: map[string]time.Time{}, reg: cfg.Registry}
	if s.log == nil {
		s.log = slog.Default()
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
	m.HandleFunc("GET /api/v1/stats", s.user(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.st.listBuckets()) }))
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

// Run follows the audit stream and checks for late beacons until ctx ends.
func (s *Server) Run(ctx context.Context) {
	if s.cfg.Audit != nil {
		go func() {
			backoff := time.Second
			for ctx.Err() == nil {
				err := s.cfg.Audit.Follow(ctx, s.onAudit)
				if ctx.Err() != nil {
					return
				}
				s.log.Warn("audit stream ended; reconnecting", "err", err, "in", backoff)
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
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, w := range s.st.newlyLate(s.now()) {
				s.raise(Alert{Kind: AlertBeaconLate, Workload: w.Key,
					Message: fmt.Sprintf("no heartbeat from %s for %s", w.Key, s.now().Sub(w.LastBeacon).Round(time.Second))})
			}
			s.hub.publish("workloads", s.st.list(s.now()))
		}
	}
}

func (s *Server) onAudit(e audit.Event) {
	s.st.event(e)
	s.hub.publish("audit", e)
	if e.Outcome == audit.OutcomeAllow {
		return
	}
	switch e.Kind {
	case audit.KindAttest:
		s.raise(Alert{Kind: AlertAttestationFailed, Message: fmt.Sprintf("%s attestation refused from %s: %s", e.Tee, e.Client, e.Reason)})
	case audit.KindResource:
		s.raise(Alert{Kind: AlertReleaseDenied, Message: fmt.Sprintf("release of %s refused: %s", e.Resource, e.Reason)})
	}
}

func (s *Server) raise(a Alert) {
	a.Time = s.now().UTC()
	a = s.st.alert(a)
	s.alrts.WithLabelValues(a.Kind).Inc()
	s.log.Warn("alert", "kind", a.Kind, "workload", a.Workload, "message", a.Message)
	s.hub.publish("alert", a)
}

func (s *Server) postBeacon(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, beacon.MaxBody)
	var hb beacon.Heartbeat
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hb); err != nil {
		s.beats.WithLabelValues("malformed").Inc()
		http.Error(w, "malformed heartbeat", http.StatusBadRequest)
		return
	}
	v, err := s.cfg.Verifier.Verify(hb)
	if err != nil {
		s.beats.WithLabelValues("rejected").Inc()
		claimed := claimedWorkload(hb.Signed)
		s.raise(Alert{Kind: AlertBeaconForged, Workload: claimed,
			Message: fmt.Sprintf("heartbeat rejected from %s (claimed workload %q): %v", clientAddr(r), claimed, err)})
		http.Error(w, "heartbeat rejected: "+err.Error(), http.StatusUnauthorized)
		return
	}
	s.beats.WithLabelValues("accepted").Inc()
	ws := s.st.beacon(v, s.now())
	if in := v.Payload.Incident; in != nil {
		kind := incidentKind(in.Kind)
		msg := in.Message
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		s.raise(Alert{Kind: kind, Workload: ws.Key, Message: fmt.Sprintf("%s reports: %s", ws.Key, msg)})
	}
	s.hub.publish("workload", ws)
	w.WriteHeader(http.StatusNoContent)
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
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	got := sha256.Sum256([]byte(r.PostFormValue("password")))
	want := sha256.Sum256([]byte(s.cfg.AdminPassword))
	if s.cfg.AdminPassword == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.log.Warn("dashboard login failed", "client", clientAddr(r))
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
	_ = json.NewEncoder(w).Encode(v)
}

// --- Trustee audit stream ---------------------------------------------------

// FollowFunc adapts a "follow from an event id" function, such as
// (*trustee.AdminClient).FollowAudit, to AuditSource. It resumes after the
// last event it delivered when the stream is reconnected.
type FollowFunc func(ctx context.Context, since string, fn func(audit.Event) error) error

// Follow implements AuditSource.
func (f FollowFunc) Follow(ctx context.Context, fn func(audit.Event)) error {
	var last int64
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
