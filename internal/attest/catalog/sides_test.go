package catalog

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/policy"
)

// verifierOnly and attesterOnly list the TEEs that deliberately have one
// side only, each with the reason. None today: every TEE trustee verifies
// has a guest attester in this tree, and the reverse.
var (
	verifierOnly = map[string]string{}
	attesterOnly = map[string]string{}
)

// TestEveryTEEHasBothSides fails when a TEE is registered on one side only
// (internal/attest/catalog for the verifier, internal/attester/detect for
// the attester) without being listed above with its reason, and when a
// hardware TEE misses what docs/adding-a-tee.md asks of it: its attester's
// initdata binding and its place in the default attestation policy.
func TestEveryTEEHasBothSides(t *testing.T) {
	verifiers, attesters := Names(), detect.Names()
	for _, tee := range verifiers {
		if !slices.Contains(attesters, tee) && verifierOnly[tee] == "" {
			t.Errorf("TEE %q has a verifier but no attester: register one in internal/attester/detect, or list it in verifierOnly with the reason", tee)
		}
	}
	for _, tee := range attesters {
		if !slices.Contains(verifiers, tee) && attesterOnly[tee] == "" {
			t.Errorf("TEE %q has an attester but no verifier: register one in internal/attest/catalog, or list it in attesterOnly with the reason", tee)
		}
	}
	for tee := range verifierOnly {
		if slices.Contains(attesters, tee) || !slices.Contains(verifiers, tee) {
			t.Errorf("verifierOnly lists %q, which is not verifier-only: remove the exception", tee)
		}
	}
	for tee := range attesterOnly {
		if slices.Contains(verifiers, tee) || !slices.Contains(attesters, tee) {
			t.Errorf("attesterOnly lists %q, which is not attester-only: remove the exception", tee)
		}
	}

	inPolicy := defaultPolicyHardwareTEEs(t)
	for _, tee := range detect.Hardware() {
		a, err := detect.New(tee, detect.Options{})
		if err != nil {
			t.Errorf("%s attester: %v", tee, err)
			continue
		}
		if _, ok := a.(attester.InitDataBinder); !ok {
			t.Errorf("hardware TEE %q: its attester does not implement attester.InitDataBinder", tee)
		}
		if !slices.Contains(inPolicy, tee) {
			t.Errorf("hardware TEE %q is missing from hardware_tees in the default attestation policy (internal/policy/defaults/default_cpu.rego)", tee)
		}
	}
}

// defaultPolicyHardwareTEEs reads the hardware_tees set of the default
// attestation policy.
func defaultPolicyHardwareTEEs(t *testing.T) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^hardware_tees := \{([^}]*)\}`).FindStringSubmatch(policy.DefaultAttestationPolicy())
	if m == nil {
		t.Fatal("the default attestation policy has no hardware_tees set")
	}
	var out []string
	for _, f := range strings.Split(m[1], ",") {
		out = append(out, strings.Trim(strings.TrimSpace(f), `"`))
	}
	return out
}
