// Package as is trustee's attestation service: it checks that evidence is
// bound to the session's nonce and the guest's key, verifies it with the TEE's
// verifier, appraises the claims with the attestation policy and issues an
// EAR token. As upstream, a token is issued whenever the evidence verifies and
// is bound, whatever its trust vector: the resource policy decides releases.
package as

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	vear "github.com/veraison/ear"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
)

// DefaultPolicyID is the attestation policy id used when none is named; the
// policy looked up is "<id>_cpu" (upstream's "<id>_<class>").
const DefaultPolicyID = "default"

// PolicyStore returns attestation policies by id ("default_cpu"). ok is
// false when none is stored; the embedded default then serves "default_cpu".
type PolicyStore interface {
	AttestationPolicy(ctx context.Context, id string) (src string, ok bool, err error)
}

// Config wires the service.
type Config struct {
	// Verifiers by TEE name (catalog.Build).
	Verifiers map[string]attest.Verifier
	// Policies holds operator attestation policies; nil means only the
	// embedded default.
	Policies PolicyStore
	// Engine evaluates policies (with reference values).
	Engine *policy.Engine
	// Issuer signs tokens.
	Issuer *ear.Issuer
	// Logger; slog.Default() when nil.
	Logger *slog.Logger
}

// Service is the attestation service. Safe for concurrent use.
type Service struct {
	cfg Config
}

// New returns a service.
func New(cfg Config) (*Service, error) {
	if cfg.Engine == nil || cfg.Issuer == nil {
		return nil, errors.New("as: Engine and Issuer are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}, nil
}

// Request is one attestation.
type Request struct {
	// Tee is the TEE named in the session's auth request.
	Tee string
	// SessionNonce is the nonce the server issued for this session.
	SessionNonce string
	// Attestation is the decoded /attest body.
	Attestation *kbs.Attestation
	// PolicyID names the attestation policy ("default" when empty).
	PolicyID string
}

// Outcomes recorded in Result.Outcome.
const (
	OutcomeIssued = "issued" // token issued (whatever its ear.status)
	OutcomeDenied = "denied" // evidence refused; no token
	OutcomeError  = "error"  // server-side fault; no token
)

// Result describes an attestation for the audit log; it is returned with and
// without error.
type Result struct {
	Token       string         // the EAR JWT ("" unless Outcome is issued)
	Claims      map[string]any // the token's claims
	Tee         string
	Outcome     string
	Reason      string // why it was denied; the failed check when known
	PolicyID    string // policy that was evaluated
	Status      string // ear.status of cpu0
	TrustVector map[string]int
	// Rules are the policy's other rule values; Explain renders them, marking
	// those left at their default ("hardware = 97 (default)").
	Rules map[string]any
	// defaults are the policy's constant rule defaults (for Explain).
	defaults map[string]any
	// ClaimsDigest is hex SHA-256 of the JCS of the token claims.
	ClaimsDigest string
}

// Attest runs one attestation. Errors are *kbs.Error (AttestationError for
// refused evidence, PolicyEngineError for a broken policy, InternalError for
// faults), ready for kbs.WriteError; they never carry secrets.
func (s *Service) Attest(ctx context.Context, req Request) (*Result, error) {
	res := &Result{Tee: req.Tee, Outcome: OutcomeDenied}
	pid := req.PolicyID
	if pid == "" {
		pid = DefaultPolicyID
	}
	res.PolicyID = pid
	deny := func(reason string, err error) (*Result, error) {
		res.Reason = reason
		return res, kbs.Errorf(kbs.AttestationError, "%s: %w", reason, err)
	}
	a := req.Attestation
	if a == nil {
		return deny("no attestation", errors.New("empty request"))
	}
	v, ok := s.cfg.Verifiers[req.Tee]
	if !ok || v == nil {
		return deny("unknown tee", fmt.Errorf("%w %q", attest.ErrUnknownTee, req.Tee))
	}
	if subtle.ConstantTimeCompare([]byte(a.RuntimeData.Nonce), []byte(req.SessionNonce)) != 1 || req.SessionNonce == "" {
		return deny("nonce mismatch", errors.New("runtime-data nonce differs from the session's"))
	}
	if _, err := a.RuntimeData.TeePubKey.PublicKey(); err != nil {
		return deny("invalid tee-pubkey", err)
	}
	reportData := kbs.ReportDataFor(req.Tee, a.RuntimeData.Nonce, a.RuntimeData.TeePubKey, a.TeeEvidence.AdditionalEvidence)
	if reportData == nil {
		return deny("runtime data", errors.New("cannot compute the runtime-data digest"))
	}
	want := attest.Expected{ReportData: reportData}
	var initClaims any
	if a.InitData != nil {
		var err error
		if want.InitDataDigest, initClaims, err = parseInitData([]byte(a.InitData.Body)); err != nil {
			return deny("invalid initdata", err)
		}
	}

	runtimeClaims := map[string]any{"nonce": a.RuntimeData.Nonce, "tee-pubkey": a.RuntimeData.TeePubKey.Map()}
	return s.decide(ctx, res, v, evidenceCase{
		tee: req.Tee, evidence: a.TeeEvidence.PrimaryEvidence, want: want,
		initClaims: initClaims, runtimeClaims: runtimeClaims, reportData: reportData,
	})
}

// parseInitData parses the initdata a guest sent and returns its digest
// (what the hardware must have bound) and its claims for the policy.
func parseInitData(body []byte) ([]byte, any, error) {
	id, err := initdata.Parse(body)
	if err != nil {
		return nil, nil, err
	}
	data := map[string]any{}
	for k, v := range id.Data {
		data[k] = v
	}
	return id.Digest(), map[string]any{"version": id.Version, "algorithm": id.Algorithm, "data": data}, nil
}

// evidenceCase is what decide needs once the session binding is known.
type evidenceCase struct {
	tee           string
	evidence      []byte          // primary_evidence
	want          attest.Expected // report data and initdata digest to check
	initClaims    any             // the parsed initdata, or nil
	runtimeClaims map[string]any
	reportData    []byte
}

// decide verifies the evidence, appraises the verifier's own claims with
// the attestation policy res.PolicyID and issues the token. A refused
// check sets res.Reason to "evidence: <check>"; an issued token that is
// not affirming gets the policy's unmet list (or the claims outside the
// affirming tier) as res.Reason, so the audit says why.
func (s *Service) decide(ctx context.Context, res *Result, v attest.Verifier, c evidenceCase) (*Result, error) {
	pid := res.PolicyID
	claims, err := v.Verify(ctx, c.evidence, c.want)
	if err != nil {
		reason := "evidence"
		if chk := attest.FailedCheck(err); chk != "" {
			reason = "evidence: " + chk
		}
		res.Reason = reason
		return res, kbs.Errorf(kbs.AttestationError, "%s: %w", reason, err)
	}

	input := map[string]any{
		"init_data":           hex.EncodeToString(c.want.InitDataDigest),
		"init_data_claims":    c.initClaims,
		"report_data":         hex.EncodeToString(c.reportData),
		"runtime_data_claims": c.runtimeClaims,
		c.tee:                 map[string]any(claims),
	}
	src, err := s.policy(ctx, pid+"_cpu")
	if err != nil {
		res.Outcome, res.Reason = OutcomeError, "attestation policy unavailable"
		return res, kbs.Errorf(kbs.PolicyEngineError, "attestation policy %s_cpu: %w", pid, err)
	}
	app, err := s.cfg.Engine.Appraise(ctx, src, input)
	if err != nil {
		res.Outcome, res.Reason = OutcomeError, "attestation policy failed"
		return res, kbs.Errorf(kbs.PolicyEngineError, "attestation policy %s_cpu: %w", pid, err)
	}
	res.TrustVector, res.Rules, res.Status, res.defaults = app.TrustVector, app.Rules, app.Status, app.Defaults
	if app.Status != vear.TrustTierAffirming.String() {
		res.Reason = notAffirmed(app)
	}

	tok, tclaims, err := s.cfg.Issuer.Issue(ear.Appraisal{
		Tee:               c.tee,
		TrustVector:       app.TrustVector,
		PolicyID:          pid,
		Claims:            claims,
		InitData:          hex.EncodeToString(c.want.InitDataDigest),
		InitDataClaims:    c.initClaims,
		ReportData:        hex.EncodeToString(c.reportData),
		RuntimeDataClaims: c.runtimeClaims,
		Extensions:        app.Extensions,
	})
	if err != nil {
		res.Outcome, res.Reason = OutcomeError, "token issue failed"
		return res, kbs.Errorf(kbs.InternalError, "issue token: %w", err)
	}
	res.Token, res.Claims, res.Outcome = tok, tclaims, OutcomeIssued
	res.ClaimsDigest = ClaimsDigest(tclaims)
	return res, nil
}

// notAffirmed says why an appraisal is not affirming: the policy's "unmet"
// rule (a set of strings; the default policy has one) when it names
// anything, else every trust claim outside the affirming tier.
func notAffirmed(app *policy.Appraisal) string {
	var why []string
	if u, ok := app.Rules["unmet"].([]any); ok {
		for _, x := range u {
			if s, ok := x.(string); ok {
				why = append(why, s)
			}
		}
	}
	if len(why) == 0 {
		for _, k := range ear.TrustVectorKeys {
			if v := app.TrustVector[k]; ear.Tier(v) > vear.TrustTierAffirming {
				why = append(why, fmt.Sprintf("%s=%d", k, v))
			}
		}
	}
	sort.Strings(why)
	return "ear.status " + app.Status + ": " + strings.Join(why, "; ")
}

// Explain describes the policy's rules as policy.Appraisal.Explain does
// ("hardware = 97 (default)": no rule body changed it). It is rendered on
// demand, not on every attestation.
func (r *Result) Explain() []string {
	if r == nil || r.Rules == nil {
		return nil
	}
	return (&policy.Appraisal{Rules: r.Rules, Defaults: r.defaults}).Explain()
}

func (s *Service) policy(ctx context.Context, id string) (string, error) {
	if s.cfg.Policies != nil {
		src, ok, err := s.cfg.Policies.AttestationPolicy(ctx, id)
		if err != nil {
			return "", err
		}
		if ok {
			return src, nil
		}
	}
	if id == policy.DefaultAttestationPolicyID {
		return policy.DefaultAttestationPolicy(), nil
	}
	return "", fmt.Errorf("no attestation policy %q", id)
}
