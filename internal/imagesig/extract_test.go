package imagesig

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	body       string
	mode       int64
}

func tarOf(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: mode, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func extract(t *testing.T, dest string, data []byte, b *budget) error {
	t.Helper()
	root, err := os.OpenRoot(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	return extractTar(root, bytes.NewReader(data), b)
}

func bigBudget() *budget { return &budget{bytes: 1 << 30, entries: 1000} }

func TestExtractConfinesPaths(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		wantErr string
	}{
		{"dotdot is cleaned into the root", []entry{{name: "../../escape", typ: tar.TypeReg, body: "x"}}, ""},
		{"absolute is rooted", []entry{{name: "/etc/passwd", typ: tar.TypeReg, body: "x"}}, ""},
		{"symlink escape then write", []entry{
			{name: "evil", typ: tar.TypeSymlink, link: "OUTSIDE"},
			{name: "evil/pwned", typ: tar.TypeReg, body: "x"},
		}, "evil"},
		{"relative symlink escape then write", []entry{
			{name: "a/evil", typ: tar.TypeSymlink, link: "../../OUTSIDE"},
			{name: "a/evil/pwned", typ: tar.TypeReg, body: "x"},
		}, "evil"},
		{"hard link to outside", []entry{{name: "h", typ: tar.TypeLink, link: "../../../etc/hostname"}}, "hard link"},
		{"write through final symlink replaces it", []entry{
			{name: "f", typ: tar.TypeSymlink, link: "OUTSIDE/file"},
			{name: "f", typ: tar.TypeReg, body: "inside"},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			if err := os.Mkdir(outside, 0o755); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(base, "rootfs")
			if err := os.Mkdir(dest, 0o755); err != nil {
				t.Fatal(err)
			}
			var entries []entry
			for _, e := range tt.entries {
				e.link = strings.ReplaceAll(e.link, "OUTSIDE", outside)
				entries = append(entries, e)
			}
			err := extract(t, dest, tarOf(t, entries), bigBudget())
			if tt.wantErr == "" && err != nil {
				t.Fatalf("extract: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("extract error %v, want containing %q", err, tt.wantErr)
			}
			// Nothing may appear outside the root, whatever happened.
			left, _ := os.ReadDir(outside)
			if len(left) != 0 {
				t.Fatalf("wrote outside the root: %v", left)
			}
			if _, err := os.Stat(filepath.Join(base, "escape")); err == nil {
				t.Fatal("../ escaped the root")
			}
		})
	}
}

func TestExtractLayersAndWhiteouts(t *testing.T) {
	dest := t.TempDir()
	l1 := tarOf(t, []entry{
		{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		{name: "etc/a", typ: tar.TypeReg, body: "a1"},
		{name: "etc/b", typ: tar.TypeReg, body: "b1"},
		{name: "opt/x/1", typ: tar.TypeReg, body: "1"},
		{name: "bin/tool", typ: tar.TypeReg, body: "#!", mode: 0o4755},
		{name: "usr/bin/sh", typ: tar.TypeReg, body: "sh"},
		{name: "link", typ: tar.TypeSymlink, link: "usr/bin/sh"},
		{name: "hard", typ: tar.TypeLink, link: "etc/a"},
	})
	l2 := tarOf(t, []entry{
		{name: "etc/.wh.b", typ: tar.TypeReg},
		{name: "etc/a", typ: tar.TypeReg, body: "a2"},
		{name: "opt/x/.wh..wh..opq", typ: tar.TypeReg},
		{name: "opt/x/2", typ: tar.TypeReg, body: "2"},
	})
	b := bigBudget()
	for _, l := range [][]byte{l1, l2} {
		if err := extract(t, dest, l, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func(p string) string {
		data, err := os.ReadFile(filepath.Join(dest, p))
		if err != nil {
			return "<missing>"
		}
		return string(data)
	}
	for p, want := range map[string]string{"etc/a": "a2", "etc/b": "<missing>", "opt/x/1": "<missing>", "opt/x/2": "2", "link": "sh", "hard": "a1"} {
		if got := read(p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	fi, err := os.Stat(filepath.Join(dest, "bin/tool"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSetuid != 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/tool mode %v, want 0755 without setuid", fi.Mode())
	}
}

func TestExtractLimits(t *testing.T) {
	data := tarOf(t, []entry{{name: "big", typ: tar.TypeReg, body: strings.Repeat("x", 1000)}})
	if err := extract(t, t.TempDir(), data, &budget{bytes: 999, entries: 10}); err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Fatalf("size limit: %v", err)
	}
	many := tarOf(t, []entry{{name: "a", typ: tar.TypeReg}, {name: "b", typ: tar.TypeReg}, {name: "c", typ: tar.TypeReg}})
	if err := extract(t, t.TempDir(), many, &budget{bytes: 1 << 20, entries: 2}); err == nil || !strings.Contains(err.Error(), "too many entries") {
		t.Fatalf("entry limit: %v", err)
	}
	if err := extract(t, t.TempDir(), []byte("this is not a tar archive, definitely not one at all. ......"), bigBudget()); err == nil {
		t.Fatal("garbage accepted as a layer")
	}
}

func FuzzExtractTar(f *testing.F) {
	f.Add(tarOf(f, []entry{{name: "a/b", typ: tar.TypeReg, body: "x"}, {name: "l", typ: tar.TypeSymlink, link: "/etc"}}))
	f.Add(tarOf(f, []entry{{name: "../x", typ: tar.TypeReg, body: "x"}, {name: "x/.wh..wh..opq", typ: tar.TypeReg}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		dest := filepath.Join(base, "root")
		if err := os.Mkdir(dest, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = extract(t, dest, data, &budget{bytes: 1 << 20, entries: 100})
		entries, _ := os.ReadDir(base)
		if len(entries) != 1 {
			t.Fatalf("extraction wrote outside the root: %v", entries)
		}
	})
}
