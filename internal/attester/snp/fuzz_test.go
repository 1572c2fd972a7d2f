package snp

import (
	"bytes"
	"testing"

	vsnp "github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// FuzzEvidenceFromRaw feeds arbitrary report and certificate-table bytes
// (what a misbehaving kernel or host could return): never a panic.
// FuzzEvidenceFromRaw feeds arbitrary report and certificate-table bytes:
// accepted input becomes evidence whose report, parsed back by the
// verifier, is byte for byte the raw report (round trip).
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
		if !bytes.Equal(ev.Report, raw) {
			t.Fatal("round trip changed the report")
		}
	})
}
