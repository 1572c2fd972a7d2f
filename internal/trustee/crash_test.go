package trustee

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/store"
	"github.com/trustgate/trustgate/internal/testenv"
)

// buildTrustee compiles cmd/trustee once per test binary.
var buildOnce struct {
	sync.Once
	bin string
	err error
}

func TestMain(m *testing.M) {
	if os.Getenv(benchLoadEnv) == "1" && len(os.Args) > 1 && os.Args[1] == "bench-load" {
		// trustee bench's load generator, run from this test binary.
		os.Exit(BenchLoadMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if buildOnce.bin != "" {
		_ = os.RemoveAll(filepath.Dir(buildOnce.bin))
	}
	os.Exit(code)
}

func trusteeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "trustee-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "trustee")
		cmd := exec.Command("go", "build", "-o", buildOnce.bin, "./cmd/trustee")
		cmd.Dir = testenv.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.bin
}

// serveProcess starts `trustee serve` and returns it with its URL.
func serveProcess(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	return serveProcessEnv(t, bin, []string{"TRUSTEE_KEK="}, args...)
}

func serveProcessEnv(t *testing.T, bin string, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "trustee listening on "); ok {
				urlc <- strings.Fields(u)[0]
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			_ = cmd.Wait()
			t.Fatal("trustee exited before listening")
		}
		return cmd, u
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("trustee did not start")
	}
	return nil, ""
}

// TestKill9DuringAdminBurst kills a real trustee process (SIGKILL) while
// admin writes are in flight; after a restart every write that was
// acknowledged with 200 is there.
func TestKill9DuringAdminBurst(t *testing.T) {
	bin := trusteeBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	cmd, url := serveProcess(t, bin, "--data-dir", dir, "--insecure-http")
	ac, err := kbsadmin.New(url, filepath.Join(dir, "admin.key"), kbsadmin.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		mu    sync.Mutex
		acked = map[string]string{}
		wg    sync.WaitGroup
	)
	killAt := 300
	killed := make(chan struct{})
	var once sync.Once
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				path := fmt.Sprintf("burst/w%d/r%d", w, i)
				val := fmt.Sprintf("value-%d-%d", w, i)
				if err := ac.SetResource(ctx, path, []byte(val)); err != nil {
					select {
					case <-killed:
						return // the server is gone: stop
					default:
						t.Errorf("write before kill failed: %v", err)
						return
					}
				}
				mu.Lock()
				acked[path] = val
				n := len(acked)
				mu.Unlock()
				if n >= killAt {
					once.Do(func() {
						// killed first: a write that the kill cuts off in
						// another worker must find it closed
						close(killed)
						_ = cmd.Process.Kill() // SIGKILL: no shutdown, no flush
					})
				}
			}
		}()
	}
	wg.Wait()
	_ = cmd.Wait()

	cmd2, url2 := serveProcess(t, bin, "--data-dir", dir, "--insecure-http")
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		// Graceful shutdown on SIGTERM: exit status 0.
		_ = cmd2.Process.Signal(syscall.SIGTERM)
		if err := cmd2.Wait(); err != nil {
			t.Errorf("trustee after SIGTERM: %v", err)
		}
	}
	defer stop()
	ac.URL = url2
	got, err := ac.ListResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range got {
		have[p] = true
	}
	mu.Lock()
	defer mu.Unlock()
	missing := 0
	for p := range acked {
		if !have[p] {
			missing++
			t.Errorf("acknowledged write %s lost", p)
		}
	}
	if len(acked) < killAt || missing > 0 {
		t.Fatalf("%d acknowledged, %d missing", len(acked), missing)
	}
	// Values too: the admin API never returns them, so read the store
	// directly once the server has stopped.
	stop()
	kb, err := os.ReadFile(filepath.Join(dir, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	kek, err := DecodeKEK(kb)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(dir, "trustee.db"), KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for p, want := range acked {
		v, err := st.GetResource(ctx, p)
		if err != nil || string(v) != want {
			t.Fatalf("%s after restart: %q %v, want %q", p, v, err, want)
		}
	}
	t.Logf("%d writes acknowledged before SIGKILL, %d stored after restart, values intact", len(acked), len(got))
}

// TestTwoProcessesPostgres runs two real `trustee serve` processes on one
// PostgreSQL: a resource written through one is read through the other,
// and a handshake begun on one finishes on the other.
func TestTwoProcessesPostgres(t *testing.T) {
	pg := testenv.Require(t, testenv.PostgresURL)
	url := testenv.PostgresSchema(t, pg)
	bin := trusteeBinary(t)
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	env := []string{"TRUSTEE_KEK=" + base64.StdEncoding.EncodeToString(kek), "TRUSTEE_STORE=" + url}
	dirA := filepath.Join(t.TempDir(), "a")
	pa, ua := serveProcessEnv(t, bin, env, "--data-dir", dirA, "--insecure-http")
	defer func() { _ = pa.Process.Signal(os.Interrupt); _ = pa.Wait() }()
	pb, ub := serveProcessEnv(t, bin, env, "--data-dir", filepath.Join(t.TempDir(), "b"), "--insecure-http",
		"--admin-public-key", filepath.Join(dirA, "admin.pub"))
	defer func() { _ = pb.Process.Signal(os.Interrupt); _ = pb.Wait() }()

	ctx := context.Background()
	ac, err := kbsadmin.New(ua, filepath.Join(dirA, "admin.key"), kbsadmin.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetResource(ctx, "default/shared/key", []byte("written-via-A")); err != nil {
		t.Fatal(err)
	}
	ac.URL = ub
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := ac.SetResourcePolicy(ctx, []byte(allow)); err != nil {
		t.Fatal(err)
	}
	splitHandshake(t, ua, ub, "default/shared/key", "written-via-A")
	splitHandshake(t, ub, ua, "default/shared/key", "written-via-A")
}
