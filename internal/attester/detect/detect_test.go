package detect

import (
	"slices"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
)

// TestProbeOrder pins upstream's detection order.
func TestProbeOrder(t *testing.T) {
	want := []string{attest.TeeTDX, attest.TeeAzTDXvTPM, attest.TeeAzSNPvTPM, attest.TeeSNP}
	if got := Hardware(); !slices.Equal(got, want) {
		t.Fatalf("probe order %v, want %v", got, want)
	}
}

func TestDetectOrder(t *testing.T) {
	saved := probes()
	yes := func() bool { return true }
	no := func() bool { return false }
	tests := []struct {
		name  string
		found map[string]bool
		want  string
	}{
		{"nothing falls back to sample", map[string]bool{}, attest.TeeSample},
		{"snp", map[string]bool{attest.TeeSNP: true}, attest.TeeSNP},
		{"tdx before snp", map[string]bool{attest.TeeSNP: true, attest.TeeTDX: true}, attest.TeeTDX},
		{"azure tdx before azure snp", map[string]bool{attest.TeeAzSNPvTPM: true, attest.TeeAzTDXvTPM: true}, attest.TeeAzTDXvTPM},
		{"azure snp before bare snp", map[string]bool{attest.TeeAzSNPvTPM: true, attest.TeeSNP: true}, attest.TeeAzSNPvTPM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps []Entry
			for _, p := range saved {
				p.Probe = no
				if tc.found[p.Tee] {
					p.Probe = yes
				}
				ps = append(ps, p)
			}
			if got := detectFrom(ps); got != tc.want {
				t.Fatalf("Detect() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, tee := range []string{attest.TeeSample, attest.TeeSNP, attest.TeeTDX, attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM} {
		a, err := New(tee, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tee, err)
		}
		if a.Tee() != tee {
			t.Fatalf("New(%q).Tee() = %q", tee, a.Tee())
		}
	}
	if _, err := New("nope", Options{}); err == nil {
		t.Fatal("unknown TEE accepted")
	}
	if _, err := New(attest.TeeSNPEmulated, Options{}); err == nil {
		t.Fatal("snp-emulated without a chain directory accepted")
	}
}
