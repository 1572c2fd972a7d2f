package cocofy

import (
	"github.com/trustgate/trustgate/internal/refvalue"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// restrictedFailures evaluates a pod with the Kubernetes Pod Security
// admission's own checks (k8s.io/pod-security-admission) at "restricted".
func restrictedFailures(t *testing.T, ps *corev1.PodSpec) []string {
	t.Helper()
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range ev.EvaluatePod(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, &metav1.ObjectMeta{}, ps) {
		if !r.Allowed {
			out = append(out, r.ForbiddenReason+": "+r.ForbiddenDetail)
		}
	}
	return out
}

// hardenedPods returns the pod specs of every workload in the manifests.
func hardenedPods(t *testing.T, manifests []byte) map[string]*corev1.PodSpec {
	t.Helper()
	docs, err := readDocuments(manifests)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*corev1.PodSpec{}
	for _, d := range docs {
		path, ok := workloadKinds[d.node.GetKind()]
		if !ok {
			continue
		}
		tmpl := d.node
		if path != nil {
			tmpl, _ = d.node.Pipe(yaml.Lookup(path...))
		}
		ps, err := podSpec(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		out[d.node.GetKind()+"/"+d.node.GetName()] = ps
	}
	return out
}

func TestPodSecurityRestricted(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.options(t)
			opts.Sidecar, opts.SidecarImage = true, sidecarImage
			opts.Beacon, opts.BeaconImage = "https://dashboard.hospital.example", beaconImage
			res, err := Transform(opts, readInput(t, c.input))
			if err != nil {
				t.Fatal(err)
			}
			injected := 0
			for id, ps := range hardenedPods(t, res.Manifests) {
				// What cocofy injects passes on its own, whatever the user's
				// containers do.
				only := ps.DeepCopy()
				only.InitContainers = nil
				only.Containers = nil
				for _, ctr := range ps.Containers {
					if ctr.Name == SidecarName || ctr.Name == BeaconName {
						only.Containers = append(only.Containers, ctr)
					}
				}
				only.Volumes = nil
				if len(only.Containers) == 0 {
					continue
				}
				injected += len(only.Containers)
				if f := restrictedFailures(t, only); len(f) > 0 {
					t.Errorf("%s: injected containers fail Pod Security restricted: %v", id, f)
				}
				// The user's containers that fail are warned about.
				if f := restrictedFailures(t, ps); len(f) > 0 && len(res.Warnings) == 0 {
					t.Errorf("%s fails restricted (%v) and cocofy did not warn", id, f)
				}
			}
			if injected == 0 {
				t.Fatal("no injected container checked")
			}

			// --fix-pod-security: the whole pod passes (the fixtures hold
			// nothing that cannot be fixed).
			opts.FixPodSecurity = true
			res, err = Transform(opts, readInput(t, c.input))
			if err != nil {
				t.Fatal(err)
			}
			for id, ps := range hardenedPods(t, res.Manifests) {
				if f := restrictedFailures(t, ps); len(f) > 0 {
					t.Errorf("%s with --fix-pod-security: %v", id, f)
				}
			}
			again, err := Transform(opts, res.Manifests)
			if err != nil || string(again.Manifests) != string(res.Manifests) {
				t.Fatalf("--fix-pod-security not idempotent: %v", err)
			}
		})
	}
}

func TestFixPodSecurityRefusesRoot(t *testing.T) {
	in := `apiVersion: v1
kind: Pod
metadata: {name: root, namespace: hospital}
spec:
  containers:
  - name: app
    image: ghcr.io/hospital/app@sha256:1111111111111111111111111111111111111111111111111111111111111111
    command: ["/app"]
    securityContext: {runAsUser: 0}
`
	opts := testOptions(t)
	res, err := Transform(opts, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "runAsUser: 0") {
		t.Fatalf("warnings %q", res.Warnings)
	}
	opts.FixPodSecurity = true
	if _, err := Transform(opts, []byte(in)); err == nil || !strings.Contains(err.Error(), "runAsUser: 0 (root) cannot be fixed") {
		t.Fatalf("root container fixed: %v", err)
	}
}

func TestInitDataAlgorithmMustBind(t *testing.T) {
	in := readInput(t, "deid.yaml")
	for _, tt := range []struct {
		alg, tee, runtimeClass, want string
	}{
		{"sha256", "", "", ""},
		{"sha384", "", "", "cannot tell the TEE"},
		{"sha384", "az-snp-vtpm", "", "az-snp-vtpm binds at most a 32-byte"},
		{"sha512", "az-tdx-vtpm", "", "az-tdx-vtpm binds at most a 32-byte"},
		{"sha384", "snp", "", "snp binds at most a 32-byte"},
		{"sha384", "", "kata-qemu-snp", "snp binds at most"},
		{"sha384", "tdx", "", ""},
		{"sha384", "", "kata-qemu-tdx", ""},
		{"sha512", "tdx", "", "tdx binds at most a 48-byte"},
		{"sha256", "sgx", "", "--tee \"sgx\""},
	} {
		opts := testOptions(t)
		opts.Algorithm, opts.TEE, opts.RuntimeClass = tt.alg, tt.tee, tt.runtimeClass
		res, err := Transform(opts, in)
		if err == nil {
			// The registered digest names its TEE when it is not sha256, so
			// Trustee can check that TEE binds it in full (and accepts it).
			wantTEE := ""
			if tt.alg != "sha256" {
				wantTEE = "tdx"
			}
			if len(res.ReferenceValues) != 1 || res.ReferenceValues[0].TEE != wantTEE {
				t.Errorf("%+v: reference values %+v, want one with TEE %q", tt, res.ReferenceValues, wantTEE)
				continue
			}
			var vals []any
			for _, v := range res.ReferenceValues[0].Values {
				vals = append(vals, v)
			}
			if err := refvalue.ValidateValueFor(res.ReferenceValues[0].TEE, res.ReferenceValues[0].Name, vals); err != nil {
				t.Errorf("%+v: Trustee would refuse the registered digest: %v", tt, err)
			}
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: %v, want %q", tt, err, tt.want)
		case tt.want != "" && tt.tee != "sgx" && !strings.Contains(err.Error(), "--initdata-algorithm"):
			t.Errorf("%+v: the error does not name --initdata-algorithm: %v", tt, err)
		}
	}
}
