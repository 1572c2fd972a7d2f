package snpemu_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
)

var (
	rootOnce sync.Once
	tmpDir   string
	rootDir  string
	rootErr  error
)

func TestMain(m *testing.M) {
	var err error
	if tmpDir, err = os.MkdirTemp("", "snpemu-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

// devRoot generates one emulated chain per test binary (RSA-4096 key
// generation is slow on the shared 2-core machine).
func devRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		rootDir = filepath.Join(tmpDir, "root")
		_, rootErr = emu.GenerateRoot(rootDir)
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

func TestEndToEnd(t *testing.T) {
	dir := devRoot(t)
	measurement := sha512.Sum384([]byte("guest image v1"))
	initdata := sha256.Sum256([]byte("version = \"0.1.0\"\n"))
	a, err := emu.New(emu.Config{Dir: dir, Measurement: measurement[:], InitDataDigest: initdata[:]})
	if err != nil {
		t.Fatal(err)
	}
	root, err := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	v, err := snpemu.New(snpemu.Config{Root: root, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "INSECURE") {
		t.Errorf("no loud warning logged: %q", logs.String())
	}
	ctx := context.Background()
	rd := sha512.Sum384([]byte("runtime data"))
	ev, err := a.Evidence(ctx, rd[:])
	if err != nil {
		t.Fatal(err)
	}
	claims, err := v.Verify(ctx, ev, attest.Expected{ReportData: rd[:], InitDataDigest: initdata[:]})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got := claims[snp.ClaimMeasurement]; got != hex.EncodeToString(measurement[:]) {
		t.Errorf("measurement = %v", got)
	}
	if got := claims[snp.ClaimInitData]; got != hex.EncodeToString(initdata[:]) {
		t.Errorf("init_data = %v", got)
	}
	if claims[snpemu.ClaimEmulated] != true {
		t.Errorf("emulated = %v, want true", claims[snpemu.ClaimEmulated])
	}
	bound, _ := a.BoundInitData(ctx)
	if !bytes.Equal(bound, initdata[:]) {
		t.Errorf("BoundInitData = %x", bound)
	}

	t.Run("wrong-report-data", func(t *testing.T) {
		_, err := v.Verify(ctx, ev, attest.Expected{ReportData: []byte("x")})
		if attest.FailedCheck(err) != snp.CheckReportData {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong-initdata", func(t *testing.T) {
		other := sha256.Sum256([]byte("other"))
		_, err := v.Verify(ctx, ev, attest.Expected{ReportData: rd[:], InitDataDigest: other[:]})
		if attest.FailedCheck(err) != snp.CheckInitData {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("debug-refused", func(t *testing.T) {
		d, err := emu.New(emu.Config{Dir: dir, Measurement: measurement[:], Debug: true})
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := d.Evidence(ctx, rd[:])
		if _, err := v.Verify(ctx, ev, attest.Expected{ReportData: rd[:]}); attest.FailedCheck(err) != snp.CheckDebug {
			t.Fatalf("err = %v, want %s", err, snp.CheckDebug)
		}
	})
	t.Run("real-snp-verifier-refuses", func(t *testing.T) {
		real, err := snp.New(snp.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := real.Verify(ctx, ev, attest.Expected{ReportData: rd[:]}); attest.FailedCheck(err) != snp.CheckCertChain {
			t.Fatalf("AMD-rooted verifier accepted emulated evidence or failed oddly: %v", err)
		}
	})
	t.Run("other-root-refuses", func(t *testing.T) {
		otherDir := t.TempDir()
		other, err := emu.GenerateRoot(otherDir)
		if err != nil {
			t.Fatal(err)
		}
		ov, _ := snpemu.New(snpemu.Config{Root: other, Logger: slog.New(slog.DiscardHandler)})
		if _, err := ov.Verify(ctx, ev, attest.Expected{}); attest.FailedCheck(err) != snp.CheckCertChain {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bit-flips", func(t *testing.T) {
		raw, err := a.Report(rd[:])
		if err != nil {
			t.Fatal(err)
		}
		for pos := 0; pos < len(raw)*8; pos += 7 {
			r := bytes.Clone(raw)
			r[pos/8] ^= 1 << (pos % 8)
			js, err := snp.MarshalEvidence(r, a.Certs())
			if err != nil {
				t.Fatal(err)
			}
			// Reserved TCB bytes have no field in upstream's JSON; such a
			// flip cannot be expressed on the wire.
			if back, err := snp.ParseEvidence(js); err == nil && bytes.Equal(back.Report, raw) {
				continue
			}
			if _, err := v.Verify(ctx, js, attest.Expected{}); err == nil {
				t.Fatalf("bit %d flipped: accepted", pos)
			}
		}
	})
}

func TestNoRoot(t *testing.T) {
	if _, err := snpemu.New(snpemu.Config{}); err == nil {
		t.Fatal("New without a root succeeded")
	}
}

// FuzzVerify is seeded with emulated evidence signed by a generated dev
// chain: a mutation fails with a named check or verifies to the genuine
// claims.
func FuzzVerify(f *testing.F) {
	dir := devRoot(f)
	a, err := emu.New(emu.Config{Dir: dir})
	if err != nil {
		f.Fatal(err)
	}
	ev, err := a.Evidence(context.Background(), []byte("seed"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ev)
	root, err := snpemu.LoadRoot(filepath.Join(dir, emu.ARKFile))
	if err != nil {
		f.Fatal(err)
	}
	v, err := snpemu.New(snpemu.Config{Root: root, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	want := attest.Expected{ReportData: []byte("seed")}
	genuine, err := v.Verify(context.Background(), ev, want)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := v.Verify(context.Background(), data, want)
		vectors.CheckVerified(t, claims, err, genuine)
	})
}
