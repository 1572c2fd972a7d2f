package azvtpm_test

import (
	"bytes"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/azvtpm/azvtpmtest"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// FuzzParseEvidence is seeded with real Azure evidence: accepted evidence
// round-trips through azvtpmtest.MarshalEvidence unchanged.
func FuzzParseEvidence(f *testing.F) {
	f.Add(vectors.Read(f, "trustee/az-snp-vtpm/evidence-v2.json"))
	f.Add(vectors.Read(f, "trustee/az-tdx-vtpm/evidence-v1.json"))
	f.Add([]byte(`{"quote":{"signature":[1],"message":[2],"pcrs":[]},"report":[72,67,76,65],"vcek":"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := azvtpm.ParseEvidence(data)
		if err != nil {
			return
		}
		js, err := azvtpmtest.MarshalEvidence(ev)
		if err != nil {
			t.Fatalf("parsed evidence does not marshal: %v", err)
		}
		again, err := azvtpm.ParseEvidence(js)
		if err != nil {
			t.Fatalf("marshalled evidence does not parse: %v", err)
		}
		if ev.Version == 0 {
			ev.Version = 1 // written as 1
		}
		if !sameEvidence(again, ev) {
			t.Fatalf("round trip changed the evidence:\n%+v\n%+v", again, ev)
		}
		if h, err := azvtpm.ParseHCLReport(ev.HCLReport); err == nil {
			_, _ = azvtpm.ParseRuntimeData(h.RuntimeData)
		}
	})
}

// sameEvidence compares evidence field by field (nil and empty bytes are
// the same: both are written as nothing).
func sameEvidence(a, b *azvtpm.Evidence) bool {
	if a.Version != b.Version || len(a.Quote.PCRs) != len(b.Quote.PCRs) {
		return false
	}
	for i := range a.Quote.PCRs {
		if !bytes.Equal(a.Quote.PCRs[i], b.Quote.PCRs[i]) {
			return false
		}
	}
	return bytes.Equal(a.Quote.Signature, b.Quote.Signature) && bytes.Equal(a.Quote.Message, b.Quote.Message) &&
		bytes.Equal(a.HCLReport, b.HCLReport) && bytes.Equal(a.VCEK, b.VCEK) && bytes.Equal(a.TDQuote, b.TDQuote)
}
