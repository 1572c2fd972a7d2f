package azvtpm

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	teeaz "github.com/trustgate/trustgate/internal/tee/azvtpm"
)

func TestBind(t *testing.T) {
	d := sha256.Sum256([]byte("initdata"))
	// Extending a zero PCR: sha256(0^32 || digest).
	want := sha256.Sum256(append(make([]byte, 32), d[:]...))
	if got := teeaz.PCR8(d[:]); !bytes.Equal(got, want[:]) {
		t.Fatalf("PCR8 = %x", got)
	}
	vq := &VerifiedQuote{Nonce: []byte("n"), PCRs: map[int][]byte{8: want[:]}}
	rd := &RuntimeData{}
	if check, err := Bind(1, rd, vq, []byte("n"), d[:]); err != nil {
		t.Fatalf("Bind = %s %v", check, err)
	}
	other := sha256.Sum256([]byte("other"))
	if check, _ := Bind(1, rd, vq, []byte("n"), other[:]); check != CheckInitData {
		t.Fatalf("wrong initdata: check %q", check)
	}
	if check, _ := Bind(1, rd, &VerifiedQuote{Nonce: []byte("n"), PCRs: map[int][]byte{}}, nil, d[:]); check != CheckInitData {
		t.Fatalf("uncovered PCR 8: check %q", check)
	}
	if check, _ := Bind(1, rd, vq, []byte("x"), nil); check != CheckNonce {
		t.Fatalf("wrong nonce: check %q", check)
	}
	ud := make([]byte, 64)
	copy(ud, "n")
	if check, err := Bind(2, &RuntimeData{UserData: ud}, vq, []byte("n"), nil); err != nil {
		t.Fatalf("v2 user-data: %s %v", check, err)
	}
	if check, _ := Bind(2, &RuntimeData{UserData: make([]byte, 64)}, vq, []byte("n"), nil); check != CheckUserData {
		t.Fatalf("v2 wrong user-data: check %q", check)
	}
}

// FuzzParseHCLReport is seeded with real HCL reports: an accepted report's
// parts lie inside the input and its runtime-data digest is that of its
// runtime data.
func FuzzParseHCLReport(f *testing.F) {
	f.Add(vectors.Read(f, "trustee/az-snp-vtpm/hcl-report.bin"))
	f.Add(vectors.Read(f, "trustee/az-tdx-vtpm/hcl-report.bin"))
	f.Add(append([]byte("HCLA"), make([]byte, 1300)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHCLReport(data)
		if err != nil {
			return
		}
		if !bytes.Contains(data, h.HWReport) || !bytes.Contains(data, h.RuntimeData) {
			t.Fatal("parsed parts are not in the input")
		}
		if d := h.RuntimeDataDigest(); len(d) == 0 {
			t.Fatal("no runtime-data digest")
		}
		_, _ = ParseRuntimeData(h.RuntimeData)
	})
}
