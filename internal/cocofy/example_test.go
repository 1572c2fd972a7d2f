package cocofy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/testenv"
)

// examples/hospital/hardened/app.yaml is cocofy's output for the hospital
// example (run `go test ./internal/cocofy -run TestHospitalExample -update`
// to regenerate). Its sealed secrets are signed with the test key in
// testdata/keys: a real deployment runs cocofy with its own key directory.
func TestHospitalExample(t *testing.T) {
	dir := filepath.Join(testenv.RepoRoot(t), "examples", "hospital")
	in, err := os.ReadFile(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.TrusteeURL = "https://trustee.hospital.example:8080"
	opts.Sidecar, opts.SidecarImage, opts.SANs = true, sidecarImage, []string{"deid.hospital.example"}
	opts.MachineType = "Standard_DC4as_v5"
	opts.FixPodSecurity = true
	res, err := Transform(opts, in)
	if err != nil {
		t.Fatal(err)
	}
	// Admitted where Pod Security "restricted" is enforced.
	for id, ps := range hardenedPods(t, res.Manifests) {
		if f := restrictedFailures(t, ps); len(f) > 0 {
			t.Errorf("%s fails Pod Security restricted: %v", id, f)
		}
	}
	golden := filepath.Join(dir, "hardened", "app.yaml")
	if *update {
		if err := os.WriteFile(golden, res.Manifests, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, res.Manifests) {
		t.Fatal("examples/hospital/hardened/app.yaml is stale: rerun with -update")
	}
	for _, v := range plaintextSecrets(t, in) {
		if bytes.Contains(res.Manifests, []byte(v)) {
			t.Fatal("secret value in the example output")
		}
	}
}
