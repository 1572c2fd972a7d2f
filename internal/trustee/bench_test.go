package trustee

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/store"
)

// BenchmarkHandshake runs full RCAR handshakes (auth, attest with sample
// evidence, one resource fetch and decryption) against an in-process
// trustee on SQLite with durable, group-committed audit, over loopback
// HTTP. The guests run in the same process, so their key generation,
// evidence and decryption share the CPU with the server.
func BenchmarkHandshake(b *testing.B) {
	ctx := context.Background()
	inst, res, secret, err := BenchServer(ctx, filepath.Join(b.TempDir(), "data"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Shutdown(ctx) //nolint:errcheck // end of benchmark
	for _, clients := range []int{1, 64, 512} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: time.Minute}
			var next atomic.Int64
			lat := make([]time.Duration, b.N)
			var failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						v, err := Handshake(ctx, hc, inst.URL, res)
						lat[i] = time.Since(t0)
						if err != nil || string(v) != string(secret) {
							failed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			cpu := cpuTime() - cpu0
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d handshakes failed", n, b.N)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(b.N)/el.Seconds(), "handshakes/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
			// CPU time of the whole process (server and in-process guests)
			// per handshake: independent of other load on a shared machine.
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "cpu_ms/handshake")
		})
	}
}

// BenchmarkOpenSessions measures the server's memory per 10,000 open
// (challenged, not yet attested) sessions: heap growth after GC, and the
// store's growth on disk.
func BenchmarkOpenSessions(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "data")
	inst, _, _, err := BenchServer(ctx, dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Shutdown(ctx) //nolint:errcheck // end of benchmark
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const n = 10000
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= n {
					resp, err := hc.Post(inst.URL+"/kbs/v0/auth", "application/json", stringsReader(`{"version":"0.4.0","tee":"sample","extra-params":""}`))
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("auth: %d", resp.StatusCode)
						return
					}
				}
			}()
		}
		wg.Wait()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024, "heap_KiB/10k_sessions")
	}
}

// BenchmarkFloor is the cryptographic and policy floor of one handshake,
// measured in the same run: what no server design can avoid. Per
// handshake the server signs one token (ES256), verifies it once, runs the
// attestation and resource policies once each, hashes the runtime data
// and encrypts one JWE (ECDH-ES+A256KW P-256).
func BenchmarkFloor(b *testing.B) {
	ctx := context.Background()
	key, _ := ear.GenerateKey()
	iss, _ := ear.NewIssuer(key, ear.Options{})
	ver := ear.NewVerifier(iss.PublicKey())
	_, pub, _ := jwe.GenerateKey(jwe.KeyP256)
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	n64 := base64.StdEncoding.EncodeToString(nonce)
	rd := kbs.ReportData(n64, pub, "")
	claims := map[string]any{"svn": "1", "report_data": base64.StdEncoding.EncodeToString(rd), "launch_digest": "abcde", "debug": false}
	app := ear.Appraisal{Tee: "sample", TrustVector: map[string]int{"hardware": 97}, PolicyID: "default", Claims: claims,
		ReportData: hex.EncodeToString(rd), RuntimeDataClaims: map[string]any{"nonce": n64, "tee-pubkey": pub.Map()}}
	tok, tclaims, err := iss.Issue(app)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(b.TempDir(), "f.db"), KEK: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	eng := policy.NewEngine(nil)
	input := map[string]any{"sample": claims, "report_data": hex.EncodeToString(rd), "runtime_data_claims": app.RuntimeDataClaims}
	allow, _ := policy.SampleResourcePolicy("allow-all")
	req := policy.Request{Plugin: "resource", Path: []string{"bench", "key", "1"}}
	secret := []byte("bench-secret-value")

	steps := []struct {
		name string
		fn   func() error
	}{
		{"report_data_jcs_sha384", func() error { kbs.ReportData(n64, pub, ""); return nil }},
		{"token_sign_es256", func() error { _, _, err := iss.Issue(app); return err }},
		{"token_verify_es256", func() error { _, err := ver.Verify(tok); return err }},
		{"attestation_policy", func() error { _, err := eng.Appraise(ctx, policy.DefaultAttestationPolicy(), input); return err }},
		{"resource_policy", func() error { _, err := eng.Allow(ctx, allow, tclaims, req); return err }},
		{"jwe_ecdh_es_p256", func() error { _, err := jwe.Encrypt(pub, secret); return err }},
	}
	all := func() error {
		for _, s := range steps {
			if err := s.fn(); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range append(steps, struct {
		name string
		fn   func() error
	}{"all", all}) {
		b.Run(s.name, func(b *testing.B) {
			cpu0 := cpuTime()
			n := 0
			for b.Loop() {
				if err := s.fn(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n)/1000, "cpu_ms/op")
		})
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// TestBenchCommand runs `trustee bench` briefly: the load generator runs in
// a child process (this test binary, through TestMain), and the output
// states the floor, the server's CPU per handshake and their ratio for a
// closed and an open loop, without errors. No timing is asserted.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("load run")
	}
	var out, errb strings.Builder
	code := benchMain([]string{"--tee", "sample", "--clients", "2", "--duration", "500ms", "--rate", "20"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	o := out.String()
	for _, want := range []string{"tee=sample store=SQLite", "floor ", "closed clients=2 ", "open rate=20 ", "server_cpu/handshake=", "ratio=", " ms max at ", " over 50ms, "} {
		if !strings.Contains(o, want) {
			t.Fatalf("output lacks %q:\n%s", want, o)
		}
	}
	if strings.Contains(o, "first error") || !strings.Contains(o, "errors=0") {
		t.Fatalf("handshakes failed:\n%s", o)
	}
	t.Log(o)
}

// TestFloorPolicyInput checks that the floor appraises what the server
// appraises: the claims the TEE's own verifier produced from the evidence
// the load generator sends, under that TEE's name (for snp-emulated, the
// SNP verifier's claims, not the sample verifier's).
func TestFloorPolicyInput(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "snp-emulated")
	if _, err := emu.GenerateRoot(dir); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tee       string
		want, not []string // claims that must and must not be there
		other     string   // a TEE key that must be absent
	}{
		{attest.TeeSNPEmulated, []string{"measurement", "reported_tcb_snp", "policy_debug_allowed", "chip_id"}, []string{"launch_digest", "svn"}, attest.TeeSample},
		{attest.TeeSample, []string{"launch_digest", "svn"}, []string{"measurement"}, attest.TeeSNPEmulated},
	} {
		t.Run(tc.tee, func(t *testing.T) {
			_, pub, err := jwe.GenerateKey(jwe.KeyP256)
			if err != nil {
				t.Fatal(err)
			}
			n64 := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
			input, claims, rd, err := floorPolicyInput(ctx, tc.tee, dir, n64, pub)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := input[tc.other]; ok {
				t.Errorf("policy input has %q claims", tc.other)
			}
			got, ok := input[tc.tee].(map[string]any)
			if !ok || len(got) != len(claims) {
				t.Fatalf("policy input[%q] = %v, want the verifier's %d claims", tc.tee, input[tc.tee], len(claims))
			}
			for _, k := range tc.want {
				if _, ok := got[k]; !ok {
					t.Errorf("claim %q missing from %v", k, got)
				}
			}
			for _, k := range tc.not {
				if _, ok := got[k]; ok {
					t.Errorf("claim %q present: not this TEE's verifier", k)
				}
			}
			if input["report_data"] != hex.EncodeToString(rd) || !bytes.Equal(rd, kbs.ReportDataFor(tc.tee, n64, pub, "")) {
				t.Errorf("report data not bound to this nonce and key")
			}
			if s, _ := got["report_data"].(string); tc.tee == attest.TeeSNPEmulated && !strings.HasPrefix(s, hex.EncodeToString(rd)) {
				t.Errorf("SNP report_data claim %q, want %x zero-padded", s, rd)
			}
			if _, err := policy.NewEngine(nil).Appraise(ctx, policy.DefaultAttestationPolicy(), input); err != nil {
				t.Fatal(err)
			}
			f, err := HandshakeFloor(tc.tee, dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := f(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTailWindow(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, c := range []struct {
		name          string
		starts, lat   []time.Duration
		p99           time.Duration
		want          *TailWindow
		wantStartMsec int
	}{
		{"none slower", ms(0, 10, 20), ms(1, 1, 1), 5 * time.Millisecond, nil, 0},
		{"one episode", ms(0, 1500, 1600, 2400, 4000), ms(1, 90, 80, 70, 60), 50 * time.Millisecond, &TailWindow{Slow: 4, InWindow: 3}, 1500},
		{"spread", ms(0, 1000, 2000, 3000), ms(90, 90, 90, 90), 50 * time.Millisecond, &TailWindow{Slow: 4, InWindow: 1}, 0},
		{"unsorted starts", ms(3100, 100, 3000, 3500), ms(90, 90, 90, 90), 50 * time.Millisecond, &TailWindow{Slow: 4, InWindow: 3}, 3000},
		{"window is one second, end excluded", ms(0, 1000), ms(90, 90), 50 * time.Millisecond, &TailWindow{Slow: 2, InWindow: 1}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := tailWindow(c.starts, c.lat, c.p99)
			if c.want == nil {
				if got != nil {
					t.Fatalf("got %+v, want nil", got)
				}
				return
			}
			c.want.Start = time.Duration(c.wantStartMsec) * time.Millisecond
			if got == nil || *got != *c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
