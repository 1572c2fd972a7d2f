package policy

import (
	"context"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/rvps"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

// BenchmarkAppraiseSNPFromRVPS appraises the SNP test vector's claims with
// the default policy and its eleven reference values served by the RVPS
// over a store, as trustee does on every SNP attestation (the RVPS answers
// from its cache).
func BenchmarkAppraiseSNPFromRVPS(b *testing.B) {
	ctx := context.Background()
	claims := map[string]any(snp.Claims(vectors.Read(b, "trustee/snp/test-report.bin")))
	in := map[string]any{"snp": claims, "init_data": "", "init_data_claims": nil, "report_data": claims["report_data"], "runtime_data_claims": map[string]any{}}
	rv := rvps.New(storetest.Open(b))
	rv.CacheTTL = time.Hour
	for name, vals := range snpRefs(claims) {
		if err := rv.Set(ctx, name, vals, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	e := NewEngine(rv)
	src := DefaultAttestationPolicy()
	a, err := e.Appraise(ctx, src, in)
	if err != nil {
		b.Fatal(err)
	}
	if a.Status != "affirming" {
		b.Fatalf("reference values not matched: %s %v", a.Status, a.TrustVector)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Appraise(ctx, src, in); err != nil {
			b.Fatal(err)
		}
	}
}
