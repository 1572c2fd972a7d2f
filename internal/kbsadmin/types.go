// Package kbsadmin is the client side of trustee's KBS admin API (wire-compat
// §2 plus trustgate's extensions): the HTTP client that signs Ed25519 admin
// tokens, the request and answer types the server shares with it, and the
// "trustgate-bundle/v1" offline bundle (cocofy writes it, trustee imports
// it). It links no server, policy engine or storage code, so the CLIs and
// the dashboard that use it stay small.
package kbsadmin

import (
	"time"

	"github.com/trustgate/trustgate/internal/audit"
)

// ResourceList is the answer of GET /kbs/v0/resources: names only. The
// admin API never returns a resource value: secrets are released only to
// attested TEEs.
type ResourceList struct {
	Resources []string `json:"resources"`
}

// PolicyRequest is the body of POST /kbs/v0/resource-policy and
// /attestation-policy (upstream's shapes; Type and PolicyID only for the
// latter). GET answers with the same shape.
type PolicyRequest struct {
	Type     string `json:"type,omitempty"`
	PolicyID string `json:"policy_id,omitempty"`
	Policy   string `json:"policy"`
}

// AuditList is the answer of GET /kbs/v0/audit.
type AuditList struct {
	Events []audit.Event `json:"events"`
}

// ImportResult is the answer of POST /kbs/v0/import.
type ImportResult struct {
	Resources       []string `json:"resources"`
	ReferenceValues []string `json:"reference_values"`
}

// CollateralImportResult is the answer of POST /kbs/v0/collateral.
type CollateralImportResult struct {
	Imported int `json:"imported"`
}

// IssuedCertificate is one currently valid workload certificate, as the
// audit recorded its issuance (GET /kbs/v0/identity/issued, admin): what
// the dashboard shows as "workloads holding a valid certificate".
type IssuedCertificate struct {
	SPIFFEID     string    `json:"spiffe_id"`
	Fingerprint  string    `json:"key_fingerprint"`
	Serial       string    `json:"serial"`
	NotAfter     time.Time `json:"not_after"`
	Issued       time.Time `json:"issued"`
	Tee          string    `json:"tee,omitempty"`
	ClaimsDigest string    `json:"claims_digest,omitempty"`
}
