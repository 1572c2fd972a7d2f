package testenv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type buildResult struct {
	once sync.Once
	dir  string
	err  error
}

var (
	buildMu sync.Mutex
	builds  = map[string]*buildResult{}
)

// Build builds the main packages pkgs (relative to the repository root, as
// "./cmd/guest") once per test process and returns the directory that holds
// the binaries, named after their packages. End-to-end tests that need it are
// skipped with -short.
func Build(t testing.TB, pkgs ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds binaries; skipped with -short")
	}
	key := strings.Join(pkgs, " ")
	buildMu.Lock()
	b := builds[key]
	if b == nil {
		b = &buildResult{}
		builds[key] = b
	}
	buildMu.Unlock()
	b.once.Do(func() {
		// Not t.TempDir: the binaries outlive the test that built them.
		if b.dir, b.err = os.MkdirTemp("", "trustgate-test-bin"); b.err != nil {
			return
		}
		cmd := exec.Command("go", append([]string{"build", "-o", b.dir + string(os.PathSeparator)}, pkgs...)...)
		cmd.Dir = RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", key, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

// Proc is a started process whose combined stdout and stderr are kept, so a
// test can wait for a line and check what was logged.
type Proc struct {
	Name string // base name of the binary, for messages
	Cmd  *exec.Cmd

	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
}

// Start runs path with args and the test's environment plus env. The
// process is killed, and waited for, when the test ends.
func Start(t testing.TB, env []string, path string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// A child that outlives the process keeps the output open: stop
	// waiting for it shortly after the process itself is gone.
	cmd.WaitDelay = 2 * time.Second
	p := &Proc{Name: filepath.Base(path), Cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out.Write(sc.Bytes())
			p.out.WriteByte('\n')
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, pr) // a line over 1 MiB must not block the process
	}()
	go func() {
		_ = cmd.Wait()
		pw.Close()
		<-read
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// Output is everything the process has written so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Done is closed when the process has exited and its output is all read.
func (p *Proc) Done() <-chan struct{} { return p.done }

// WaitFor returns the first submatch of re in the output, failing the test
// when the process exits or a minute passes first.
func (p *Proc) WaitFor(t testing.TB, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.Output()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			if m := re.FindStringSubmatch(p.Output()); m != nil {
				return m[1]
			}
			t.Fatalf("%s exited before printing %s:\n%s", p.Name, re, p.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s: no %s in its output within a minute:\n%s", p.Name, re, p.Output())
	return ""
}
