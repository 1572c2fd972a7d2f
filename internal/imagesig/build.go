package imagesig

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

// BuildOptions describe a minimal image holding one binary.
type BuildOptions struct {
	// Binary is the path of the (statically linked) executable.
	Binary string
	// Platform of the binary (default linux/amd64).
	Platform v1.Platform
	// User the entrypoint runs as (default "65532:65532", no root).
	User string
	// Created is the image creation time (default the Unix epoch, so that
	// the same binary always gives the same digest).
	Created time.Time
	// MaxBinaryBytes bounds the binary (default 512 MiB).
	MaxBinaryBytes int64
	// Base is the image the layers go on (nil: empty, for static binaries).
	// A cgo binary needs a glibc base such as distroless/cc; its
	// environment is kept and Env is appended to it.
	Base v1.Image
	// Files are copied into the image before the binary, one layer each,
	// in order (shared libraries, model directories).
	Files []FileSpec
	// Env entries (KEY=VALUE) are added to the image's environment.
	Env []string
	// Cmd is the default arguments of the entrypoint (nil: none).
	Cmd []string
}

// FileSpec copies Src (a regular file, or a directory with its regular
// files and subdirectories) to the absolute path Dest in the image.
type FileSpec struct {
	Src, Dest string
}

// BinaryDir is where the binary lives in the image.
const BinaryDir = "/usr/local/bin"

// BuildImage builds an OCI image without a Docker daemon: one layer per
// FileSpec, then one layer with the binary at /usr/local/bin/<name>, on
// o.Base (default empty), with the binary as entrypoint. The result is
// reproducible: the same inputs give the same digest.
func BuildImage(o BuildOptions) (v1.Image, error) {
	if o.Platform.OS == "" {
		o.Platform = v1.Platform{OS: "linux", Architecture: "amd64"}
	}
	if o.User == "" {
		o.User = "65532:65532"
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0).UTC()
	}
	if o.MaxBinaryBytes <= 0 {
		o.MaxBinaryBytes = 512 << 20
	}
	f, err := os.Open(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("build image: %s is not a regular file", o.Binary)
	}
	if fi.Size() > o.MaxBinaryBytes {
		return nil, fmt.Errorf("build image: %s is %d bytes, limit %d", o.Binary, fi.Size(), o.MaxBinaryBytes)
	}
	bin, err := io.ReadAll(io.LimitReader(f, o.MaxBinaryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("build image: read binary: %w", err)
	}
	base := filepath.Base(o.Binary)
	layerTar, err := binaryLayerTar(base, bin, o.Created)
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	layerType := types.OCILayer
	if o.Base != nil {
		if mt, err := o.Base.MediaType(); err == nil && mt == types.DockerManifestSchema2 {
			layerType = types.DockerLayer
		}
	}
	for _, e := range o.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return nil, fmt.Errorf("build image: environment entry %q is not KEY=VALUE", e)
		}
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(layerType))
	if err != nil {
		return nil, fmt.Errorf("build image: layer: %w", err)
	}
	img, err := baseImage(o.Base)
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	for _, f := range o.Files {
		fl, err := fileLayer(f, o.Created, layerType)
		if err != nil {
			return nil, fmt.Errorf("build image: %w", err)
		}
		if img, err = mutate.Append(img, mutate.Addendum{Layer: fl, History: v1.History{
			Created: v1.Time{Time: o.Created}, CreatedBy: "trustgate imagesig: COPY " + filepath.Base(f.Src) + " " + f.Dest,
		}}); err != nil {
			return nil, fmt.Errorf("build image: %w", err)
		}
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: o.Created}, CreatedBy: "trustgate imagesig: COPY " + base + " " + BinaryDir + "/",
	}})
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = o.Platform.OS, o.Platform.Architecture, o.Platform.Variant
	cfg.Created = v1.Time{Time: o.Created}
	cfg.Config.Entrypoint = []string{BinaryDir + "/" + base}
	cfg.Config.Cmd = o.Cmd
	cfg.Config.User = o.User
	cfg.Config.Env = mergeEnv(cfg.Config.Env, append([]string{"PATH=" + BinaryDir + ":/usr/bin:/bin"}, o.Env...))
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.title": base}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("build image: config: %w", err)
	}
	return img, nil
}

// baseImage is the empty OCI image, or base with its history and
// environment kept.
func baseImage(base v1.Image) (v1.Image, error) {
	if base == nil {
		img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		return mutate.ConfigMediaType(img, types.OCIConfigJSON), nil
	}
	mt, err := base.MediaType()
	if err != nil {
		return nil, fmt.Errorf("base image: %w", err)
	}
	if mt != types.OCIManifestSchema1 && mt != types.DockerManifestSchema2 {
		return nil, fmt.Errorf("base image: media type %s is not an image manifest (pick one platform of an index)", mt)
	}
	return base, nil
}

// mergeEnv sets each KEY=VALUE of add in env, replacing an entry with the
// same key and keeping the order of first appearance.
func mergeEnv(env, add []string) []string {
	out := append([]string(nil), env...)
	for _, e := range add {
		k, _, _ := strings.Cut(e, "=")
		replaced := false
		for i, old := range out {
			if ok, _, _ := strings.Cut(old, "="); ok == k {
				out[i], replaced = e, true
				break
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// fileLayer is a layer holding f.Src at f.Dest, with its parent
// directories. The tar is streamed from disk each time the layer is read
// (a model can be gigabytes), with fixed times, owners and modes (0755 for
// directories and executables, 0644 otherwise) so that the digest depends
// only on names and contents. Symbolic links and special files are refused.
func fileLayer(f FileSpec, mtime time.Time, mt types.MediaType) (v1.Layer, error) {
	dest := path.Clean(f.Dest)
	if !path.IsAbs(f.Dest) || dest == "/" {
		return nil, fmt.Errorf("copy %s: destination %q must be an absolute path below /", f.Src, f.Dest)
	}
	type entry struct {
		src, name string
		dir       bool
		mode      int64
		size      int64
	}
	var entries []entry
	for p := path.Dir(dest); p != "/"; p = path.Dir(p) {
		entries = append([]entry{{name: strings.TrimPrefix(p, "/") + "/", dir: true, mode: 0o755}}, entries...)
	}
	err := filepath.WalkDir(f.Src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(f.Src, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Join(dest, filepath.ToSlash(rel)), "/")
		switch {
		case d.IsDir():
			entries = append(entries, entry{name: name + "/", dir: true, mode: 0o755})
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			mode := int64(0o644)
			if fi.Mode()&0o111 != 0 {
				mode = 0o755
			}
			entries = append(entries, entry{src: p, name: name, mode: mode, size: fi.Size()})
		default:
			return fmt.Errorf("%s is not a regular file or directory (links are not followed)", p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", f.Src, err)
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			err := func() error {
				for _, e := range entries {
					hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: e.size, ModTime: mtime, Format: tar.FormatPAX}
					if e.dir {
						hdr.Typeflag, hdr.Size = tar.TypeDir, 0
					}
					if err := tw.WriteHeader(hdr); err != nil {
						return err
					}
					if e.dir {
						continue
					}
					if err := copyFile(tw, e.src, e.size); err != nil {
						return err
					}
				}
				return tw.Close()
			}()
			pw.CloseWithError(err)
		}()
		return pr, nil
	}, tarball.WithMediaType(mt))
}

// copyFile writes exactly size bytes of src to w; a file that changed size
// since it was listed is an error, not a corrupt layer.
func copyFile(w io.Writer, src string, size int64) error {
	fh, err := os.Open(src)
	if err != nil {
		return err
	}
	defer fh.Close()
	n, err := io.Copy(w, io.LimitReader(fh, size))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("%s changed size while the image was built", src)
	}
	return nil
}

func binaryLayerTar(base string, bin []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"usr/", "usr/local/", "usr/local/bin/", "tmp/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: mode, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "usr/local/bin/" + base, Mode: 0o755, Size: int64(len(bin)), ModTime: mtime, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FetchBase fetches the base image ref, which must be pinned by digest (a
// tag could change under a signed build), for platform plat when ref names
// an index.
func FetchBase(ctx context.Context, ref string, plat v1.Platform, remoteOpts ...remote.Option) (v1.Image, error) {
	d, err := name.NewDigest(ref)
	if err != nil {
		return nil, fmt.Errorf("base image %q must be IMAGE@sha256:DIGEST: %w", ref, err)
	}
	opts := append((Options{Remote: remoteOpts}).remoteOpts(ctx), remote.WithPlatform(plat))
	img, err := remote.Image(d, opts...)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", d, err)
	}
	return img, nil
}

// PublishOptions say where the image goes and how it is signed.
type PublishOptions struct {
	// Repo is REGISTRY/REPOSITORY; Tag defaults to "latest".
	Repo string
	Tag  string
	// Signer signs the pushed digest in cosign's tag layout; nil skips
	// signing.
	Signer signature.Signer
	Remote []remote.Option
}

// PublishResult names what was pushed.
type PublishResult struct {
	Tag    name.Tag
	Digest name.Digest
	Signed bool
	// SignatureTag is the cosign signature tag written (when signed).
	SignatureTag name.Tag
}

// BuildPushSign is what the build pipeline calls: build the image of one
// binary, push it, and sign the pushed digest.
func BuildPushSign(ctx context.Context, b BuildOptions, p PublishOptions) (*PublishResult, error) {
	img, err := BuildImage(b)
	if err != nil {
		return nil, err
	}
	return PushSign(ctx, img, p)
}

// PushSign pushes img to p.Repo:p.Tag and signs its digest.
func PushSign(ctx context.Context, img v1.Image, p PublishOptions) (*PublishResult, error) {
	if p.Repo == "" {
		return nil, errors.New("publish image: repository is required")
	}
	if p.Tag == "" {
		p.Tag = "latest"
	}
	tag, err := name.NewTag(p.Repo + ":" + p.Tag)
	if err != nil {
		return nil, fmt.Errorf("publish image: %w", err)
	}
	opts := (Options{Remote: p.Remote}).remoteOpts(ctx)
	if err := remote.Write(tag, img, opts...); err != nil {
		return nil, fmt.Errorf("push %s: %w", tag, err)
	}
	h, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("publish image: %w", err)
	}
	res := &PublishResult{Tag: tag, Digest: tag.Context().Digest(h.String())}
	if p.Signer == nil {
		return res, nil
	}
	if _, err := sigs.SignDigest(ctx, p.Signer, res.Digest, opts...); err != nil {
		return nil, fmt.Errorf("sign %s: %w", res.Digest, err)
	}
	res.Signed = true
	res.SignatureTag = sigs.SignatureTag(tag.Context(), h)
	return res, nil
}

// Sign signs ref (which must name a digest) with the PEM private key in
// cosign's tag layout. password may be nil for unencrypted keys.
func Sign(ctx context.Context, keyPEM, password []byte, ref string, remoteOpts ...remote.Option) (name.Tag, error) {
	d, err := name.NewDigest(ref)
	if err != nil {
		return name.Tag{}, fmt.Errorf("sign: %s must be IMAGE@sha256:DIGEST: %w", ref, err)
	}
	signer, err := sigs.LoadPrivateKey(keyPEM, password)
	if err != nil {
		return name.Tag{}, fmt.Errorf("sign: %w", err)
	}
	ctxOpts := (Options{Remote: remoteOpts}).remoteOpts(ctx)
	// Sign only what exists: a typo in the digest must not produce a
	// dangling signature.
	if _, err := remote.Head(d, ctxOpts...); err != nil {
		return name.Tag{}, fmt.Errorf("sign: image %s not found: %w", d, err)
	}
	if _, err := sigs.SignDigest(ctx, signer, d, ctxOpts...); err != nil {
		return name.Tag{}, fmt.Errorf("sign %s: %w", d, err)
	}
	h, _ := v1.NewHash(d.DigestStr())
	return sigs.SignatureTag(d.Context(), h), nil
}

// SignBundle signs ref (which must name a digest) with the PEM private key
// as a cosign v3 sigstore bundle attached as an OCI referrer.
func SignBundle(ctx context.Context, keyPEM, password []byte, ref string, remoteOpts ...remote.Option) error {
	d, err := name.NewDigest(ref)
	if err != nil {
		return fmt.Errorf("sign bundle: %s must be IMAGE@sha256:DIGEST: %w", ref, err)
	}
	priv, err := sigs.ParsePrivateKey(keyPEM, password)
	if err != nil {
		return fmt.Errorf("sign bundle: %w", err)
	}
	ctxOpts := (Options{Remote: remoteOpts}).remoteOpts(ctx)
	b, err := sigs.SignBundle(ctx, priv, d)
	if err != nil {
		return err
	}
	// WriteBundleReferrer checks that the image exists before attaching.
	return sigs.WriteBundleReferrer(ctx, d, b, ctxOpts...)
}
