package snpemu_test

import (
	"context"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/go-sev-guest/abi"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
)

// BenchmarkVerify measures snp-emulated verification next to
// BenchmarkFloor (report ECDSA P-384, VCEK and ASK RSA-PSS).
func BenchmarkVerify(b *testing.B) {
	dir := devRoot(b)
	a, _ := emu.New(emu.Config{Dir: dir})
	ev, _ := a.Evidence(context.Background(), []byte("bench"))
	root, _ := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	v, _ := snpemu.New(snpemu.Config{Root: root, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, ev, attest.Expected{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	dir := devRoot(b)
	a, _ := emu.New(emu.Config{Dir: dir})
	raw, _ := a.Report([]byte("bench"))
	certs := a.Certs()
	vcek, _ := x509.ParseCertificate(certs.VCEK)
	ask, _ := x509.ParseCertificate(certs.ASK)
	ark, _ := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	der, _ := abi.ReportToSignatureDER(raw)
	signed := abi.SignedComponent(raw)
	for b.Loop() {
		if err := vcek.CheckSignature(x509.ECDSAWithSHA384, signed, der); err != nil {
			b.Fatal(err)
		}
		if err := vcek.CheckSignatureFrom(ask); err != nil {
			b.Fatal(err)
		}
		if err := ask.CheckSignatureFrom(ark); err != nil {
			b.Fatal(err)
		}
	}
}
