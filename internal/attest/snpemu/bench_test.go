package snpemu_test

import (
	"context"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
)

// BenchmarkVerify measures snp-emulated verification next to
// BenchmarkFloor (report ECDSA P-384, VCEK and ASK RSA-PSS).
func benchVerify(b *testing.B) func() error {
	dir := devRoot(b)
	a, _ := emu.New(emu.Config{Dir: dir})
	ev, _ := a.Evidence(context.Background(), []byte("bench"))
	root, _ := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	v, _ := snpemu.New(snpemu.Config{Root: root, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	return func() error { _, err := v.Verify(ctx, ev, attest.Expected{}); return err }
}

func benchFloor(b *testing.B) func() error {
	dir := devRoot(b)
	a, _ := emu.New(emu.Config{Dir: dir})
	raw, _ := a.Report([]byte("bench"))
	certs := a.Certs()
	vcek, _ := x509.ParseCertificate(certs.VCEK)
	ask, _ := x509.ParseCertificate(certs.ASK)
	ark, _ := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	f, err := benchfloor.SNPReport(raw, vcek, ask, ark)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkVerify(b *testing.B) { benchfloor.Loop(b, benchVerify(b)) }

func BenchmarkFloor(b *testing.B) { benchfloor.Loop(b, benchFloor(b)) }

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
