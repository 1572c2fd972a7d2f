// Package webapp is `deid serve`: the review web app where a clinician pastes
// or uploads clinical notes, checks the PHI the engine found (removing false
// positives, marking missed spans), and approves or rejects each note. Only an
// approved note's de-identified text and a report of span types and offsets
// leave the process, to Azure Blob Storage.
//
// The app holds originals in memory only, inside a server-side session that
// expires; they are never written to disk (multipart bodies are read as
// streams, never through ParseMultipartForm, which spills to temp files) and
// never logged. The storage connection string comes from the guest's local
// API once attestation released it; until then the app answers 503 on
// everything but /healthz and /readyz.
package webapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// Detector finds PHI; *deid.Engine is the implementation.
type Detector interface {
	Detect(ctx context.Context, text string) ([]deid.Span, error)
}

// detectorNames names what a Detector runs (deid.Engine.Detectors: "rules",
// "tagger", "model"), or a single generic name.
func detectorNames(d Detector) []string {
	if n, ok := d.(interface{ Detectors() []string }); ok {
		return n.Detectors()
	}
	return []string{"detector"}
}

// DefaultSecretURL is the guest local API resource holding the blob
// connection string (kbs:///default/azure/connection-string).
const DefaultSecretURL = localapi.DefaultURL + localapi.ResourcePrefix + "default/azure/connection-string"

// Config configures the app. The zero value plus a Detector runs with the
// defaults below.
type Config struct {
	// Addr is the listen address for Run (default 127.0.0.1:8080).
	Addr string
	// Detector finds PHI (default: deid.New(), the rules).
	Detector Detector
	// Mode is how approved text is redacted (default tags).
	Mode deid.Mode

	// SecretURL is where the blob connection string is fetched
	// (default DefaultSecretURL); "" with ConnectionString set skips it.
	SecretURL string
	// AttestationURL is the guest local API's attestation summary, shown in
	// the page header (default: AttestationPath on SecretURL's host; none
	// when only ConnectionString is set).
	AttestationURL string
	// ConnectionString, when set, is used instead of SecretURL: the value
	// `guest run` put in the environment after unsealing. A value still
	// starting with "sealed." was not unsealed and is refused.
	ConnectionString string
	// Container is the blob container for approved notes (default deid-approved).
	Container string
	// OpenStore turns the released connection string into a Store (default:
	// Azure Blob through azblob). `trustgate up` without Azurite passes one
	// that opens a local directory once the secret is released.
	OpenStore func(ctx context.Context, connectionString string) (blobstore.Store, error)
	// RetryMin and RetryMax bound the back-off between secret fetches
	// (default 500 ms and 30 s).
	RetryMin, RetryMax time.Duration

	// SessionTTL is how long an idle session (and its originals) lives
	// (default 30 min); SessionMaxAge bounds a session's life (default 8 h).
	SessionTTL, SessionMaxAge time.Duration
	// InsecureCookie drops the Secure attribute from the session cookie.
	// Only for plain-HTTP development: behind the TLS sidecar leave it false.
	InsecureCookie bool

	// Limits (defaults in withDefaults).
	MaxUploadBytes  int64 // one request body
	MaxNoteBytes    int   // one note
	MaxBatch        int   // notes in one upload
	MaxSessionNotes int   // notes held by one session
	MaxSessions     int   // live sessions
	MaxHeldBytes    int64 // originals held by all sessions together

	// Logger receives structured logs; patient text never reaches it.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.Detector == nil {
		c.Detector = deid.New()
	}
	if c.Mode == "" {
		c.Mode = deid.ModeTags
	}
	if c.SecretURL == "" && c.ConnectionString == "" {
		c.SecretURL = DefaultSecretURL
	}
	if c.Container == "" {
		c.Container = "deid-approved"
	}
	if c.OpenStore == nil {
		container := c.Container
		c.OpenStore = func(ctx context.Context, conn string) (blobstore.Store, error) {
			return blobstore.NewAzure(ctx, conn, container)
		}
	}
	if c.RetryMin <= 0 {
		c.RetryMin = 500 * time.Millisecond
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 30 * time.Second
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 30 * time.Minute
	}
	if c.SessionMaxAge <= 0 {
		c.SessionMaxAge = 8 * time.Hour
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 16 << 20
	}
	if c.MaxNoteBytes <= 0 {
		c.MaxNoteBytes = 1 << 20
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 500
	}
	if c.MaxSessionNotes <= 0 {
		c.MaxSessionNotes = 2000
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = 1000
	}
	if c.MaxHeldBytes <= 0 {
		c.MaxHeldBytes = 512 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Server is the web app. Create it with New, start the secret loop with
// Start, and serve Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	sessions *sessions
	gate     *gate
	mux      *http.ServeMux
}

// New builds the app; it does not fetch the secret until Start.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if _, err := deid.ParseMode(string(cfg.Mode)); err != nil {
		return nil, fmt.Errorf("deid serve: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		sessions: newSessions(cfg),
		gate:     newGate(cfg),
	}
	s.routes()
	return s, nil
}

// Start fetches the storage secret in the background, retrying until it is
// released or ctx ends, and expires idle sessions. It returns at once.
func (s *Server) Start(ctx context.Context) {
	go s.gate.run(ctx)
	go s.sessions.janitor(ctx)
}

// Ready reports whether the storage secret was released and the store opened.
func (s *Server) Ready() bool { return s.gate.store() != nil }

// Handler returns the app's HTTP handler.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.logRequests(s.securityHeaders(s.mux)))
}

// Run serves the app on cfg.Addr until ctx ends. It is what `deid serve`
// and `trustgate up` call.
func Run(ctx context.Context, cfg Config) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("deid serve: listen %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends (then shuts down within 5 s).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.Start(ctx)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// net/http's own error log could quote request lines; route it
		// through slog at a level that keeps it.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("deid serve listening", "addr", ln.Addr().String(), "mode", string(s.cfg.Mode))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("deid serve: %w", err)
	case <-ctx.Done():
	}
	shut, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	err := srv.Shutdown(shut)
	s.sessions.clear()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("deid serve: shutdown: %w", err)
	}
	return nil
}
