// Package dashboard is the security administrator's fleet view: which
// workloads are attested and alive (from beacon heartbeats), what Trustee
// decided (from its audit stream), and alerts when a beacon is late, a
// heartbeat is forged or an attestation fails. It serves an embedded web
// page with live updates over server-sent events, a JSON API and
// Prometheus metrics.
//
// Alerts are grouped: one entry per kind, workload, source and cause, with
// a count and the first and last time it happened. Each kind has its own
// quota, so a flood of one kind (forged heartbeats from the internet) can
// never push another kind (a refused release) out of the list. Alerts, the
// audit feed and the last audit event seen are kept in the state directory,
// so a restart neither forgets alerts nor raises old events again.
package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/beacon"
)

// WorkloadState is what the dashboard knows of one workload.
type WorkloadState struct {
	beacon.Workload
	Key         string    `json:"key"`
	Status      string    `json:"attestation_status"` // ear.status of the last verified token
	PolicyID    string    `json:"policy_id,omitempty"`
	TokenExpiry time.Time `json:"token_expiry"`
	LastBeacon  time.Time `json:"last_beacon"`
	BeaconAge   float64   `json:"last_beacon_age_seconds"`
	Late        bool      `json:"late"`
	Attested    bool      `json:"attested"` // affirming token, not expired, beacon on time
}

// Alert is a group of occurrences of one thing the administrator should
// look at: the same kind, workload, source and cause.
type Alert struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"time"` // the last occurrence (same as Last)
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Count    int       `json:"count"`
	Kind     string    `json:"kind"` // beacon-late, beacon-forged, attestation-failed, release-denied, audit-anomaly, or an incident kind
	Workload string    `json:"workload,omitempty"`
	Source   string    `json:"source,omitempty"` // client address, where one is known
	Cause    string    `json:"cause"`            // what the group has in common
	Message  string    `json:"message"`          // the last occurrence's text
	// Acknowledged is set by the administrator; a new occurrence clears it.
	Acknowledged bool `json:"acknowledged"`
}

// key identifies the group. A forged heartbeat's workload is the sender's
// word, so those group by source and cause alone and show the workload the
// last one claimed.
func (a *Alert) key() string {
	w := a.Workload
	if a.Kind == AlertBeaconForged {
		w = ""
	}
	return a.Kind + "\x00" + w + "\x00" + a.Source + "\x00" + a.Cause
}

// Alert kinds.
const (
	AlertBeaconLate        = "beacon-late"
	AlertBeaconForged      = "beacon-forged"
	AlertAttestationFailed = "attestation-failed"
	AlertReleaseDenied     = "release-denied"
	// AlertAuditAnomaly is an audit event or stream the dashboard cannot
	// take at face value: malformed, oversized, out of order or replayed.
	AlertAuditAnomaly = "audit-anomaly"
	// AlertIncident is the kind of an attested workload's incident report
	// that names no kind of its own.
	AlertIncident = "incident"
)

// Bucket counts releases and denials in one minute.
type Bucket struct {
	Minute   time.Time `json:"minute"`
	Releases int       `json:"releases"`
	Denials  int       `json:"denials"`
}

const (
	// maxPerKind alert groups are kept per kind; the oldest group of that
	// kind makes room for a new one, never a group of another kind.
	maxPerKind = 200
	// maxKinds distinct kinds are kept; incidents of further kinds are
	// filed under AlertIncident.
	maxKinds   = 32
	maxEvents  = 1000
	maxBuckets = 120
	maxLoads   = 10000
)

// state is the dashboard's memory; all methods are safe for concurrent use.
type state struct {
	mu        sync.Mutex
	workloads map[string]*WorkloadState
	alerts    map[string]*Alert // by key
	byID      map[int64]*Alert
	events    []audit.Event
	buckets   []Bucket
	nextAlert int64
	lateAfter time.Duration
	// auditSeen is the highest Trustee audit event id processed; events at
	// or below it are not raised again (after a restart or a reconnect).
	auditSeen int64
	dirty     bool
}

func newState(lateAfter time.Duration) *state {
	return &state{workloads: map[string]*WorkloadState{}, alerts: map[string]*Alert{}, byID: map[int64]*Alert{}, lateAfter: lateAfter}
}

func (s *state) beacon(v *Verified, at time.Time) WorkloadState {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := v.Payload.Workload.Key()
	w, ok := s.workloads[k]
	if !ok {
		if len(s.workloads) >= maxLoads {
			return WorkloadState{}
		}
		w = &WorkloadState{Key: k}
		s.workloads[k] = w
	}
	w.Workload = v.Payload.Workload
	if w.TEE == "" {
		w.TEE = v.TEE
	}
	w.Status, w.PolicyID, w.TokenExpiry, w.LastBeacon = v.Status, v.PolicyID, v.Expiry, at
	s.refresh(w, at)
	return *w
}

func (s *state) refresh(w *WorkloadState, now time.Time) {
	w.BeaconAge = now.Sub(w.LastBeacon).Seconds()
	w.Late = now.Sub(w.LastBeacon) > s.lateAfter
	w.Attested = w.Status == "affirming" && now.Before(w.TokenExpiry) && !w.Late
}

func (s *state) list(now time.Time) []WorkloadState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WorkloadState, 0, len(s.workloads))
	for _, w := range s.workloads {
		s.refresh(w, now)
		out = append(out, *w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// newlyLate returns the workloads that became late since the last call.
func (s *state) newlyLate(now time.Time) []WorkloadState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []WorkloadState
	for _, w := range s.workloads {
		was := w.Late
		s.refresh(w, now)
		if w.Late && !was {
			out = append(out, *w)
		}
	}
	return out
}

// alert files one occurrence at time at: it joins the group with the same
// kind, workload, source and cause, or starts one, evicting the oldest
// group of the same kind when that kind is at its quota. It reports the
// group and whether the occurrence started it.
func (s *state) alert(a Alert, at time.Time) (Alert, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty = true
	at = at.UTC()
	if g, ok := s.alerts[a.key()]; ok {
		g.Count++
		if at.After(g.Last) {
			g.Last, g.Time = at, at
		}
		if at.Before(g.First) {
			g.First = at
		}
		g.Message, g.Workload = a.Message, a.Workload
		g.Acknowledged = false
		return *g, false
	}
	kinds := map[string]int{}
	var oldest *Alert
	for _, g := range s.alerts {
		kinds[g.Kind]++
		if g.Kind == a.Kind && (oldest == nil || g.Last.Before(oldest.Last)) {
			oldest = g
		}
	}
	if _, known := kinds[a.Kind]; !known && len(kinds) >= maxKinds {
		a.Kind = AlertIncident
		return s.alertLocked(a, at)
	}
	if kinds[a.Kind] >= maxPerKind && oldest != nil {
		delete(s.alerts, oldest.key())
		delete(s.byID, oldest.ID)
	}
	return s.alertLocked(a, at)
}

func (s *state) alertLocked(a Alert, at time.Time) (Alert, bool) {
	if g, ok := s.alerts[a.key()]; ok { // re-filed under AlertIncident
		g.Count++
		g.Last, g.Time, g.Message, g.Acknowledged = at, at, a.Message, false
		return *g, false
	}
	s.nextAlert++
	a.ID, a.Count, a.First, a.Last, a.Time, a.Acknowledged = s.nextAlert, 1, at, at, at, false
	g := &a
	s.alerts[a.key()] = g
	s.byID[a.ID] = g
	return a, true
}

// acknowledge marks the group id as seen by the administrator.
func (s *state) acknowledge(id int64) (Alert, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.byID[id]
	if !ok {
		return Alert{}, false
	}
	g.Acknowledged = true
	s.dirty = true
	return *g, true
}

// listAlerts returns every group, most recent occurrence first; never nil.
func (s *state) listAlerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Alert, 0, len(s.alerts))
	for _, g := range s.alerts {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Last.Equal(out[j].Last) {
			return out[i].Last.After(out[j].Last)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// seenAudit reports whether the audit event id was processed before, and
// records it otherwise.
func (s *state) seenAudit(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id <= 0 {
		return false
	}
	if id <= s.auditSeen {
		return true
	}
	s.auditSeen = id
	s.dirty = true
	return false
}

func (s *state) auditHighWater() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auditSeen
}

func (s *state) event(e audit.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty = true
	s.events = append(s.events, e)
	if len(s.events) > maxEvents {
		s.events = s.events[len(s.events)-maxEvents:]
	}
	if e.Kind != audit.KindResource {
		return
	}
	m := e.Time.UTC().Truncate(time.Minute)
	if n := len(s.buckets); n == 0 || s.buckets[n-1].Minute.Before(m) {
		s.buckets = append(s.buckets, Bucket{Minute: m})
		if len(s.buckets) > maxBuckets {
			s.buckets = s.buckets[len(s.buckets)-maxBuckets:]
		}
	}
	// Events arrive in order; an old one (backlog) lands in its own bucket.
	for i := len(s.buckets) - 1; i >= 0; i-- {
		if s.buckets[i].Minute.Equal(m) {
			if e.Outcome == audit.OutcomeAllow {
				s.buckets[i].Releases++
			} else {
				s.buckets[i].Denials++
			}
			break
		}
	}
}

func (s *state) listEvents() []audit.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]audit.Event{}, s.events...)
}

func (s *state) listBuckets() []Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Bucket{}, s.buckets...)
}

// --- persistence ------------------------------------------------------------

// StateFile is the file in the dashboard's data directory that keeps its
// alerts, audit feed and the last audit event seen across restarts.
const StateFile = "dashboard-state.json"

const stateVersion = 1

type persisted struct {
	Version   int           `json:"version"`
	NextAlert int64         `json:"next_alert"`
	AuditSeen int64         `json:"audit_seen"`
	Alerts    []Alert       `json:"alerts"`
	Events    []audit.Event `json:"events"`
	Buckets   []Bucket      `json:"buckets"`
}

// maxStateFile bounds what load reads: the quotas keep a real file far
// below it.
const maxStateFile = 64 << 20

// load reads the state file at path; a missing file is a fresh start.
func (s *state) load(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read dashboard state: %w", err)
	}
	defer f.Close()
	var p persisted
	dec := json.NewDecoder(&limitedReader{f, maxStateFile})
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("dashboard state %s is unreadable: %w", path, err)
	}
	if p.Version != stateVersion {
		return fmt.Errorf("dashboard state %s has version %d, want %d", path, p.Version, stateVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextAlert, s.auditSeen = p.NextAlert, p.AuditSeen
	for i := range p.Alerts {
		a := p.Alerts[i]
		if a.ID > s.nextAlert {
			s.nextAlert = a.ID
		}
		s.alerts[a.key()] = &a
		s.byID[a.ID] = &a
	}
	if len(p.Events) > maxEvents {
		p.Events = p.Events[len(p.Events)-maxEvents:]
	}
	if len(p.Buckets) > maxBuckets {
		p.Buckets = p.Buckets[len(p.Buckets)-maxBuckets:]
	}
	s.events, s.buckets = p.Events, p.Buckets
	return nil
}

// save writes the state file atomically when something changed.
func (s *state) save(path string) error {
	s.mu.Lock()
	if !s.dirty {
		s.mu.Unlock()
		return nil
	}
	p := persisted{Version: stateVersion, NextAlert: s.nextAlert, AuditSeen: s.auditSeen,
		Events: append([]audit.Event{}, s.events...), Buckets: append([]Bucket{}, s.buckets...)}
	for _, g := range s.alerts {
		p.Alerts = append(p.Alerts, *g)
	}
	s.dirty = false
	s.mu.Unlock()
	sort.Slice(p.Alerts, func(i, j int) bool { return p.Alerts[i].ID < p.Alerts[j].ID })
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode dashboard state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dashboard-state-*")
	if err != nil {
		return fmt.Errorf("save dashboard state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save dashboard state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save dashboard state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save dashboard state: %w", err)
	}
	return nil
}

type limitedReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("state file larger than 64 MiB")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
