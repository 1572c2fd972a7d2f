package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
)

// The identity plugin (issue 17): a workload certificate authority in the
// upstream plugin style, /kbs/v0/identity/…, documented in docs/tls-sidecar.md.
//
//	POST /kbs/v0/identity/csr     attestation token required (session cookie
//	                              or bearer); body IdentityRequest; answers
//	                              IdentityResponse
//	GET  /kbs/v0/identity/bundle  the CA certificate (PEM), public
//
// A certificate is signed only when the token's cpu0 appraisal is
// affirming, the resource policy allows plugin "identity" with
// resource-path [namespace, service-account] (and, once per DNS name, with
// query {"dns": name}), and the CSR's key is the token's tee-pubkey: the key
// the TEE bound into its evidence for this attestation. Every issuance and
// every refusal is audited (kind "identity").

// AuditKindIdentity is the audit kind of the identity plugin's decisions.
const AuditKindIdentity = "identity"

// maxIdentityBody bounds a CSR request (a CSR is at most
// identity.MaxCSRBytes; the JSON around it and the names add little).
const maxIdentityBody = 64 << 10

// IdentityRequest is the body of POST /kbs/v0/identity/csr.
type IdentityRequest struct {
	// CSR is a PKCS #10 request in PEM, signed with the attested key.
	CSR string `json:"csr"`
	// DNSNames are server names the workload asks for; each must be
	// allowed by the resource policy.
	DNSNames []string `json:"dns_names,omitempty"`
}

// IdentityResponse is the answer to an issued certificate.
type IdentityResponse struct {
	// CertificateChain is the leaf then the CA certificate, PEM.
	CertificateChain string    `json:"certificate_chain"`
	SPIFFEID         string    `json:"spiffe_id"`
	NotAfter         time.Time `json:"not_after"`
}

func (s *Server) identityRoutes(m *http.ServeMux) {
	m.Handle("POST /kbs/v0/identity/csr", s.instrument("identity_csr", s.handleIdentityCSR))
	m.Handle("GET /kbs/v0/identity/bundle", s.instrument("identity_bundle", s.handleIdentityBundle))
	m.Handle("GET /kbs/v0/identity/issued", s.instrument("admin_identity_issued", s.admin(s.handleIdentityIssued)))
}

// IssuedCertificate is one currently valid workload certificate (GET
// /kbs/v0/identity/issued; the admin client's type).
type IssuedCertificate = kbsadmin.IssuedCertificate

// issuedFromEvent parses the reason written by handleIdentityCSR:
// "issued <id> key <fingerprint> serial <hex> until <RFC 3339>[ dns …]".
func issuedFromEvent(e audit.Event) (IssuedCertificate, bool) {
	f := strings.Fields(e.Reason)
	if e.Kind != AuditKindIdentity || e.Outcome != audit.OutcomeAllow || len(f) < 8 ||
		f[0] != "issued" || f[2] != "key" || f[4] != "serial" || f[6] != "until" {
		return IssuedCertificate{}, false
	}
	na, err := time.Parse(time.RFC3339, f[7])
	if err != nil {
		return IssuedCertificate{}, false
	}
	return IssuedCertificate{SPIFFEID: f[1], Fingerprint: f[3], Serial: f[5], NotAfter: na, Issued: e.Time, Tee: e.Tee, ClaimsDigest: e.ClaimsDigest}, true
}

// handleIdentityIssued lists the certificates still valid now, newest
// first, from the audit log of the last day (lifetimes are an hour).
func (s *Server) handleIdentityIssued(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	evs, err := s.cfg.Audit.Since(r.Context(), 0, now.Add(-24*time.Hour), 0)
	if err != nil {
		s.log.Error("identity issued: read audit", "err", err)
		kbs.WriteError(w, kbs.Errorf(kbs.InternalError, "audit log unavailable"))
		return
	}
	out := []IssuedCertificate{}
	for i := len(evs) - 1; i >= 0; i-- {
		if c, ok := issuedFromEvent(evs[i]); ok && c.NotAfter.After(now) {
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
}

// identityCA is the workload CA, read from the store (and decrypted under
// the KEK) on first use and kept: it never changes while the store lives. A
// failure is not kept, so the next request tries again.
func (s *Server) identityCA(r *http.Request) (*identity.CA, error) {
	if ca := s.idCA.Load(); ca != nil {
		return ca, nil
	}
	ca, err := identity.LoadOrCreate(r.Context(), s.cfg.Store, s.cfg.IdentityTrustDomain)
	if err != nil {
		s.log.Error("identity CA unavailable", "err", err)
		return nil, kbs.Errorf(kbs.InternalError, "identity CA unavailable")
	}
	ca.Now = s.cfg.Now
	s.idCA.Store(ca)
	return ca, nil
}

func (s *Server) handleIdentityBundle(w http.ResponseWriter, r *http.Request) {
	ca, err := s.identityCA(r)
	if err != nil {
		kbs.WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(ca.BundlePEM())
}

func (s *Server) handleIdentityCSR(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ev := audit.Event{Kind: AuditKindIdentity, PolicyID: DefaultResourcePolicyID, Resource: "identity"}
	body, err := readBodyMax(w, r, maxIdentityBody)
	if err != nil {
		s.fail(w, r, ev, err)
		return
	}
	raw, err := s.token(r)
	if err != nil {
		s.fail(w, r, ev, err)
		return
	}
	// No cache here: a certificate is rare, and each is checked against
	// the token's signature and expiry afresh.
	tok, err := s.cfg.Tokens.Verify(raw)
	if err != nil {
		s.fail(w, r, ev, kbs.Errorf(kbs.TokenVerifierError, "attestation token refused: %v", err))
		return
	}
	ev.ClaimsDigest = as.ClaimsDigest(tok.Claims)
	ev.Tee = teeOf(tok.Claims)
	if st := tok.Status("cpu0"); st != "affirming" {
		s.fail(w, r, ev, kbs.Errorf(kbs.PolicyDeny, "attestation is not affirming (cpu0 ear.status %q): no certificate", st))
		return
	}
	var req IdentityRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, ev, kbs.Errorf(kbs.SerdeError, "identity request is not JSON {csr, dns_names}"))
		return
	}
	csr, err := identity.ParseCSR([]byte(req.CSR))
	if err != nil {
		s.fail(w, r, ev, refusalError(err))
		return
	}
	wl, err := identity.WorkloadFromClaims(tok.Claims)
	if err != nil {
		s.fail(w, r, ev, refusalError(err))
		return
	}
	ev.Resource = "identity/" + wl.Namespace + "/" + wl.ServiceAccount
	if len(req.DNSNames) > identity.MaxDNSNames {
		s.fail(w, r, ev, kbs.Errorf(kbs.SerdeError, "%d DNS names requested, limit %d", len(req.DNSNames), identity.MaxDNSNames))
		return
	}
	for _, n := range req.DNSNames {
		if !identity.ValidDNSName(n) {
			s.fail(w, r, ev, kbs.Errorf(kbs.SerdeError, "DNS name %q is not a lower-case DNS name", boundPath(n)))
			return
		}
	}
	src, err := s.resourcePolicy(ctx)
	if err != nil {
		s.log.Error("load resource policy", "err", err)
		s.fail(w, r, ev, kbs.Errorf(kbs.InternalError, "resource policy unavailable"))
		return
	}
	path := []string{wl.Namespace, wl.ServiceAccount}
	queries := []map[string]string{{}}
	for _, n := range req.DNSNames {
		queries = append(queries, map[string]string{"dns": n})
	}
	for _, q := range queries {
		allowed, err := s.cfg.Policy.Allow(ctx, src, tok.Claims, policy.Request{
			Plugin: "identity", Path: path, Query: q, AllowEmulated: s.cfg.AllowEmulated,
		})
		if err != nil {
			ev.Reason = "resource policy could not be evaluated (denied): " + err.Error()
			s.fail(w, r, ev, kbs.Errorf(kbs.PolicyEngineError, "resource policy could not be evaluated"))
			return
		}
		if !allowed {
			what := ev.Resource
			if q["dns"] != "" {
				what += " with DNS name " + q["dns"]
			}
			s.fail(w, r, ev, kbs.Errorf(kbs.PolicyDeny, "resource policy denied %s", what))
			return
		}
	}
	tpk, err := tok.TeePubKey()
	if err != nil {
		s.fail(w, r, ev, kbs.Errorf(kbs.PolicyDeny, "token carries no usable tee-pubkey to bind the CSR to"))
		return
	}
	teeKey, err := tpk.PublicKey()
	if err != nil {
		s.fail(w, r, ev, kbs.Errorf(kbs.PolicyDeny, "token's tee-pubkey is unusable"))
		return
	}
	ca, err := s.identityCA(r)
	if err != nil {
		s.fail(w, r, ev, err)
		return
	}
	// One certificate per attestation: the token is claimed here and kept
	// once the certificate is issued (released on any failure below).
	if err := s.claimIdentityToken(ev.ClaimsDigest, tok.Expiry); err != nil {
		s.fail(w, r, ev, err)
		return
	}
	issued := false
	defer func() {
		if !issued {
			s.identityTokens.release(ev.ClaimsDigest)
		}
	}()
	iss, err := ca.Issue(identity.Request{CSR: csr, TeeKey: teeKey, Workload: wl, DNSNames: req.DNSNames})
	if err != nil {
		if !identity.IsRefusal(err) {
			s.log.Error("identity: sign", "err", err)
			s.fail(w, r, ev, kbs.Errorf(kbs.InternalError, "identity CA could not sign"))
			return
		}
		s.fail(w, r, ev, refusalError(err))
		return
	}
	ev.Outcome = audit.OutcomeAllow
	ev.Reason = "issued " + iss.SPIFFEID + " key " + iss.Fingerprint + " serial " + iss.Serial +
		" until " + iss.NotAfter.UTC().Format(time.RFC3339)
	if len(req.DNSNames) > 0 {
		ev.Reason += " dns " + strings.Join(req.DNSNames, ",")
	}
	if err := s.record(ctx, r, ev); err != nil {
		kbs.WriteError(w, err) // not audited: not issued
		return
	}
	issued = true
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, IdentityResponse{CertificateChain: string(ca.ChainPEM(iss)), SPIFFEID: iss.SPIFFEID, NotAfter: iss.NotAfter})
}

// usedTokens holds the attestation tokens (by claims digest) that
// certified a key in this process, until they expire.
//
// An attestation token is good for one certificate. Replaying it gains an
// attacker nothing (the certificate is only ever for the key the TEE
// bound, which the attacker lacks), but the workload itself could renew
// from one old appraisal until the token expires, after a reference-value
// or attestation-policy change; one issuance per token makes "a new
// attestation for each renewal" the server's rule, not only the guest's.
// The claim is per process: with several replicas a token can certify its
// one key at most once on each, within its few minutes of life. A durable
// check (the audit log's issuance events carry the claims digest) would
// cost a scan of every event since the token was issued on each request.
type usedTokens struct {
	mu sync.Mutex
	m  map[string]time.Time // claims digest → token expiry
}

// claim reserves digest until exp; false when it is reserved already.
// Expired reservations are dropped (the map holds only live tokens).
func (u *usedTokens) claim(digest string, exp, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for d, e := range u.m {
		if !e.After(now) {
			delete(u.m, d)
		}
	}
	if _, ok := u.m[digest]; ok {
		return false
	}
	u.m[digest] = exp
	return true
}

func (u *usedTokens) release(digest string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, digest)
}

// claimIdentityToken claims the token with claims digest for one
// certificate until it expires (a token without expiry: a day); a token
// that certified a key already is refused (401).
func (s *Server) claimIdentityToken(digest string, exp time.Time) error {
	now := s.cfg.Now()
	if exp.IsZero() {
		exp = now.Add(24 * time.Hour)
	}
	if !s.identityTokens.claim(digest, exp, now) {
		return kbs.Errorf(kbs.PolicyDeny, "attestation token already used for a certificate: attest again for a new one")
	}
	return nil
}

// refusalError maps an identity refusal to a KBS error: a malformed or
// oversized CSR is a 400, anything else a policy denial.
func refusalError(err error) error {
	var rf *identity.Refusal
	if !errors.As(err, &rf) {
		return kbs.Errorf(kbs.InternalError, "identity CA error")
	}
	if rf.Malformed {
		return kbs.Errorf(kbs.SerdeError, "%s", rf.Reason)
	}
	return kbs.Errorf(kbs.PolicyDeny, "%s", rf.Reason)
}
