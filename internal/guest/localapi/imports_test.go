package localapi_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/trustgate/trustgate/"

// TestLinksNoDaemon: the client and what it imports from this module are
// only itself and internal/sealed (URI parsing), so that a workload binary
// (beacon, tls-sidecar, deid) that uses it links none of the guest
// daemon's attesters, KBS client or initdata code. It follows the
// module's own imports through their non-test files.
func TestLinksNoDaemon(t *testing.T) {
	allowed := map[string]bool{"internal/guest/localapi": true, "internal/sealed": true}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	queue := []string{"internal/guest/localapi"}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		if !allowed[pkg] {
			t.Errorf("localapi links %s", pkg)
			continue
		}
		files, err := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if rest, ok := strings.CutPrefix(p, module); ok {
					queue = append(queue, rest)
				}
			}
		}
	}
	if !seen["internal/sealed"] {
		t.Error("the walk did not follow localapi's imports")
	}
}
