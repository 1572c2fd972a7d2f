package snp

import "testing"

// FuzzEvidenceFromRaw feeds arbitrary report and certificate-table bytes
// (what a misbehaving kernel or host could return): never a panic.
func FuzzEvidenceFromRaw(f *testing.F) {
	f.Add(make([]byte, ReportSize), []byte{})
	f.Add(make([]byte, ReportSize), make([]byte, 24))
	f.Fuzz(func(t *testing.T, raw, certs []byte) {
		_, _ = EvidenceFromRaw(raw, certs)
	})
}
