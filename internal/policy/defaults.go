package policy

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed defaults/*.rego
var defaultsFS embed.FS

// DefaultAttestationPolicyID is the id upstream's AS looks up for CPU
// evidence when no other policy is named ("<id>_<class>", class "cpu").
const DefaultAttestationPolicyID = "default_cpu"

func mustRead(name string) string {
	b, err := defaultsFS.ReadFile("defaults/" + name)
	if err != nil {
		panic("policy: embedded " + name + " missing: " + err.Error()) // build-time invariant
	}
	return string(b)
}

// The defaults are read once: they are looked up on every handshake, and
// handing out the same string also makes the compiled-policy cache's key
// comparison a pointer check.
var (
	defaultAttestation = mustRead("default_cpu.rego")
	defaultResource    = mustRead("default_resource.rego")
)

// DefaultAttestationPolicy returns the embedded default CPU attestation policy.
func DefaultAttestationPolicy() string { return defaultAttestation }

// DefaultResourcePolicy returns the embedded default resource policy
// (affirming only, never a software TEE).
func DefaultResourcePolicy() string { return defaultResource }

// SampleResourcePolicies lists the embedded sample resource policies:
// "allow-all", "deny-all", "affirming" (upstream's samples) and
// "upstream-default" (upstream's default).
func SampleResourcePolicies() []string {
	out := make([]string, 0, len(samples))
	for k := range samples {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var samples = map[string]string{
	"allow-all":        "allow_all.rego",
	"deny-all":         "deny_all.rego",
	"affirming":        "affirming.rego",
	"upstream-default": "upstream_default_resource.rego",
}

// SampleResourcePolicy returns an embedded sample resource policy by name.
func SampleResourcePolicy(name string) (string, error) {
	f, ok := samples[name]
	if !ok {
		return "", fmt.Errorf("no sample resource policy %q (have %s)", name, strings.Join(SampleResourcePolicies(), ", "))
	}
	return mustRead(f), nil
}
