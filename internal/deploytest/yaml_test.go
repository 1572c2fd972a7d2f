package deploytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/testenv"
)

// doc is one YAML document of a file.
type doc struct {
	file string // path relative to the repository root
	node *yaml.RNode
}

func (d doc) String() string {
	return fmt.Sprintf("%s: %s %s", d.file, d.node.GetKind(), d.node.GetName())
}

// parseDocs splits multi-document YAML into nodes, skipping empty documents.
func parseDocs(b []byte) ([]*yaml.RNode, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []*yaml.RNode
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		rn := yaml.NewRNode(&n)
		if rn.IsNilOrEmpty() {
			continue
		}
		out = append(out, rn)
	}
}

// repoFiles lists the files under dir (relative to the repository root)
// whose names end in one of exts, sorted.
func repoFiles(t *testing.T, dir string, exts ...string) []string {
	t.Helper()
	root := testenv.RepoRoot(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				rel, err := filepath.Rel(root, p)
				if err != nil {
					return err
				}
				files = append(files, filepath.ToSlash(rel))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no %v files under %s", exts, dir)
	}
	return files
}

func readRepo(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadDocs parses every YAML document of the given files.
func loadDocs(t *testing.T, files []string) []doc {
	t.Helper()
	var out []doc
	for _, f := range files {
		nodes, err := parseDocs(readRepo(t, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, n := range nodes {
			out = append(out, doc{file: f, node: n})
		}
	}
	return out
}

// strictDecode decodes a node into v through JSON, refusing unknown fields,
// so a misspelt or misplaced field fails instead of being dropped.
func strictDecode(n *yaml.RNode, v any) error {
	j, err := n.MarshalJSON()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// str reads a scalar field by path ("" when absent).
func str(n *yaml.RNode, path ...string) string {
	f, err := n.Pipe(yaml.Lookup(path...))
	if err != nil || f == nil {
		return ""
	}
	return yaml.GetValue(f)
}

// seq returns the elements of a sequence field by path (nil when absent).
func seq(n *yaml.RNode, path ...string) []*yaml.RNode {
	f, err := n.Pipe(yaml.Lookup(path...))
	if err != nil || f == nil {
		return nil
	}
	els, err := f.Elements()
	if err != nil {
		return nil
	}
	return els
}

// strs returns a sequence of scalars by path.
func strs(n *yaml.RNode, path ...string) []string {
	var out []string
	for _, e := range seq(n, path...) {
		out = append(out, yaml.GetValue(e))
	}
	return out
}

// must returns the field at path or fails the test.
func must(t *testing.T, n *yaml.RNode, path ...string) *yaml.RNode {
	t.Helper()
	f, err := n.Pipe(yaml.Lookup(path...))
	if err != nil || f == nil {
		t.Fatalf("%s: missing", strings.Join(path, "."))
	}
	return f
}
