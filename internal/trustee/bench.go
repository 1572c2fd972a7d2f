package trustee

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
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
	priv, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	c := *hc
	c.Jar = jar
	post := func(path string, body []byte) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		return roundTrip(&c, req)
	}
	b, err := post("/kbs/v0/auth", []byte(`{"version":"0.4.0","tee":"sample","extra-params":""}`))
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(b, &ch); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	ev, err := (&samplea.Attester{}).Evidence(ctx, kbs.ReportData(ch.Nonce, pub, ""))
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
	if _, err := post("/kbs/v0/attest", body); err != nil {
		return nil, fmt.Errorf("attest: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/kbs/v0/resource/"+resource, nil)
	if err != nil {
		return nil, err
	}
	b, err = roundTrip(&c, req)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	return jwe.Decrypt(priv, b)
}

func roundTrip(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	return b, nil
}

// Bench runs the load and reports throughput and latency percentiles.
func Bench(ctx context.Context, o BenchOptions) (BenchResult, error) {
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
	cpu0 := cpuTime()
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
				v, err := Handshake(rctx, o.HTTP, o.URL, o.Resource)
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
	res := BenchResult{Clients: o.Clients, Handshakes: len(lat), Errors: errs, FirstError: firstErr, Elapsed: el, CPU: cpuTime() - cpu0}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		res.P50 = lat[len(lat)/2]
		res.P99 = lat[(len(lat)*99)/100]
		res.Max = lat[len(lat)-1]
		res.PerSecond = float64(len(lat)) / el.Seconds()
	}
	return res, nil
}

// BenchServer starts an in-process trustee (SQLite in dir, plain HTTP on
// loopback, allow-all resource policy, one resource) for load runs and
// returns it with the resource path and value.
func BenchServer(ctx context.Context, dir string, log *slog.Logger) (*Instance, string, []byte, error) {
	cfg := Defaults()
	cfg.DataDir = dir
	cfg.Listen = "127.0.0.1:0"
	cfg.InsecureHTTP = true
	cfg.AuthRate = 0 // the load comes from one address
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, "", nil, err
	}
	inst, err := Start(ctx, cfg, Options{Logger: log, Out: io.Discard, Listener: ln, Getenv: func(string) string { return "" }})
	if err != nil {
		ln.Close()
		return nil, "", nil, err
	}
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := inst.Store.PutPolicy(ctx, "resource", "default", []byte(allow)); err != nil {
		return nil, "", nil, err
	}
	secret := []byte("bench-secret-value")
	if err := inst.Store.PutResource(ctx, "bench/key/1", secret); err != nil {
		return nil, "", nil, err
	}
	return inst, "bench/key/1", secret, nil
}

func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trustee bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "trustee to load (default: start one in-process on SQLite with an allow-all policy)")
	insecure := fs.Bool("insecure", false, "skip TLS verification for --url (development only)")
	resource := fs.String("resource", "bench/key/1", "resource to fetch with --url; the policy must release it to the sample TEE")
	clients := fs.String("clients", "1,64,512", "comma-separated concurrency levels")
	dur := fs.Duration("duration", 5*time.Second, "length of each level")
	dataDir := fs.String("data-dir", "", "data directory of the in-process server (default: a temporary one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var levels []int
	for _, s := range bytes.Split([]byte(*clients), []byte(",")) {
		var n int
		if _, err := fmt.Sscan(string(s), &n); err != nil || n < 1 {
			fmt.Fprintf(stderr, "trustee bench: bad --clients %q\n", *clients)
			return 2
		}
		levels = append(levels, n)
	}
	ctx := context.Background()
	base := *url
	var secret []byte
	if base == "" {
		dir := *dataDir
		if dir == "" {
			d, err := os.MkdirTemp("", "trustee-bench-")
			if err != nil {
				fmt.Fprintln(stderr, "trustee bench:", err)
				return 1
			}
			defer os.RemoveAll(d)
			dir = filepath.Join(d, "data")
		}
		inst, res, sec, err := BenchServer(ctx, dir, nil)
		if err != nil {
			fmt.Fprintln(stderr, "trustee bench:", err)
			return 1
		}
		defer inst.Shutdown(context.Background()) //nolint:errcheck // end of run
		base, *resource, secret = inst.URL, res, sec
		fmt.Fprintf(stdout, "in-process trustee at %s (SQLite, durable audit), GOMAXPROCS=%d\n", base, runtime.GOMAXPROCS(0))
	}
	for _, n := range levels {
		tr := &http.Transport{MaxIdleConnsPerHost: n, TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}} //nolint:gosec // explicit flag
		r, err := Bench(ctx, BenchOptions{URL: base, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Clients: n, Duration: *dur, Resource: *resource, Secret: secret})
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
