// Package sample is the wire format of upstream's "sample" TEE, the
// software-only stand-in used for protocol tests, shared by the guest's
// attester (internal/attester/sample) and trustee's verifier
// (internal/attest/sample).
package sample

// Evidence is the sample attester's evidence, as upstream's attestation agent
// sends it. InitData is a trustgate addition (absent upstream): the digest the
// sample attester was configured with, standard base64.
type Evidence struct {
	SVN        string `json:"svn"`
	ReportData string `json:"report_data"`
	InitData   string `json:"init_data,omitempty"`
}

// MaxEvidenceSize bounds the evidence document.
const MaxEvidenceSize = 64 << 10
