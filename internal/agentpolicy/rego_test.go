package agentpolicy

import (
	"context"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// regorusBuiltins are the built-ins the Kata agent's policy engine offers:
// regorus built with the features the agent enables (arc, base64,
// base64url, regex, std; src/agent/policy/Cargo.toml). OPA-only built-ins
// (net.*, glob.*, time.*, http.send, crypto.*, …) would make the agent
// fail every request with an evaluation error.
var regorusBuiltins = map[string]bool{
	// comparison and arithmetic operators
	"eq": true, "equal": true, "neq": true, "lt": true, "lte": true, "gt": true, "gte": true,
	"plus": true, "minus": true, "mul": true, "div": true, "rem": true, "assign": true,
	"internal.member_2": true, "internal.member_3": true,
	// aggregates, arrays, sets, objects, strings, types, bitwise, encoding, regex
	"count": true, "array.concat": true, "object.get": true,
	"concat": true, "contains": true, "endswith": true, "startswith": true, "split": true, "replace": true,
	"is_null": true, "is_string": true, "is_number": true,
	"bits.and": true, "bits.negate": true, "base64.encode": true,
	"regex.match": true,
}

func templateModule(t *testing.T, mode string) *ast.Module {
	t.Helper()
	pol, err := Generate(Options{Mode: mode}, testPod())
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts("policy.rego", pol, ast.ParserOptions{RegoVersion: ast.RegoV0})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPolicyUsesOnlyRegorusBuiltins(t *testing.T) {
	for _, mode := range []string{Hardened, Strict} {
		m := templateModule(t, mode)
		used := map[string]bool{}
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if e.IsCall() {
				used[e.Operator().String()] = true
			}
			ast.WalkTerms(e, func(term *ast.Term) bool {
				if call, ok := term.Value.(ast.Call); ok {
					used[call[0].String()] = true
				}
				return false
			})
			return false
		})
		var names []string
		for n := range used {
			names = append(names, n)
			// Calls of the policy's own functions are not built-ins.
			if !regorusBuiltins[n] && !isRuleName(m, n) {
				t.Errorf("%s mode: built-in %s is not in regorus's set the Kata agent builds", mode, n)
			}
		}
		sort.Strings(names)
		t.Logf("%s mode calls: %v", mode, names)
		if len(names) < 5 {
			t.Fatalf("%s mode: found only %v: the walk is broken", mode, names)
		}
	}
}

func isRuleName(m *ast.Module, name string) bool {
	name = strings.TrimPrefix(name, "data.agent_policy.")
	for _, r := range m.Rules {
		if r.Head.Name.String() == name || r.Head.Ref().String() == name {
			return true
		}
	}
	return false
}

// agentEndpoints are the requests the Kata agent asks the policy about
// (src/agent/src/rpc.rs is_allowed calls).
var agentEndpoints = []string{
	"AddARPNeighborsRequest", "AddSwapPathRequest", "AddSwapRequest", "CloseStdinRequest", "CopyFileRequest",
	"CreateContainerRequest", "CreateSandboxRequest", "DestroySandboxRequest", "ExecProcessRequest",
	"GetDiagnosticDataRequest", "GetIPTablesRequest", "GetMetricsRequest", "GetOOMEventRequest", "GuestDetailsRequest",
	"ListInterfacesRequest", "ListRoutesRequest", "MemAgentCompactConfig", "MemAgentMemcgConfig",
	"MemHotplugByProbeRequest", "OnlineCPUMemRequest", "PauseContainerRequest", "PullImageRequest",
	"ReadStreamRequest", "RemoveContainerRequest", "RemoveStaleVirtiofsShareMountsRequest", "ReseedRandomDevRequest",
	"ResizeVolumeRequest", "ResumeContainerRequest", "SetGuestDateTimeRequest", "SetIPTablesRequest", "SetPolicyRequest",
	"SignalProcessRequest", "StartContainerRequest", "StartTracingRequest", "StatsContainerRequest", "StopTracingRequest",
	"TtyWinResizeRequest", "UpdateContainerRequest", "UpdateEphemeralMountsRequest", "UpdateInterfaceRequest",
	"UpdateRoutesRequest", "VolumeStatsRequest", "WaitProcessRequest", "WriteStreamRequest",
}

// denied lists the endpoints both modes deny whatever the input.
var denied = map[string]bool{
	"AddSwapPathRequest": true, "AddSwapRequest": true, "ExecProcessRequest": true, "GetDiagnosticDataRequest": true,
	"GetIPTablesRequest": true, "MemAgentCompactConfig": true, "MemAgentMemcgConfig": true, "ReadStreamRequest": true,
	"ReseedRandomDevRequest": true, "ResizeVolumeRequest": true, "SetGuestDateTimeRequest": true, "SetIPTablesRequest": true,
	"SetPolicyRequest": true, "StartTracingRequest": true, "StopTracingRequest": true, "VolumeStatsRequest": true,
	"WriteStreamRequest": true,
}

func TestEveryEndpointDefined(t *testing.T) {
	for _, mode := range []string{Hardened, Strict} {
		m := templateModule(t, mode)
		defaults := map[string]bool{}
		for _, r := range m.Rules {
			if r.Default {
				defaults[r.Head.Name.String()] = true
			}
		}
		pol, _ := Generate(Options{Mode: mode}, testPod())
		for _, ep := range agentEndpoints {
			if !defaults[ep] {
				t.Errorf("%s mode: %s has no default: the agent would fail closed with an evaluation error", mode, ep)
				continue
			}
			// Evaluates without error on an empty request, and the denied
			// ones are denied.
			got, err := agentpolicytest.Evaluate(context.Background(), pol, ep, map[string]any{})
			if err != nil {
				t.Errorf("%s mode: %s: %v", mode, ep, err)
			}
			if denied[ep] && got {
				t.Errorf("%s mode: %s allowed", mode, ep)
			}
		}
	}
}

func TestImageNames(t *testing.T) {
	d := "@sha256:" + strings.Repeat("a", 64)
	for in, want := range map[string][]string{
		"busybox:1.36" + d:              {"busybox" + d, "busybox:1.36" + d, "docker.io/library/busybox" + d, "docker.io/library/busybox:1.36" + d},
		"org/app" + d:                   {"docker.io/org/app" + d, "org/app" + d},
		"docker.io/busybox" + d:         {"docker.io/busybox" + d, "docker.io/library/busybox" + d},
		"registry.k8s.io/pause:3.6" + d: {"registry.k8s.io/pause" + d, "registry.k8s.io/pause:3.6" + d},
		"localhost:5000/app:v1" + d:     {"localhost:5000/app" + d, "localhost:5000/app:v1" + d},
		"ghcr.io/trustgate/deid" + d:    {"ghcr.io/trustgate/deid" + d},
	} {
		got := ImageNames(in)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
		for _, n := range got {
			if !strings.HasSuffix(n, d) {
				t.Errorf("%s: %s lost the digest", in, n)
			}
		}
	}
}
