package snp

import (
	"bytes"
	"context"
	"crypto/x509"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

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
		c.put(&chainEntry{key: [32]byte{i}, ek: &x509.Certificate{}, notAfter: never})
		if i == 1 {
			c.get([32]byte{0}, time.Unix(0, 0)) // 0 is now the most recent
		}
	}
	if c.len() != 2 {
		t.Fatalf("len = %d, want 2", c.len())
	}
	if _, ok := c.get([32]byte{1}, time.Unix(0, 0)); ok {
		t.Error("least recently used entry survived")
	}
	for _, k := range []byte{0, 2} {
		if _, ok := c.get([32]byte{k}, time.Unix(0, 0)); !ok {
			t.Errorf("entry %d evicted", k)
		}
	}
}
