// Package dashboard is the security administrator's fleet view: which
// workloads are attested and alive (from beacon heartbeats), what Trustee
// decided (from its audit stream), and alerts when a beacon is late, a
// heartbeat is forged or an attestation fails. It serves an embedded web
// page with live updates over server-sent events, a JSON API and
// Prometheus metrics.
package dashboard

import (
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

// Alert is something the administrator should look at.
type Alert struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"time"`
	Kind     string    `json:"kind"` // beacon-late, beacon-forged, attestation-failed, release-denied, or an incident kind
	Workload string    `json:"workload,omitempty"`
	Message  string    `json:"message"`
}

// Alert kinds.
const (
	AlertBeaconLate        = "beacon-late"
	AlertBeaconForged      = "beacon-forged"
	AlertAttestationFailed = "attestation-failed"
	AlertReleaseDenied     = "release-denied"
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
	maxAlerts  = 500
	maxEvents  = 1000
	maxBuckets = 120
	maxLoads   = 10000
)

// state is the dashboard's memory; all methods are safe for concurrent use.
type state struct {
	mu        sync.Mutex
	workloads map[string]*WorkloadState
	alerts    []Alert
	events    []audit.Event
	buckets   []Bucket
	nextAlert int64
	lateAfter time.Duration
}

func newState(lateAfter time.Duration) *state {
	return &state{workloads: map[string]*WorkloadState{}, lateAfter: lateAfter}
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

func (s *state) alert(a Alert) Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextAlert++
	a.ID = s.nextAlert
	s.alerts = append(s.alerts, a)
	if len(s.alerts) > maxAlerts {
		s.alerts = s.alerts[len(s.alerts)-maxAlerts:]
	}
	return a
}

func (s *state) listAlerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Alert(nil), s.alerts...)
}

func (s *state) event(e audit.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	return append([]audit.Event(nil), s.events...)
}

func (s *state) listBuckets() []Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Bucket(nil), s.buckets...)
}
