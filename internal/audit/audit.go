// Package audit records every decision trustee takes (auth, attest,
// resource release or denial, admin change) durably in the store, answers
// queries, and streams events to the dashboard as server-sent events.
//
// An event carries who (TEE, client address), what (kind, resource path,
// policy id), the outcome with a readable reason, and a digest of the token
// claims the decision saw. It never carries a secret value, a key, a nonce
// or a token.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/store"
)

// Event kinds.
const (
	KindAuth     = "auth"
	KindAttest   = "attest"
	KindResource = "resource"
	KindAdmin    = "admin"
)

// Outcomes.
const (
	OutcomeAllow = "allow" // a token issued, a resource released, an admin change made
	OutcomeDeny  = "deny"  // refused by a check or a policy
	OutcomeError = "error" // refused because of a fault
)

// Event is one audited decision.
type Event struct {
	ID           int64     `json:"id,omitempty"`
	Time         time.Time `json:"time"`
	Kind         string    `json:"kind"`
	Tee          string    `json:"tee,omitempty"`
	Outcome      string    `json:"outcome"`
	Reason       string    `json:"reason,omitempty"`
	PolicyID     string    `json:"policy_id,omitempty"`
	Resource     string    `json:"resource,omitempty"`
	Action       string    `json:"action,omitempty"` // admin: e.g. "set-resource"
	Client       string    `json:"client,omitempty"`
	ClaimsDigest string    `json:"claims_digest,omitempty"` // hex SHA-256 of the JCS of the token claims (as.ClaimsDigest)

	// The fields below explain a decision (all optional, added after the
	// first release: readers must accept their absence). They carry
	// claim names, digests, measurements and rule values, never a secret.

	// Check is the failing check or policy rule of a refusal, e.g.
	// "evidence: debug_policy", "resource-policy default: allow is false",
	// "token: signature".
	Check string `json:"check,omitempty"`
	// Claims are the claims involved, one line each, e.g.
	// "init_data: registered d14c…, evidence 9a1f…", "ear.status: warning",
	// "executables: 33 (warning)".
	Claims []string `json:"claims,omitempty"`
	// Workload is the workload the initdata names ("namespace/name", from
	// its agent policy), when known.
	Workload string `json:"workload,omitempty"`
	// Status is the ear.status of the token (attest, resource).
	Status string `json:"ear_status,omitempty"`
	// TrustVector is the token's trust vector (claims that are not 0).
	TrustVector map[string]int `json:"trust_vector,omitempty"`
	// Explain lists the attestation policy's rule values of a token that is
	// not affirming ("hardware = 97 (default)": no rule matched).
	Explain []string `json:"explain,omitempty"`
	// Count, when above 1, is the number of requests this one row stands
	// for (aggregated unauthenticated /auth requests of one client).
	Count int `json:"count,omitempty"`
}

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
func (l *Log) Entry(e Event) (store.AuditEntry, error) {
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
func (l *Log) Record(ctx context.Context, e Event) (Event, error) {
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
func (l *Log) Since(ctx context.Context, afterID int64, since time.Time, limit int) ([]Event, error) {
	recs, err := l.st.AuditSince(ctx, afterID, since, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(recs))
	for _, r := range recs {
		var e Event
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

// ParseSince reads the ?since= value: an event id (integer) or an RFC 3339
// time. Empty means from the beginning.
func ParseSince(s string) (afterID int64, since time.Time, err error) {
	if s == "" {
		return 0, time.Time{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, time.Time{}, fmt.Errorf("since: negative event id")
		}
		return n, time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("since: want an event id or an RFC 3339 time")
	}
	return 0, t, nil
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
