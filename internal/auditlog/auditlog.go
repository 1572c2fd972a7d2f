// Package auditlog records audit events (package audit) durably in the
// store, answers queries, and streams events to the dashboard as
// server-sent events.
package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/store"
)

// Log writes events to the store and wakes stream readers.
type Log struct {
	st store.Store

	mu   sync.Mutex
	wake chan struct{} // closed and replaced on every append
	// Poll is how often streams look for events written by other replicas
	// (default 1s).
	Poll time.Duration
}

// New returns a Log over st.
func New(st store.Store) *Log { return &Log{st: st, wake: make(chan struct{}), Poll: time.Second} }

// Entry encodes e for a store write that carries it with another change
// (store.CreateSession, store.AttestSession). Call Written after the
// write succeeded.
func (l *Log) Entry(e audit.Event) (store.AuditEntry, error) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	e.ID = 0
	b, err := json.Marshal(e)
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("audit: encode: %w", err)
	}
	return store.AuditEntry{At: e.Time, Event: b}, nil
}

// Written wakes stream readers after an Entry was stored.
func (l *Log) Written() {
	l.mu.Lock()
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
}

// Record stores e durably and returns it with its ID. Callers answer the
// request only after Record returned nil: a decision that cannot be
// audited is not taken.
func (l *Log) Record(ctx context.Context, e audit.Event) (audit.Event, error) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	ent, err := l.Entry(e)
	if err != nil {
		return e, err
	}
	id, err := l.st.AppendAudit(ctx, ent.At, ent.Event)
	if err != nil {
		return e, fmt.Errorf("audit: %w", err)
	}
	e.ID = id
	l.Written()
	return e, nil
}

// Since returns events with ID > afterID and time >= since (zero: any),
// oldest first, at most limit (0: 10,000).
func (l *Log) Since(ctx context.Context, afterID int64, since time.Time, limit int) ([]audit.Event, error) {
	recs, err := l.st.AuditSince(ctx, afterID, since, limit)
	if err != nil {
		return nil, err
	}
	out := make([]audit.Event, 0, len(recs))
	for _, r := range recs {
		var e audit.Event
		if err := json.Unmarshal(r.Event, &e); err != nil {
			return nil, fmt.Errorf("audit: event %d is corrupt: %w", r.ID, err)
		}
		e.ID = r.ID
		out = append(out, e)
	}
	return out, nil
}

func (l *Log) waitChan() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wake
}

// Stream writes events after afterID/since to w as server-sent events
// ("id: N", "event: audit", "data: {json}") until ctx ends. It sends the
// backlog first, then new events as they are written on this replica (at
// once) or on others (within Poll).
func (l *Log) Stream(ctx context.Context, w http.ResponseWriter, afterID int64, since time.Time) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("audit stream: response writer cannot flush")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	poll := l.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		wake := l.waitChan()
		evs, err := l.Since(ctx, afterID, since, 1000)
		if err != nil {
			return err
		}
		for _, e := range evs {
			b, _ := json.Marshal(e) // plain struct: cannot fail
			if _, err := fmt.Fprintf(w, "id: %d\nevent: audit\ndata: %s\n\n", e.ID, b); err != nil {
				return err
			}
			afterID = e.ID
		}
		if len(evs) > 0 {
			fl.Flush()
		}
		if len(evs) == 1000 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
			// Keep proxies from closing an idle stream.
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return err
			}
			fl.Flush()
		}
	}
}
