package cocofy

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/initdata"
)

// The conformance test runs cocofy on every pod of upstream genpolicy's
// policy test data (agent requests captured from real Kata pods, copied into
// ../agentpolicy/testdata/kata-genpolicy) and evaluates the policy cocofy
// embeds on each captured request exactly as captured. The answer must be
// upstream's, except where listed below with the reason.

const kataCaptures = "../agentpolicy/testdata/kata-genpolicy"

// capturedRegistry answers --resolve-digests as the images' registries do,
// with the configs the captures show (entrypoint, environment). Images named
// by tag get a stand-in digest (the registries are not reachable in tests):
// the policy then pins that digest, and the captured request, which names
// the tag, is denied, as strict mode means.
type capturedRegistry struct{}

const standInDigest = "@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

func (capturedRegistry) Resolve(_ context.Context, image string) (string, *ImageConfig, error) {
	configs := map[string]*ImageConfig{
		"registry.k8s.io/pause":                             {Entrypoint: []string{"/pause"}},
		"ghcr.io/burgerdev/weird-images/gid":                {Entrypoint: []string{"/entrypoint.sh"}},
		"quay.io/kata-containers/test-images/opstree/redis": {Entrypoint: []string{"/usr/bin/entrypoint.sh"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_PORT=6379"}},
		"quay.io/opstree/redis":                             {Entrypoint: []string{"/usr/bin/entrypoint.sh"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_PORT=6379"}},
		"quay.io/prometheus/busybox":                        {Cmd: []string{"sh"}},
	}
	repo := image
	if i := strings.Index(repo, "@"); i >= 0 {
		repo = repo[:i]
	}
	if slash, colon := strings.LastIndex(repo, "/"), strings.LastIndex(repo, ":"); colon > slash {
		repo = repo[:colon]
	}
	cfg, ok := configs[repo]
	if !ok {
		return "", nil, errors.New("no captured config for " + image)
	}
	if agentpolicy.IsDigestRef(image) {
		return image, cfg, nil
	}
	return image + standInDigest, cfg, nil
}

type deviation struct {
	want   bool
	reason string
}

// Why a request that is not a CreateContainerRequest is decided differently
// in both modes.
var bothModes = map[string]deviation{
	"state/execprocessdeployment/test exec process in deployment's container with correct args": {false, "exec is always denied: the host must not run commands in the confidential pod (use httpGet/tcpSocket probes)"},
	"state/execprocess/test exec process in first container with correct args":                  {false, "exec is always denied: the host must not run commands in the confidential pod"},
}

// Stricter answers of strict mode for CreateContainerRequests.
var strictDeviations = map[string]deviation{
	"createcontainer/volumes/emptydir/volumeMount: valid mount structure":                                                          {false, "the image is not pulled in the guest (no image_guest_pull storage): the host supplies the root file system, so its digest is not checked"},
	"createcontainer/volumes/emptydir/volumeMount: valid mount destination(s)":                                                     {false, "no image_guest_pull storage (host-supplied root file system)"},
	"createcontainer/volumes/config_map/CreateContainer with config map volume":                                                    {false, "no image_guest_pull storage (host-supplied root file system)"},
	"createcontainer/volumes/container_image/CreateContainer with a container image having volumes":                                {false, "the image is named by tag (strict mode pins a digest) and is not pulled in the guest"},
	"createcontainer/security_context/runas/Correct user for security context: pod_container":                                      {false, "the image is named by tag: strict mode pins the digest --resolve-digests found"},
	"createcontainer/security_context/supplemental_groups/Correct additionalGIDs for security context fsGroup, supplementalGroups": {false, "the image is named by tag: strict mode pins the digest --resolve-digests found"},
	"state/execprocessdeployment/create container request for deployment's only container":                                         {false, "the image is named by tag: strict mode pins the digest --resolve-digests found"},
	"state/execprocess/create container request for first container":                                                               {false, "the image is named by tag: strict mode pins the digest --resolve-digests found"},
	"state/execprocess/create container request for second container":                                                              {false, "the image is named by tag: strict mode pins the digest --resolve-digests found"},
	"createcontainer/gpu_vfio_cdi/Valid: Hot-plug - 2 GPUs with properly correlated VFIO devices and CDI annotations":              {false, "devices (GPU passthrough) are not supported by strict mode, and the image is not pulled in the guest"},
	"createcontainer/gpu_vfio_cdi/Valid: Cold-plug - empty devices array with 2 CDI annotations matching policy":                   {false, "CDI device annotations are not supported by strict mode, and the image is not pulled in the guest"},
}

// Looser answers: requests upstream denies that a stateless cocofy policy
// allows. Each is a known gap, kept short.
var strictGaps = map[string]deviation{
	"createcontainer/network_namespace/no network namespace": {true, "upstream's policy remembers the first container's network namespace (policy state); cocofy's policy is stateless and a missing network namespace leaves the container in the guest's own namespace, not another pod's"},
}

type captured struct {
	Description string          `json:"description"`
	Allowed     bool            `json:"allowed"`
	Kind        string          `json:"kind"`
	Request     json.RawMessage `json:"request"`
}

func kataFolders(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(kataCaptures, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "testcases.json" {
			rel, _ := filepath.Rel(kataCaptures, filepath.Dir(p))
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	if len(dirs) < 20 {
		t.Fatalf("only %d capture folders", len(dirs))
	}
	return dirs
}

// hardenCapture runs cocofy on a folder's pod.yaml (and any other YAML the
// folder holds, such as the ConfigMap it references) and returns the
// agent policy it embeds.
func hardenCapture(t *testing.T, dir, mode string) (string, error) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join(kataCaptures, dir, "pod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	extra, _ := filepath.Glob(filepath.Join(kataCaptures, dir, "*.yaml"))
	for _, f := range extra {
		if filepath.Base(f) != "pod.yaml" {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in = append(append(in, []byte("\n---\n")...), b...)
		}
	}
	opts := testOptions(t)
	opts.PolicyMode = mode
	opts.ResolveDigests = true
	opts.Resolver = capturedRegistry{}
	res, err := Transform(opts, in)
	if err != nil {
		return "", err
	}
	if len(res.InitData) != 1 {
		t.Fatalf("%d workloads", len(res.InitData))
	}
	for _, raw := range res.InitData {
		d, err := initdata.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return d.Data[initdata.KeyPolicy], nil
	}
	return "", nil
}

func TestKataConformance(t *testing.T) {
	used := map[string]bool{}
	defer func() {
		for _, list := range []map[string]deviation{bothModes, strictDeviations, strictGaps} {
			for k := range list {
				if !used[k] {
					t.Errorf("listed deviation %q matches no captured request", k)
				}
			}
		}
	}()
	for _, mode := range []string{agentpolicy.Hardened, agentpolicy.Strict} {
		t.Run(mode, func(t *testing.T) {
			evaluated, deviated := 0, 0
			for _, dir := range kataFolders(t) {
				policy, err := hardenCapture(t, dir, mode)
				if err != nil {
					t.Errorf("%s: cocofy refused the pod: %v", dir, err)
					continue
				}
				b, err := os.ReadFile(filepath.Join(kataCaptures, dir, "testcases.json"))
				if err != nil {
					t.Fatal(err)
				}
				var cases []captured
				if err := json.Unmarshal(b, &cases); err != nil {
					t.Fatal(err)
				}
				for _, c := range cases {
					var req any
					if err := json.Unmarshal(c.Request, &req); err != nil {
						t.Fatal(err)
					}
					got, err := agentpolicytest.Evaluate(context.Background(), policy, c.Kind, req)
					if err != nil {
						t.Errorf("%s / %s: %v", dir, c.Description, err)
						continue
					}
					want, reason := c.Allowed, "upstream genpolicy"
					key := dir + "/" + c.Description
					if d, ok := bothModes[key]; ok {
						want, reason = d.want, d.reason
						used[key] = true
					} else if mode == agentpolicy.Strict {
						if d, ok := strictDeviations[key]; ok {
							want, reason = d.want, d.reason
							used[key] = true
						} else if d, ok := strictGaps[key]; ok {
							want, reason = d.want, "known gap: "+d.reason
							used[key] = true
						}
					} else if c.Kind == "CreateContainerRequest" {
						// Hardened mode does not pin containers: every
						// CreateContainerRequest is allowed by design.
						want, reason = true, "hardened mode does not pin containers"
					}
					if want != c.Allowed {
						deviated++
					}
					evaluated++
					if got != want {
						t.Errorf("%s / %s [%s]: allowed=%v, want %v (%s)", dir, c.Description, c.Kind, got, want, reason)
					}
				}
			}
			t.Logf("%s: %d captured requests, %d decided differently from upstream on purpose", mode, evaluated, deviated)
		})
	}
}
