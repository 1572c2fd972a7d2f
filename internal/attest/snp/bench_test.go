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
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/testenv"
)

// BenchmarkVerify measures full verification of a Milan report whose VCEK is
// not in the evidence but in a warm collateral cache (as on a server that
// fetched it from KDS once), next to BenchmarkFloor: the three signature
// checks alone (report ECDSA P-384, VCEK and ASK RSA-PSS).
func BenchmarkVerify(b *testing.B) {
	dir := testenv.SharedTestvectors(b, "trustee/snp")
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
	if _, err := v.VerifyReport(ctx, raw, Certs{}, want); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.VerifyReport(ctx, raw, Certs{}, want); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	dir := testenv.SharedTestvectors(b, "trustee/snp")
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
	der, err := abi.ReportToSignatureDER(raw)
	if err != nil {
		b.Fatal(err)
	}
	signed := abi.SignedComponent(raw)
	b.ResetTimer()
	for b.Loop() {
		if err := vcek.CheckSignature(x509.ECDSAWithSHA384, signed, der); err != nil {
			b.Fatal(err)
		}
		if err := vcek.CheckSignatureFrom(pc.Ask); err != nil {
			b.Fatal(err)
		}
		if err := pc.Ask.CheckSignatureFrom(pc.Ark); err != nil {
			b.Fatal(err)
		}
	}
}
