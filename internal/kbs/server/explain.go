package server

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
)

// This file fills the explanation fields of audit events (check, claims,
// workload, trust vector): what an operator needs to see why a guest was
// refused. Only claim names, digests, measurements and rule values go
// there; never a secret, a nonce or a token.

// initDataRefName is the reference value that lists the initdata digests
// workloads may run with (what cocofy registers).
const initDataRefName = "init_data"

// annotatedEvidence returns submods.cpu0's annotated evidence of token claims.
func annotatedEvidence(claims map[string]any) map[string]any {
	sub, _ := claims["submods"].(map[string]any)
	cpu, _ := sub[ear.DefaultSubmod].(map[string]any)
	ae, _ := cpu["ear.veraison.annotated-evidence"].(map[string]any)
	return ae
}

// policyDataField finds the workload fields of cocofy's agent policy data
// (policy_data := {"namespace": …, "sandbox_name": …}).
var policyDataField = regexp.MustCompile(`"(namespace|sandbox_name)"\s*:\s*"((?:[^"\\\n]|\\.){0,253})"`)

// workloadOf names the workload an agent policy (initdata's policy.rego)
// admits: "namespace/name", name being the literal prefix of the pod name
// pattern ("^deid-[a-z0-9]{1,10}-…" → "deid"). "" when the policy names
// neither.
func workloadOf(policyRego string) string {
	var ns, name string
	for _, m := range policyDataField.FindAllStringSubmatch(policyRego, 4) {
		switch {
		case m[1] == "namespace" && ns == "":
			ns = m[2]
		case m[1] == "sandbox_name" && name == "":
			p := strings.TrimPrefix(m[2], "^")
			if i := strings.IndexAny(p, `[](){}.*+?|\$`); i >= 0 {
				p = p[:i]
			}
			name = strings.TrimRight(p, "-")
		}
	}
	if ns == "" && name == "" {
		return ""
	}
	if ns == "" {
		ns = "*"
	}
	if name == "" {
		name = "*"
	}
	return boundPath(ns + "/" + name)
}

// workloadOfInitDataClaims reads the workload from a token's
// init_data_claims ({"data": {"policy.rego": …}}).
func workloadOfInitDataClaims(c any) string {
	m, _ := c.(map[string]any)
	data, _ := m["data"].(map[string]any)
	p, _ := data[initdata.KeyPolicy].(string)
	return workloadOf(p)
}

// short abbreviates a digest for a one-line claim.
func short(d string) string {
	if len(d) > 12 {
		return d[:12] + "…"
	}
	return d
}

// initDataClaim compares the initdata digest the evidence bound with the
// registered ones: "init_data: registered d14c…, 77aa…; evidence 9a1f…".
func (s *Server) initDataClaim(ctx context.Context, evidence string) string {
	reg, err := s.cfg.RVPS.Query(ctx, initDataRefName)
	var r string
	switch {
	case err != nil:
		r = "registered values unavailable"
	case len(reg) == 0:
		r = "none registered"
	default:
		parts := make([]string, 0, 4)
		for i, v := range reg {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(reg)-3))
				break
			}
			parts = append(parts, short(fmt.Sprint(v)))
		}
		r = "registered " + strings.Join(parts, ", ")
	}
	e := "evidence binds none"
	if evidence != "" {
		e = "evidence " + short(evidence)
		for _, v := range reg {
			if fmt.Sprint(v) == evidence {
				e += " (registered)"
				break
			}
		}
	}
	return "init_data: " + r + "; " + e
}

// explainClaims fills ev from token claims: ear.status, the trust vector,
// each claim that is not affirming, initdata against the registered
// digests, a software TEE, and the workload.
func (s *Server) explainClaims(ctx context.Context, ev *audit.Event, claims map[string]any) {
	sub, _ := claims["submods"].(map[string]any)
	cpu, _ := sub[ear.DefaultSubmod].(map[string]any)
	ev.Status, _ = cpu["ear.status"].(string)
	if ev.Status != "" {
		ev.Claims = append(ev.Claims, "ear.status: "+ev.Status)
	}
	vec, _ := cpu["ear.trustworthiness-vector"].(map[string]any)
	for _, k := range ear.TrustVectorKeys {
		v, ok := asInt(vec[k])
		if !ok || v == 0 {
			continue
		}
		if ev.TrustVector == nil {
			ev.TrustVector = map[string]int{}
		}
		ev.TrustVector[k] = v
		if t := ear.Tier(v).String(); t != "affirming" && t != "none" {
			ev.Claims = append(ev.Claims, fmt.Sprintf("%s: %d (%s)", k, v, t))
		}
	}
	ae := annotatedEvidence(claims)
	id, _ := ae["init_data"].(string)
	ev.Claims = append(ev.Claims, s.initDataClaim(ctx, id))
	switch tee := teeOf(claims); {
	case tee == "sample":
		ev.Claims = append(ev.Claims, "tee: sample (software TEE: the default resource policy never releases to it)")
	case isEmulated(ae[tee]):
		ev.Claims = append(ev.Claims, "tee: "+tee+" (emulated: released only with --dev-emulated-snp-root)")
	}
	ev.Workload = workloadOfInitDataClaims(ae["init_data_claims"])
}

func isEmulated(c any) bool {
	m, _ := c.(map[string]any)
	e, _ := m["emulated"].(bool)
	return e
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}

// explainSentInitData fills the initdata claim and workload of a refused
// attestation from the initdata the guest sent (nil: none).
func (s *Server) explainSentInitData(ctx context.Context, ev *audit.Event, in *kbs.InitData) {
	digest := ""
	if in != nil {
		if id, err := initdata.Parse([]byte(in.Body)); err == nil {
			digest = fmt.Sprintf("%x", id.Digest())
			ev.Workload = workloadOf(id.Data[initdata.KeyPolicy])
		}
	}
	c := s.initDataClaim(ctx, digest)
	if in == nil {
		c = strings.Replace(c, "evidence binds none", "guest sent none", 1)
	} else {
		c = strings.Replace(c, "; evidence ", "; sent ", 1)
	}
	ev.Claims = append(ev.Claims, c)
}

// tokenCheck names the check a refused token failed.
func tokenCheck(err error) string {
	switch {
	case errors.Is(err, ear.ErrBadSignature):
		return "token: signature"
	case errors.Is(err, ear.ErrExpired):
		return "token: expired"
	case errors.Is(err, ear.ErrRetiredKey):
		return "token: retired key"
	case errors.Is(err, ear.ErrWrongIssuer):
		return "token: issuer"
	case errors.Is(err, ear.ErrWrongAud):
		return "token: audience"
	case errors.Is(err, ear.ErrTokenTooLarge):
		return "token: size"
	}
	return "token: format"
}
