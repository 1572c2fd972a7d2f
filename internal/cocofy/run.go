package cocofy

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ApplyResult tells the caller where things went.
type ApplyResult struct {
	*Result
	ManifestPath string // "" when written to stdout
	BundlePath   string // offline only
}

// Apply runs Transform on input and writes the manifests into outDir (or
// to stdout when outDir is empty), then uploads to Trustee or, offline,
// writes the bundle. inputName names the output file.
func Apply(ctx context.Context, opts Options, input []byte, inputName, outDir string, stdout io.Writer) (*ApplyResult, error) {
	res, err := Transform(opts, input)
	if err != nil {
		return nil, err
	}
	ar := &ApplyResult{Result: res}
	if opts.Offline {
		bundle := opts.BundlePath
		if bundle == "" {
			if outDir == "" {
				return nil, fmt.Errorf("--offline without --output needs --bundle FILE")
			}
			abs, err := filepath.Abs(outDir)
			if err != nil {
				return nil, err
			}
			bundle = abs + ".trustee-bundle.json"
		}
		if outDir != "" {
			inside, err := isInside(bundle, outDir)
			if err != nil {
				return nil, err
			}
			if inside {
				return nil, fmt.Errorf("--bundle %s is inside the output directory %s: the bundle holds plaintext secrets and must never be committed with the manifests", bundle, outDir)
			}
		}
		ar.BundlePath = bundle
	}
	// Manifests first: if the upload then fails, rerunning is harmless
	// (same output, same uploads).
	if outDir == "" {
		if _, err := stdout.Write(res.Manifests); err != nil {
			return nil, err
		}
	} else {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, fmt.Errorf("output directory: %w", err)
		}
		name := filepath.Base(inputName)
		if inputName == "" || inputName == "-" {
			name = "manifests.yaml"
		}
		ar.ManifestPath = filepath.Join(outDir, name)
		if err := writeAtomic(ar.ManifestPath, res.Manifests, 0o644); err != nil {
			return nil, fmt.Errorf("write manifests: %w", err)
		}
	}
	if opts.Offline {
		b, err := MakeBundle(res, opts.ImportKeyPEM)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(ar.BundlePath), 0o700); err != nil {
			return nil, err
		}
		if err := writeAtomic(ar.BundlePath, b, 0o600); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
		return ar, nil
	}
	norm := opts
	if err := norm.normalize(); err != nil {
		return nil, err
	}
	// One request: the server stores the resources and merges the
	// reference values atomically (no read-modify-write race with another
	// pipeline registering its own initdata digest at the same time).
	bundle, err := MakeBundle(res, nil)
	if err != nil {
		return nil, err
	}
	if err := upload(ctx, norm.AdminURL, opts.AdminKeyPEM, opts.TrusteeCertPEM, bundle); err != nil {
		return nil, err
	}
	return ar, nil
}

// writeAtomic writes data to a temporary file next to path and renames it
// into place: a reader (or a GitOps sync) sees the old file or the new one,
// never half of it, and a failed write leaves nothing behind.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// isInside reports whether path lies in dir, following symbolic links of
// the parts that exist.
func isInside(path, dir string) (bool, error) {
	resolve := func(p string) (string, error) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		// Resolve the longest existing prefix.
		rest := ""
		for cur := abs; ; cur = filepath.Dir(cur) {
			if r, err := filepath.EvalSymlinks(cur); err == nil {
				return filepath.Join(r, rest), nil
			}
			if filepath.Dir(cur) == cur {
				return abs, nil
			}
			rest = filepath.Join(filepath.Base(cur), rest)
		}
	}
	p, err := resolve(path)
	if err != nil {
		return false, err
	}
	d, err := resolve(dir)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return false, nil
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), nil
}
