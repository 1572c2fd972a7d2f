package trustee

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/catalog"
	"github.com/trustgate/trustgate/internal/attester"
	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/store"
)

// BenchSetup selects the in-process server of a CPU benchmark.
type BenchSetup struct {
	// Tee is "sample" or "snp-emulated".
	Tee string
	// Store is "" (SQLite in Dir, synchronous=FULL) or a postgres:// URL
	// (an empty database or schema).
	Store string
	// Dir is the data directory.
	Dir string
	// KEK, when set, is the key-encryption key (replicas share it).
	KEK []byte
	// Replicas is the number of servers over Store (1 or 2; 2 needs
	// PostgreSQL): every handshake begins on one and finishes on the other.
	Replicas int
	// LoadProfile, when set, is where the load generator writes its CPU
	// profile (each level overwrites the last).
	LoadProfile string
}

// benchResource is what the bench server releases.
const benchResource = "bench/key/1"

// EmulatedDir is where StartBenchServer writes the snp-emulated chain.
func (b BenchSetup) EmulatedDir() string { return filepath.Join(b.Dir, "snp-emulated") }

// StartBenchServer starts an in-process trustee for load runs: plain HTTP
// on loopback, no /auth rate limit (the load comes from one address), an
// allow-all resource policy and one resource; for snp-emulated, a fresh
// emulated chain whose root the server trusts (--dev-emulated-snp-root).
func StartBenchServer(ctx context.Context, b BenchSetup, log *slog.Logger) (*Instance, []byte, error) {
	cfg := Defaults()
	cfg.DataDir = b.Dir
	cfg.Listen = "127.0.0.1:0"
	cfg.InsecureHTTP = true
	cfg.AuthRate = 0
	cfg.Store = b.Store
	switch b.Tee {
	case attest.TeeSample, "":
	case attest.TeeSNPEmulated:
		if _, err := os.Stat(filepath.Join(b.EmulatedDir(), emu.ARKFile)); err != nil {
			if _, err := emu.GenerateRoot(b.EmulatedDir()); err != nil {
				return nil, nil, err
			}
		}
		cfg.DevEmulatedSNPRoot = filepath.Join(b.EmulatedDir(), emu.ARKFile)
	default:
		return nil, nil, fmt.Errorf("bench: tee %q: want sample or snp-emulated", b.Tee)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, nil, err
	}
	getenv := func(string) string { return "" }
	if b.KEK != nil {
		getenv = func(k string) string {
			if k == "TRUSTEE_KEK" {
				return base64.StdEncoding.EncodeToString(b.KEK)
			}
			return ""
		}
	}
	inst, err := Start(ctx, cfg, Options{Logger: log, Out: io.Discard, Listener: ln, Getenv: getenv})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := inst.Store.PutPolicy(ctx, "resource", "default", []byte(allow)); err != nil {
		return nil, nil, err
	}
	secret := []byte("bench-secret-value")
	if err := inst.Store.PutResource(ctx, benchResource, secret); err != nil {
		return nil, nil, err
	}
	return inst, secret, nil
}

// benchAttester returns the guest side of tee.
func benchAttester(tee, emulatedDir string) (attester.Attester, error) {
	switch tee {
	case attest.TeeSample, "":
		return &samplea.Attester{}, nil
	case attest.TeeSNPEmulated:
		return emu.New(emu.Config{Dir: emulatedDir})
	}
	return nil, fmt.Errorf("bench: tee %q: want sample or snp-emulated", tee)
}

// FloorDescription says what the floor of one handshake is.
const FloorDescription = "32-byte nonce, ES256 token signature, attestation policy on the TEE verifier's own claims, resource policy, JWE ECDH-ES+A256KW P-256 (snp-emulated: plus one ECDSA P-384 report signature check)"

// HandshakeFloor returns the unavoidable work of one handshake and nothing
// else: the nonce, one ES256 signature over a token-sized payload, the
// default attestation policy on the claims tee's verifier produces (from one
// real verification, before measuring, of the evidence the load generator
// sends: emulatedDir is the snp-emulated chain), the resource policy
// (allow-all, as the bench server) on a real token's claims, and one JWE to
// a guest key; for snp-emulated, also the report's ECDSA P-384 signature
// check (the certificate chain is verified once and cached by any design,
// so it is not part of the floor).
func HandshakeFloor(tee, emulatedDir string) (func() error, error) {
	ctx := context.Background()
	key, err := ear.GenerateKey()
	if err != nil {
		return nil, err
	}
	iss, err := ear.NewIssuer(key, ear.Options{})
	if err != nil {
		return nil, err
	}
	_, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	n64 := base64.StdEncoding.EncodeToString(nonce)
	input, claims, rd, err := floorPolicyInput(ctx, tee, emulatedDir, n64, pub)
	if err != nil {
		return nil, err
	}
	app := ear.Appraisal{Tee: teeName(tee), TrustVector: map[string]int{"hardware": 97}, PolicyID: "default", Claims: claims,
		ReportData: hex.EncodeToString(rd), RuntimeDataClaims: input["runtime_data_claims"].(map[string]any)}
	tok, tclaims, err := iss.Issue(app)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(tok, ".")
	payload := []byte(parts[0] + "." + parts[1])
	eng := policy.NewEngine(nil)
	attPolicy := policy.DefaultAttestationPolicy()
	allow, _ := policy.SampleResourcePolicy("allow-all")
	req := policy.Request{Plugin: "resource", Path: []string{"bench", "key", "1"}}
	secret := []byte("bench-secret-value")
	// Warm the engine's compile cache: compiling is not per handshake.
	if _, err := eng.Appraise(ctx, attPolicy, input); err != nil {
		return nil, err
	}
	if _, err := eng.Allow(ctx, allow, tclaims, req); err != nil {
		return nil, err
	}
	var snpCheck func() error
	if tee == attest.TeeSNPEmulated {
		vk, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			return nil, err
		}
		report := make([]byte, 0x2A0) // the signed part of an SNP report
		_, _ = rand.Read(report)
		h := sha512.Sum384(report)
		sig, err := ecdsa.SignASN1(rand.Reader, vk, h[:])
		if err != nil {
			return nil, err
		}
		snpCheck = func() error {
			h := sha512.Sum384(report)
			if !ecdsa.VerifyASN1(&vk.PublicKey, h[:], sig) {
				return errors.New("floor: P-384 check failed")
			}
			return nil
		}
	}
	return func() error {
		var n [32]byte
		_, _ = rand.Read(n[:])
		_ = base64.StdEncoding.EncodeToString(n[:])
		if snpCheck != nil {
			if err := snpCheck(); err != nil {
				return err
			}
		}
		if _, err := eng.Appraise(ctx, attPolicy, input); err != nil {
			return err
		}
		h := sha256.Sum256(payload)
		if _, err := ecdsa.SignASN1(rand.Reader, key, h[:]); err != nil {
			return err
		}
		if _, err := eng.Allow(ctx, allow, tclaims, req); err != nil {
			return err
		}
		_, err := jwe.Encrypt(pub, secret)
		return err
	}, nil
}

func teeName(tee string) string {
	if tee == "" {
		return attest.TeeSample
	}
	return tee
}

// floorPolicyInput verifies, once, the evidence the load generator's
// attester produces for tee and returns the attestation policy input the
// server builds from it (the verifier's own claims under the TEE's name),
// those claims and the report data.
func floorPolicyInput(ctx context.Context, tee, emulatedDir, n64 string, pub kbs.TeePubKey) (map[string]any, attest.Claims, []byte, error) {
	tee = teeName(tee)
	att, err := benchAttester(tee, emulatedDir)
	if err != nil {
		return nil, nil, nil, err
	}
	opts := catalog.Options{Logger: slog.New(slog.DiscardHandler)}
	if tee == attest.TeeSNPEmulated {
		if opts.DevEmulatedSNPRoot, err = readCert(filepath.Join(emulatedDir, emu.ARKFile)); err != nil {
			return nil, nil, nil, fmt.Errorf("floor: snp-emulated root: %w", err)
		}
	}
	v, err := catalog.BuildOne(tee, opts)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("floor: %s verifier: %w", tee, err)
	}
	rd := kbs.ReportDataFor(tee, n64, pub, "")
	ev, err := att.Evidence(ctx, rd)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("floor: %s evidence: %w", tee, err)
	}
	claims, err := v.Verify(ctx, ev, attest.Expected{ReportData: rd})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("floor: %s verification: %w", tee, err)
	}
	// As the attestation service builds it (internal/as decide).
	input := map[string]any{
		"init_data":           "",
		"init_data_claims":    nil,
		"report_data":         hex.EncodeToString(rd),
		"runtime_data_claims": map[string]any{"nonce": n64, "tee-pubkey": pub.Map()},
		tee:                   map[string]any(claims),
	}
	return input, claims, rd, nil
}

// MeasureCPU runs f for at least d and 20 calls and returns its CPU time
// per call (process CPU: the same measure as the server's).
func MeasureCPU(f func() error, d time.Duration) (time.Duration, error) {
	start, cpu0 := time.Now(), cpuTime()
	n := 0
	for n < 20 || time.Since(start) < d {
		if err := f(); err != nil {
			return 0, err
		}
		n++
	}
	return (cpuTime() - cpu0) / time.Duration(n), nil
}

// benchLoadEnv makes a trustee process (or a test binary's TestMain) run
// the load generator instead of its usual work.
const benchLoadEnv = "TRUSTEE_BENCH_LOAD"

// BenchLoadMain is the load generator process of `trustee bench`: it runs
// one level against --url and prints its BenchResult as JSON.
func BenchLoadMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trustee bench-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	u := fs.String("url", "", "trustee URL")
	tee := fs.String("tee", "sample", "sample or snp-emulated")
	emuDir := fs.String("emulated-dir", "", "snp-emulated chain directory")
	clients := fs.Int("clients", 1, "closed-loop clients")
	rate := fs.Float64("rate", 0, "open-loop handshakes per second")
	dur := fs.Duration("duration", 5*time.Second, "run length")
	resource := fs.String("resource", benchResource, "resource")
	secret := fs.String("secret", "", "expected value")
	insecure := fs.Bool("insecure", false, "skip TLS verification")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's CPU profile (pprof) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "trustee bench-load:", err)
			return 1
		}
		defer stop()
	}
	a, err := benchAttester(*tee, *emuDir)
	if err != nil {
		fmt.Fprintln(stderr, "trustee bench-load:", err)
		return 1
	}
	conns := *clients
	if *rate > 0 {
		conns = 1024
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}} //nolint:gosec // explicit flag
	o := BenchOptions{URL: *u, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Clients: *clients, Duration: *dur,
		Resource: *resource, Attester: a, Rate: *rate}
	if *secret != "" {
		o.Secret = []byte(*secret)
	}
	r, err := Bench(context.Background(), o)
	if err != nil {
		fmt.Fprintln(stderr, "trustee bench-load:", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}

// ServerRun is one load level with the server's CPU.
type ServerRun struct {
	BenchResult
	// ServerCPU is the server process's CPU time during the level (the
	// load generator runs in another process).
	ServerCPU time.Duration
	// PostgresCPU is the CPU of the local PostgreSQL processes during the
	// level (0 when none is visible in /proc).
	PostgresCPU time.Duration
	// GCShare is the garbage collector's share of the server process's CPU
	// during the level (runtime/metrics).
	GCShare float64
	// RunQueueWait is the time the server's threads were runnable but
	// waited for a CPU during the level (Linux schedstat): the share of its
	// latency that is other processes' (or the load generator's) CPU use.
	RunQueueWait time.Duration
	// GCPauseMax is the longest stop-the-world GC pause during the level
	// (upper bound of its runtime/metrics bucket).
	GCPauseMax time.Duration
	// Commits are the store's group commits during the level (first
	// replica).
	Commits store.CommitStats
	// Start is when the load generator was started (its level begins a
	// few ms later, once the process runs).
	Start time.Time
	// Releases is how many resources the server released during the level
	// (its audit log): handshakes the server completed, including those
	// the load generator gave up on at the end of the level.
	Releases int
}

// served is the number of handshakes the server completed in the level.
func (r ServerRun) served() int { return max(r.Releases, r.Handshakes) }

// PerHandshake is the server's CPU per handshake it completed.
func (r ServerRun) PerHandshake() time.Duration {
	if r.served() == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.served())
}

// runLoad runs one level in a child process (the running binary with
// benchLoadEnv set) and measures this process's CPU meanwhile, until
// drain returns after the child exits: the requests the load generator
// abandoned at the end of the level are still served, and their CPU
// belongs to this level, not to the next.
func runLoad(ctx context.Context, exe string, args []string, drain func()) (ServerRun, error) {
	cmd := exec.CommandContext(ctx, exe, append([]string{"bench-load"}, args...)...)
	cmd.Env = append(os.Environ(), benchLoadEnv+"=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	pg0 := postgresCPU()
	gc0, all0 := gcCPU()
	p0 := gcPauses()
	rq0 := runQueueWait("self")
	cpu0 := cpuTime()
	start := time.Now()
	err := cmd.Run()
	if drain != nil {
		drain()
	}
	r := ServerRun{Start: start, ServerCPU: cpuTime() - cpu0, PostgresCPU: postgresCPU() - pg0, RunQueueWait: runQueueWait("self") - rq0,
		GCPauseMax: maxPause(p0, gcPauses())}
	if gc1, all1 := gcCPU(); all1 > all0 {
		r.GCShare = (gc1 - gc0) / (all1 - all0)
	}
	if err != nil {
		return r, fmt.Errorf("load generator: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	if err := json.Unmarshal(out.Bytes(), &r.BenchResult); err != nil {
		return r, fmt.Errorf("load generator output: %w", err)
	}
	return r, nil
}

// postgresCPU sums the CPU time of processes named postgres (Linux /proc;
// 0 elsewhere), so that a PostgreSQL run can state the database's share:
// their own, and that of their children which have exited (the
// postmaster's reaped backends and workers, such as autovacuum's, whose
// CPU would otherwise leave the sum with them).
func postgresCPU() time.Duration {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if comm, own, children, ok := statCPU(b); ok && comm == "postgres" {
			ticks += own + children
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ = 100 on Linux
}

// statCPU reads a /proc/PID/stat line: the command name, the process's own
// CPU (utime + stime, fields 14 and 15) and its reaped children's (cutime
// + cstime, 16 and 17), in clock ticks.
func statCPU(b []byte) (comm string, own, children int64, ok bool) {
	// pid (comm) state …: comm may hold spaces and parentheses
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, 0, false
	}
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 15 {
		return "", 0, 0, false
	}
	var v [4]int64
	for i := range v {
		n, err := strconv.ParseInt(f[11+i], 10, 64)
		if err != nil {
			return "", 0, 0, false
		}
		v[i] = n
	}
	return string(b[open+1 : end]), v[0] + v[1], v[2] + v[3], true
}

// gcCPU returns the Go runtime's estimate of the CPU seconds spent in
// garbage collection and in total so far.
func gcCPU() (gc, total float64) {
	ss := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}
	metrics.Read(ss)
	if ss[0].Value.Kind() != metrics.KindFloat64 || ss[1].Value.Kind() != metrics.KindFloat64 {
		return 0, 0
	}
	return ss[0].Value.Float64(), ss[1].Value.Float64()
}

// runQueueWait sums the time the threads of process pid ("self" or a
// number) spent runnable but waiting for a CPU (the second field of
// Linux's /proc/PID/task/TID/schedstat); 0 where it cannot be read.
// Threads that exited are not counted (the Go runtime keeps its threads).
func runQueueWait(pid string) time.Duration {
	dir := filepath.Join("/proc", pid, "task")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var ns int64
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "schedstat"))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			ns += v
		}
	}
	return time.Duration(ns)
}

// gcPauses reads the histogram of stop-the-world GC pauses so far.
func gcPauses() *metrics.Float64Histogram {
	ss := []metrics.Sample{{Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(ss)
	if ss[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return ss[0].Value.Float64Histogram()
}

// maxPause returns the upper bound of the highest bucket that gained a
// pause between two readings of gcPauses.
func maxPause(a, b *metrics.Float64Histogram) time.Duration {
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) {
		return 0
	}
	for i := len(b.Counts) - 1; i >= 0; i-- {
		if b.Counts[i] > a.Counts[i] {
			hi := b.Buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = b.Buckets[i]
			}
			return time.Duration(hi * float64(time.Second))
		}
	}
	return 0
}
