package guest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/trustgate/trustgate/internal/sealed"
)

// Unsealer turns a sealed secret into its value; *Hub implements it.
type Unsealer interface {
	Unseal(ctx context.Context, s string) ([]byte, error)
}

// UnsealError names the environment variable or file whose sealed secret
// could not be unsealed. It never carries the value.
type UnsealError struct {
	Kind string // "environment variable" or "file"
	Name string
	Err  error
}

func (e *UnsealError) Error() string {
	return fmt.Sprintf("unseal %s %s: %v", e.Kind, e.Name, e.Err)
}

func (e *UnsealError) Unwrap() error { return e.Err }

// UnsealEnv returns environ with every value that starts with "sealed."
// replaced by its unsealed value, and the names it replaced. The first
// failure stops it with an *UnsealError naming the variable, because a
// secret that silently stays sealed is worse than a workload that does not
// start.
func UnsealEnv(ctx context.Context, u Unsealer, environ []string) (out, names []string, err error) {
	out = make([]string, 0, len(environ))
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !sealed.IsSealed(val) {
			out = append(out, kv)
			continue
		}
		plain, err := u.Unseal(ctx, strings.TrimSpace(val))
		if err != nil {
			return nil, names, &UnsealError{Kind: "environment variable", Name: name, Err: err}
		}
		if strings.IndexByte(string(plain), 0) >= 0 {
			return nil, names, &UnsealError{Kind: "environment variable", Name: name, Err: errors.New("unsealed value contains a NUL byte, which an environment variable cannot hold")}
		}
		out = append(out, name+"="+string(plain))
		names = append(names, name)
	}
	return out, names, nil
}

// UnsealFiles replaces, under each directory, every regular file whose
// content is a sealed secret with the unsealed value, and returns the paths
// it replaced. Kubernetes secret volumes link each key through "..data";
// the links are followed and the hidden "..*" entries skipped.
func UnsealFiles(ctx context.Context, u Unsealer, dirs []string) ([]string, error) {
	var done []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), "..") && p != dir {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return &UnsealError{Kind: "file", Name: p, Err: err}
			}
			st, err := os.Stat(real)
			if err != nil || !st.Mode().IsRegular() {
				return nil
			}
			content, err := readPrefix(real, sealed.MaxSize)
			if err != nil {
				return &UnsealError{Kind: "file", Name: p, Err: err}
			}
			if !sealed.IsSealed(string(content)) {
				return nil
			}
			plain, err := u.Unseal(ctx, strings.TrimSpace(string(content)))
			if err != nil {
				return &UnsealError{Kind: "file", Name: p, Err: err}
			}
			if err := replaceFile(real, plain, st.Mode().Perm()); err != nil {
				return &UnsealError{Kind: "file", Name: p, Err: err}
			}
			done = append(done, p)
			return nil
		})
		if err != nil {
			var ue *UnsealError
			if errors.As(err, &ue) {
				return done, err
			}
			return done, fmt.Errorf("unseal files under %s: %w", dir, err)
		}
	}
	return done, nil
}

// readPrefix reads at most n+1 bytes: a file larger than any sealed secret
// is not one, and is left alone without reading all of it.
func readPrefix(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n+1))
}

// replaceFile writes data next to path and renames it over path, so that a
// reader never sees a half-written secret.
func replaceFile(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".unseal-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(name, perm)); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// Execer replaces the current process; syscall.Exec in production.
type Execer func(argv0 string, argv, env []string) error

// RunCommand unseals the environment and the files under dirs, then execs
// argv with the unsealed environment. It returns only on failure.
func RunCommand(ctx context.Context, u Unsealer, argv, environ, dirs []string, cfg *Config, execFn Execer) error {
	if len(argv) == 0 {
		return errors.New("guest run: no command given (usage: guest run -- CMD ARGS)")
	}
	log := cfg.logger()
	env, names, err := UnsealEnv(ctx, u, environ)
	if err != nil {
		return err
	}
	files, err := UnsealFiles(ctx, u, dirs)
	if err != nil {
		return err
	}
	log.Info("unsealed secrets", "env", names, "files", files)
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("guest run: %w", err)
	}
	if execFn == nil {
		execFn = syscall.Exec
	}
	if err := execFn(path, argv, env); err != nil {
		return fmt.Errorf("guest run: exec %s: %w", path, err)
	}
	return nil
}
