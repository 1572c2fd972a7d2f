package imagesig_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/ner"
	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
)

// pushGlibcBase pushes an OCI index with one linux/amd64 image standing in
// for distroless/cc: a layer with the loader path and the base's
// environment. It returns the index's digest reference.
func pushGlibcBase(t *testing.T, ref string) (name.Digest, v1.Image) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		body string
	}{{"lib64/", ""}, {"lib64/ld-linux-x86-64.so.2", "loader"}, {"etc/", ""}, {"etc/os-release", "ID=debian\nVERSION_ID=12\n"}} {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(f.name, "/") {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	layer := static.NewLayer(buf.Bytes(), types.OCILayer)
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layer)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{
		Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
	})
	tag, _ := name.NewTag(ref)
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	h, _ := idx.Digest()
	return tag.Context().Digest(h.String()), img
}

// imageFiles flattens img and returns its regular files by path.
func imageFiles(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			out["/"+path.Clean(h.Name)] = b
		}
	}
}

// TestDeidImageLayout builds the deid image as the pipeline does (glibc
// base, ONNX Runtime, model directory, serve --model) and checks what a
// container runtime would see: the base's layers first, the binary, the
// library where $TRUSTGATE_ONNXRUNTIME_LIB points, every model file, the
// entrypoint and its arguments; and that the same inputs give the same
// digest. With the real ONNX Runtime (scripts/test.sh), the library and
// model as unpacked from the image are loaded and run.
func TestDeidImageLayout(t *testing.T) {
	if imagesig.ONNXRuntimeEnv != ner.LibraryEnv {
		t.Fatalf("imagesig.ONNXRuntimeEnv = %q, but deid reads %q", imagesig.ONNXRuntimeEnv, ner.LibraryEnv)
	}
	reg := imagesigtest.NewRegistry(t)
	dir := t.TempDir()
	baseRef, baseImg := pushGlibcBase(t, reg+"/distroless/cc:nonroot")
	bin := writeFile(t, dir, "deid", "deid cgo binary", 0o755)
	lib := os.Getenv(ner.LibraryEnv)
	realORT := lib != ""
	if !realORT {
		lib = writeFile(t, dir, "libonnxruntime.so.1", "stand-in for ONNX Runtime", 0o644)
	}
	modelDir := filepath.Join(dir, "model")
	if err := onnxgen.WriteTiny(modelDir, onnxgen.Tiny{Tokens: map[string]string{" Quaxley": "U-PATIENT"}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(modelDir, "extra"), 0o755)
	writeFile(t, filepath.Join(modelDir, "extra"), "README", "exported with optimum", 0o644)

	args := []string{"build", "--binary", bin, "--repo", reg + "/org/deid", "--base", baseRef.String(),
		"--onnxruntime", lib, "--model", modelDir, "--arg", "serve", "--arg=--model=" + imagesig.ModelDir}
	r := cocofyImage(args...)
	if r.code != 0 {
		t.Fatalf("cocofy image build: %d %s", r.code, r.stderr)
	}
	ref, err := name.NewDigest(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatalf("build printed %q: %v", r.stdout, err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}

	cfg, _ := img.ConfigFile()
	libPath := imagesig.ONNXRuntimeDir + "/" + filepath.Base(lib)
	if got, want := cfg.Config.Entrypoint, []string{"/usr/local/bin/deid"}; !slices.Equal(got, want) {
		t.Errorf("entrypoint %q, want %q", got, want)
	}
	if got, want := cfg.Config.Cmd, []string{"serve", "--model=" + imagesig.ModelDir}; !slices.Equal(got, want) {
		t.Errorf("cmd %q, want %q", got, want)
	}
	if cfg.Config.User != "65532:65532" || cfg.OS != "linux" || cfg.Architecture != "amd64" {
		t.Errorf("user %q platform %s/%s", cfg.Config.User, cfg.OS, cfg.Architecture)
	}
	for _, e := range []string{ner.LibraryEnv + "=" + libPath, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", "PATH=/usr/local/bin:/usr/bin:/bin"} {
		if !slices.Contains(cfg.Config.Env, e) {
			t.Errorf("env %q lacks %q", cfg.Config.Env, e)
		}
	}

	// The base's layers come first, unchanged.
	baseLayers, _ := baseImg.Layers()
	layers, _ := img.Layers()
	if len(layers) != len(baseLayers)+3 {
		t.Fatalf("%d layers, want base %d + ONNX Runtime + model + binary", len(layers), len(baseLayers))
	}
	for i, bl := range baseLayers {
		bd, _ := bl.Digest()
		d, _ := layers[i].Digest()
		if bd != d {
			t.Errorf("layer %d is %s, base has %s", i, d, bd)
		}
	}

	files := imageFiles(t, img)
	wantFiles := map[string]string{"/usr/local/bin/deid": bin, libPath: lib, "/lib64/ld-linux-x86-64.so.2": ""}
	filepath.WalkDir(modelDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(modelDir, p)
			wantFiles[path.Join(imagesig.ModelDir, filepath.ToSlash(rel))] = p
		}
		return err
	})
	if len(wantFiles) != 7 { // binary, library, loader, model.onnx, tokenizer.json, config.json, extra/README
		t.Fatalf("test setup: %d files", len(wantFiles))
	}
	for p, src := range wantFiles {
		got, ok := files[p]
		if !ok {
			t.Errorf("%s missing from the image", p)
			continue
		}
		if src == "" {
			continue
		}
		want, _ := os.ReadFile(src)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, differs from %s (%d bytes)", p, len(got), src, len(want))
		}
	}

	// Reproducible: the same inputs, the same digest.
	r2 := cocofyImage(append(args[:4:4], append([]string{reg + "/org/deid2"}, args[5:]...)...)...)
	if r2.code != 0 || strings.TrimPrefix(strings.TrimSpace(r2.stdout), reg+"/org/deid2") != strings.TrimPrefix(ref.String(), reg+"/org/deid") {
		t.Errorf("rebuild: %d %q, first %q (%s)", r2.code, r2.stdout, ref, r2.stderr)
	}

	if !realORT {
		t.Logf("%s not set: layout checked with a stand-in library; run under scripts/test.sh to load it", ner.LibraryEnv)
		return
	}
	root := t.TempDir()
	for p, b := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := ner.Open(filepath.Join(root, imagesig.ModelDir), ner.WithLibrary(filepath.Join(root, libPath)))
	if err != nil {
		t.Fatalf("open the model as unpacked from the image: %v", err)
	}
	defer m.Close()
	spans, err := m.Recognize(context.Background(), "Seen with Quaxley today")
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || spans[0].Type != deid.TypeName || spans[0].Start != 10 || spans[0].End != 17 {
		t.Errorf("spans %v, want NAME at [10,17)", spans)
	}
}

func TestImageBuildRefusals(t *testing.T) {
	reg := imagesigtest.NewRegistry(t)
	dir := t.TempDir()
	bin := writeFile(t, dir, "deid", "x", 0o755)
	lib := writeFile(t, dir, "libonnxruntime.so.1", "x", 0o644)
	base, _ := pushGlibcBase(t, reg+"/cc:1")
	linked := filepath.Join(dir, "linked")
	os.MkdirAll(linked, 0o755)
	os.Symlink("/etc/passwd", filepath.Join(linked, "model.onnx"))
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"onnxruntime on the empty base", []string{"--onnxruntime", lib}, 2, "glibc --base"},
		{"base by tag", []string{"--base", reg + "/cc:1"}, 1, "IMAGE@sha256:DIGEST"},
		{"relative destination", []string{"--add", lib + ":usr/lib/x"}, 2, "SRC:/ABSOLUTE/DEST"},
		{"no destination", []string{"--add", lib}, 2, "SRC:/ABSOLUTE/DEST"},
		{"root destination", []string{"--add", lib + ":/"}, 1, "absolute path below /"},
		{"symbolic link in the model", []string{"--base", base.String(), "--model", linked}, 1, "links are not followed"},
		{"missing model", []string{"--model", filepath.Join(dir, "nope")}, 1, "no such file"},
		{"bad env", []string{"--env", "NOVALUE"}, 1, "KEY=VALUE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cocofyImage(append([]string{"build", "--binary", bin, "--repo", reg + "/org/x"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
				t.Errorf("exit %d %q, want %d and %q", r.code, r.stderr, c.code, c.msg)
			}
		})
	}
}
