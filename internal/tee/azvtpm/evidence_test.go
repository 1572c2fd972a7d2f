package azvtpm_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/tee/azvtpm"
)

// TestEvidenceRoundTrip: upstream's real Azure evidence (Trustee's test
// data) parses into Evidence (the TDX document's parts are the ones upstream
// ships as separate files; the SNP files are of another capture), and the
// attester's encoder writes it back: the v1/v2
// documents to the same JSON upstream wrote, the old v0 layout (arrays,
// PEM) as v1 with the same content.
func TestEvidenceRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file    string
		version int
		same    bool   // Encode gives upstream's document back
		hcl     string // the HCL report upstream ships alone
		tdQuote string
	}{
		{"trustee/az-snp-vtpm/evidence-v2.json", 2, true, "", ""},
		{"trustee/az-tdx-vtpm/evidence-v1.json", 1, true, "trustee/az-tdx-vtpm/hcl-report.bin", "trustee/az-tdx-vtpm/td-quote.bin"},
		{"trustee/az-snp-vtpm/evidence-genoa.json", 0, false, "", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw := vectors.Read(t, tc.file)
			ev, err := azvtpm.ParseEvidence(raw)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Version != tc.version || len(ev.Quote.PCRs) != azvtpm.NumPCRs || len(ev.Quote.Signature) == 0 || len(ev.Quote.Message) == 0 {
				t.Fatalf("version %d, %d PCRs, signature %d bytes, message %d bytes", ev.Version, len(ev.Quote.PCRs), len(ev.Quote.Signature), len(ev.Quote.Message))
			}
			if azvtpm.ReportType(ev.HCLReport) == 0 {
				t.Fatal("hcl_report is not an HCL report")
			}
			if tc.hcl != "" && !bytes.Equal(ev.HCLReport, vectors.Read(t, tc.hcl)) {
				t.Error("hcl_report differs from upstream's hcl-report.bin")
			}
			if (len(ev.TDQuote) > 0) == (len(ev.VCEK) > 0) {
				t.Errorf("want exactly one of td_quote (%d bytes) and vcek (%d bytes)", len(ev.TDQuote), len(ev.VCEK))
			}
			if tc.tdQuote != "" && !bytes.Equal(ev.TDQuote, vectors.Read(t, tc.tdQuote)) {
				t.Error("td_quote differs from upstream's td-quote.bin")
			}

			js, err := ev.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if tc.same {
				var want, got any
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(js, &got); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Encode does not give upstream's document back:\n%s", js)
				}
			}
			again, err := azvtpm.ParseEvidence(js)
			if err != nil {
				t.Fatalf("encoded evidence does not parse: %v", err)
			}
			want := *ev
			if want.Version == 0 {
				want.Version = 1
			}
			if !reflect.DeepEqual(*again, want) {
				t.Errorf("round trip changed the evidence")
			}
		})
	}
}
