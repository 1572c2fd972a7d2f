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
type Certs struct {
	VCEK, VLEK, ASK, ASVK, ARK []byte
}

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
	ev, err := teesnp.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	raw, err := ev.AttestationReport.Raw()
	if err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	out := &Evidence{Report: raw}
	for i, c := range ev.CertChain {
		typ := c.Name()
		var dst *[]byte
		switch typ {
		case "VCEK", "vcek":
			dst = &out.Certs.VCEK
		case "VLEK", "vlek":
			dst = &out.Certs.VLEK
		case "ASK", "ask":
			dst = &out.Certs.ASK
		case "ASVK", "asvk":
			dst = &out.Certs.ASVK
		case "ARK", "ark":
			dst = &out.Certs.ARK
		default:
			continue // other table entries (e.g. OEM) carry nothing we verify
		}
		if len(*dst) != 0 {
			return nil, fmt.Errorf("parse snp evidence: duplicate %s in cert_chain[%d]", typ, i)
		}
		*dst = c.Data
	}
	return out, nil
}

// MarshalEvidence serializes a raw report and its certificates as upstream's
// AA evidence JSON (the inverse of ParseEvidence), with internal/tee/snp's
// encoder, the guest attester's. snp-emulated and tests use it.
func MarshalEvidence(raw []byte, certs Certs) ([]byte, error) {
	if len(raw) != ReportSize {
		return nil, fmt.Errorf("marshal snp evidence: report has %d bytes, want %d", len(raw), ReportSize)
	}
	var chain []teesnp.CertEntry
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"VCEK", certs.VCEK}, {"VLEK", certs.VLEK}, {"ASK", certs.ASK}, {"ASVK", certs.ASVK}, {"ARK", certs.ARK}} {
		if len(c.data) > 0 {
			chain = append(chain, teesnp.CertEntry{CertType: c.typ, Data: c.data})
		}
	}
	return teesnp.Encode(raw, chain)
}
