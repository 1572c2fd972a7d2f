package imagesig_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildIsReproducible(t *testing.T) {
	bin := writeFile(t, t.TempDir(), "tool", "#!/bin/true\n", 0o755)
	a, err := imagesig.BuildImage(imagesig.BuildOptions{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	b, err := imagesig.BuildImage(imagesig.BuildOptions{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("two builds of the same binary differ: %s %s", da, db)
	}
	cfg, err := a.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Config.Entrypoint, " "); got != "/usr/local/bin/tool" {
		t.Fatalf("entrypoint %q", got)
	}
	if cfg.Config.User != "65532:65532" || cfg.OS != "linux" || cfg.Architecture != "amd64" {
		t.Fatalf("config %+v", cfg.Config)
	}
	mt, _ := a.MediaType()
	if mt != types.OCIManifestSchema1 {
		t.Fatalf("manifest media type %s", mt)
	}
	if _, err := imagesig.BuildImage(imagesig.BuildOptions{Binary: filepath.Dir(bin)}); err == nil {
		t.Fatal("a directory was accepted as the binary")
	}
}

func TestBuildPushSignPull(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	privPEM, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	signer, err := sigs.LoadPrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	content := "binary-content-" + strings.Repeat("z", 4096)
	bin := writeFile(t, t.TempDir(), "trustee", content, 0o755)
	res, err := imagesig.BuildPushSign(ctx, imagesig.BuildOptions{Binary: bin}, imagesig.PublishOptions{Repo: reg + "/org/trustee", Tag: "v1", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signed {
		t.Fatal("not signed")
	}
	pol := mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub))
	dest := filepath.Join(t.TempDir(), "rootfs")
	pr, err := imagesig.Pull(ctx, pol, reg+"/org/trustee:v1", dest, imagesig.PullOptions{})
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	if pr.Decision.Image.String() != res.Digest.String() || pr.Layers != 1 {
		t.Fatalf("pulled %s (%d layers), pushed %s", pr.Decision.Image, pr.Layers, res.Digest)
	}
	got, err := os.ReadFile(filepath.Join(dest, "usr/local/bin/trustee"))
	if err != nil || string(got) != content {
		t.Fatalf("unpacked binary: %v (%d bytes)", err, len(got))
	}

	// An unsigned image is refused before anything is unpacked.
	unsignedRes, err := imagesig.BuildPushSign(ctx, imagesig.BuildOptions{Binary: bin, User: "0:0"}, imagesig.PublishOptions{Repo: reg + "/org/unsigned", Tag: "v1"})
	if err != nil || unsignedRes.Signed {
		t.Fatalf("push unsigned: %v", err)
	}
	dest2 := filepath.Join(t.TempDir(), "rootfs")
	if _, err := imagesig.Pull(ctx, pol, reg+"/org/unsigned:v1", dest2, imagesig.PullOptions{}); err == nil {
		t.Fatal("unsigned image pulled")
	}
	if _, err := os.Stat(dest2); !os.IsNotExist(err) {
		t.Fatalf("destination created for a denied image: %v", err)
	}
	// Size limits apply.
	_, err = imagesig.Pull(ctx, pol, res.Digest.String(), filepath.Join(t.TempDir(), "small"), imagesig.PullOptions{Limits: imagesig.Limits{MaxTotalBytes: 100}})
	if err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Fatalf("size limit: %v", err)
	}
	_, err = imagesig.Pull(ctx, pol, res.Digest.String(), filepath.Join(t.TempDir(), "small2"), imagesig.PullOptions{Limits: imagesig.Limits{MaxLayerBytes: 10}})
	if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("layer limit: %v", err)
	}
}

// TestPullMultiPlatformIndex signs the index and pulls one platform's
// manifest, which the signed index names by digest.
func TestPullMultiPlatformIndex(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	privPEM, pub := imagesigtest.NewKeyPair(t, imagesigtest.Ed25519)
	dir := t.TempDir()
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		bin := writeFile(t, dir, "app-"+arch, "built for "+arch, 0o755)
		img, err := imagesig.BuildImage(imagesig.BuildOptions{Binary: bin, Platform: v1.Platform{OS: "linux", Architecture: arch}})
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	tag, _ := name.NewTag(reg + "/org/multi:v1")
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	h, _ := idx.Digest()
	if _, err := imagesig.Sign(ctx, privPEM, nil, tag.Context().Digest(h.String()).String()); err != nil {
		t.Fatal(err)
	}
	pol := mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub))
	dest := filepath.Join(t.TempDir(), "rootfs")
	pr, err := imagesig.Pull(ctx, pol, tag.String(), dest, imagesig.PullOptions{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dest, "usr/local/bin/app-arm64"))
	if string(got) != "built for arm64" || pr.Config.Architecture != "arm64" {
		t.Fatalf("pulled %q arch %s", got, pr.Config.Architecture)
	}
	if pr.Manifest.String() == pr.Decision.Image.String() {
		t.Fatal("platform manifest should differ from the signed index")
	}
	if _, err := imagesig.Pull(ctx, pol, tag.String(), filepath.Join(t.TempDir(), "x"), imagesig.PullOptions{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}); err == nil {
		t.Fatal("pulled a platform the index does not have")
	}
}
