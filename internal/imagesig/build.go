package imagesig

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
}

// BinaryDir is where the binary lives in the image.
const BinaryDir = "/usr/local/bin"

// BuildImage builds an OCI image without a Docker daemon: one layer with
// the binary at /usr/local/bin/<name>, on an empty base, with the binary
// as entrypoint. The result is reproducible.
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
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("build image: layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
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
	cfg.Config.User = o.User
	cfg.Config.Env = []string{"PATH=" + BinaryDir + ":/usr/bin:/bin"}
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.title": base}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("build image: config: %w", err)
	}
	return img, nil
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
