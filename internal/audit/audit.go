// Package audit is the vocabulary of trustee's audit log: the event every
// decision trustee takes (auth, attest, resource release or denial, admin
// change) is recorded as, its kinds and outcomes, and the ?since= cursor of
// the audit API. It links no storage: readers (the admin client, the
// dashboard) use it without the server; package auditlog stores the events.
//
// An event carries who (TEE, client address), what (kind, resource path,
// policy id), the outcome with a readable reason, and a digest of the token
// claims the decision saw. It never carries a secret value, a key, a nonce
// or a token.
package audit

import (
	"fmt"
	"strconv"
	"time"
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
