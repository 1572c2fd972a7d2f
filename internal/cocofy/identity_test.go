package cocofy

import (
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

// TestIdentityMode: with --identity cocofy makes and uploads no server key
// or certificate (the client CA and the users' client certificate stay),
// the sidecar asks for its certificate with the Service's DNS names, and
// the measured initdata names the namespace and service account that
// become the SPIFFE ID.
func TestIdentityMode(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "hospital", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Sidecar, opts.SidecarImage, opts.SANs, opts.Identity = true, sidecarImage, []string{"deid.hospital.example"}, true
	res, err := Transform(opts, in)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, u := range res.Uploads {
		paths = append(paths, u.Path)
	}
	if slices.ContainsFunc(paths, func(p string) bool { return strings.Contains(p, "server-") }) ||
		!slices.Contains(paths, "default/sidecar-tls-deid/client-ca") {
		t.Errorf("uploads %v: want the client CA and no server material", paths)
	}
	out := string(res.Manifests)
	for _, want := range []string{"--identity", "--dns=deid-tls.default.svc", "--dns=deid.hospital.example", "--client-ca=kbs:///default/sidecar-tls-deid/client-ca"} {
		if !strings.Contains(out, want) {
			t.Errorf("hardened manifest lacks %s", want)
		}
	}
	if strings.Contains(out, "--cert=") || strings.Contains(out, "--key=") {
		t.Error("sidecar still reads an uploaded server key")
	}
	raw := res.InitData["Deployment/default/deid"]
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatalf("initdata of %v: %v", slices.Sorted(maps.Keys(res.InitData)), err)
	}
	wl, err := identity.WorkloadFromClaims(map[string]any{"submods": map[string]any{"cpu0": map[string]any{
		"ear.veraison.annotated-evidence": map[string]any{"init_data_claims": map[string]any{"data": map[string]any{identity.InitDataEntry: id.Data[identity.InitDataEntry]}}},
	}}})
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
}
