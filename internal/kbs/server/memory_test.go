package server

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
)

// heapAfterGC is the live heap after a full collection (what the process
// must keep, not what the collector has not yet reclaimed).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// attestWithInitData runs auth, then attest with initdata body raw (the
// sample evidence binds the session's nonce and the guest's key).
func (g *guest) attestWithInitData(raw string) reply {
	g.h.t.Helper()
	n := g.auth()
	ev, err := (&samplea.Attester{}).Evidence(context.Background(), kbs.ReportData(n, g.pub, ""))
	if err != nil {
		g.h.t.Fatal(err)
	}
	b, _ := json.Marshal(kbs.Attestation{
		InitData:    &kbs.InitData{Format: "toml", Body: raw},
		RuntimeData: kbs.RuntimeData{Nonce: n, TeePubKey: g.pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev},
	})
	return g.attest(b)
}

// TestInitDataFloodMemoryBounded is the hostile-input flood of issue 11:
// an unauthenticated client sends 200 attestations with 1 MiB of initdata
// (refused at decode: over kbs.MaxInitDataSize), then 300 with initdata just
// under the cap, which the sample TEE turns into ~90 KiB tokens. Every
// request gets an answer and an audit row, and the live heap after GC
// grows by less than the token cache budget plus 16 MiB (measured: about
// 8 MiB), where a cache without a byte budget grew it by 46 MiB for these
// 300 tokens.
func TestInitDataFloodMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test")
	}
	const cacheBudget = 8 << 20
	const bound = cacheBudget + 16<<20
	h := newHarness(t, func(c *Config) { c.TokenCacheBytes = cacheBudget })
	g := h.guest()
	g.handshake() // warm up: policies compiled, statements prepared
	base := heapAfterGC()

	huge, err := initdata.Build("sha256", map[string]string{"policy.rego": strings.Repeat("p", 1<<20-200)})
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		wantError(t, g.attestWithInitData(string(huge)), http.StatusRequestEntityTooLarge, kbs.PayloadTooLarge)
	}
	if grown := int64(heapAfterGC()) - int64(base); grown > bound {
		t.Fatalf("1 MiB initdata flood: heap grew %d MiB, bound %d MiB", grown>>20, bound>>20)
	}

	near, err := initdata.Build("sha256", map[string]string{"policy.rego": strings.Repeat("q", kbs.MaxInitDataSize-200)})
	if err != nil || len(near) > kbs.MaxInitDataSize {
		t.Fatalf("%d bytes: %v", len(near), err)
	}
	for i := range 300 {
		if r := g.attestWithInitData(string(near)); r.status != http.StatusOK {
			t.Fatalf("attestation %d with %d bytes of initdata: %d %s", i, len(near), r.status, r.body)
		}
	}
	grown := int64(heapAfterGC()) - int64(base)
	t.Logf("live heap grew %d KiB after the floods (bound %d KiB)", grown>>10, bound>>10)
	if grown > bound {
		t.Fatalf("near-cap initdata flood: heap grew %d MiB, bound %d MiB", grown>>20, bound>>20)
	}
	if _, b := h.srv.tokens.size(); b > cacheBudget {
		t.Fatalf("token cache holds %d bytes, budget %d", b, cacheBudget)
	}
	recs, err := h.st.AuditSince(context.Background(), 0, time.Time{}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	attest := 0
	for _, r := range recs {
		if strings.Contains(string(r.Event), `"kind":"attest"`) {
			attest++
		}
	}
	if attest != 1+200+300 {
		t.Fatalf("%d attest audit rows, want %d", attest, 501)
	}
}
