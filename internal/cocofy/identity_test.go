package cocofy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/testenv"
)

// TestIdentityMode: by default --sidecar is identity mode: cocofy makes and
// uploads no server key or certificate (the client CA and the users'
// client certificate stay), the sidecar asks for its certificate with the
// Service's DNS names, and the measured initdata names the namespace and
// service account that become the SPIFFE ID.
func TestIdentityMode(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "hospital", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Sidecar, opts.SidecarImage, opts.SANs = true, sidecarImage, []string{"deid.hospital.example"}
	out := filepath.Join(t.TempDir(), "hardened")
	ar, err := Apply(context.Background(), opts, in, "app.yaml", out, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := ar.Result
	var paths []string
	for _, u := range res.Uploads {
		paths = append(paths, u.Path)
	}
	if slices.ContainsFunc(paths, func(p string) bool { return strings.Contains(p, "server-") }) ||
		!slices.Contains(paths, "default/sidecar-tls-deid/client-ca") {
		t.Errorf("uploads %v: want the client CA and no server material", paths)
	}
	if slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "deprecated") }) {
		t.Errorf("deprecation warning on the default path: %q", res.Warnings)
	}
	manifests := string(res.Manifests)
	for _, want := range []string{"--identity", "--dns=deid-tls.default.svc", "--dns=deid.hospital.example", "--client-ca=kbs:///default/sidecar-tls-deid/client-ca"} {
		if !strings.Contains(manifests, want) {
			t.Errorf("hardened manifest lacks %s", want)
		}
	}
	if strings.Contains(manifests, "--cert=") || strings.Contains(manifests, "--key=") {
		t.Error("sidecar still reads an uploaded server key")
	}
	raw := res.InitData["Deployment/default/deid"]
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatalf("initdata of %v: %v", slices.Sorted(maps.Keys(res.InitData)), err)
	}
	wl, err := identity.WorkloadFromInitData(id.Data[identity.InitDataEntry])
	if err != nil || wl.Namespace != "default" || wl.ServiceAccount != "default" {
		t.Errorf("initdata identity %+v %v", wl, err)
	}
	// No server key anywhere in the key directory.
	filepath.WalkDir(opts.KeyDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), "server") {
			t.Errorf("key directory holds %s", p)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(opts.KeyDir, "sidecar", "default", "deid", "client.p12")); err != nil {
		t.Errorf("client certificate for the users: %v", err)
	}
	// The offline bundle and the output directory hold no private key at
	// all: the client key stays in the key directory, the server key does
	// not exist outside the TEE.
	if n := privateKeysIn(t, ar.BundlePath); n != 0 {
		t.Errorf("the offline bundle holds %d private keys", n)
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && privateKeysIn(t, p) != 0 {
			t.Errorf("%s holds a private key", p)
		}
		return nil
	})
}

// privateKeysIn counts the PEM private keys in the file at path and, when
// it is a plain cocofy bundle, in each resource value. The scan finds the
// server key of the deprecated mode (TestUploadedServerKey), so a zero is
// meaningful.
func privateKeysIn(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	count := func(b []byte) int {
		n := 0
		for rest := b; ; {
			var blk *pem.Block
			if blk, rest = pem.Decode(rest); blk == nil {
				return n
			}
			if strings.HasSuffix(blk.Type, "PRIVATE KEY") {
				n++
			}
		}
	}
	n := count(b)
	// The bundle's wire form (docs/cocofy.md), decoded here without its Go
	// type so that this scan reads what any importer reads.
	var bundle struct {
		Resources []struct{ Path, Value string } `json:"resources"`
	}
	if json.Unmarshal(b, &bundle) == nil {
		for _, r := range bundle.Resources {
			v, err := base64.StdEncoding.DecodeString(r.Value)
			if err != nil {
				t.Fatalf("bundle resource %s: %v", r.Path, err)
			}
			n += count(v)
		}
	}
	return n
}

// TestUploadedServerKey: the deprecated --uploaded-server-key (and its
// spelling --identity=false) brings back the old scheme, with a warning
// naming the migration; --identity with it is refused.
func TestUploadedServerKey(t *testing.T) {
	t.Setenv("TRUSTGATE_COCOFY_KEY_DIR", testKeyDir(t))
	run := func(extra ...string) (int, string, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"apply", "-f", "testdata/in/deid.yaml", "-o", out, "--offline", "--trustee-url", testTrusteeURL,
			"--sidecar", "--sidecar-image", sidecarImage}, extra...)
		var stdout, stderr bytes.Buffer
		code := Main("cocofy", args, &stdout, &stderr, nil)
		return code, out, stderr.String()
	}
	for _, flags := range [][]string{{"--uploaded-server-key"}, {"--identity=false"}} {
		t.Run(flags[0], func(t *testing.T) {
			code, out, stderr := run(flags...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "--uploaded-server-key is deprecated") || !strings.Contains(stderr, "Migration from uploaded keys") {
				t.Errorf("no deprecation warning: %s", stderr)
			}
			if n := privateKeysIn(t, out+".trustee-bundle.json"); n != 1 {
				t.Errorf("bundle holds %d private keys, want the uploaded server key", n)
			}
			man, _ := os.ReadFile(filepath.Join(out, "deid.yaml"))
			if !bytes.Contains(man, []byte("--key=kbs:///hospital/sidecar-tls-deid/server-key")) || bytes.Contains(man, []byte("- --identity")) {
				t.Error("sidecar not configured for the uploaded key")
			}
		})
	}
	code, out, stderr := run()
	if code != ExitOK || strings.Contains(stderr, "deprecated") {
		t.Fatalf("default: exit %d: %s", code, stderr)
	}
	if n := privateKeysIn(t, out+".trustee-bundle.json"); n != 0 {
		t.Errorf("default bundle holds %d private keys", n)
	}
	if code, _, stderr := run("--identity", "--uploaded-server-key"); code != ExitUsage || !strings.Contains(stderr, "contradict") {
		t.Errorf("--identity --uploaded-server-key: exit %d: %s", code, stderr)
	}
	var help bytes.Buffer
	Main("cocofy", []string{"apply", "-h"}, &help, &help, nil)
	if !strings.Contains(help.String(), "-uploaded-server-key") || !strings.Contains(help.String(), "DEPRECATED") {
		t.Errorf("help does not mark --uploaded-server-key deprecated:\n%s", help.String())
	}
}

// TestInitDataCreateWorkloadIdentity: `initdata create --workload-identity
// NS/SA` (standalone CVMs, the Ansible role) measures identity.toml, which
// Trustee reads back as the workload; without it there is none, and names
// that are not DNS-1123 labels are refused.
func TestInitDataCreateWorkloadIdentity(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := Main("cocofy", append([]string{"initdata", "create", "--trustee-url", testTrusteeURL}, args...), &o, &e, nil)
		return code, o.String(), e.String()
	}
	code, out, errOut := run("--workload-identity", "default/deid-cvm")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	id, err := initdata.Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	wl, err := identity.WorkloadFromInitData(id.Data[identity.InitDataEntry])
	if err != nil || wl != (identity.Workload{Namespace: "default", ServiceAccount: "deid-cvm"}) {
		t.Errorf("identity %+v %v", wl, err)
	}
	if code, out, _ = run(); code != ExitOK || strings.Contains(out, identity.InitDataEntry) {
		t.Errorf("without --workload-identity: exit %d, identity entry present: %v", code, strings.Contains(out, identity.InitDataEntry))
	}
	for _, bad := range []string{"deid-cvm", "Default/deid", "default/", "a/b/c", "default/deid.cvm"} {
		if code, _, errOut := run("--workload-identity", bad); code != ExitUsage || !strings.Contains(errOut, "DNS-1123") {
			t.Errorf("--workload-identity %q: exit %d: %s", bad, code, errOut)
		}
	}
}
