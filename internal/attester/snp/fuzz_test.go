package snp

import (
	"bytes"
	"testing"

	vsnp "github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// FuzzEvidenceFromRaw feeds arbitrary report and certificate-table bytes
// (what a misbehaving kernel or host could return): no panic, and accepted
// input becomes evidence whose report, rebuilt by the verifier, encodes to
// the same evidence (round trip). The rebuilt report is not compared with
// raw itself: bytes past ReportSize and reserved bytes are not carried by
// upstream's format.
func FuzzEvidenceFromRaw(f *testing.F) {
	f.Add(vectors.Read(f, "trustee/snp/test-report.bin"), []byte{})
	f.Add(make([]byte, ReportSize), make([]byte, 24))
	f.Fuzz(func(t *testing.T, raw, certs []byte) {
		js, err := EvidenceFromRaw(raw, certs)
		if err != nil {
			return
		}
		ev, err := vsnp.ParseEvidence(js)
		if err != nil {
			t.Fatalf("evidence from an accepted report does not parse: %v", err)
		}
		again, err := EvidenceFromRaw(ev.Report, certs)
		if err != nil || !bytes.Equal(again, js) {
			t.Fatalf("round trip changed the evidence: %v", err)
		}
	})
}
