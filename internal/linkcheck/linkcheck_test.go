package linkcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/trustgate/trustgate/"

// forbidden are the import path prefixes a client binary must not link:
// server, policy engine and storage code (each prefix matches the package
// and those below it).
var forbidden = []string{
	module + "internal/kbs/server",
	module + "internal/as",
	module + "internal/store",
	module + "internal/auditlog",
	module + "internal/rvps",
	"github.com/open-policy-agent/",
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
}

func isForbidden(pkg string) bool {
	for _, f := range forbidden {
		if pkg == strings.TrimSuffix(f, "/") || strings.HasPrefix(pkg, strings.TrimSuffix(f, "/")+"/") {
			return true
		}
	}
	return false
}

func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH to list the binaries' packages: %v", err)
	}
	return p
}

// deps lists the packages cmd links with each one's imports, for a chain
// that explains why a forbidden package is linked.
func deps(t *testing.T, cmd string) map[string][]string {
	t.Helper()
	c := exec.Command(goTool(t), "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+cmd)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", cmd, err, stderr.Bytes())
	}
	m := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// violations returns, for each forbidden package linked from root, the
// shortest import chain (breadth first) that reaches it from root.
func violations(graph map[string][]string, root string) map[string]string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	found := map[string]string{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if isForbidden(p) {
			var chain []string
			for q := p; q != ""; q = prev[q] {
				chain = append([]string{strings.TrimPrefix(q, module)}, chain...)
			}
			found[p] = strings.Join(chain, " → ")
		}
		for _, d := range graph[p] {
			if _, seen := prev[d]; !seen {
				prev[d] = p
				queue = append(queue, d)
			}
		}
	}
	return found
}

// entry reports whether chain reaches a forbidden package through no other.
func entry(chain string) bool {
	n := 0
	for _, p := range strings.Split(chain, " → ") {
		if isForbidden(p) || isForbidden(module+p) {
			n++
		}
	}
	return n == 1
}

// The dashboard and the beacon read trustee's admin API and attestation
// tokens; neither may link the server, the policy engine or a database.
func TestClientBinariesLinkNoServerCode(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of two binaries: not in -short")
	}
	for _, cmd := range []string{"cmd/dashboard", "cmd/beacon"} {
		t.Run(cmd, func(t *testing.T) {
			v := violations(deps(t, cmd), module+cmd)
			for pkg, chain := range v {
				// Name where each forbidden tree is entered, not every
				// package below it.
				if entry(chain) {
					t.Errorf("%s links %s: %s", cmd, pkg, chain)
				}
			}
			if len(v) > 0 {
				t.Errorf("%s links %d forbidden packages", cmd, len(v))
			}
		})
	}
}

// The check finds what it looks for: trustee links the server, OPA and
// both database drivers, each through a chain that starts at the binary.
func TestCheckFindsServerCode(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of a binary: not in -short")
	}
	v := violations(deps(t, "cmd/trustee"), module+"cmd/trustee")
	for _, want := range []string{module + "internal/kbs/server", module + "internal/store", "modernc.org/sqlite", "github.com/jackc/pgx/v5"} {
		chain, ok := v[want]
		if !ok {
			t.Errorf("trustee: %s not found among %d violations", want, len(v))
			continue
		}
		if !strings.HasPrefix(chain, "cmd/trustee → ") {
			t.Errorf("%s: chain %q does not start at the binary", want, chain)
		}
	}
	opa, entries := false, 0
	for pkg, chain := range v {
		opa = opa || strings.HasPrefix(pkg, "github.com/open-policy-agent/")
		if entry(chain) {
			entries++
		}
	}
	if !opa {
		t.Error("trustee: no OPA package found")
	}
	if entries == 0 || entries == len(v) {
		t.Errorf("trustee: %d of %d violations are entry points, want some but not all", entries, len(v))
	}
}
