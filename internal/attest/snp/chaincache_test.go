package snp

import (
	"bytes"
	"context"
	"crypto/x509"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	spb "github.com/google/go-sev-guest/proto/sevsnp"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// TestChainCache: a chain verified once is cached, yet a mutated report
// under the cached chain still fails on its signature, a changed
// endorsement certificate misses the cache (and fails), failures are never
// cached, and the validity period is checked again at every use.
func TestChainCache(t *testing.T) {
	ctx := context.Background()
	dir := vectors.Dir("trustee/snp")
	raw := readFile(t, filepath.Join(dir, "test-report.bin"))
	vcek := readFile(t, filepath.Join(dir, "test-vcek.der"))
	cert, err := x509.ParseCertificate(vcek)
	if err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(clockFor(t, vcek).UnixNano())
	v := mustNew(Config{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	want := attest.Expected{ReportData: ReportData(raw)}

	// A changed certificate first, so that nothing is cached yet: every
	// failure must leave the cache empty.
	for _, off := range []int{len(vcek) / 3, len(vcek) / 2, len(vcek) - 10} {
		bad := bytes.Clone(vcek)
		bad[off] ^= 0x01
		if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: bad}, want); err == nil {
			t.Fatalf("VCEK byte %d flipped: verified", off)
		}
	}
	flipped := bytes.Clone(raw)
	flipped[0x90] ^= 0x01
	if _, err := v.VerifyReport(ctx, flipped, Certs{VCEK: vcek}, want); attest.FailedCheck(err) != CheckSignature {
		t.Fatalf("mutated report before caching: err = %v, want %s", err, CheckSignature)
	}
	if n := v.chains.len(); n != 0 {
		t.Fatalf("%d chains cached after failures only, want 0", n)
	}

	if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: vcek}, want); err != nil {
		t.Fatalf("VerifyReport: %v", err)
	}
	if n := v.chains.len(); n != 1 {
		t.Fatalf("%d chains cached after a success, want 1", n)
	}
	if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: vcek}, want); err != nil {
		t.Fatalf("VerifyReport (cached chain): %v", err)
	}

	// Cached chain, mutated report: every bit of the measurement and one
	// in each other signed region still fails on the signature.
	for _, off := range []int{0x08, 0x50, 0x90, 0x9f, 0xc0, 0x1a0, 0x29f} {
		for bit := 0; bit < 8; bit++ {
			r := bytes.Clone(raw)
			r[off] ^= 1 << bit
			_, err := v.VerifyReport(ctx, r, Certs{VCEK: vcek}, attest.Expected{})
			if err == nil {
				t.Fatalf("byte 0x%x bit %d flipped under a cached chain: verified", off, bit)
			}
		}
	}

	// A changed certificate misses the cache and fails; still one entry.
	for _, off := range []int{len(vcek) / 3, len(vcek) - 10} {
		bad := bytes.Clone(vcek)
		bad[off] ^= 0x80
		if k1, k2 := v.chainKey(0, "", bad), v.chainKey(0, "", vcek); k1 == k2 {
			t.Fatal("a changed certificate has the same cache key")
		}
		if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: bad}, want); err == nil {
			t.Fatalf("VCEK byte %d flipped after caching: verified", off)
		}
	}
	if n := v.chains.len(); n != 1 {
		t.Fatalf("%d chains cached, want 1", n)
	}

	// Validity at use time: past the VCEK's NotAfter the cached chain
	// gives no pass.
	now.Store(cert.NotAfter.Add(time.Hour).UnixNano())
	if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: vcek}, want); attest.FailedCheck(err) != CheckCertChain {
		t.Fatalf("expired VCEK with a cached chain: err = %v, want %s", err, CheckCertChain)
	}
	now.Store(cert.NotBefore.Add(-time.Hour).UnixNano())
	if _, err := v.VerifyReport(ctx, raw, Certs{VCEK: vcek}, want); attest.FailedCheck(err) != CheckCertChain {
		t.Fatalf("not-yet-valid VCEK with a cached chain: err = %v, want %s", err, CheckCertChain)
	}
}

// TestChainCacheBounded: the cache evicts the least recently used entry.
func TestChainCacheBounded(t *testing.T) {
	c := newChainCache(2)
	never := time.Unix(1<<40, 0)
	for i := byte(0); i < 3; i++ {
		c.put([32]byte{i}, &chainEntry{key: [32]byte{i}, ek: &x509.Certificate{}, notAfter: never})
		if i == 1 {
			c.get([32]byte{0}) // 0 is now the most recent
		}
	}
	if c.len() != 2 {
		t.Fatalf("len = %d, want 2", c.len())
	}
	if _, ok := c.get([32]byte{1}); ok {
		t.Error("least recently used entry survived")
	}
	for _, k := range []byte{0, 2} {
		if _, ok := c.get([32]byte{k}); !ok {
			t.Errorf("entry %d evicted", k)
		}
	}
}

// TestValidatedCache: go-sev-guest's validation is remembered only after a
// success, a remembered validation still leaves the per-report checks
// (REPORT_DATA binding, debug, VMPL) to every call, and the cache key
// covers every byte validation reads: all report bytes but REPORT_DATA and
// the signature, the endorsement key and the minimum TCB that applies.
func TestValidatedCache(t *testing.T) {
	ctx := context.Background()
	vc := trusteeVectors(t)[0]

	strict := vc.verifier()
	strict.cfg.MinimumTCB.SnpSpl = 255
	for range 2 {
		if _, err := strict.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{}); attest.FailedCheck(err) != CheckTCB {
			t.Fatalf("minimum TCB above the report's: err = %v, want %s", err, CheckTCB)
		}
	}
	if n := strict.validated.len(); n != 0 {
		t.Fatalf("%d validations cached after failures only, want 0", n)
	}

	v := vc.verifier()
	for i := range 2 {
		if _, err := v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{ReportData: ReportData(vc.report)}); err != nil {
			t.Fatalf("VerifyReport %d: %v", i, err)
		}
		if n := v.validated.len(); n != 1 {
			t.Fatalf("after %d verifications %d validations cached, want 1", i+1, n)
		}
	}
	other := bytes.Repeat([]byte{0xA5}, 64)
	if _, err := v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{ReportData: other}); attest.FailedCheck(err) != CheckReportData {
		t.Fatalf("wrong REPORT_DATA with a cached validation: err = %v, want %s", err, CheckReportData)
	}
	v.cfg.VMPL = 1
	if _, err := v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{}); attest.FailedCheck(err) != CheckVMPL {
		t.Fatalf("VMPL with a cached validation: err = %v, want %s", err, CheckVMPL)
	}
	v.cfg.VMPL = 0

	chain := &spb.CertificateChain{VcekCert: vc.certs.VCEK, VlekCert: vc.certs.VLEK}
	base := v.validatedKey(vc.report, chain, "")
	for off := range ReportSize {
		r := bytes.Clone(vc.report)
		r[off] ^= 0x01
		same := (off >= offReportData && off < offReportDataEnd) || off >= offSignature
		if got := v.validatedKey(r, chain, "") == base; got != same {
			t.Fatalf("byte 0x%x flipped: same key = %v, want %v", off, got, same)
		}
	}
	if v.validatedKey(vc.report, chain, "Milan") == base {
		t.Error("another minimum TCB has the same key")
	}
	ek := endorsementDER(chain, 0)
	if len(ek) == 0 {
		ek = chain.GetVlekCert()
	}
	bad := bytes.Clone(ek)
	bad[len(bad)/2] ^= 0x01
	if v.validatedKey(vc.report, &spb.CertificateChain{VcekCert: bad, VlekCert: bad}, "") == base {
		t.Error("another endorsement key has the same key")
	}
}
