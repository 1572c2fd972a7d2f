package imagesig_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
)

type run struct {
	code           int
	stdout, stderr string
}

func guest(args []string, f imagesig.ResourceFetcher) run {
	var o, e bytes.Buffer
	c := imagesig.GuestImageMain(args, &o, &e, f)
	return run{c, o.String(), e.String()}
}

func cocofySign(args ...string) run {
	var o, e bytes.Buffer
	c := imagesig.CocofySignMain(args, &o, &e)
	return run{c, o.String(), e.String()}
}

func cocofyImage(args ...string) run {
	var o, e bytes.Buffer
	c := imagesig.CocofyImageMain(args, &o, &e)
	return run{c, o.String(), e.String()}
}

// TestCLIEndToEnd drives the functions cmd/cocofy and cmd/guest wire in:
// build+push+sign, verify, sign, pull.
func TestCLIEndToEnd(t *testing.T) {
	reg := imagesigtest.NewRegistry(t)
	dir := t.TempDir()
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	keyFile := writeFile(t, dir, "cosign.key", string(priv), 0o600)
	pubFile := writeFile(t, dir, "cosign.pub", string(pub), 0o644)
	polFile := writeFile(t, dir, "policy.json", string(imagesigtest.Policy(reg+"/org", pubFile)), 0o644)
	bin := writeFile(t, dir, "guest", "guest binary", 0o755)

	r := cocofyImage("build", "--binary", bin, "--repo", reg+"/org/guest", "--tag", "v1", "--key", keyFile)
	if r.code != 0 {
		t.Fatalf("cocofy image build: %d %s", r.code, r.stderr)
	}
	digestRef := strings.TrimSpace(r.stdout)
	if !strings.Contains(digestRef, "@sha256:") {
		t.Fatalf("build printed %q, want a digest reference", digestRef)
	}

	if r = guest([]string{"verify", "--policy", polFile, reg + "/org/guest:v1"}, nil); r.code != 0 || !strings.Contains(r.stdout, "allowed: "+digestRef) {
		t.Fatalf("verify signed: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Unsigned build: denied; then cocofy sign makes it pass.
	r = cocofyImage("build", "--binary", bin, "--repo", reg+"/org/unsigned", "--user", "1000:1000")
	if r.code != 0 {
		t.Fatalf("build unsigned: %s", r.stderr)
	}
	unsignedRef := strings.TrimSpace(r.stdout)
	if r = guest([]string{"verify", "--policy", polFile, unsignedRef}, nil); r.code != 1 || !strings.Contains(r.stderr, "denied") {
		t.Fatalf("verify unsigned: %d %q", r.code, r.stderr)
	}
	if r = cocofySign("--key", keyFile, unsignedRef); r.code != 0 {
		t.Fatalf("cocofy sign: %d %s", r.code, r.stderr)
	}
	if r = guest([]string{"verify", "--policy", polFile, unsignedRef}, nil); r.code != 0 {
		t.Fatalf("verify after cocofy sign: %d %s", r.code, r.stderr)
	}
	// --format bundle alone is enough too.
	r = cocofyImage("build", "--binary", bin, "--repo", reg+"/org/bundled", "--user", "1000:1001")
	bundledRef := strings.TrimSpace(r.stdout)
	if r = cocofySign("--key", keyFile, "--format", "bundle", bundledRef); r.code != 0 || !strings.Contains(r.stdout, "bundle:") {
		t.Fatalf("cocofy sign --format bundle: %d %s", r.code, r.stderr)
	}
	if r = guest([]string{"verify", "--policy", polFile, bundledRef}, nil); r.code != 0 || !strings.Contains(r.stdout, "sigstore bundle") {
		t.Fatalf("verify bundle-signed: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r = cocofySign("--key", keyFile, "--format", "gpg", bundledRef); r.code != 2 {
		t.Fatalf("--format gpg: %d", r.code)
	}

	// No policy: fail closed with a message; the explicit opt-out works.
	if r = guest([]string{"verify", reg + "/org/guest:v1"}, nil); r.code != 1 || !strings.Contains(r.stderr, "no image policy configured") {
		t.Fatalf("no policy: %d %q", r.code, r.stderr)
	}
	if r = guest([]string{"verify", "--insecure-accept-anything", reg + "/org/guest:v1"}, nil); r.code != 0 {
		t.Fatalf("opt-out: %d %q", r.code, r.stderr)
	}
	// A broken policy file fails closed.
	bad := writeFile(t, dir, "bad.json", `{"default":[]}`, 0o644)
	if r = guest([]string{"verify", "--policy", bad, reg + "/org/guest:v1"}, nil); r.code != 1 {
		t.Fatalf("bad policy: %d %q", r.code, r.stderr)
	}

	// Pull with the flag after the image, as the CVM units call it.
	dest := filepath.Join(dir, "rootfs")
	if r = guest([]string{"pull", "--policy", polFile, reg + "/org/guest:v1", "--dest", dest}, nil); r.code != 0 {
		t.Fatalf("pull: %d %s", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "usr/local/bin/guest")); string(got) != "guest binary" {
		t.Fatalf("pulled binary %q", got)
	}

	// Usage errors.
	for _, args := range [][]string{nil, {"frobnicate"}, {"verify"}, {"pull", "--policy", polFile, "x"}, {"verify", "--nope", "x"}} {
		if r = guest(args, nil); r.code != 2 {
			t.Errorf("guest image %v: exit %d, want 2", args, r.code)
		}
	}
	if r = cocofySign(reg + "/org/guest:v1"); r.code != 2 {
		t.Errorf("sign without key: %d", r.code)
	}
	if r = cocofySign("--key", keyFile, reg+"/org/guest:v1"); r.code != 1 || !strings.Contains(r.stderr, "IMAGE@sha256:DIGEST") {
		t.Errorf("sign a tag: %d %q", r.code, r.stderr)
	}
	if r = cocofySign("--key", keyFile, reg+"/org/guest@sha256:"+strings.Repeat("0", 64)); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("sign a missing digest: %d %q", r.code, r.stderr)
	}
	if r = cocofyImage("build", "--repo", reg+"/x"); r.code != 2 {
		t.Errorf("build without binary: %d", r.code)
	}
	if strings.Contains(r.stderr+r.stdout, "PRIVATE KEY") {
		t.Error("private key material in output")
	}
}

// fakeAPIServer mimics the guest API server's resource endpoint
// (GET /cdh/resource/<repo>/<type>/<tag>).
func fakeAPIServer(t *testing.T, resources map[string][]byte, deny bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if deny {
			http.Error(w, "attestation rejected by the KBS", http.StatusInternalServerError)
			return
		}
		b, ok := resources[strings.TrimPrefix(r.URL.Path, "/cdh/resource/")]
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGuestKBSKeyPathThroughAPIServer(t *testing.T) {
	reg := imagesigtest.NewRegistry(t)
	dir := t.TempDir()
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP384)
	d := imagesigtest.PushRandomImage(t, reg+"/org/app:v1")
	sign(t, priv, d)
	const uri = "kbs:///default/cosign-public-key/1"
	polDoc := imagesigtest.Policy(reg+"/org", uri)
	polFile := writeFile(t, dir, "policy.json", string(polDoc), 0o644)

	ok := fakeAPIServer(t, map[string][]byte{
		"default/cosign-public-key/1": pub,
		"default/image-policy/1":      polDoc,
	}, false)
	f := imagesig.NewAPIServerFetcher(ok.URL)
	if r := guest([]string{"verify", "--policy", polFile, reg + "/org/app:v1"}, f); r.code != 0 {
		t.Fatalf("verify via API server: %d %s", r.code, r.stderr)
	}
	// The policy itself can come from the KBS too.
	if r := guest([]string{"verify", "--policy-uri", "kbs:///default/image-policy/1", reg + "/org/app:v1"}, f); r.code != 0 {
		t.Fatalf("verify with --policy-uri: %d %s", r.code, r.stderr)
	}
	denied := fakeAPIServer(t, nil, true)
	r := guest([]string{"verify", "--policy", polFile, reg + "/org/app:v1"}, imagesig.NewAPIServerFetcher(denied.URL))
	if r.code != 1 || !strings.Contains(r.stderr, "attestation rejected") {
		t.Fatalf("denied attestation: %d %q", r.code, r.stderr)
	}
	r = guest([]string{"verify", "--policy-uri", "kbs:///default/image-policy/1", reg + "/org/app:v1"}, imagesig.NewAPIServerFetcher(denied.URL))
	if r.code != 1 {
		t.Fatalf("denied policy fetch: %d %q", r.code, r.stderr)
	}
}

func TestParseResourceURI(t *testing.T) {
	good := map[string][3]string{
		"kbs:///default/cosign-public-key/1":     {"default", "cosign-public-key", "1"},
		"kbs://kbs.example:8080/default/key/tag": {"default", "key", "tag"},
	}
	for in, want := range good {
		a, b, c, err := imagesig.ParseResourceURI(in)
		if err != nil || [3]string{a, b, c} != want {
			t.Errorf("%s: %v %v", in, [3]string{a, b, c}, err)
		}
	}
	for _, in := range []string{"", "kbs:///a/b", "kbs:///a/b/c/d", "http:///a/b/c", "kbs:///a/../c", "kbs:///a/b/c?x=1", "kbs:///a//c", "kbs:///a/b/c%2F"} {
		if _, _, _, err := imagesig.ParseResourceURI(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
