package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
)

// admin wraps h with admin token authentication. A refused token is
// audited (without the token).
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		until, err := s.cfg.Admin.check(r)
		if err != nil {
			s.fail(w, r, audit.Event{Kind: audit.KindAdmin, Action: r.Method + " " + boundPath(r.URL.EscapedPath())}, err)
			return
		}
		ctx := context.WithValue(r.Context(), adminExpiryKey{}, until)
		if r.Method != http.MethodGet {
			// An admin change and its audit event are made whole even if
			// the client goes away once its request was read.
			var cancel context.CancelFunc
			ctx, cancel = detached(ctx)
			defer cancel()
		}
		h(w, r.WithContext(ctx))
	}
}

// adminExpiryKey carries until when the admin token is accepted in the
// request context, for answers that outlive the request (the audit stream).
type adminExpiryKey struct{}

// adminDone audits a successful admin change and answers 200 with body v
// (nil: empty body).
func (s *Server) adminDone(w http.ResponseWriter, r *http.Request, ev audit.Event, v any) {
	ev.Kind, ev.Outcome = audit.KindAdmin, audit.OutcomeAllow
	if err := s.record(r.Context(), r, ev); err != nil {
		kbs.WriteError(w, err)
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// adminChange makes an admin change with its audit event in one durable
// transaction (write gets the entry), then answers 200 with body v (nil:
// empty body). A change whose audit row cannot be written is not made.
func (s *Server) adminChange(w http.ResponseWriter, r *http.Request, ev audit.Event, v any, write func(store.AuditEntry) error) {
	ent, err := s.adminEntry(r, ev)
	if err == nil {
		err = write(ent)
	}
	if err != nil {
		s.adminWriteFail(w, r, ev, err)
		return
	}
	s.cfg.Audit.Written()
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// adminEntry encodes the audit row of a successful admin change.
func (s *Server) adminEntry(r *http.Request, ev audit.Event) (store.AuditEntry, error) {
	ev.Kind, ev.Outcome, ev.Client = audit.KindAdmin, audit.OutcomeAllow, clientAddr(r)
	return s.cfg.Audit.Entry(ev)
}

// adminWriteFail answers a failed admin write: protocol errors (not found)
// as they are, store faults as 500 without their detail.
func (s *Server) adminWriteFail(w http.ResponseWriter, r *http.Request, ev audit.Event, err error) {
	var ke *kbs.Error
	if !errors.As(err, &ke) {
		s.log.Error("admin write failed", "action", ev.Action, "err", err)
	}
	s.adminFail(w, r, ev, storeErr(err))
}

func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, ev audit.Event, err error) {
	ev.Kind = audit.KindAdmin
	if kbs.Status(err) >= 500 {
		s.log.Error("admin request failed", "action", ev.Action, "err", err)
	}
	s.fail(w, r, ev, err)
}

// storeErr maps a store failure to a protocol error without its detail.
func storeErr(err error) error {
	var ke *kbs.Error
	if errors.As(err, &ke) {
		return err
	}
	return kbs.Errorf(kbs.InternalError, "store unavailable")
}

// ---- resources ----

func (s *Server) handleSetResource(rest string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ev := audit.Event{Action: "set-resource"}
		p, err := kbs.ParseResourcePath(rest)
		if err != nil {
			ev.Resource = boundPath(rest)
			s.adminFail(w, r, ev, err)
			return
		}
		ev.Resource = p.String()
		body, err := s.readBody(w, r)
		if err != nil {
			s.adminFail(w, r, ev, err)
			return
		}
		s.adminChange(w, r, ev, nil, func(ent store.AuditEntry) error {
			return s.cfg.Store.PutResource(r.Context(), p.String(), body, ent)
		})
	}
}

func (s *Server) handleDeleteResource(rest string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ev := audit.Event{Action: "delete-resource"}
		p, err := kbs.ParseResourcePath(rest)
		if err != nil {
			ev.Resource = boundPath(rest)
			s.adminFail(w, r, ev, err)
			return
		}
		ev.Resource = p.String()
		s.adminChange(w, r, ev, nil, func(ent store.AuditEntry) error {
			err := s.cfg.Store.DeleteResource(r.Context(), p.String(), ent)
			if errors.Is(err, store.ErrNotFound) {
				return kbs.Errorf(kbs.ResourceNotFound, "resource %s not found", p)
			}
			return err
		})
	}
}

// ResourceList is the answer of GET /kbs/v0/resources (the admin client's type).
type ResourceList = kbsadmin.ResourceList

func (s *Server) handleListResources(w http.ResponseWriter, r *http.Request) {
	l, err := s.cfg.Store.ListResources(r.Context())
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "list-resources"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, ResourceList{Resources: l})
}

// ---- policies ----

// decodePolicyB64 accepts base64url without padding (upstream), with
// padding, or standard base64.
func decodePolicyB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("policy is not base64url")
}

// PolicyRequest is the body of POST /kbs/v0/resource-policy and
// /attestation-policy, and the answer of GET (the admin client's type).
type PolicyRequest = kbsadmin.PolicyRequest

// DecodePolicyRequest parses and checks a policy upload body.
func DecodePolicyRequest(body []byte, kind policy.Kind) (PolicyRequest, string, error) {
	var req PolicyRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return req, "", kbs.Errorf(kbs.SerdeError, "decode policy request: %v", err)
	}
	src, err := decodePolicyB64(req.Policy)
	if err != nil {
		return req, "", kbs.Errorf(kbs.SerdeError, "decode policy request: %v", err)
	}
	if kind == policy.KindAttestation {
		if req.Type != "" && req.Type != "rego" {
			return req, "", kbs.Errorf(kbs.ParsePolicyError, "attestation policy type %q is not supported (only rego)", req.Type)
		}
		if req.PolicyID == "" {
			req.PolicyID = policy.DefaultAttestationPolicyID
		}
		if !kbs.ValidSegment(req.PolicyID) {
			return req, "", kbs.Errorf(kbs.ParsePolicyError, "policy_id must match %s", "[A-Za-z0-9_-][A-Za-z0-9_.-]*")
		}
	}
	if err := policy.Validate(kind, string(src)); err != nil {
		return req, "", kbs.Errorf(kbs.ParsePolicyError, "%v", err)
	}
	return req, string(src), nil
}

func (s *Server) handleSetResourcePolicy(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "set-resource-policy", PolicyID: DefaultResourcePolicyID}
	body, err := s.readBody(w, r)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	_, src, err := DecodePolicyRequest(body, policy.KindResource)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	s.adminChange(w, r, ev, nil, func(ent store.AuditEntry) error {
		defer s.cfg.Policies.Invalidate()
		return s.cfg.Store.PutPolicy(r.Context(), store.PolicyResource, DefaultResourcePolicyID, []byte(src), ent)
	})
}

func (s *Server) handleGetResourcePolicy(w http.ResponseWriter, r *http.Request) {
	src, err := s.resourcePolicy(r.Context())
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "get-resource-policy"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
}

func (s *Server) handleSetAttestationPolicy(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "set-attestation-policy"}
	body, err := s.readBody(w, r)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	req, src, err := DecodePolicyRequest(body, policy.KindAttestation)
	ev.PolicyID = boundPath(req.PolicyID)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	s.adminChange(w, r, ev, nil, func(ent store.AuditEntry) error {
		defer s.cfg.Policies.Invalidate()
		return s.cfg.Store.PutPolicy(r.Context(), store.PolicyAttestation, req.PolicyID, []byte(src), ent)
	})
}

// PolicyList is the answer of GET /kbs/v0/attestation-policy.
type PolicyList struct {
	Policies []string `json:"policies"`
}

func (s *Server) handleListAttestationPolicies(w http.ResponseWriter, r *http.Request) {
	ids, err := s.cfg.Store.ListPolicies(r.Context(), store.PolicyAttestation)
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "list-attestation-policies"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, PolicyList{Policies: ids})
}

func (s *Server) handleGetAttestationPolicy(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	src, ok, err := s.AttestationPolicy(r.Context(), id)
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "get-attestation-policy"}, storeErr(err))
		return
	}
	if !ok {
		if id != policy.DefaultAttestationPolicyID {
			kbs.WriteError(w, kbs.Errorf(kbs.ResourceNotFound, "no attestation policy %q", boundPath(id)))
			return
		}
		src = policy.DefaultAttestationPolicy()
	}
	writeJSON(w, http.StatusOK, PolicyRequest{Type: "rego", PolicyID: id, Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
}

// ---- reference values ----

func (s *Server) handleSetReferenceValue(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "set-reference-value"}
	body, err := s.readBody(w, r)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	// A value in a format the default attestation policy can never match
	// (a number where the verifiers emit a decimal string, hex of the
	// wrong length) is refused, not stored to silently never affirm; so is
	// an init_data digest longer than the TEE binds (?tee=NAME names the
	// TEE the values are for; without it the digest must bind on every
	// hardware TEE: refvalue.ValidateInitDataDigest).
	tee := r.URL.Query().Get("tee")
	if vals, _, perr := refvalue.ParseMessage(body, s.cfg.Now()); perr == nil {
		if verr := refvalue.ValidateValuesFor(tee, vals); verr != nil {
			ev.Check = "reference-value format"
			s.adminFail(w, r, ev, kbs.Errorf(kbs.RvpsError, "%v", verr))
			return
		}
	}
	// The values and the audit event commit together.
	names, err := s.cfg.RVPS.RegisterAudited(r.Context(), body, func(names []string) (store.AuditEntry, error) {
		ev.Resource = boundPath(strings.Join(names, ","))
		return s.adminEntry(r, ev)
	})
	if errors.Is(err, refvalue.ErrInvalid) {
		s.adminFail(w, r, ev, kbs.Errorf(kbs.RvpsError, "%v", err))
		return
	}
	if err != nil {
		s.adminWriteFail(w, r, ev, err)
		return
	}
	s.cfg.Audit.Written()
	writeJSON(w, http.StatusOK, map[string][]string{"registered": names})
}

func (s *Server) handleGetReferenceValue(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.RVPS.Get(r.Context(), r.PathValue("name"))
	if errors.Is(err, store.ErrNotFound) {
		kbs.WriteError(w, kbs.Errorf(kbs.ResourceNotFound, "no reference value %q", boundPath(r.PathValue("name"))))
		return
	}
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "get-reference-value"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) handleListReferenceValues(w http.ResponseWriter, r *http.Request) {
	l, err := s.cfg.RVPS.List(r.Context())
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "list-reference-values"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) handleDeleteReferenceValue(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ev := audit.Event{Action: "delete-reference-value", Resource: boundPath(name)}
	s.adminChange(w, r, ev, nil, func(ent store.AuditEntry) error {
		err := s.cfg.RVPS.Delete(r.Context(), name, ent)
		if errors.Is(err, store.ErrNotFound) {
			return kbs.Errorf(kbs.ResourceNotFound, "no reference value %q", boundPath(name))
		}
		return err
	})
}

// ---- audit ----

// AuditList is the answer of GET /kbs/v0/audit (the admin client's type).
type AuditList = kbsadmin.AuditList

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	afterID, since, err := audit.ParseSince(r.URL.Query().Get("since"))
	if err != nil {
		kbs.WriteError(w, kbs.Errorf(kbs.SerdeError, "%v", err))
		return
	}
	limit := 1000
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			kbs.WriteError(w, kbs.Errorf(kbs.SerdeError, "limit must be 1..10000"))
			return
		}
		limit = n
	}
	if r.URL.Query().Get("follow") == "1" || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		// The stream ends when the admin token expires: a token is not a
		// standing subscription. Clients reconnect with a fresh token from
		// the last event id (kbsadmin.Client.FollowAudit does).
		ctx := r.Context()
		// A stream mostly waits for events: it is not a request in
		// progress (InFlight), or a few open dashboards would keep the
		// store's writer yielding as if the server were saturated.
		s.inFlight.Add(-1)
		defer s.inFlight.Add(1)
		if until, ok := ctx.Value(adminExpiryKey{}).(time.Time); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, until)
			defer cancel()
		}
		if err := s.cfg.Audit.Stream(ctx, w, afterID, since); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			s.log.Debug("audit stream ended", "err", err)
		}
		return
	}
	evs, err := s.cfg.Audit.Since(r.Context(), afterID, since, limit)
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "audit"}, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, AuditList{Events: evs})
}

// ---- KEK ----

func (s *Server) handleRotateKEK(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "rotate-kek"}
	if s.cfg.RotateKEK == nil {
		s.adminFail(w, r, ev, kbs.Errorf(kbs.PluginNotFound, "KEK rotation is not available on this server (KEK from environment?)"))
		return
	}
	id, err := s.cfg.RotateKEK(r.Context())
	if err != nil {
		s.adminFail(w, r, ev, kbs.Errorf(kbs.InternalError, "KEK rotation failed; the old KEK is still in use"))
		s.log.Error("rotate KEK", "err", err)
		return
	}
	ev.Reason = "new KEK id " + id
	s.adminDone(w, r, ev, map[string]string{"kek_id": id})
}

// handleRotateTokenKey makes a new token signing key. Tokens signed by the
// previous key stay valid until they expire; the audit event names both
// key ids (never key material).
func (s *Server) handleRotateTokenKey(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "rotate-token-key"}
	if s.cfg.RotateTokenKey == nil {
		s.adminFail(w, r, ev, kbs.Errorf(kbs.PluginNotFound, "token key rotation is not available on this server"))
		return
	}
	kid, prev, err := s.cfg.RotateTokenKey(r.Context(), func(kid, prev string) (store.AuditEntry, error) {
		e := ev
		e.Reason = "new token key kid " + kid + "; previous kid " + prev + " verifies its tokens until they expire"
		return s.adminEntry(r, e)
	})
	if err != nil {
		s.log.Error("rotate token key", "err", err)
		s.adminFail(w, r, ev, kbs.Errorf(kbs.InternalError, "token key rotation failed; the current key is still in use"))
		return
	}
	s.cfg.Audit.Written()
	writeJSON(w, http.StatusOK, map[string]string{"kid": kid, "previous_kid": prev})
}
