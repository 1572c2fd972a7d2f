package snp

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// benchVerify is full verification of a Milan report whose VCEK is not in
// the evidence but in a warm collateral cache (as on a server that fetched
// it from KDS once).
func benchVerify(b *testing.B) func() error {
	dir := vectors.Dir("trustee/snp")
	raw := readFile(b, filepath.Join(dir, "test-report.bin"))
	vcek := readFile(b, filepath.Join(dir, "test-vcek.der"))
	ctx := context.Background()
	cache := collateral.NewMemCache()
	rep, _ := abi.ReportToProto(raw)
	url := kds.VCEKCertURL("Milan", rep.GetChipId(), kds.TCBVersion(rep.GetReportedTcb()))
	if err := collateral.Put(ctx, cache, url, nil, vcek, time.Now()); err != nil {
		b.Fatal(err)
	}
	now := clockFor(b, vcek)
	v := mustNew(Config{Now: func() time.Time { return now }, Getter: &collateral.Getter{Cache: cache}})
	want := attest.Expected{ReportData: ReportData(raw)}
	return func() error { _, err := v.VerifyReport(ctx, raw, Certs{}, want); return err }
}

// benchFloor is the three signature checks alone: report ECDSA P-384, VCEK
// and ASK RSA-PSS.
func benchFloor(b *testing.B) func() error {
	dir := vectors.Dir("trustee/snp")
	raw := readFile(b, filepath.Join(dir, "test-report.bin"))
	vcek, err := x509.ParseCertificate(readFile(b, filepath.Join(dir, "test-vcek.der")))
	if err != nil {
		b.Fatal(err)
	}
	roots, err := AMDRoots()
	if err != nil {
		b.Fatal(err)
	}
	pc := roots["Milan"][0].ProductCerts
	f, err := benchfloor.SNPReport(raw, vcek, pc.Ask, pc.Ark)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkVerify(b *testing.B) { benchfloor.Loop(b, benchVerify(b)) }

func BenchmarkFloor(b *testing.B) { benchfloor.Loop(b, benchFloor(b)) }

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }

// BenchmarkParseEvidence decodes upstream's captured AA evidence with the
// one-pass decoder (ParseEvidence) and with encoding/json (what
// ParseEvidence did before), both rebuilding the raw report.
func BenchmarkParseEvidence(b *testing.B) {
	data := readFile(b, filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json"))
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseEvidence(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ev, err := teesnp.Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ev.AttestationReport.Raw(); err != nil {
				b.Fatal(err)
			}
			if _, err := ev.Certs(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
