package agentpolicy

import (
	"context"
	"encoding/json"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// fuzzPod is the pod of the env_vars capture, pinned as cocofy pins it.
func fuzzPod() *Pod {
	return &Pod{
		SandboxName: "^gid-experiment$", Namespace: "default",
		Sandbox: Container{UID: 65535, GID: 65535},
		Containers: []Container{{
			Name: "gid", Image: "ghcr.io/burgerdev/weird-images/gid:latest@sha256:bdbb485bb9e3baf381a2957b9369b6051c6113097a5f8dcee27faff17624a2c0",
			Args: []string{"/entrypoint.sh"}, EnvRegex: []string{`^TEST_VAR1=test-value1$`}, UID: 2, GID: 1,
		}},
	}
}

// capturedRequests returns every captured request of testdata/kata-genpolicy.
func capturedRequests(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	err := filepath.WalkDir("testdata/kata-genpolicy", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "testcases.json" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var cases []struct {
			Kind    string          `json:"kind"`
			Request json.RawMessage `json:"request"`
		}
		if err := json.Unmarshal(b, &cases); err != nil {
			return err
		}
		for _, c := range cases {
			if c.Kind == "CreateContainerRequest" {
				out = append(out, c.Request)
			}
		}
		return nil
	})
	if err != nil || len(out) < 40 {
		tb.Fatalf("captured requests: %d, %v", len(out), err)
	}
	return out
}

// Whatever the host sends, the strict policy decides without an
// evaluation error, and allows only the pinned pause process or the pinned
// container: its name, an accepted name of its image (in the annotation
// and the guest-pulled storage) and its argv. The oracle is Go, not Rego.
func FuzzCreateContainerRequest(f *testing.F) {
	for _, r := range capturedRequests(f) {
		f.Add(r)
	}
	pod := fuzzPod()
	policy, err := Generate(Options{Mode: Strict}, pod)
	if err != nil {
		f.Fatal(err)
	}
	images := ImageNames(pod.Containers[0].Image)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			OCI struct {
				Annotations map[string]any `json:"Annotations"`
				Process     struct {
					Args []string `json:"Args"`
				} `json:"Process"`
			} `json:"OCI"`
			Storages []struct {
				Driver string `json:"driver"`
				Source string `json:"source"`
			} `json:"storages"`
		}
		var raw any
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		ok, err := agentpolicytest.Evaluate(context.Background(), policy, "CreateContainerRequest", raw)
		if err != nil {
			t.Fatalf("evaluation error: %v", err)
		}
		if !ok {
			return
		}
		if err := json.Unmarshal(data, &in); err != nil {
			t.Fatalf("allowed a request that is not a CreateContainerRequest: %v", err)
		}
		a := in.OCI.Annotations
		switch a["io.kubernetes.cri.container-type"] {
		case "sandbox":
			if !slices.Equal(in.OCI.Process.Args, []string{"/pause"}) {
				t.Fatalf("sandbox allowed with argv %q", in.OCI.Process.Args)
			}
		case "container":
			name, _ := a["io.kubernetes.cri.image-name"].(string)
			if a["io.kubernetes.cri.container-name"] != "gid" || !slices.Contains(images, name) ||
				!slices.Equal(in.OCI.Process.Args, []string{"/entrypoint.sh"}) {
				t.Fatalf("allowed container %v image %q argv %q", a["io.kubernetes.cri.container-name"], name, in.OCI.Process.Args)
			}
			pulled := 0
			for _, s := range in.Storages {
				if s.Driver == "image_guest_pull" {
					pulled++
					if !slices.Contains(images, s.Source) {
						t.Fatalf("allowed guest pull of %q", s.Source)
					}
				}
			}
			if pulled != 1 {
				t.Fatalf("allowed %d guest-pulled images", pulled)
			}
		default:
			t.Fatalf("allowed container type %v", a["io.kubernetes.cri.container-type"])
		}
	})
}
