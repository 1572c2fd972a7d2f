package webapp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/deid"
)

// cookieName uses the __Host- prefix so browsers only accept it Secure,
// host-only and for path / (plain-HTTP development drops the prefix).
const (
	cookieName     = "__Host-deid-session"
	devCookieName  = "deid-session"
	csrfHeader     = "X-CSRF-Token"
	sessionIDBytes = 32
)

// note is one clinical note under review. text is the original: it lives
// only here, and is dropped as soon as the note is approved or rejected.
type note struct {
	ID       string
	Name     string
	text     string
	runes    int
	detected []deid.Span // what the engine found
	ran      []string    // the detectors that ran on it ("rules", "tagger", "model")
	spans    []deid.Span // after the clinician's edits
	seed     uint64      // surrogate seed, fixed per note so edits do not reshuffle
	Status   string      // pending, approved, rejected
	Blob     string      // text blob name once approved
	redacted deid.Redaction
}

// session is one browser's work: its notes and its CSRF token.
type session struct {
	id      string
	csrf    string
	created time.Time

	mu       sync.Mutex
	lastSeen time.Time
	notes    []*note
	byID     map[string]*note
	held     int64 // bytes of originals held
	dead     bool  // expired: a request that raced the janitor must not add to it
}

type sessions struct {
	cfg Config

	mu   sync.Mutex
	m    map[string]*session
	held int64 // bytes of originals over all sessions
}

func newSessions(cfg Config) *sessions {
	return &sessions{cfg: cfg, m: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, sessionIDBytes)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the platform is broken; nothing safe to do
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (ss *sessions) cookieName() string {
	if ss.cfg.InsecureCookie {
		return devCookieName
	}
	return cookieName
}

var errTooManySessions = errors.New("too many active review sessions; try again later")

// get returns the request's live session, or nil.
func (ss *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(ss.cookieName())
	if err != nil {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	// The map lookup is by the token itself: Go map hashing does not leak
	// key bytes through timing in a useful way, and tokens are 256-bit.
	s := ss.m[c.Value]
	if s == nil {
		return nil
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.expired(s, now) {
		ss.dropLocked(s)
		return nil
	}
	s.lastSeen = now
	return s
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastSeen) > ss.cfg.SessionTTL || now.Sub(s.created) > ss.cfg.SessionMaxAge
}

// create starts a session and sets its cookie.
func (ss *sessions) create(w http.ResponseWriter) (*session, error) {
	now := time.Now()
	s := &session{id: randomToken(), csrf: randomToken(), created: now, lastSeen: now, byID: map[string]*note{}}
	ss.mu.Lock()
	if len(ss.m) >= ss.cfg.MaxSessions {
		ss.mu.Unlock()
		return nil, errTooManySessions
	}
	ss.m[s.id] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     ss.cookieName(),
		Value:    s.id,
		Path:     "/",
		HttpOnly: true,
		Secure:   !ss.cfg.InsecureCookie,
		SameSite: http.SameSiteStrictMode,
		MaxAge:   int(ss.cfg.SessionMaxAge.Seconds()),
	})
	return s, nil
}

// checkCSRF compares the request's token with the session's in constant time.
func (s *session) checkCSRF(r *http.Request) bool {
	got := r.Header.Get(csrfHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// reserve accounts for n bytes of originals about to be held; it fails when
// the process-wide budget is spent, so many sessions cannot exhaust memory.
// Lock order is ss.mu before s.mu: callers must not hold a session's lock.
func (ss *sessions) reserve(n int64) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.held+n > ss.cfg.MaxHeldBytes {
		return false
	}
	ss.held += n
	return true
}

func (ss *sessions) release(n int64) {
	ss.mu.Lock()
	ss.held -= n
	ss.mu.Unlock()
}

// dropLocked forgets a session and its originals; ss.mu and s.mu are held.
func (ss *sessions) dropLocked(s *session) {
	delete(ss.m, s.id)
	s.dead = true
	ss.held -= s.held
	s.held = 0
	for _, n := range s.notes {
		n.text = ""
	}
	s.notes, s.byID = nil, map[string]*note{}
}

// janitor expires idle sessions every minute (or every TTL/4 when shorter).
func (ss *sessions) janitor(ctx context.Context) {
	every := min(time.Minute, max(ss.cfg.SessionTTL/4, 10*time.Millisecond))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			ss.sweep(now)
		}
	}
}

func (ss *sessions) sweep(now time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, s := range ss.m {
		s.mu.Lock()
		if ss.expired(s, now) {
			ss.dropLocked(s)
		}
		s.mu.Unlock()
	}
}

func (ss *sessions) clear() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, s := range ss.m {
		s.mu.Lock()
		ss.dropLocked(s)
		s.mu.Unlock()
	}
}

func (ss *sessions) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.m)
}
