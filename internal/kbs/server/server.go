// Package server is trustee's HTTP front: the KBS attestation protocol
// (RCAR 0.4.0: /kbs/v0/auth, /attest, /resource/<repo>/<type>/<tag>), the
// admin API (resources, policies, reference values, audit), health, readiness
// and Prometheus metrics.
//
// Any replica can finish a handshake another began: a session's nonce is
// derived from its id with a key the replicas share, and its single use is
// recorded in the store with the attestation decision (session.go). Every
// decision is audited durably before the response leaves.
// Protocol errors map to status codes in one place (kbs.Status).
package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/auditlog"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/rvps"
	"github.com/trustgate/trustgate/internal/store"
)

// Attester is the attestation service (internal/as).
type Attester interface {
	Attest(ctx context.Context, req as.Request) (*as.Result, error)
}

// Config wires a Server.
type Config struct {
	Store    store.Store
	Audit    *auditlog.Log
	RVPS     *rvps.Service
	Policy   *policy.Engine
	AS       Attester
	Tokens   *ear.Verifier
	Admin    *AdminAuth
	Registry *prometheus.Registry // nil: a new one

	// SessionTimeout is a handshake's lifetime (default 5 min).
	SessionTimeout time.Duration
	// MaxBody limits request bodies (default 2 MiB).
	MaxBody int64
	// AuthRate/AuthBurst limit /auth per client address (0: no limit).
	AuthRate  float64
	AuthBurst int
	// AllowEmulated is passed to the resource policy as
	// data["allow-emulated"] (set with --dev-emulated-snp-root).
	AllowEmulated bool
	// AuthAuditWindow aggregates the audit rows of /auth requests: per
	// client, outcome and TEE, one row for the first request of a window
	// and one summary row (with count) for the rest (default 1 min;
	// negative: one row per request).
	AuthAuditWindow time.Duration
	// AuditRetention, when positive, deletes audit events older than this
	// (checked at start and hourly; every replica may prune: it is
	// idempotent). Zero keeps them all.
	AuditRetention time.Duration
	// Policies caches the policies (nil: a new cache over Store). Give the
	// attestation service the same one, so that a policy set here reaches
	// it at once.
	Policies *PolicyCache
	// TokenCacheBytes bounds the memory of the issued/verified token cache
	// (default DefaultTokenCacheBytes).
	TokenCacheBytes int64
	// MaxImportBody limits collateral and bundle imports (default 32 MiB).
	MaxImportBody int64
	// IdentityTrustDomain is the SPIFFE trust domain of the workload
	// identity CA ("" is identity.DefaultTrustDomain). It is fixed when the
	// CA is first created: the plugin refuses to sign under a stored CA
	// made for another one (trustee serve refuses to start).
	IdentityTrustDomain string
	// ImportKey decrypts bundles encrypted to this trustee (cocofy
	// --import-key); its public half is served at /kbs/v0/import-key. Nil:
	// only plain JSON bundles import.
	ImportKey *ecdsa.PrivateKey
	// TokenKey is no longer read: /kbs/v0/token-key serves the current key
	// of Tokens (the first), /kbs/v0/token-keys all of them (JWKS).
	//
	// Deprecated: the keys come from Tokens.
	TokenKey *ecdsa.PublicKey
	// RotateTokenKey makes a new token signing key (the current one stays
	// trusted until its tokens expired), committing the audit entry with
	// the change; nil disables the admin rotate-token-key endpoint.
	RotateTokenKey func(ctx context.Context, entry func(kid, prevKid string) (store.AuditEntry, error)) (kid, prevKid string, err error)
	// RotateKEK makes a new KEK, re-wraps the store and persists the key;
	// nil disables the admin rotate-kek endpoint.
	RotateKEK func(ctx context.Context) (kekID string, err error)
	Logger    *slog.Logger
	// Now is the clock for session expiry; nil means time.Now.
	Now func() time.Time
}

// DefaultResourcePolicyID is the id under which the resource policy is stored.
const DefaultResourcePolicyID = "default"

// Server serves the KBS and admin APIs.
type Server struct {
	cfg     Config
	log     *slog.Logger
	limit   *limiter
	mux     *http.ServeMux
	metrics *metrics
	tokens  *tokenCache
	authAgg *authAggregator
	// nonceKey derives the nonces of stateless sessions (session.go).
	nonceKey *sessionKey
	// identityTokens are the tokens that certified a key, idCA the workload
	// CA once loaded (plugin_identity.go).
	identityTokens usedTokens
	idCA           atomic.Pointer[identity.CA]
	// inFlight counts the requests being served (InFlight).
	inFlight atomic.Int64
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.AS == nil || cfg.Tokens == nil || cfg.Policy == nil || cfg.Admin == nil {
		return nil, errors.New("server: Store, AS, Tokens, Policy and Admin are required")
	}
	if cfg.Audit == nil {
		cfg.Audit = auditlog.New(cfg.Store)
	}
	if cfg.RVPS == nil {
		cfg.RVPS = rvps.New(cfg.Store)
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 5 * time.Minute
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = kbs.MaxBodySize
	}
	if cfg.MaxImportBody <= 0 {
		cfg.MaxImportBody = DefaultMaxImportBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limit: newLimiter(cfg.AuthRate, cfg.AuthBurst), mux: http.NewServeMux(), tokens: newTokenCache(cfg.TokenCacheBytes),
		identityTokens: usedTokens{m: map[string]time.Time{}}}
	if s.cfg.Policies == nil {
		s.cfg.Policies = NewPolicyCache(cfg.Store)
	}
	if s.cfg.AuthAuditWindow == 0 {
		s.cfg.AuthAuditWindow = authAuditWindow
	}
	s.authAgg = newAuthAggregator(s.cfg.AuthAuditWindow)
	s.nonceKey = &sessionKey{st: cfg.Store}
	s.metrics = newMetrics(cfg.Registry)
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := s.mux
	m.Handle("POST /kbs/v0/auth", s.instrument("auth", s.handleAuth))
	m.Handle("POST /kbs/v0/attest", s.instrument("attest", s.handleAttest))
	m.Handle("GET /kbs/v0/resources", s.instrument("admin_list_resources", s.admin(s.handleListResources)))
	m.Handle("POST /kbs/v0/resource-policy", s.instrument("admin_set_resource_policy", s.admin(s.handleSetResourcePolicy)))
	m.Handle("GET /kbs/v0/resource-policy", s.instrument("admin_get_resource_policy", s.admin(s.handleGetResourcePolicy)))
	m.Handle("POST /kbs/v0/attestation-policy", s.instrument("admin_set_attestation_policy", s.admin(s.handleSetAttestationPolicy)))
	m.Handle("GET /kbs/v0/attestation-policy", s.instrument("admin_list_attestation_policies", s.admin(s.handleListAttestationPolicies)))
	m.Handle("GET /kbs/v0/attestation-policy/{id}", s.instrument("admin_get_attestation_policy", s.admin(s.handleGetAttestationPolicy)))
	m.Handle("POST /kbs/v0/reference-value", s.instrument("admin_set_reference_value", s.admin(s.handleSetReferenceValue)))
	m.Handle("GET /kbs/v0/reference-value", s.instrument("admin_list_reference_values", s.admin(s.handleListReferenceValues)))
	m.Handle("GET /kbs/v0/reference-value/{name}", s.instrument("admin_get_reference_value", s.admin(s.handleGetReferenceValue)))
	m.Handle("DELETE /kbs/v0/reference-value/{name}", s.instrument("admin_delete_reference_value", s.admin(s.handleDeleteReferenceValue)))
	m.Handle("GET /kbs/v0/audit", s.instrument("admin_audit", s.admin(s.handleAudit)))
	m.Handle("POST /kbs/v0/admin/rotate-kek", s.instrument("admin_rotate_kek", s.admin(s.handleRotateKEK)))
	// trustgate extensions (not upstream): air-gapped collateral, cocofy
	// bundles, and the public keys relying parties and cocofy need.
	m.Handle("GET /kbs/v0/collateral", s.instrument("admin_export_collateral", s.admin(s.handleExportCollateral)))
	m.Handle("POST /kbs/v0/collateral", s.instrument("admin_import_collateral", s.admin(s.handleImportCollateral)))
	m.Handle("POST /kbs/v0/import", s.instrument("admin_import", s.admin(s.handleImport)))
	var importPub *ecdsa.PublicKey
	if s.cfg.ImportKey != nil {
		importPub = &s.cfg.ImportKey.PublicKey
	}
	m.Handle("GET /kbs/v0/import-key", s.instrument("import_key", handlePublicKey(importPub, "bundle import key")))
	m.Handle("GET /kbs/v0/token-key", s.instrument("token_key", s.handleTokenKey))
	m.Handle("GET /kbs/v0/token-keys", s.instrument("token_keys", s.handleTokenKeys))
	m.Handle("POST /kbs/v0/admin/rotate-token-key", s.instrument("admin_rotate_token_key", s.admin(s.handleRotateTokenKey)))
	s.identityRoutes(m)
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	m.HandleFunc("GET /readyz", s.handleReady)
	m.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		kbs.WriteError(w, kbs.Errorf(kbs.PluginNotFound, "no endpoint %s %s", r.Method, boundPath(r.URL.EscapedPath())))
	})
}

// resourcePrefix is routed before ServeMux, which would clean ".." and
// "//" out of the path (with a redirect) before we could refuse them.
const resourcePrefix = "/kbs/v0/resource/"

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), resourcePrefix); ok {
		switch r.Method {
		case http.MethodGet:
			s.instrument("resource", s.handleGetResource(rest)).ServeHTTP(w, r)
		case http.MethodPost, http.MethodPut:
			s.instrument("admin_set_resource", s.admin(s.handleSetResource(rest))).ServeHTTP(w, r)
		case http.MethodDelete:
			s.instrument("admin_delete_resource", s.admin(s.handleDeleteResource(rest))).ServeHTTP(w, r)
		default:
			w.Header().Set("Allow", "GET, POST, DELETE")
			kbs.WriteError(w, kbs.Errorf(kbs.PluginNotFound, "method %s not allowed on resources", r.Method))
		}
		return
	}
	s.mux.ServeHTTP(w, r)
}

// InFlight returns how many requests the server is serving now (the
// store's writer batches more when it is high: store.Options.Pressure).
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Run deletes expired sessions (each minute), sweeps expired tokens from
// the token cache and writes due /auth summary rows (every 15 s) until ctx
// ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	sw := time.NewTicker(15 * time.Second)
	defer sw.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	s.pruneAudit(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			s.pruneAudit(ctx)
		case <-sw.C:
			s.tokens.sweep(s.cfg.Now())
			s.flushAuthAudit(ctx, false)
		case <-t.C:
			// Kept maxClockSkew past expiry: the row of a stateless session
			// is its nonce's replay cache (session.go).
			if n, err := s.cfg.Store.DeleteExpiredSessions(ctx, s.cfg.Now().Add(-maxClockSkew)); err != nil {
				s.log.Warn("delete expired sessions", "err", err)
			} else if n > 0 {
				s.log.Debug("deleted expired sessions", "count", n)
			}
		}
	}
}

// pruneAudit applies AuditRetention, and records that it did (an admin
// event naming the cut-off and the count; never the deleted content).
func (s *Server) pruneAudit(ctx context.Context) {
	if s.cfg.AuditRetention <= 0 {
		return
	}
	before := s.cfg.Now().Add(-s.cfg.AuditRetention)
	n, err := s.cfg.Store.PruneAudit(ctx, before)
	if err != nil {
		s.log.Warn("audit retention: prune failed", "err", err)
	}
	if n == 0 {
		return
	}
	s.log.Info("audit retention: pruned old events", "count", n, "before", before.UTC().Format(time.RFC3339))
	ev := audit.Event{Kind: audit.KindAdmin, Outcome: audit.OutcomeAllow, Action: "prune-audit",
		Reason: fmt.Sprintf("audit retention %s: deleted %d events older than %s", s.cfg.AuditRetention, n, before.UTC().Format(time.RFC3339))}
	if _, err := s.cfg.Audit.Record(ctx, ev); err != nil {
		s.log.Error("audit write failed", "kind", ev.Kind, "err", err)
	}
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.log.Warn("not ready: store", "err", err)
		http.Error(w, "store unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// ---- helpers ----

// readBody reads at most MaxBody bytes; a larger body is PayloadTooLarge.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBodyMax(w, r, s.cfg.MaxBody)
}

func readBodyMax(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, kbs.Errorf(kbs.PayloadTooLarge, "request body over %d bytes", limit)
		}
		return nil, kbs.Errorf(kbs.SerdeError, "read request body: %v", err)
	}
	return b, nil
}

// readAll reads rd to its end into a buffer sized from the request's
// Content-Length when it is known and within limit (net/http delivers
// exactly that many bytes or an error): an attestation of tens of KB is
// then read without the copies of io.ReadAll's doubling from 512 bytes.
// The length is the client's word, so at most maxPrealloc is allocated
// before the bytes arrive; a larger body grows as it comes.
func readAll(rd io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size > limit {
		return io.ReadAll(rd)
	}
	b := make([]byte, 0, min(size, maxPrealloc)+1) // +1: the read that sees EOF needs room
	for {
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // more than announced: grow
		}
	}
}

// maxPrealloc bounds what a request's Content-Length alone makes readAll
// allocate.
const maxPrealloc = 64 << 10

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		kbs.WriteError(w, kbs.Errorf(kbs.InternalError, "encode response"))
		return
	}
	writeJSONBytes(w, status, b)
}

// writeJSONBytes answers with b, a JSON document.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	// Answers carry nonces, attestation tokens, policies and audit events:
	// no proxy or client cache may keep them.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeToken answers an attestation with its token: the bytes
// writeJSON(w, 200, kbs.TokenResponse{Token: tok}) writes, without
// encoding/json's pass over the token (a JWS in compact form: base64url and
// dots, nothing that JSON escapes; anything else takes writeJSON).
func writeToken(w http.ResponseWriter, tok string) {
	if !kbs.URLSafe(tok) {
		writeJSON(w, http.StatusOK, kbs.TokenResponse{Token: tok})
		return
	}
	b := make([]byte, 0, len(tok)+len(`{"token":""}`))
	b = append(append(append(b, `{"token":"`...), tok...), `"}`...)
	writeJSONBytes(w, http.StatusOK, b)
}

func boundPath(p string) string {
	if len(p) > 256 {
		return p[:256] + "…"
	}
	return p
}

// auditTimeout bounds a write that carries an audit event once it no longer
// follows its request.
const auditTimeout = 15 * time.Second

// detached returns a context for a write that carries an audit event: it
// keeps the request's values but not its cancellation, so that a decision
// is recorded even when the client went away mid-request, and it is
// bounded so that a stuck store cannot pile up writers.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
}

// record writes an audit event; when it fails the caller must not answer
// with success: a decision that cannot be audited is not taken. The write
// does not follow the request's cancellation (detached).
func (s *Server) record(ctx context.Context, r *http.Request, e audit.Event) error {
	e.Client = clientAddr(r)
	ctx, cancel := detached(ctx)
	defer cancel()
	if _, err := s.cfg.Audit.Record(ctx, e); err != nil {
		s.log.Error("audit write failed", "kind", e.Kind, "err", err)
		return kbs.Errorf(kbs.InternalError, "audit log unavailable")
	}
	return nil
}

// denial completes the audit event of a refusal with err: outcome deny
// (error for a fault) and a bounded reason.
func denial(e audit.Event, err error) audit.Event {
	if e.Outcome == "" {
		e.Outcome = audit.OutcomeDeny
		if kbs.Status(err) >= 500 {
			e.Outcome = audit.OutcomeError
		}
	}
	if e.Reason == "" {
		e.Reason = kbs.Info(err).Detail
	}
	if len(e.Reason) > 512 { // details can quote client input
		e.Reason = strings.ToValidUTF8(e.Reason[:512], "") + "…"
	}
	return e
}

// fail audits a denial durably, then writes the error (or 500 when the
// audit write failed).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, e audit.Event, err error) {
	e = denial(e, err)
	if e.Kind == audit.KindResource {
		s.metrics.denials.WithLabelValues(reasonLabel(err)).Inc()
	}
	if e.Kind == audit.KindAuth && e.Outcome == audit.OutcomeDeny {
		e.Client = clientAddr(r)
		if !s.authAgg.record(e, s.cfg.Now()) {
			kbs.WriteError(w, err) // counted into its window's summary row
			return
		}
	}
	if aerr := s.record(r.Context(), r, e); aerr != nil {
		// A refusal is stored durably before it is answered, like a
		// release: one that cannot be recorded is answered as the fault it
		// is (500), so that no 4xx denial leaves without its audit row.
		// Nothing is released either way.
		kbs.WriteError(w, aerr)
		return
	}
	kbs.WriteError(w, err)
}

// ---- /auth ----

// newSessionID returns the id of a stored session (TEE index 0: see
// session.go).
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[4] = 0
	b[6] = (b[6] & 0x0f) | 0x40 // UUID v4, written as 32 hex digits as upstream
	b[8] = (b[8] & 0x3f) | 0x80
	return hex.EncodeToString(b[:])
}

// maxTeeName bounds the TEE name an /auth request may store with its
// session (upstream's names, e.g. "azsnpvtpm", are under 16 characters).
const maxTeeName = 64

// validTee reports whether tee is a plausible TEE name: lower-case ASCII
// letters, digits, '-' and '_' (upstream's serde names and ours).
func validTee(tee string) bool {
	if tee == "" || len(tee) > maxTeeName {
		return false
	}
	for i := 0; i < len(tee); i++ {
		c := tee[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// validSessionID reports whether id has the shape of the session ids
// newSessionID makes (32 lower-case hex digits); anything else cannot name
// a session, and is refused without a store read.
func validSessionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Kind: audit.KindAuth}
	if !s.limit.allow(clientAddr(r)) {
		kbs.WriteError(w, kbs.Errorf(kbs.TooManyRequests, "too many auth requests from this client; retry later"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, ev, err)
		return
	}
	req, err := kbs.DecodeRequest(body)
	if err != nil {
		s.fail(w, r, ev, err)
		return
	}
	if !validTee(req.Tee) {
		// The name is stored with the session: bound it, so that /auth
		// cannot put megabytes per row into the store.
		ev.Tee = boundPath(req.Tee)
		s.fail(w, r, ev, kbs.Errorf(kbs.SerdeError, "decode auth request: tee must be 1..%d characters of [a-z0-9_-]", maxTeeName))
		return
	}
	ev.Tee = req.Tee
	sess := store.Session{Tee: req.Tee, Expires: s.cfg.Now().Add(s.cfg.SessionTimeout)}
	ev.Outcome, ev.Client = audit.OutcomeAllow, clientAddr(r)
	if idx := teeIndex(req.Tee); idx > 0 {
		// Stateless (session.go): nothing to store but the audit row, when
		// this request starts its client's window.
		key, err := s.nonceKey.get(r.Context())
		if err != nil {
			s.log.Error("session nonce key", "err", err)
			s.fail(w, r, audit.Event{Kind: audit.KindAuth, Tee: ev.Tee}, kbs.Errorf(kbs.InternalError, "session store unavailable"))
			return
		}
		id, exp := newStatelessID(idx, sess.Expires)
		sess.ID, sess.Expires, sess.Nonce = hex.EncodeToString(id[:]), exp, sessionNonce(key, id)
		if s.authAgg.record(ev, s.cfg.Now()) {
			if err := s.record(r.Context(), r, ev); err != nil {
				kbs.WriteError(w, err)
				return
			}
		}
	} else {
		var nb [32]byte
		_, _ = rand.Read(nb[:])
		sess.ID, sess.Nonce = newSessionID(), base64.StdEncoding.EncodeToString(nb[:])
		// The session and its audit event commit together.
		var ents []store.AuditEntry
		if s.authAgg.record(ev, s.cfg.Now()) {
			ent, err := s.cfg.Audit.Entry(ev)
			if err != nil {
				s.fail(w, r, audit.Event{Kind: audit.KindAuth, Tee: ev.Tee}, kbs.Errorf(kbs.InternalError, "audit log unavailable"))
				return
			}
			ents = append(ents, ent)
		}
		wctx, cancel := detached(r.Context())
		err = s.cfg.Store.CreateSession(wctx, sess, ents...)
		cancel()
		if err != nil {
			s.log.Error("create session", "err", err)
			s.fail(w, r, audit.Event{Kind: audit.KindAuth, Tee: ev.Tee}, kbs.Errorf(kbs.InternalError, "session store unavailable"))
			return
		}
		s.cfg.Audit.Written()
	}
	// The cookie is a bearer credential for the session's token: never
	// readable by scripts, never sent cross-site, only over TLS when the
	// request came over TLS (--insecure-http serves plain HTTP on purpose).
	http.SetCookie(w, &http.Cookie{
		Name: kbs.SessionCookie, Value: sess.ID, Expires: sess.Expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	ch := kbs.Challenge{Nonce: sess.Nonce, ExtraParams: ""}
	if req.Tee == "se" {
		// As upstream: IBM SE binds with SHA-512 and says so.
		ch.ExtraParams = map[string]any{"selected-hash-algorithm": "sha512"}
	}
	writeJSON(w, http.StatusOK, ch)
}

// ---- /attest ----

func (s *Server) handleAttest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ev := audit.Event{Kind: audit.KindAttest}
	c, err := r.Cookie(kbs.SessionCookie)
	if err != nil || c.Value == "" {
		ev.Check = "session: no cookie"
		s.fail(w, r, ev, kbs.Errorf(kbs.AttestationError, "missing kbs-session-id cookie: call /kbs/v0/auth first"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		ev.Check = "body: size"
		s.fail(w, r, ev, err)
		return
	}
	att, err := kbs.DecodeAttestation(body)
	if err != nil {
		ev.Check = "body: attestation"
		s.fail(w, r, ev, err)
		return
	}
	if !validSessionID(c.Value) {
		ev.Check = "session: unknown"
		s.fail(w, r, ev, kbs.Errorf(kbs.AttestationError, "unknown or expired session: call /kbs/v0/auth again"))
		return
	}
	sess, stateless, ok := s.attestSession(w, r, c.Value, att, &ev)
	if !ok {
		return
	}
	res, err := s.cfg.AS.Attest(ctx, as.Request{Tee: sess.Tee, SessionNonce: sess.Nonce, Attestation: att})
	if res != nil {
		ev.PolicyID, ev.ClaimsDigest = res.PolicyID, res.ClaimsDigest
		if res.Reason != "" {
			ev.Reason = res.Reason
		}
	}
	if err != nil {
		if kbs.Status(err) >= 500 {
			s.log.Error("attestation failed", "tee", sess.Tee, "err", err)
		}
		// The audit gets the full detail (the failing check and why), not
		// only the short outcome, so that an operator sees what to fix.
		ev.Reason = ""
		if res != nil {
			ev.Check = res.Reason
		}
		s.explainSentInitData(ctx, &ev, att.InitData)
		if errors.Is(err, ear.ErrTokenTooLarge) {
			ev.Check = "token: size"
			// The claims (initdata and evidence the guest chose) would make
			// a token no replica accepts: the guest's input, not a fault.
			ev.Reason = "token not issued: " + err.Error()
			err = kbs.Errorf(kbs.AttestationError, "the attestation token would exceed %d bytes (initdata or evidence too large)", ear.MaxTokenSize)
		}
		if errors.Is(err, attest.ErrUnknownTee) {
			ev.Reason = fmt.Sprintf("unknown tee %q: this trustee has no verifier for it enabled (snp-emulated needs --dev-emulated-snp-root)", boundPath(sess.Tee))
		}
		if stateless {
			s.useSession(w, r, sess, ev, err)
			return
		}
		s.fail(w, r, ev, err)
		return
	}
	// The token and its audit event commit together.
	okEv := ev
	okEv.Outcome, okEv.Reason, okEv.Client = audit.OutcomeAllow, "token issued, ear.status "+res.Status, clientAddr(r)
	if res.Reason != "" {
		okEv.Reason = "token issued, " + res.Reason // "ear.status warning: <what kept it from affirming>"
	}
	okEv.Status = res.Status
	if res.Status != "affirming" {
		// A token that the default resource policy will refuse: say why
		// now (rule values, claims), so that the refusal that follows can
		// be explained from this row.
		s.explainClaims(ctx, &okEv, res.Claims)
		okEv.Explain = res.Explain()
	}
	if stateless {
		sess.State, sess.Token = store.SessionAttested, res.Token
		if !s.useSession(w, r, sess, okEv, nil) {
			return // another attempt used the nonce first: answered as it decided
		}
	} else {
		ent, err := s.cfg.Audit.Entry(okEv)
		if err == nil {
			wctx, cancel := detached(ctx)
			err = s.cfg.Store.AttestSession(wctx, sess.ID, res.Token, ent)
			cancel()
		}
		if err != nil {
			s.log.Error("store token", "err", err)
			s.fail(w, r, ev, kbs.Errorf(kbs.InternalError, "session store unavailable"))
			return
		}
		s.cfg.Audit.Written()
	}
	it := issuedToken(res.Token, res.Claims, res.ClaimsDigest)
	it.why = res.Reason
	s.tokens.put(res.Token, it, s.cfg.Now())
	s.tokens.putSession(sess.ID, res.Token, sess.Expires, s.cfg.Now())
	writeToken(w, res.Token)
}

var (
	errNonceUsed       = kbs.Errorf(kbs.AttestationError, "nonce already used: call /kbs/v0/auth again")
	errUnknownSession  = kbs.Errorf(kbs.AttestationError, "unknown or expired session: call /kbs/v0/auth again")
	errSessionExpired  = kbs.Errorf(kbs.AttestationError, "session expired: call /kbs/v0/auth again")
	errSessionStore    = kbs.Errorf(kbs.InternalError, "session store unavailable")
	reasonAttestedOnce = "session already attested: stored token returned"
)

// attestSession finds the session of an attest request whose runtime-data
// nonce is the session's, or answers the request (ok false). A stored
// session's nonce is consumed here (store.ClaimSession); a stateless one's
// is used when the decision commits (useSession). A session this process
// attested answers with its token, as upstream does for a second attest.
func (s *Server) attestSession(w http.ResponseWriter, r *http.Request, id string, att *kbs.Attestation, ev *audit.Event) (sess store.Session, stateless, ok bool) {
	ctx := r.Context()
	now := s.cfg.Now()
	if tee, exp, b, isStateless := statelessSession(id); isStateless {
		switch {
		case exp.After(now.Add(s.cfg.SessionTimeout + maxClockSkew)):
			// Not an expiry this server gives: not a session of ours.
			ev.Check = "session: unknown"
			s.fail(w, r, *ev, errUnknownSession)
			return sess, true, false
		case !now.Before(exp):
			ev.Tee, ev.Check = tee, "session: expired"
			s.fail(w, r, *ev, errSessionExpired)
			return sess, true, false
		}
		ev.Tee = tee
		if raw, found := s.tokens.session(id, now); found {
			s.attestedOnce(w, r, *ev, raw)
			return sess, true, false
		}
		key, err := s.nonceKey.get(ctx)
		if err != nil {
			s.log.Error("session nonce key", "err", err)
			s.fail(w, r, *ev, errSessionStore)
			return sess, true, false
		}
		sess = store.Session{ID: id, Nonce: sessionNonce(key, b), Tee: tee, State: store.SessionClaimed, Expires: exp}
		if subtle.ConstantTimeCompare([]byte(att.RuntimeData.Nonce), []byte(sess.Nonce)) != 1 {
			// Not used up: nothing shows that the sender holds this
			// session's nonce.
			ev.Check = "nonce: mismatch"
			s.fail(w, r, *ev, kbs.Errorf(kbs.AttestationError, "nonce mismatch: runtime-data nonce differs from the session's"))
			return sess, true, false
		}
		return sess, true, true
	}
	// Consume the nonce before verifying: one nonce, one attestation
	// attempt, even when two replicas receive the same request at once.
	// An already attested session answers ErrNonceUsed with its token.
	sess, err := s.cfg.Store.ClaimSession(ctx, id, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		ev.Check = "session: unknown"
		s.fail(w, r, *ev, errUnknownSession)
		return sess, false, false
	case errors.Is(err, store.ErrSessionExpired):
		ev.Tee, ev.Check = sess.Tee, "session: expired"
		s.fail(w, r, *ev, errSessionExpired)
		return sess, false, false
	case errors.Is(err, store.ErrNonceUsed):
		ev.Tee = sess.Tee
		if sess.State == store.SessionAttested {
			s.attestedOnce(w, r, *ev, sess.Token)
			return sess, false, false
		}
		ev.Check = "nonce: already used"
		s.fail(w, r, *ev, errNonceUsed)
		return sess, false, false
	case err != nil:
		s.log.Error("claim session", "err", err)
		s.fail(w, r, *ev, errSessionStore)
		return sess, false, false
	}
	ev.Tee = sess.Tee
	if subtle.ConstantTimeCompare([]byte(att.RuntimeData.Nonce), []byte(sess.Nonce)) != 1 {
		ev.Check = "nonce: mismatch"
		s.fail(w, r, *ev, kbs.Errorf(kbs.AttestationError, "nonce mismatch: runtime-data nonce differs from the session's"))
		return sess, false, false
	}
	return sess, false, true
}

// attestedOnce answers a second attest on an attested session with its
// token, as upstream (audited).
func (s *Server) attestedOnce(w http.ResponseWriter, r *http.Request, ev audit.Event, token string) {
	ev.Outcome, ev.Reason, ev.Check = audit.OutcomeAllow, reasonAttestedOnce, ""
	if err := s.record(r.Context(), r, ev); err != nil {
		kbs.WriteError(w, err)
		return
	}
	writeToken(w, token)
}

// useSession commits the single use of a stateless session's nonce with
// the decision's audit row, in one durable transaction (store.UseSession):
// the decision is ev, a release of sess.Token when decided is nil, else
// the refusal decided. It reports whether this use came first and the
// caller must answer with the token; otherwise it has answered: with
// decided, or, when another attempt (on any replica) used the nonce first,
// as that attempt decided (its token, or nonce already used), audited so.
func (s *Server) useSession(w http.ResponseWriter, r *http.Request, sess store.Session, ev audit.Event, decided error) bool {
	ev.Client = clientAddr(r)
	if decided != nil {
		ev = denial(ev, decided)
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	prev, err := s.cfg.Store.UseSession(ctx, sess, func(prev *store.Session) ([]store.AuditEntry, error) {
		e := ev
		if prev != nil {
			e = audit.Event{Kind: audit.KindAttest, Tee: sess.Tee, Client: ev.Client}
			if prev.State == store.SessionAttested {
				e.Outcome, e.Reason = audit.OutcomeAllow, reasonAttestedOnce
			} else {
				e = denial(audit.Event{Kind: audit.KindAttest, Tee: sess.Tee, Client: ev.Client, Check: "nonce: already used"}, errNonceUsed)
			}
		}
		ent, err := s.cfg.Audit.Entry(e)
		if err != nil {
			return nil, err
		}
		return []store.AuditEntry{ent}, nil
	})
	if err != nil {
		s.log.Error("store session", "err", err)
		s.fail(w, r, audit.Event{Kind: audit.KindAttest, Tee: sess.Tee, Check: ev.Check}, errSessionStore)
		return false
	}
	s.cfg.Audit.Written()
	switch {
	case prev != nil && prev.State == store.SessionAttested:
		writeToken(w, prev.Token)
	case prev != nil:
		kbs.WriteError(w, errNonceUsed)
	case decided != nil:
		kbs.WriteError(w, decided)
	default:
		return true
	}
	return false
}

// ---- GET /resource ----

// token finds the attestation token of a resource request: the session
// cookie of an attested session, else an Authorization bearer token.
func (s *Server) token(r *http.Request) (string, error) {
	if c, err := r.Cookie(kbs.SessionCookie); err == nil && validSessionID(c.Value) {
		if raw, ok := s.tokens.session(c.Value, s.cfg.Now()); ok {
			return raw, nil
		}
		sess, err := s.cfg.Store.GetSession(r.Context(), c.Value)
		switch {
		case err == nil && sess.State == store.SessionAttested:
			return sess.Token, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return "", kbs.Errorf(kbs.InternalError, "session store unavailable")
		}
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.TrimSpace(tok) != "" {
		return strings.TrimSpace(tok), nil
	}
	return "", kbs.Errorf(kbs.TokenNotFound, "no attested session and no bearer token: attest first")
}

func (s *Server) handleGetResource(rest string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ev := audit.Event{Kind: audit.KindResource, PolicyID: DefaultResourcePolicyID}
		p, err := kbs.ParseResourcePath(rest)
		if err != nil {
			ev.Resource = boundPath(rest)
			s.fail(w, r, ev, err)
			return
		}
		ev.Resource = p.String()
		raw, err := s.token(r)
		if err != nil {
			ev.Check = "token: none"
			s.fail(w, r, ev, err)
			return
		}
		ct, ok := s.tokens.get(raw, s.cfg.Now())
		if ok && !s.cfg.Tokens.Trusts(ct.tok.KeyID, s.cfg.Now()) {
			ok = false // its key was rotated out: verify again (and fail)
		}
		if !ok {
			tok, err := s.cfg.Tokens.Verify(raw)
			if err != nil {
				ev.Check = tokenCheck(err)
				s.fail(w, r, ev, kbs.Errorf(kbs.TokenVerifierError, "attestation token refused: %v", err))
				return
			}
			ct = cachedToken{tok: tok, digest: as.ClaimsDigest(tok.Claims)}
			s.tokens.put(raw, ct, s.cfg.Now())
		}
		tok := ct.tok
		ev.ClaimsDigest = ct.digest
		ev.Tee = teeOf(tok.Claims)
		src, err := s.resourcePolicy(ctx)
		if err != nil {
			s.log.Error("load resource policy", "err", err)
			s.fail(w, r, ev, kbs.Errorf(kbs.InternalError, "resource policy unavailable"))
			return
		}
		allowed, err := s.cfg.Policy.Allow(ctx, src, tok.Claims, policy.Request{
			Plugin: "resource", Path: p.Segments(), Query: flatQuery(r), AllowEmulated: s.cfg.AllowEmulated,
		})
		if err != nil {
			s.log.Error("evaluate resource policy", "err", err)
			// The operator reads why in the audit (a policy error names
			// rules and locations, never a resource value); the guest
			// gets the short form.
			ev.Reason = "resource policy could not be evaluated (denied): " + err.Error()
			ev.Check = "resource-policy: evaluation error"
			s.explainClaims(ctx, &ev, tok.Claims)
			s.fail(w, r, ev, kbs.Errorf(kbs.PolicyEngineError, "resource policy could not be evaluated"))
			return
		}
		if !allowed {
			ev.Check = "resource-policy " + DefaultResourcePolicyID + ": allow is false"
			s.explainClaims(ctx, &ev, tok.Claims)
			if ct.why != "" {
				ev.Claims = append(ev.Claims, "attestation: "+ct.why)
			}
			s.fail(w, r, ev, kbs.Errorf(kbs.PolicyDeny, "resource policy denied %s", p))
			return
		}
		value, err := s.cfg.Store.GetResource(ctx, p.String())
		if errors.Is(err, store.ErrNotFound) {
			ev.Check = "resource: not found"
			s.fail(w, r, ev, kbs.Errorf(kbs.PluginInternal, "resource %s not found", p))
			return
		}
		if err != nil {
			s.log.Error("read resource", "path", p.String(), "err", err)
			s.fail(w, r, ev, kbs.Errorf(kbs.InternalError, "resource store unavailable"))
			return
		}
		pub, err := tok.TeePubKey()
		if err != nil {
			ev.Check = "token: tee-pubkey"
			s.fail(w, r, ev, kbs.Errorf(kbs.JweError, "token carries no usable tee-pubkey"))
			return
		}
		out, err := jwe.Encrypt(pub, value)
		if err != nil {
			s.fail(w, r, ev, kbs.Errorf(kbs.JweError, "encrypt resource to tee-pubkey: %v", err))
			return
		}
		ev.Outcome, ev.Reason = audit.OutcomeAllow, "released"
		if err := s.record(ctx, r, ev); err != nil {
			kbs.WriteError(w, err) // not audited: not released
			return
		}
		s.metrics.releases.Inc()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
	}
}

func (s *Server) resourcePolicy(ctx context.Context) (string, error) {
	b, found, err := s.cfg.Policies.Get(ctx, store.PolicyResource, DefaultResourcePolicyID)
	if err != nil {
		return "", err
	}
	if !found {
		return policy.DefaultResourcePolicy(), nil
	}
	return b, nil
}

func flatQuery(r *http.Request) map[string]string {
	q := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			q[k] = v[0]
		}
	}
	return q
}

// teeOf names the TEE whose claims a token carries (for the audit log).
func teeOf(claims map[string]any) string {
	sub, _ := claims["submods"].(map[string]any)
	cpu, _ := sub[ear.DefaultSubmod].(map[string]any)
	ae, _ := cpu["ear.veraison.annotated-evidence"].(map[string]any)
	for k := range ae {
		switch k {
		case "init_data", "init_data_claims", "report_data", "runtime_data_claims":
		default:
			return boundPath(k)
		}
	}
	return ""
}

// AttestationPolicy implements as.PolicyStore over the policy cache.
func (s *Server) AttestationPolicy(ctx context.Context, id string) (string, bool, error) {
	return s.cfg.Policies.AttestationPolicy(ctx, id)
}

// StorePolicies serves attestation policies from a store (as.PolicyStore).
type StorePolicies struct{ Store store.Store }

// AttestationPolicy implements as.PolicyStore.
func (p StorePolicies) AttestationPolicy(ctx context.Context, id string) (string, bool, error) {
	b, err := p.Store.GetPolicy(ctx, store.PolicyAttestation, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("attestation policy %s: %w", id, err)
	}
	return string(b), true, nil
}

var _ as.PolicyStore = StorePolicies{}

// The RVPS is what policies read reference values from.
var (
	_ policy.ReferenceValues = (*rvps.Service)(nil)
	_ policy.ReferenceLister = (*rvps.Service)(nil)
)
