package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
)

// authAggregator keeps unauthenticated /auth requests from growing the
// audit log without bound. Per client address, outcome and TEE, the first
// request of a window is recorded as its own row; the following ones in
// the same window are only counted, and one summary row (count N) is
// written when the window ends. At most maxAuthKeys keys are tracked; past
// that, requests of new clients share one key ("many clients"), so a flood
// from many addresses writes a bounded number of rows per window too.
type authAggregator struct {
	window time.Duration

	mu   sync.Mutex
	keys map[authKey]*authWindow
}

type authKey struct{ client, outcome, tee string }

type authWindow struct {
	start time.Time
	n     int         // requests counted after the first
	ev    audit.Event // template of the summary row
}

const (
	authAuditWindow = time.Minute
	maxAuthKeys     = 1000
	manyClients     = "(many clients)"
)

func newAuthAggregator(window time.Duration) *authAggregator {
	return &authAggregator{window: window, keys: map[authKey]*authWindow{}}
}

// record reports whether ev (an auth decision) must be written as its own
// row now; false means it was counted into its window's summary row.
func (a *authAggregator) record(ev audit.Event, now time.Time) bool {
	if a == nil || a.window <= 0 {
		return true
	}
	k := authKey{client: ev.Client, outcome: ev.Outcome, tee: ev.Tee}
	a.mu.Lock()
	defer a.mu.Unlock()
	w, ok := a.keys[k]
	if !ok && len(a.keys) >= maxAuthKeys {
		k = authKey{client: manyClients, outcome: ev.Outcome}
		w, ok = a.keys[k]
		ev.Client, ev.Tee = manyClients, ""
	}
	if ok && now.Sub(w.start) < a.window {
		w.n++
		return false
	}
	if ok && w.n > 0 {
		// A window ended without a flush: the flush writes its summary
		// before this key is reused (it is due already).
		return true
	}
	ev.Reason = ""
	a.keys[k] = &authWindow{start: now, ev: ev}
	return true
}

// due removes and returns the summary rows of windows that ended before
// now (all of them when all is set).
func (a *authAggregator) due(now time.Time, all bool) []audit.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []audit.Event
	for k, w := range a.keys {
		if !all && now.Sub(w.start) < a.window {
			continue
		}
		delete(a.keys, k)
		if w.n == 0 {
			continue
		}
		e := w.ev
		e.Time, e.ID = time.Time{}, 0
		e.Count = w.n
		e.Reason = fmt.Sprintf("%d more /auth requests (%s) from %s in the %s after %s, recorded as this one row",
			w.n, e.Outcome, e.Client, a.window, w.start.UTC().Format(time.RFC3339))
		out = append(out, e)
	}
	return out
}

// flushAuthAudit writes the summary rows that are due (all with all set).
func (s *Server) flushAuthAudit(ctx context.Context, all bool) {
	for _, e := range s.authAgg.due(s.cfg.Now(), all) {
		if _, err := s.cfg.Audit.Record(ctx, e); err != nil {
			s.log.Error("audit write failed", "kind", e.Kind, "count", e.Count, "err", err)
		}
	}
}

// Close writes the audit rows still held in memory (aggregated /auth
// requests). Call it before closing the store.
func (s *Server) Close(ctx context.Context) {
	s.flushAuthAudit(ctx, true)
}
