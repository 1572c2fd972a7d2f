package dashboard

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// Identity is a workload certificate from Trustee's identity CA that is
// still valid: its SPIFFE ID, key fingerprint, serial, expiry and the TEE
// whose attestation it relied on (GET /kbs/v0/identity/issued).
type Identity = kbsadmin.IssuedCertificate

// IdentitySource lists the certificates still valid now, newest first;
// kbsadmin.Client.IdentityIssued is one.
type IdentitySource func(ctx context.Context) ([]Identity, error)

// identitiesMaxAge is how long one answer from Trustee serves the page and
// the API before the next request asks again.
const identitiesMaxAge = 5 * time.Second

// IdentitiesView is GET /api/v1/identities: which workloads hold a
// currently valid certificate.
type IdentitiesView struct {
	// Configured is false when the dashboard has no admin access to
	// Trustee (no --trustee-url): the list is then always empty.
	Configured   bool       `json:"configured"`
	Certificates []Identity `json:"certificates"`
	// Checked is when Trustee answered.
	Checked time.Time `json:"checked,omitzero"`
	// Error says why Trustee did not answer (the answer is then 502).
	Error string `json:"error,omitempty"`
}

type identityCache struct {
	mu   sync.Mutex
	view IdentitiesView
	at   time.Time
}

// identities answers GET /api/v1/identities from a cached answer of at most
// identitiesMaxAge; only the certificates whose not_after is still ahead
// are listed, whatever the source says.
func (s *Server) identities(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Identities == nil {
		writeJSON(w, IdentitiesView{Certificates: []Identity{}})
		return
	}
	c := &s.idCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.at.IsZero() || now.Sub(c.at) >= identitiesMaxAge || now.Before(c.at) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		list, err := s.cfg.Identities(ctx)
		cancel()
		v := IdentitiesView{Configured: true, Certificates: []Identity{}, Checked: now}
		if err != nil {
			s.log.Warn("identity certificates: Trustee did not answer", "err", err)
			v.Error = "Trustee did not list the identity certificates; see the dashboard's log"
		} else {
			for _, id := range list {
				if id.NotAfter.After(now) {
					v.Certificates = append(v.Certificates, id)
				}
			}
		}
		c.view, c.at = v, now
	}
	if c.view.Error != "" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadGateway)
		writeJSONBody(w, c.view)
		return
	}
	writeJSON(w, c.view)
}
