package snp

import (
	"errors"
	"fmt"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/uuid"

	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// ReportSize is the size of an SEV-SNP ATTESTATION_REPORT (AMD SNP ABI).
const ReportSize = teesnp.ReportSize

// Evidence is the SNP evidence exactly as upstream's attestation agent
// serializes it; the type is internal/tee/snp's, shared with the verifier.
type Evidence = teesnp.Evidence

// EvidenceFromRaw builds upstream's evidence JSON from a raw 1184-byte report
// and the GUID certificate table the firmware returned with it (may be
// empty: cert_chain is then null, as upstream sends it).
func EvidenceFromRaw(raw, certTable []byte) ([]byte, error) {
	if len(raw) < ReportSize {
		return nil, fmt.Errorf("snp report is %d bytes, want %d", len(raw), ReportSize)
	}
	var chain []teesnp.CertEntry
	if len(certTable) > 0 {
		var table abi.CertTable
		if err := table.Unmarshal(certTable); err != nil {
			return nil, fmt.Errorf("parse snp certificate table: %w", err)
		}
		for _, e := range table.Entries {
			// go-sev-guest mixes its own platform-info entry into tables it
			// builds; it is not a certificate and upstream never sends it.
			if e.GUID == uuid.MustParse(abi.ExtraPlatformInfoGUID) {
				continue
			}
			chain = append(chain, teesnp.CertEntryFor(e.GUID.String(), e.RawCert))
		}
	}
	return teesnp.Encode(raw, chain)
}

// errNoReport is returned when neither configfs-tsm nor /dev/sev-guest works.
var errNoReport = errors.New("no SEV-SNP report interface: neither configfs-tsm (/sys/kernel/config/tsm/report) nor /dev/sev-guest is usable")
