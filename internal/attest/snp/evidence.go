// Package snp verifies AMD SEV-SNP attestation reports: it parses raw
// 1184-byte reports and the upstream attestation agent's evidence JSON,
// verifies the VCEK or VLEK chain to AMD's ARK and the report signature with
// go-sev-guest, then validates bindings (REPORT_DATA, HOST_DATA), VMPL,
// debug policy and TCB minimums, and maps the report to claims under the
// names upstream Trustee uses. The wire format is internal/tee/snp's,
// shared with the guest's attester.
package snp

import (
	"fmt"

	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// ReportSize is the size of an SNP ATTESTATION_REPORT in AMD's ABI.
const ReportSize = teesnp.ReportSize

// MaxEvidenceSize bounds the evidence JSON we are willing to parse: a report
// serialized as arrays of numbers plus a few DER certificates stays well below.
const MaxEvidenceSize = teesnp.MaxEvidenceSize

// Certs holds the endorsement and product certificates (DER) delivered with
// a report. Only the VCEK or VLEK is required; the ASK/ARK shipped by a guest
// are never trusted as roots.
type Certs = teesnp.Certs

// Evidence is a parsed SNP evidence: the report in AMD's ABI layout and the
// certificates that came with it.
type Evidence struct {
	Report []byte // ReportSize bytes
	Certs  Certs
}

// ParseEvidence parses upstream's AA evidence JSON
// ({"attestation_report":{…},"cert_chain":[{"cert_type","data"}]}) and
// rebuilds the report in AMD's ABI layout. It checks structure only; nothing
// is trusted until Verify succeeds.
func ParseEvidence(data []byte) (*Evidence, error) {
	if len(data) > MaxEvidenceSize {
		return nil, fmt.Errorf("parse snp evidence: %d bytes exceeds limit of %d", len(data), MaxEvidenceSize)
	}
	ev, ok := decodeFast(data)
	if !ok {
		var err error
		if ev, err = teesnp.Decode(data); err != nil {
			return nil, fmt.Errorf("parse snp evidence: %w", err)
		}
	}
	raw, err := ev.AttestationReport.Raw()
	if err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	certs, err := ev.Certs()
	if err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	return &Evidence{Report: raw, Certs: certs}, nil
}
