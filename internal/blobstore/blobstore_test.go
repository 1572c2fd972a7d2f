package blobstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/testenv"
)

// newStore builds the named backend; "azure" needs a running Azurite.
func newStore(t *testing.T, kind string) Store {
	t.Helper()
	if kind == "dir" {
		d, err := NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	conn := testenv.Require(t, testenv.AzuriteConn)
	container := fmt.Sprintf("test-%d", time.Now().UnixNano())
	a, err := NewAzure(context.Background(), conn, container)
	if err != nil {
		t.Fatal(err)
	}
	// Creating it again must not fail (the app restarts against the same container).
	if _, err := NewAzure(context.Background(), conn, container); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStores(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{"dir", "azure"} {
		t.Run(kind, func(t *testing.T) {
			s := newStore(t, kind)
			if err := s.Put(ctx, "notes/a/text.txt", []byte("Seen by [NAME]"), "text/plain; charset=utf-8"); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, "notes/a/report.json", []byte(`{}`), "application/json"); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, "other/x", []byte("x"), "text/plain"); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, "notes/a/text.txt")
			if err != nil || string(got) != "Seen by [NAME]" {
				t.Fatalf("Get = %q, %v", got, err)
			}
			names, err := s.List(ctx, "notes/")
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"notes/a/report.json", "notes/a/text.txt"}; !reflect.DeepEqual(names, want) {
				t.Errorf("List = %v, want %v", names, want)
			}
			if _, err := s.Get(ctx, "notes/missing"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(missing) err = %v, want ErrNotFound", err)
			}
			for _, bad := range []string{"", "../x", "a//b", "a/./b", "a b", "é", "/abs", strings.Repeat("a", 513)} {
				if err := s.Put(ctx, bad, []byte("x"), "text/plain"); err == nil {
					t.Errorf("Put(%q) accepted", bad)
				}
			}
			if a, ok := s.(*Azure); ok {
				ct, err := a.ContentType(ctx, "notes/a/report.json")
				if err != nil || ct != "application/json" {
					t.Errorf("content type = %q, %v", ct, err)
				}
			}
		})
	}
}

func TestAzureBadConnectionString(t *testing.T) {
	const secret = "AccountKey=c2VjcmV0LWNhbmFyeQ=="
	_, err := NewAzure(context.Background(), "DefaultEndpointsProtocol=http;"+secret, "c")
	if err == nil {
		t.Fatal("accepted")
	}
	if strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("error leaks the key: %v", err)
	}
	// An unreachable endpoint fails with a readable error, without the key.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = NewAzure(ctx, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"+secret+";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;", "c")
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("unreachable endpoint: %v", err)
	}
}

// FuzzValidName: a name ValidName accepts is a clean relative path (no
// empty, "." or ".." segment, nothing but the allowed characters) that a
// Dir store writes inside its root and reads back unchanged.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"a/b.txt", "../x", "a//b", "é", "notes/2026/report-1.json", "/abs", "a/./b", "..xt", "..", "../"} {
		f.Add(s)
	}
	root := f.TempDir()
	d, err := NewDir(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidName(name) != nil {
			if err := d.Put(context.Background(), name, []byte("x"), "text/plain"); err == nil {
				t.Fatalf("Put accepted the invalid name %q", name)
			}
			return
		}
		// ".." is a traversal only as a whole path segment: "..xt" is a file name.
		if filepath.Clean(name) != name || filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			t.Fatalf("accepted unclean name %q", name)
		}
		for _, r := range name {
			if !(r == '/' || r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				t.Fatalf("accepted %q with %q", name, r)
			}
		}
		data := []byte("blob " + name)
		if err := d.Put(context.Background(), name, data, "text/plain"); err != nil {
			return // a name that is a file's parent elsewhere in the corpus
		}
		got, err := d.Get(context.Background(), name)
		if err != nil || string(got) != string(data) {
			t.Fatalf("round trip of %q: %q %v", name, got, err)
		}
		if rel, err := filepath.Rel(root, filepath.Join(root, name)); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			t.Fatalf("%q lands outside the root", name)
		}
	})
}
