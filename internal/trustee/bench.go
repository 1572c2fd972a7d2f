package trustee

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trustgate/trustgate/internal/attester"
	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/auditlog"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/store"
)

// BenchOptions configure a load run: Clients concurrent sample-TEE guests,
// each looping auth → attest → GET resource → decrypt.
type BenchOptions struct {
	URL      string       // trustee base URL
	HTTP     *http.Client // shared transport (keep-alive); cookie jars are per handshake
	Clients  int
	Duration time.Duration // run length (ignored when Total > 0)
	Total    int           // total handshakes to run instead of a duration
	Resource string        // REPO/TYPE/TAG the policy releases to the sample TEE
	Secret   []byte        // expected value (nil: not checked)
	// Attester makes the evidence (nil: the sample TEE).
	Attester attester.Attester
	// Rate, when positive, runs an open loop instead: handshakes start at
	// this fixed rate (per second) whatever the answers, for Duration, and
	// latency runs from each one's scheduled start (no coordinated
	// omission). Clients is then ignored.
	Rate float64
}

// BenchResult summarises a run. Latency is one full handshake plus one
// resource fetch and decryption, measured at the client.
type BenchResult struct {
	Clients    int
	Handshakes int
	Errors     int
	FirstError string
	Elapsed    time.Duration
	PerSecond  float64
	P50, P99   time.Duration
	Max        time.Duration
	// CPU is this process's CPU time during the run (server too when it
	// runs in-process).
	CPU time.Duration
	// Rate is the open-loop arrival rate (0: closed loop).
	Rate float64 `json:",omitempty"`
	// RunQueueWait is the time this process's threads were runnable but
	// waited for a CPU during the run (Linux schedstat).
	RunQueueWait time.Duration `json:",omitempty"`
	// Tail (open loop) says whether the handshakes slower than p99 came
	// in one episode or spread over the level.
	Tail *TailWindow `json:",omitempty"`
}

// TailWindow is the one-second window of scheduled starts that holds the
// most handshakes slower than the level's p99.
type TailWindow struct {
	Slow     int           // handshakes slower than p99 in the level
	InWindow int           // how many of them started in the window
	Start    time.Duration // the window's start, from the level's start
}

// tailWindow finds the TailWindow of an open-loop level: starts are the
// scheduled starts (from the level's start) and lat the latencies, in the
// same order.
func tailWindow(starts, lat []time.Duration, p99 time.Duration) *TailWindow {
	var slow []time.Duration
	for i, d := range lat {
		if d > p99 {
			slow = append(slow, starts[i])
		}
	}
	if len(slow) == 0 {
		return nil
	}
	sort.Slice(slow, func(i, j int) bool { return slow[i] < slow[j] })
	w := &TailWindow{Slow: len(slow)}
	j := 0
	for i := range slow {
		for slow[i]-slow[j] >= time.Second {
			j++
		}
		if n := i - j + 1; n > w.InWindow {
			w.InWindow, w.Start = n, slow[j]
		}
	}
	return w
}

func (r BenchResult) String() string {
	cpu := 0.0
	if r.Handshakes > 0 {
		cpu = float64(r.CPU.Microseconds()) / float64(r.Handshakes) / 1000
	}
	return fmt.Sprintf("clients=%d handshakes=%d errors=%d elapsed=%s handshakes/s=%.0f p50=%s p99=%s max=%s cpu/handshake=%.2fms",
		r.Clients, r.Handshakes, r.Errors, r.Elapsed.Round(time.Millisecond), r.PerSecond,
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), cpu)
}

// Handshake runs one full RCAR handshake with a fresh sample guest and
// fetches resource, returning the decrypted value.
func Handshake(ctx context.Context, hc *http.Client, base, resource string) ([]byte, error) {
	return HandshakeWith(ctx, hc, base, resource, &samplea.Attester{})
}

// HandshakeWith runs one full RCAR handshake with attester a (a fresh
// guest key each time) and fetches resource, returning the decrypted value.
// base may name two replicas, "URL_A,URL_B": auth and the resource fetch
// then go to A and the attestation to B, carrying the session cookie over,
// so that every handshake is begun on one replica and finished on the other.
func HandshakeWith(ctx context.Context, hc *http.Client, base, resource string, a attester.Attester) ([]byte, error) {
	first, second, split := strings.Cut(base, ",")
	if !split {
		second = first
	}
	priv, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		return nil, err
	}
	var session *http.Cookie
	send := func(method, url string, body []byte) ([]byte, error) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, rd)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if session != nil {
			req.AddCookie(session)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == kbs.SessionCookie {
				session = &http.Cookie{Name: c.Name, Value: c.Value}
			}
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
		}
		return b, nil
	}
	b, err := send(http.MethodPost, first+"/kbs/v0/auth", []byte(`{"version":"0.4.0","tee":"`+a.Tee()+`","extra-params":""}`))
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(b, &ch); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	ev, err := a.Evidence(ctx, kbs.ReportData(ch.Nonce, pub, ""))
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(kbs.Attestation{
		RuntimeData: kbs.RuntimeData{Nonce: ch.Nonce, TeePubKey: pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev},
	})
	if err != nil {
		return nil, err
	}
	if _, err := send(http.MethodPost, second+"/kbs/v0/attest", body); err != nil {
		return nil, fmt.Errorf("attest: %w", err)
	}
	b, err = send(http.MethodGet, first+"/kbs/v0/resource/"+resource, nil)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	return jwe.Decrypt(priv, b)
}

// Bench runs the load and reports throughput and latency percentiles.
func Bench(ctx context.Context, o BenchOptions) (BenchResult, error) {
	if o.Attester == nil {
		o.Attester = &samplea.Attester{}
	}
	if o.Rate > 0 {
		return openLoop(ctx, o)
	}
	if o.Clients < 1 {
		o.Clients = 1
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: 0}}
	}
	if o.Total <= 0 && o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, 1<<14)
		errs     int
		firstErr string
		left     atomic.Int64
		wg       sync.WaitGroup
	)
	left.Store(int64(o.Total))
	rctx := ctx
	if o.Total <= 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	start := time.Now()
	cpu0, rq0 := cpuTime(), runQueueWait("self")
	for range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 256)
			for rctx.Err() == nil {
				if o.Total > 0 && left.Add(-1) < 0 {
					break
				}
				t0 := time.Now()
				v, err := HandshakeWith(rctx, o.HTTP, o.URL, o.Resource, o.Attester)
				d := time.Since(t0)
				if err == nil && o.Secret != nil && !bytes.Equal(v, o.Secret) {
					err = errors.New("released value differs")
				}
				if err != nil {
					if rctx.Err() != nil {
						break // cut off by the end of the run: not an error
					}
					mu.Lock()
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	res := BenchResult{Clients: o.Clients, Handshakes: len(lat), Errors: errs, FirstError: firstErr, Elapsed: el, CPU: cpuTime() - cpu0,
		RunQueueWait: runQueueWait("self") - rq0}
	res.percentiles(lat)
	return res, nil
}

func (r *BenchResult) percentiles(lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.P50 = lat[len(lat)/2]
	r.P99 = lat[(len(lat)*99)/100]
	r.Max = lat[len(lat)-1]
	r.PerSecond = float64(len(lat)) / r.Elapsed.Seconds()
}

// maxOutstanding bounds the handshakes an open loop keeps in flight: past
// it the server is overloaded, and further arrivals count as errors
// instead of piling up goroutines.
const maxOutstanding = 4096

// openLoop starts a handshake every 1/Rate seconds for Duration, each in
// its own goroutine, and measures each from its scheduled start.
func openLoop(ctx context.Context, o BenchOptions) (BenchResult, error) {
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 30 * time.Second}
	}
	interval := time.Duration(float64(time.Second) / o.Rate)
	n := int(o.Duration.Seconds() * o.Rate)
	var (
		mu          sync.Mutex
		lat         = make([]time.Duration, 0, n)
		starts      = make([]time.Duration, 0, n)
		errs        int
		firstErr    string
		wg          sync.WaitGroup
		outstanding atomic.Int64
	)
	fail := func(err error) {
		mu.Lock()
		errs++
		if firstErr == "" {
			firstErr = err.Error()
		}
		mu.Unlock()
	}
	start := time.Now()
	cpu0, rq0 := cpuTime(), runQueueWait("self")
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sched := start.Add(time.Duration(i) * interval)
		if d := time.Until(sched); d > 0 {
			time.Sleep(d)
		}
		if outstanding.Load() >= maxOutstanding {
			fail(fmt.Errorf("over %d handshakes in flight: server overloaded at %.0f/s", maxOutstanding, o.Rate))
			continue
		}
		outstanding.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer outstanding.Add(-1)
			v, err := HandshakeWith(ctx, o.HTTP, o.URL, o.Resource, o.Attester)
			d := time.Since(sched)
			if err == nil && o.Secret != nil && !bytes.Equal(v, o.Secret) {
				err = errors.New("released value differs")
			}
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			lat = append(lat, d)
			starts = append(starts, sched.Sub(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	res := BenchResult{Clients: 0, Rate: o.Rate, Handshakes: len(lat), Errors: errs, FirstError: firstErr, Elapsed: time.Since(start), CPU: cpuTime() - cpu0,
		RunQueueWait: runQueueWait("self") - rq0}
	unsorted := slices.Clone(lat)
	res.percentiles(lat)
	if len(lat) > 0 {
		res.Tail = tailWindow(starts, unsorted, res.P99)
	}
	return res, nil
}

// BenchServer starts an in-process trustee (SQLite in dir, plain HTTP on
// loopback, allow-all resource policy, one resource) for load runs and
// returns it with the resource path and value.
func BenchServer(ctx context.Context, dir string, log *slog.Logger) (*Instance, string, []byte, error) {
	inst, secret, err := StartBenchServer(ctx, BenchSetup{Tee: "sample", Dir: dir}, log)
	return inst, benchResource, secret, err
}

const benchSummary = `Starts an in-process trustee and loads it from a separate load-generator
process, so that the CPU it reports is the server's alone; measures in the
same run the floor of one handshake (` + FloorDescription + `),
and prints both and their ratio. With --url, loads an existing server instead
(client-side figures only).`

func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trustee bench", flag.ContinueOnError)
	url := fs.String("url", "", "trustee to load (default: start one in-process with an allow-all policy)")
	insecure := fs.Bool("insecure", false, "skip TLS verification for --url (development only)")
	resource := fs.String("resource", benchResource, "resource to fetch with --url; the policy must release it to the sample TEE")
	clients := fs.String("clients", "1,64,512", "comma-separated closed-loop concurrency levels (empty: none)")
	rates := fs.String("rate", "auto", "open-loop arrival rates per second, comma-separated; auto: 50% and 80% of the capacity measured by the closed loop; empty: none")
	tees := fs.String("tee", "sample", "comma-separated: sample, snp-emulated")
	storeURL := fs.String("store", "", "postgres://… URL of an empty database for the in-process server (default: SQLite in the data directory)")
	dur := fs.Duration("duration", 5*time.Second, "length of each level")
	dataDir := fs.String("data-dir", "", "data directory of the in-process server (default: a temporary one)")
	cpuProfile := fs.String("cpuprofile", "", "write the server's CPU profile (pprof) to this file")
	memProfile := fs.String("memprofile", "", "write the server process's allocation profile (pprof allocs: alloc_space, alloc_objects) to this file at the end")
	loadProfile := fs.String("load-cpuprofile", "", "write the load generator's CPU profile (pprof) to this file, the last level's")
	replicas := fs.Int("replicas", 1, "in-process servers over --store (2 needs PostgreSQL): each handshake begins on one and finishes on the other")
	if code, ok := cliflags.Parse(fs, args, "TRUSTEE_BENCH_", benchSummary, stdout, stderr); !ok {
		return code
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "trustee bench:", err)
			return 1
		}
		defer stop()
	}
	if *memProfile != "" {
		defer func() {
			if err := writeAllocProfile(*memProfile); err != nil {
				fmt.Fprintln(stderr, "trustee bench:", err)
			}
		}()
	}
	levels, err := intList(*clients)
	if err != nil {
		return cliflags.Report(stderr, "trustee bench", cliflags.Usagef("--clients %q: %v", *clients, err))
	}
	if *replicas < 1 || *replicas > 2 || (*replicas == 2 && *storeURL == "") {
		return cliflags.Report(stderr, "trustee bench", cliflags.Usagef("--replicas is 1 or 2, and 2 needs --store postgres://…"))
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if *url != "" {
		return benchRemote(ctx, *url, *resource, *insecure, levels, *dur, stdout, stderr)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "trustee bench:", err)
		return 1
	}
	TuneGC() // as trustee serve

	var kek []byte
	if *storeURL != "" {
		kek = make([]byte, 32)
		if _, err := rand.Read(kek); err != nil {
			fmt.Fprintln(stderr, "trustee bench:", err)
			return 1
		}
	}
	for _, tee := range strings.Split(*tees, ",") {
		dir := *dataDir
		if dir == "" {
			d, err := os.MkdirTemp("", "trustee-bench-")
			if err != nil {
				fmt.Fprintln(stderr, "trustee bench:", err)
				return 1
			}
			defer os.RemoveAll(d)
			dir = filepath.Join(d, "data")
		} else {
			dir = filepath.Join(dir, tee)
		}
		b := BenchSetup{Tee: strings.TrimSpace(tee), Store: *storeURL, Dir: dir, Replicas: *replicas, KEK: kek, LoadProfile: *loadProfile}
		if err := benchTee(ctx, exe, b, levels, *rates, *dur, stdout); err != nil {
			fmt.Fprintln(stderr, "trustee bench:", err)
			return 1
		}
	}
	return 0
}

// writeAllocProfile writes the allocations sampled since the process started
// (the floor's measurement included: focus on the server's handlers).
func writeAllocProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

// startCPUProfile writes a CPU profile to name until stop is called.
func startCPUProfile(name string) (stop func(), err error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("want positive integers")
		}
		out = append(out, n)
	}
	return out, nil
}

// benchTee runs the closed-loop levels, then the open-loop rates, for one
// TEE, printing the server's CPU per handshake against the floor.
func benchTee(ctx context.Context, exe string, b BenchSetup, levels []int, rates string, dur time.Duration, out io.Writer) error {
	if b.Store != "" && b.KEK == nil {
		// Replicas, and the runs of several TEEs over one database, share
		// the store: one KEK for all.
		b.KEK = make([]byte, 32)
		if _, err := rand.Read(b.KEK); err != nil {
			return err
		}
	}
	inst, secret, err := StartBenchServer(ctx, b, nil)
	if err != nil {
		return err
	}
	defer inst.Shutdown(context.Background()) //nolint:errcheck // end of run
	url := inst.URL
	insts := []*Instance{inst}
	if b.Replicas == 2 {
		b2 := b
		b2.Dir = b.Dir + "-replica2"
		other, _, err := StartBenchServer(ctx, b2, nil)
		if err != nil {
			return err
		}
		defer other.Shutdown(context.Background()) //nolint:errcheck // end of run
		url += "," + other.URL
		insts = append(insts, other)
	}
	audit0, err := auditTotals(ctx, inst)
	if err != nil {
		return err
	}
	floorFn, err := HandshakeFloor(b.Tee, b.EmulatedDir())
	if err != nil {
		return err
	}
	floor0, err := MeasureCPU(floorFn, time.Second)
	if err != nil {
		return err
	}
	store := "SQLite (WAL, synchronous=FULL)"
	if b.Store != "" {
		store = "PostgreSQL (" + pgDurability(ctx, b.Store) + ")"
	}
	fmt.Fprintf(out, "tee=%s store=%s replicas=%d GOMAXPROCS=%d\n", b.Tee, store, len(insts), runtime.GOMAXPROCS(0))
	base := []string{"--url", url, "--tee", b.Tee, "--emulated-dir", b.EmulatedDir(), "--secret", string(secret), "--duration", dur.String()}
	if b.LoadProfile != "" {
		base = append(base, "--cpuprofile", b.LoadProfile)
	}
	var runs []ServerRun
	capacity := 0.0
	for _, n := range levels {
		r, err := runLevel(ctx, exe, insts, append(base, "--clients", strconv.Itoa(n)))
		if err != nil {
			return err
		}
		runs = append(runs, r)
		capacity = max(capacity, r.PerSecond)
	}
	var rs []float64
	for _, f := range strings.Split(rates, ",") {
		switch f = strings.TrimSpace(f); f {
		case "":
		case "auto":
			if capacity > 0 {
				rs = append(rs, capacity*0.5, capacity*0.8)
			}
		default:
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v <= 0 {
				return fmt.Errorf("--rate %q: want positive numbers or auto", f)
			}
			rs = append(rs, v)
		}
	}
	for _, v := range rs {
		r, err := runLevel(ctx, exe, insts, append(base, "--rate", strconv.FormatFloat(v, 'f', 1, 64)))
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	floor1, err := MeasureCPU(floorFn, time.Second)
	if err != nil {
		return err
	}
	floor := (floor0 + floor1) / 2
	// Every decision of the run is in the audit (both replicas write to
	// the one store): one attest and one resource row per handshake.
	for _, i := range insts {
		i.Server.Close(ctx) // aggregated /auth rows
	}
	audit1, err := auditTotals(ctx, inst)
	if err != nil {
		return err
	}
	total := 0
	for _, r := range runs {
		total += r.Handshakes
	}
	fmt.Fprintf(out, "  audit: %d handshakes completed (handshakes cut off at the end of a level are not counted; their decisions are); %d attest and %d resource events allowed, %d auth requests recorded\n",
		total, audit1.attest-audit0.attest, audit1.resource-audit0.resource, audit1.auth-audit0.auth)
	fmt.Fprintf(out, "  floor %.3f ms CPU/handshake (before %.3f, after %.3f): %s\n", ms(floor), ms(floor0), ms(floor1), FloorDescription)
	for _, r := range runs {
		mode := fmt.Sprintf("closed clients=%-4d", r.Clients)
		if r.Rate > 0 {
			mode = fmt.Sprintf("open rate=%-6.0f", r.Rate)
			if capacity > 0 {
				mode += fmt.Sprintf(" (%2.0f%% of capacity)", 100*r.Rate/capacity)
			}
		}
		pg := ""
		if b.Store != "" && r.served() > 0 {
			pg = fmt.Sprintf(" +postgres %.3f ms", ms(r.PostgresCPU/time.Duration(r.served())))
		}
		fmt.Fprintf(out, "  %s handshakes=%d (server %d) errors=%d handshakes/s=%.0f p50=%.1fms p99=%.1fms server_cpu/handshake=%.3fms%s gc=%.1f%% ratio=%.2fx\n",
			mode, r.Handshakes, r.served(), r.Errors, r.PerSecond, ms(r.P50), ms(r.P99), ms(r.PerHandshake()), pg, 100*r.GCShare, float64(r.PerHandshake())/float64(floor))
		fmt.Fprintf(out, "    waits: %s\n", r.waits())
		if r.Errors > 0 {
			fmt.Fprintf(out, "    first error: %s\n", r.FirstError)
		}
	}
	return nil
}

// waits says where a level's latency went besides the server's own CPU:
// time its threads and the load generator's waited for a CPU, the longest
// GC pause, and the store's group commits (each write waits for the commit
// in progress, then for its own).
func (r ServerRun) waits() string {
	per := func(d time.Duration) float64 {
		if r.served() == 0 {
			return 0
		}
		return ms(d) / float64(r.served())
	}
	c := r.Commits
	batch, mean := 0.0, time.Duration(0)
	if c.Commits > 0 {
		batch, mean = float64(c.Writes)/float64(c.Commits), c.Busy/time.Duration(c.Commits)
	}
	el := max(r.Elapsed.Seconds(), 1e-9)
	tail := ""
	if t := r.Tail; t != nil {
		tail = fmt.Sprintf("; slower than p99: %d handshakes, %d of them started within one second (%.1f–%.1f s into the level)",
			t.Slow, t.InWindow, t.Start.Seconds(), t.Start.Seconds()+1)
	}
	longest := ""
	if !c.MaxAt.IsZero() && !r.Start.IsZero() {
		longest = fmt.Sprintf(" at %.1f s", c.MaxAt.Sub(r.Start).Seconds())
	}
	return fmt.Sprintf("cores busy: server %.2f, load generator %.2f (%.2f ms/handshake) of %d; run queue server %.2f ms/handshake, load generator %.2f ms/handshake; gc pause max %.2f ms; store %d commits (%.1f writes each, %.2f ms mean, %.1f ms max%s, busy %.0f%% of the level; %d over %s, %.0f ms in all)",
		r.ServerCPU.Seconds()/el, r.CPU.Seconds()/el, per(r.CPU), runtime.NumCPU(),
		per(r.RunQueueWait), per(r.BenchResult.RunQueueWait), ms(r.GCPauseMax), c.Commits, batch, ms(mean), ms(c.Max), longest, 100*c.Busy.Seconds()/el,
		c.Stalls, store.StallCommit, ms(c.StallTime)) + tail
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// benchRemote loads an existing server (client-side figures only).
func benchRemote(ctx context.Context, base, resource string, insecure bool, levels []int, dur time.Duration, stdout, stderr io.Writer) int {
	for _, n := range levels {
		tr := &http.Transport{MaxIdleConnsPerHost: n, TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}} //nolint:gosec // explicit flag
		r, err := Bench(ctx, BenchOptions{URL: base, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Clients: n, Duration: dur, Resource: resource})
		tr.CloseIdleConnections()
		if err != nil {
			fmt.Fprintln(stderr, "trustee bench:", err)
			return 1
		}
		fmt.Fprintln(stdout, r)
		if r.Errors > 0 {
			fmt.Fprintf(stdout, "  first error: %s\n", r.FirstError)
		}
	}
	return 0
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// measures the work done, where wall time also measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runLevel runs one load level and counts the releases the server made
// during it (from the audit log): the server's CPU is divided by those,
// not by the handshakes the load generator completed, so that the work of
// handshakes still in flight when a level ends does not inflate the figure.
func runLevel(ctx context.Context, exe string, insts []*Instance, args []string) (ServerRun, error) {
	inst := insts[0] // the replicas share its store
	before, err := auditTotals(ctx, inst)
	if err != nil {
		return ServerRun{}, err
	}
	inst.Store.TakeCommitStats()
	r, err := runLoad(ctx, exe, args, func() { drainRequests(insts) })
	if err != nil {
		return r, err
	}
	r.Commits = inst.Store.TakeCommitStats()
	// Let the last writes of the level be audited.
	time.Sleep(100 * time.Millisecond)
	after, err := auditTotals(ctx, inst)
	if err != nil {
		return r, err
	}
	r.Releases = after.resource - before.resource
	return r, nil
}

// pgDurability reports the server's fsync and synchronous_commit settings
// as a run on url sees them: a PostgreSQL started with fsync off commits
// without waiting for the disk, and a figure measured so must say it.
func pgDurability(ctx context.Context, url string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return "settings unknown: " + err.Error()
	}
	defer c.Close(ctx)
	var fsync, sc string
	if err := c.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sc); err != nil {
		return "settings unknown: " + err.Error()
	}
	return "fsync " + fsync + ", synchronous_commit " + sc
}

// drainRequests waits (at most 10 s) until no replica serves a request:
// the handshakes the load generator abandoned at the end of a closed level
// (hundreds at 512 clients) are finished before the next level starts.
func drainRequests(insts []*Instance) {
	deadline := time.Now().Add(10 * time.Second)
	for _, inst := range insts {
		for inst.Server.InFlight() > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

type auditCounts struct{ auth, attest, resource int }

// auditTotals counts the allowed decisions in the audit log (auth rows by
// the requests they stand for).
func auditTotals(ctx context.Context, inst *Instance) (auditCounts, error) {
	var c auditCounts
	var after int64
	l := auditlog.New(inst.Store)
	for {
		evs, err := l.Since(ctx, after, time.Time{}, 10000)
		if err != nil {
			return c, err
		}
		for _, e := range evs {
			if e.Outcome != audit.OutcomeAllow {
				continue
			}
			switch e.Kind {
			case audit.KindAuth:
				c.auth += max(1, e.Count)
			case audit.KindAttest:
				c.attest++
			case audit.KindResource:
				c.resource++
			}
		}
		if len(evs) < 10000 {
			return c, nil
		}
		after = evs[len(evs)-1].ID
	}
}
