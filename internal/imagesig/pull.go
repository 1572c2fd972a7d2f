package imagesig

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/klauspost/compress/zstd"

	"github.com/trustgate/trustgate/internal/imagesig/policy"
)

// Limits bound what Pull writes; zero fields take the defaults.
type Limits struct {
	MaxLayerBytes int64 // compressed size of one layer (default 4 GiB)
	MaxTotalBytes int64 // uncompressed bytes written in all (default 16 GiB)
	MaxEntries    int   // tar entries in all (default 1,000,000)
}

func (l Limits) withDefaults() Limits {
	if l.MaxLayerBytes <= 0 {
		l.MaxLayerBytes = 4 << 30
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 16 << 30
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 1_000_000
	}
	return l
}

// PullOptions configure Pull.
type PullOptions struct {
	Options
	Limits Limits
	// Platform selects the manifest of a multi-platform index
	// (default linux/GOARCH).
	Platform *v1.Platform
}

// PullResult describes an unpacked image.
type PullResult struct {
	Decision *Decision
	// Manifest is the platform manifest that was unpacked (equal to
	// Decision.Image for single-platform images).
	Manifest name.Digest
	Config   *v1.ConfigFile
	Layers   int
	Bytes    int64
}

// Pull verifies imageRef against the policy and, only if it is allowed,
// unpacks the root filesystem of exactly the verified digest into destDir.
// Each layer is downloaded and its digest checked before any byte of it is
// unpacked; paths are confined to destDir (os.Root), so "..", absolute
// paths and symlinks cannot write outside it.
func Pull(ctx context.Context, pol *policy.Policy, imageRef, destDir string, o PullOptions) (*PullResult, error) {
	dec, err := Verify(ctx, pol, imageRef, o.Options)
	if err != nil {
		return nil, err
	}
	lim := o.Limits.withDefaults()
	ropts := o.remoteOpts(ctx)
	desc, err := remote.Get(dec.Image, ropts...)
	if err != nil {
		return nil, fmt.Errorf("fetch verified manifest %s: %w", dec.Image, err)
	}
	manifest := dec.Image
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, fmt.Errorf("read index %s: %w", dec.Image, err)
		}
		child, err := selectPlatform(idx, o.Platform)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", dec.Image, err)
		}
		// The child is named by digest inside the verified index, so it is
		// covered by the signature on the index.
		manifest = dec.Image.Context().Digest(child.String())
		img, err = remote.Image(manifest, ropts...)
		if err != nil {
			return nil, fmt.Errorf("fetch platform manifest %s: %w", manifest, err)
		}
	} else {
		img, err = desc.Image()
		if err != nil {
			return nil, fmt.Errorf("read image %s: %w", dec.Image, err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read image config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return nil, fmt.Errorf("create destination: %w", err)
	}
	root, err := os.OpenRoot(destDir)
	if err != nil {
		return nil, fmt.Errorf("open destination: %w", err)
	}
	defer root.Close()
	res := &PullResult{Decision: dec, Manifest: manifest, Config: cfg}
	b := &budget{bytes: lim.MaxTotalBytes, entries: lim.MaxEntries}
	for i, l := range layers {
		if err := unpackLayer(root, l, lim.MaxLayerBytes, b); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		res.Layers++
	}
	res.Bytes = lim.MaxTotalBytes - b.bytes
	return res, nil
}

func selectPlatform(idx v1.ImageIndex, want *v1.Platform) (v1.Hash, error) {
	if want == nil {
		want = &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return v1.Hash{}, err
	}
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Satisfies(*want) && m.MediaType.IsImage() {
			return m.Digest, nil
		}
	}
	return v1.Hash{}, fmt.Errorf("no manifest for platform %s", want)
}

type budget struct {
	bytes   int64
	entries int
}

// unpackLayer downloads the compressed layer to a temporary file, checks
// its size and digest, and only then extracts it.
func unpackLayer(root *os.Root, l v1.Layer, maxLayer int64, b *budget) error {
	digest, err := l.Digest()
	if err != nil {
		return err
	}
	size, err := l.Size()
	if err != nil {
		return err
	}
	if size < 0 || size > maxLayer {
		return fmt.Errorf("%s: size %d exceeds the limit %d", digest, size, maxLayer)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("%s: %w", digest, err)
	}
	tmp, err := os.CreateTemp("", "imagesig-layer-*")
	if err != nil {
		rc.Close()
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rc, size+1))
	rc.Close()
	if err != nil {
		return fmt.Errorf("%s: download: %w", digest, err)
	}
	if n != size {
		return fmt.Errorf("%s: got %d bytes, manifest says %d", digest, n, size)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); digest.Algorithm != "sha256" || got != digest.String() {
		return fmt.Errorf("%s: content digest is %s", digest, got)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := decompress(bufio.NewReader(tmp))
	if err != nil {
		return fmt.Errorf("%s: %w", digest, err)
	}
	defer r.Close()
	if err := extractTar(root, r, b); err != nil {
		return fmt.Errorf("%s: %w", digest, err)
	}
	return nil
}

// decompress detects gzip, zstd or plain tar by magic bytes.
func decompress(br *bufio.Reader) (io.ReadCloser, error) {
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), nil
	default:
		return io.NopCloser(br), nil
	}
}

// cleanEntryName turns a tar entry name into a path relative to the root
// filesystem, or "" for the root itself.
func cleanEntryName(n string) (string, error) {
	if strings.ContainsRune(n, 0) {
		return "", errors.New("entry name contains NUL")
	}
	c := strings.TrimPrefix(path.Clean("/"+n), "/")
	if c == "" {
		return "", nil
	}
	if !fs.ValidPath(c) {
		return "", fmt.Errorf("invalid entry name %q", n)
	}
	return c, nil
}

// extractTar applies one layer to root. os.Root refuses any path that
// resolves outside the root, including through symlinks planted by an
// earlier entry, so a hostile layer cannot escape. Permissions keep only
// the rwx bits: setuid/setgid bits and ownership are not reproduced.
func extractTar(root *os.Root, r io.Reader, b *budget) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if b.entries--; b.entries < 0 {
			return errors.New("too many entries in the image")
		}
		p, err := cleanEntryName(hdr.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue
		}
		dir, base := path.Dir(p), path.Base(p)
		if base == ".wh..wh..opq" {
			if err := clearDir(root, dir); err != nil {
				return fmt.Errorf("opaque whiteout %s: %w", dir, err)
			}
			continue
		}
		if strings.HasPrefix(base, ".wh.") {
			if err := root.RemoveAll(path.Join(dir, strings.TrimPrefix(base, ".wh."))); err != nil {
				return fmt.Errorf("whiteout %s: %w", p, err)
			}
			continue
		}
		if dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
		}
		perm := fs.FileMode(hdr.Mode) & 0o777
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(p, perm|0o700); err != nil {
				return fmt.Errorf("create %s: %w", p, err)
			}
		case tar.TypeReg:
			if hdr.Size < 0 || hdr.Size > b.bytes {
				return fmt.Errorf("%s: image exceeds the unpacked size limit", p)
			}
			if err := replace(root, p); err != nil {
				return err
			}
			f, err := root.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
			if err != nil {
				return fmt.Errorf("create %s: %w", p, err)
			}
			n, err := io.Copy(f, io.LimitReader(tr, hdr.Size))
			cerr := f.Close()
			if err != nil || cerr != nil {
				return fmt.Errorf("write %s: %w", p, errors.Join(err, cerr))
			}
			b.bytes -= n
		case tar.TypeSymlink:
			if err := replace(root, p); err != nil {
				return err
			}
			// The target is stored as is (absolute targets are normal in
			// images); os.Root never follows it outside the root.
			if err := root.Symlink(hdr.Linkname, p); err != nil {
				return fmt.Errorf("symlink %s: %w", p, err)
			}
		case tar.TypeLink:
			target, err := cleanEntryName(hdr.Linkname)
			if err != nil || target == "" {
				return fmt.Errorf("hard link %s: bad target %q", p, hdr.Linkname)
			}
			if err := replace(root, p); err != nil {
				return err
			}
			if err := root.Link(target, p); err != nil {
				return fmt.Errorf("hard link %s: %w", p, err)
			}
		default:
			// Devices, FIFOs and the like are not needed in a root
			// filesystem we unpack unprivileged; skip them.
		}
	}
}

// replace removes an existing non-directory entry so a later layer can
// overwrite it.
func replace(root *os.Root, p string) error {
	fi, err := root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	if fi.IsDir() {
		return root.RemoveAll(p)
	}
	return root.Remove(p)
}

func clearDir(root *os.Root, dir string) error {
	f, err := root.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := root.RemoveAll(path.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
