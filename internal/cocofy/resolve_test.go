package cocofy

import (
	"context"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/initdata"
)

// --resolve-digests against a real (in-process, loopback) OCI registry:
// tags become digests in the manifest, and the entrypoint and image
// environment end up pinned in the agent policy.
func TestResolveDigests(t *testing.T) {
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Entrypoint: []string{"/app"}, Cmd: []string{"serve", "--port=8080"}, Env: []string{"PATH=/usr/bin:/bin", "APP_HOME=/srv/app"}})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/hospital/app:1.0")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()

	in := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: hospital\nspec:\n  containers:\n  - name: app\n    image: " + host + "/hospital/app:1.0\n"
	opts := testOptions(t)
	if _, err := Transform(opts, []byte(in)); err == nil || !strings.Contains(err.Error(), "--resolve-digests") {
		t.Fatalf("tag without --resolve-digests: %v", err)
	}
	opts.ResolveDigests = true
	res, err := Transform(opts, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	pinned := host + "/hospital/app:1.0@" + digest.String()
	if !strings.Contains(string(res.Manifests), "image: "+pinned+"\n") {
		t.Fatalf("image not pinned:\n%s", res.Manifests)
	}
	again, err := Transform(opts, res.Manifests)
	if err != nil || string(again.Manifests) != string(res.Manifests) {
		t.Fatalf("not idempotent with --resolve-digests: %v", err)
	}
	found, err := FindInitData(res.Manifests)
	if err != nil {
		t.Fatal(err)
	}
	policy := found[0].InitData.Data[initdata.KeyPolicy]
	req := agentpolicytest.ContainerRequest{ContainerID: strings.Repeat("e", 64), SandboxName: "app", Namespace: "hospital", Type: "container", Name: "app", Image: pinned,
		Args: []string{"/app", "serve", "--port=8080"}, Env: []string{"PATH=/usr/bin:/bin", "APP_HOME=/srv/app", "HOSTNAME=app"},
		Mounts: agentpolicytest.DefaultMountRequests(strings.Repeat("e", 64)), Capabilities: agentpolicy.DefaultCaps}
	ok, err := agentpolicytest.Evaluate(context.Background(), policy, "CreateContainerRequest", agentpolicytest.CreateContainerInput(req))
	if err != nil || !ok {
		t.Fatalf("resolved container denied: %v", err)
	}
	req.Env = append(req.Env, "APP_DEBUG=1")
	if ok, _ := agentpolicytest.Evaluate(context.Background(), policy, "CreateContainerRequest", agentpolicytest.CreateContainerInput(req)); ok {
		t.Fatal("added env var allowed")
	}
}
