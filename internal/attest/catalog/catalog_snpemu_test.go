package catalog

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
)

func TestSNPEmulatedOnlyWithDevRoot(t *testing.T) {
	vs, err := Build(Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vs[attest.TeeSNPEmulated]; ok {
		t.Fatal("snp-emulated enabled without a development root")
	}
	for _, tee := range []string{attest.TeeSNP, attest.TeeTDX, attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM} {
		if _, ok := vs[tee]; !ok {
			t.Errorf("%s verifier not registered", tee)
		}
	}
	dir := t.TempDir()
	if _, err := emu.GenerateRoot(dir); err != nil {
		t.Fatal(err)
	}
	root, err := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	if err != nil {
		t.Fatal(err)
	}
	vs, err = Build(Options{DevEmulatedSNPRoot: root, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vs[attest.TeeSNPEmulated]; !ok {
		t.Fatal("snp-emulated not enabled with a development root")
	}
}
