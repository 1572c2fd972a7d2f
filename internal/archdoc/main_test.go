package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedTableIsCurrent fails when docs/architecture.md's package
// table differs from what the code says (a package added, removed or
// re-described without `go run ./internal/archdoc`), or when a package has
// no package comment.
func TestCommittedTableIsCurrent(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := listPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	var bare []string
	for _, p := range pkgs {
		if p.Doc == "" {
			bare = append(bare, p.Path)
		}
	}
	if len(bare) > 0 {
		t.Errorf("packages without a package comment: %s", strings.Join(bare, ", "))
	}
	committed, err := os.ReadFile(filepath.Join(root, docPath))
	if err != nil {
		t.Fatal(err)
	}
	want, err := splice(string(committed), render(pkgs))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(committed) {
		t.Fatalf("%s: the package table is stale (first difference: %s); run: go run ./internal/archdoc", docPath, firstDiff(string(committed), want))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: committed %q, generated %q", i+1, x, y)
		}
	}
	return "none"
}

func TestParseList(t *testing.T) {
	out := "example.org/m/internal/b\texample.org/m\tPackage b does b.\n" +
		"example.org/m\texample.org/m\tPackage m is the root.\n" +
		"example.org/m/cmd/a\texample.org/m\t\n"
	pkgs, err := parseList(out)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(pkgs)
	if want := "[{. Package m is the root.} {cmd/a } {internal/b Package b does b.}]"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if _, err := parseList("no tabs here\n"); err == nil {
		t.Fatal("a malformed line was accepted")
	}
}

func TestRender(t *testing.T) {
	tests := []struct{ doc, cell string }{
		{"Package a does a.", "Package a does a."},
		{"", "(no package comment)"},
		{"Package a reads PREFIX<FLAG> and *.txt.", `Package a reads PREFIX\<FLAG> and \*.txt.`},
		{"Package a writes `x.<y>.*` files.", "Package a writes `x.<y>.*` files."},
		{"Package a: a|b and `c|d`.", "Package a: a\\|b and `c\\|d`."},
	}
	for _, tc := range tests {
		got := render([]pkg{{Path: "internal/a", Doc: tc.doc}})
		want := "| package | what it is (the first sentence of its package comment) |\n|---|---|\n| `internal/a` | " + tc.cell + " |\n"
		if got != want {
			t.Errorf("%q: got\n%s\nwant\n%s", tc.doc, got, want)
		}
	}
}

func TestSplice(t *testing.T) {
	doc := "# T\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nafter\n"
	got, err := splice(doc, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# T\n\n" + beginMarker + "\nnew\n" + endMarker + "\n\nafter\n"; got != want {
		t.Fatalf("got %q", got)
	}
	if again, _ := splice(got, "new\n"); again != got {
		t.Fatal("splice is not idempotent")
	}
	for _, bad := range []string{"no markers", beginMarker + " only", endMarker + "\n" + beginMarker} {
		if _, err := splice(bad, "x"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
