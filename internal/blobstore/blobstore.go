// Package blobstore stores the de-identified outputs the workload releases to
// researchers: Azure Blob Storage in production (Azurite locally) and a plain
// directory when `trustgate up` runs without Azurite. Only de-identified
// text and reports ever reach a Store.
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Store is where approved de-identified notes go.
type Store interface {
	// Put writes data under name, replacing what was there.
	Put(ctx context.Context, name string, data []byte, contentType string) error
	// Get reads the blob name; a missing blob is ErrNotFound.
	Get(ctx context.Context, name string) ([]byte, error)
	// List returns the names that start with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// Describe names the store for logs (never includes credentials).
	Describe() string
}

// ErrNotFound is returned by Get for a blob that does not exist.
var ErrNotFound = errors.New("blobstore: blob not found")

// ValidName reports whether name is a safe blob name: slash-separated
// segments of letters, digits, '.', '-' and '_', no empty, "." or ".."
// segment, at most 512 bytes. The same rule on both backends keeps a local
// run honest about what would work on Azure, and keeps Dir inside its root.
func ValidName(name string) error {
	if name == "" || len(name) > 512 {
		return fmt.Errorf("blobstore: invalid blob name (length %d)", len(name))
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("blobstore: invalid blob name %q", name)
		}
		for _, r := range seg {
			ok := r == '.' || r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
			if !ok {
				return fmt.Errorf("blobstore: invalid blob name %q", name)
			}
		}
	}
	return nil
}

// Dir is a Store in a local directory, for machines without Azure or Azurite.
type Dir struct{ root string }

// NewDir returns a Store writing under root, creating it (mode 0700).
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("blobstore: create %s: %w", root, err)
	}
	return &Dir{root: root}, nil
}

// Describe implements Store.
func (d *Dir) Describe() string { return "dir:" + d.root }

// Put implements Store; the file appears atomically (write, then rename).
func (d *Dir) Put(ctx context.Context, name string, data []byte, contentType string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := filepath.Join(d.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("blobstore: put %s: %w", name, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return fmt.Errorf("blobstore: put %s: %w", name, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("blobstore: put %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("blobstore: put %s: %w", name, err)
	}
	return nil
}

// Get implements Store.
func (d *Dir) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(d.root, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("blobstore: get %s: %w", name, err)
	}
	return b, nil
}

// List implements Store.
func (d *Dir) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(d.root, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".put-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		name := path.Clean(filepath.ToSlash(rel))
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blobstore: list: %w", err)
	}
	sort.Strings(out)
	return out, nil
}
