package azsnp

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/azvtpm/azvtpmtest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

func load(t testing.TB, name string) (*azvtpm.Evidence, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors.Dir("trustee/az-snp-vtpm"), name))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := azvtpm.ParseEvidence(data)
	if err != nil {
		t.Fatalf("ParseEvidence(%s): %v", name, err)
	}
	return ev, data
}

func clock(t testing.TB, der []byte) func() time.Time {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return c.NotBefore.Add(24 * time.Hour) }
}

// nonce returns the quote's nonce: the vectors were bound to sessions we
// did not see, so the tests bind to what the quote says.
func nonce(t testing.TB, ev *azvtpm.Evidence) []byte {
	n, err := azvtpmtest.QuoteNonce(ev)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newVerifier(t testing.TB, ev *azvtpm.Evidence) *Verifier {
	v, err := New(Config{Now: clock(t, ev.VCEK)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyVectors(t *testing.T) {
	for _, name := range []string{"evidence-v2.json", "evidence-genoa.json"} {
		t.Run(name, func(t *testing.T) {
			ev, data := load(t, name)
			claims, err := newVerifier(t, ev).Verify(context.Background(), data, attest.Expected{ReportData: nonce(t, ev)})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tpm, _ := claims[ClaimTPM].(map[string]any); len(tpm) == 0 || claims["measurement"] == nil {
				t.Fatalf("claims lack tpm or measurement: %v", claims)
			}
		})
	}
}

func TestHCLReportWithVCEKChain(t *testing.T) {
	dir := vectors.Dir("trustee/az-snp-vtpm")
	hcl, err := os.ReadFile(filepath.Join(dir, "hcl-report.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain, err := os.ReadFile(filepath.Join(dir, "vcek.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(chain) // VCEK first, then ASK and ARK (not trusted as roots)
	v, err := New(Config{Now: clock(t, blk.Bytes)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.VerifyHCLReport(context.Background(), hcl, blk.Bytes); err != nil {
		t.Fatalf("VerifyHCLReport: %v", err)
	}
}

func TestRejects(t *testing.T) {
	ev, data := load(t, "evidence-v2.json")
	v := newVerifier(t, ev)
	ctx := context.Background()
	n := nonce(t, ev)
	cases := []struct {
		name  string
		want  attest.Expected
		check string
	}{
		{"nonce", attest.Expected{ReportData: []byte("other")}, azvtpm.CheckNonce},
		{"initdata", attest.Expected{ReportData: n, InitDataDigest: make([]byte, 32)}, azvtpm.CheckInitData},
	}
	for _, tc := range cases {
		if _, err := v.Verify(ctx, data, tc.want); attest.FailedCheck(err) != tc.check {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.check)
		}
	}
	// Another vector's VCEK does not sign this report.
	other, _ := load(t, "evidence-genoa.json")
	bad := *ev
	bad.VCEK = other.VCEK
	js, _ := azvtpmtest.MarshalEvidence(&bad)
	if _, err := v.Verify(ctx, js, attest.Expected{ReportData: n}); err == nil {
		t.Error("wrong VCEK accepted")
	}
}

// TestBitFlips flips one bit at 1,000 seeded random positions across the
// HCL report, the TPM quote message and its signature.
func TestBitFlips(t *testing.T) {
	for _, name := range []string{"evidence-v2.json", "evidence-genoa.json"} {
		t.Run(name, func(t *testing.T) {
			ev, _ := load(t, name)
			v := newVerifier(t, ev)
			n := nonce(t, ev)
			parts := [][]byte{ev.HCLReport, ev.Quote.Message, ev.Quote.Signature}
			total := 0
			for _, p := range parts {
				total += len(p) * 8
			}
			rng := rand.New(rand.NewSource(42))
			for i := 0; i < 1000; i++ {
				pos := rng.Intn(total)
				e := *ev
				e.HCLReport = append([]byte(nil), ev.HCLReport...)
				e.Quote.Message = append([]byte(nil), ev.Quote.Message...)
				e.Quote.Signature = append([]byte(nil), ev.Quote.Signature...)
				for _, p := range [][]byte{e.HCLReport, e.Quote.Message, e.Quote.Signature} {
					if pos < len(p)*8 {
						p[pos/8] ^= 1 << (pos % 8)
						break
					}
					pos -= len(p) * 8
				}
				js, err := azvtpmtest.MarshalEvidence(&e)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.Verify(context.Background(), js, attest.Expected{ReportData: n}); err == nil {
					t.Fatalf("flip %d accepted", i)
				}
			}
		})
	}
}

// FuzzVerify is seeded with real Azure SNP evidence: a mutation fails with
// a named check or verifies to the genuine claims.
func FuzzVerify(f *testing.F) {
	ev, data := load(f, "evidence-v2.json")
	f.Add(data)
	_, genoa := load(f, "evidence-genoa.json")
	f.Add(genoa)
	want := attest.Expected{ReportData: nonce(f, ev)}
	v := newVerifier(f, ev)
	genuine, err := v.Verify(context.Background(), data, want)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := v.Verify(context.Background(), data, want)
		vectors.CheckVerified(t, claims, err, genuine)
	})
}

// TestCheckedLikeSNP: az-snp-vtpm applies the per-line minimum TCB and
// requires AMD's CRL from the collateral source, as snp does.
func TestCheckedLikeSNP(t *testing.T) {
	ev, data := load(t, "evidence-v2.json")
	ctx := context.Background()
	want := attest.Expected{ReportData: nonce(t, ev)}
	min, err := snp.ParseMinimumTCB("Milan:snp=255")
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(Config{Now: clock(t, ev.VCEK), MinimumTCBByLine: min})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, data, want); attest.FailedCheck(err) != snp.CheckTCB {
		t.Errorf("below the minimum TCB: err = %v, want %s", err, snp.CheckTCB)
	}
	v, err = New(Config{Now: clock(t, ev.VCEK), Getter: &collateral.Getter{Cache: collateral.NewMemCache()}, CheckRevocations: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, data, want); attest.FailedCheck(err) != snp.CheckRevocation {
		t.Errorf("offline without a CRL: err = %v, want %s", err, snp.CheckRevocation)
	}
}
