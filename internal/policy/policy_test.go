package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/tdx"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// rvMap is an in-memory ReferenceValues for tests (the real one is the RVPS).
type rvMap struct {
	mu      sync.Mutex
	vals    map[string][]any
	queries int
	fail    bool
}

func (r *rvMap) Query(_ context.Context, name string) ([]any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries++
	if r.fail {
		return nil, errors.New("rvps down")
	}
	v, ok := r.vals[name]
	if !ok {
		return nil, nil
	}
	return v, nil
}

func (r *rvMap) Names(context.Context) ([]string, error) {
	var out []string
	for k := range r.vals {
		out = append(out, k)
	}
	return out, nil
}

func sampleInput() map[string]any {
	return map[string]any{
		"sample": map[string]any{
			"svn": "1", "report_data": "x", "launch_digest": "abcde",
			"platform_version": map[string]any{"major": 1, "minor": 4}, "debug": false, "init_data": "",
		},
		"init_data": "", "init_data_claims": nil, "report_data": "ab", "runtime_data_claims": map[string]any{},
	}
}

// snpInput is the attestation service's input for the real SNP report
// trustee ships as a test vector (Milan; HOST_DATA zero, so no initdata),
// with the claims exactly as the snp verifier maps it, then changed by
// edit (a flag flipped, initdata sent).
func snpInput(t *testing.T, edit func(in, claims map[string]any)) map[string]any {
	t.Helper()
	claims := map[string]any(snp.Claims(vectors.Read(t, "trustee/snp/test-report.bin")))
	in := map[string]any{"snp": claims, "init_data": "", "init_data_claims": nil, "report_data": claims["report_data"], "runtime_data_claims": map[string]any{}}
	if edit != nil {
		edit(in, claims)
	}
	return in
}

// snpRefs are the reference values that match snpInput, in the documented
// format (strings: decimal numbers, "0"/"1" flags, hex digests).
func snpRefs(claims map[string]any) map[string][]any {
	return map[string][]any{
		"snp_launch_measurement": {"aa", claims["measurement"]},
		"snp_bootloader":         {claims["reported_tcb_bootloader"]}, "snp_microcode": {claims["reported_tcb_microcode"]},
		"snp_snp_svn": {claims["reported_tcb_snp"]}, "snp_tee_svn": {claims["reported_tcb_tee"]},
		"snp_smt_enabled": {claims["platform_smt_enabled"]}, "snp_tsme_enabled": {claims["platform_tsme_enabled"]},
		"snp_guest_abi_major": {claims["policy_abi_major"]}, "snp_guest_abi_minor": {claims["policy_abi_minor"]},
		"snp_single_socket": {claims["policy_single_socket"]}, "snp_smt_allowed": {claims["policy_smt_allowed"]},
	}
}

func with(base map[string][]any, name string, vals ...any) map[string][]any {
	out := map[string][]any{}
	for k, v := range base {
		out[k] = v
	}
	out[name] = vals
	return out
}

func TestDefaultAttestationPolicy(t *testing.T) {
	sampleRV := map[string][]any{
		"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {2},
	}
	base := snpInput(t, nil)
	claims := base["snp"].(map[string]any)
	snpRV := snpRefs(claims)
	const digest = "0decccded0d87ec44702c7330fac3eb936b68dcca5c9f6b5df1fb3480c0b525a"
	withInitData := func(in, c map[string]any) { in["init_data"], c["init_data"] = digest, digest }
	tests := []struct {
		name   string
		rv     map[string][]any
		input  map[string]any
		want   map[string]int
		status string
	}{
		{"sample without reference values", nil, sampleInput(),
			map[string]int{"executables": 33, "hardware": 97, "configuration": 2}, "contraindicated"},
		{"sample with reference values", sampleRV, sampleInput(),
			map[string]int{"executables": 3, "hardware": 2, "configuration": 2}, "affirming"},
		{"sample minor too low", map[string][]any{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {5}}, sampleInput(),
			map[string]int{"executables": 3, "hardware": 97, "configuration": 2}, "contraindicated"},
		{"snp matching, no initdata registered or bound", snpRV, base,
			map[string]int{"executables": 3, "hardware": 2, "configuration": 2}, "affirming"},
		{"snp unknown measurement", with(snpRV, "snp_launch_measurement", "aa"), base,
			map[string]int{"executables": 33, "hardware": 2, "configuration": 2}, "warning"},
		{"snp reference values as numbers do not match the string claims", with(snpRV, "snp_bootloader", 3), base,
			map[string]int{"executables": 3, "hardware": 97, "configuration": 2}, "contraindicated"},
		{"snp no reference values", nil, base,
			map[string]int{"executables": 33, "hardware": 97, "configuration": 3}, "contraindicated"},
		{"snp initdata registered, bound and sent", with(snpRV, "init_data", digest), snpInput(t, withInitData),
			map[string]int{"executables": 3, "hardware": 2, "configuration": 2}, "affirming"},
		{"snp initdata registered, none bound", with(snpRV, "init_data", digest), base,
			map[string]int{"executables": 3, "hardware": 2, "configuration": 96}, "contraindicated"},
		{"snp initdata bound, another registered", with(snpRV, "init_data", strings.Repeat("ab", 32)), snpInput(t, withInitData),
			map[string]int{"configuration": 96}, "contraindicated"},
		{"snp initdata bound, none registered", snpRV, snpInput(t, withInitData),
			map[string]int{"configuration": 96}, "contraindicated"},
		{"snp sha384 initdata (HOST_DATA holds 32 bytes)", with(snpRV, "init_data", digest+strings.Repeat("11", 16)), snpInput(t, func(in, c map[string]any) {
			in["init_data"], c["init_data"] = digest+strings.Repeat("11", 16), digest
		}), map[string]int{"configuration": 96}, "contraindicated"},
		{"snp debug on (\"1\")", nil, snpInput(t, func(_, c map[string]any) { c["policy_debug_allowed"] = "1" }),
			map[string]int{"hardware": 97, "configuration": 36}, "contraindicated"},
		{"snp debug on (true, an older upstream spelling)", nil, snpInput(t, func(_, c map[string]any) { c["policy_debug_allowed"] = true }),
			map[string]int{"hardware": 97, "configuration": 36}, "contraindicated"},
		{"snp migration agent allowed", snpRV, snpInput(t, func(_, c map[string]any) { c["policy_migrate_ma"] = "1" }),
			map[string]int{"executables": 3, "hardware": 2, "configuration": 36}, "warning"},
		{"unknown tee", snpRV, map[string]any{"cca": map[string]any{}},
			map[string]int{"executables": 33, "hardware": 97, "configuration": 36}, "contraindicated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(&rvMap{vals: tc.rv})
			a, err := e.Appraise(context.Background(), DefaultAttestationPolicy(), tc.input)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if a.TrustVector[k] != v {
					t.Errorf("%s = %d, want %d (vector %v)", k, a.TrustVector[k], v, a.TrustVector)
				}
			}
			if a.Status != tc.status {
				t.Errorf("status %s, want %s", a.Status, tc.status)
			}
			if len(a.TrustVector) != 8 {
				t.Errorf("vector has %d claims", len(a.TrustVector))
			}
			if hw, ok := tc.want["hardware"]; ok {
				ex := strings.Join(a.Explain(), "\n")
				line := fmt.Sprintf("hardware = %d", hw)
				if hw == 97 {
					line += " (default)"
				}
				if !strings.Contains(ex, line+"\n") {
					t.Errorf("explanation lacks %q:\n%s", line, ex)
				}
			}
			unmet, _ := a.Rules["unmet"].([]any)
			if (tc.status == "affirming") != (len(unmet) == 0) && tc.input["sample"] == nil {
				t.Errorf("status %s with unmet %v", a.Status, unmet)
			}
			if tc.want["configuration"] == 96 && !strings.Contains(fmt.Sprint(unmet), "init_data") {
				t.Errorf("unmet %v does not name init_data", unmet)
			}
		})
	}
}

// Upstream's legacy form data.reference.<name> works alongside the builtin.
func TestDataReference(t *testing.T) {
	const src = `package policy
import rego.v1
default hardware := 97
hardware := 2 if { input.sample.svn in data.reference.svn }
default executables := 33
executables := 3 if {
	some k
	data.reference[k]
	k == "launch_digest"
	input.sample.launch_digest in data.reference[k]
}
trust_claims := {"hardware": hardware, "executables": executables}
`
	rv := &rvMap{vals: map[string][]any{"svn": {"1"}, "launch_digest": {"abcde"}}}
	e := NewEngine(rv)
	a, err := e.Appraise(context.Background(), src, sampleInput())
	if err != nil {
		t.Fatal(err)
	}
	if a.TrustVector["hardware"] != 2 || a.TrustVector["executables"] != 3 {
		t.Fatalf("vector %v", a.TrustVector)
	}
	// Nothing persists between evaluations.
	rv.vals = map[string][]any{}
	a, err = e.Appraise(context.Background(), src, sampleInput())
	if err != nil {
		t.Fatal(err)
	}
	if a.TrustVector["hardware"] != 97 || a.TrustVector["executables"] != 33 {
		t.Fatalf("stale reference data: %v", a.TrustVector)
	}
}

// Rego v0 policies (upstream's older samples) load too.
func TestRegoV0Policy(t *testing.T) {
	const src = `package policy
default hardware = 97
hardware = 2 { input.sample.svn == "1" }
trust_claims = {"hardware": hardware}
`
	a, err := NewEngine(nil).Appraise(context.Background(), src, sampleInput())
	if err != nil || a.TrustVector["hardware"] != 2 {
		t.Fatalf("%v %v", a, err)
	}
}

func TestAppraiseFailsClosed(t *testing.T) {
	tests := map[string]string{
		"no trust_claims": "package policy\nx := 1\n",
		"unknown claim":   "package policy\ntrust_claims := {\"bogus\": 2}\n",
		"out of range":    "package policy\ntrust_claims := {\"hardware\": 300}\n",
		"not integer":     "package policy\ntrust_claims := {\"hardware\": 2.5}\n",
		"not number":      "package policy\ntrust_claims := {\"hardware\": \"2\"}\n",
		"wrong package":   "package other\ntrust_claims := {\"hardware\": 2}\n",
		"syntax":          "package policy\ntrust_claims := {\n",
		"conflict":        "package policy\nimport rego.v1\nx := 1 if input.a\nx := 2 if input.a\ntrust_claims := {\"hardware\": x}\n",
	}
	for name, src := range tests {
		_, err := NewEngine(nil).Appraise(context.Background(), src, map[string]any{"a": true})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Reference value errors surface as errors, never as "no match".
	_, err := NewEngine(&rvMap{fail: true}).Appraise(context.Background(), DefaultAttestationPolicy(), sampleInput())
	if err == nil {
		t.Error("rvps failure: accepted")
	}
}

func TestExtensions(t *testing.T) {
	const src = `package policy
trust_claims := {"hardware": 2}
extensions := [{"name": "x", "value": input.sample.svn}]
`
	a, err := NewEngine(nil).Appraise(context.Background(), src, sampleInput())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Extensions) != "[map[name:x value:1]]" {
		t.Fatalf("extensions %v", a.Extensions)
	}
}

func claims(tee, status string) map[string]any {
	return map[string]any{"submods": map[string]any{"cpu0": map[string]any{
		"ear.status":                      status,
		"ear.veraison.annotated-evidence": map[string]any{tee: map[string]any{"svn": "1"}},
	}}}
}

func TestResourcePolicies(t *testing.T) {
	res := Request{Plugin: "resource", Path: []string{"default", "key", "1"}, Query: map[string]string{}}
	emul := res
	emul.AllowEmulated = true
	markedEmulated := claims("snp", "affirming")
	markedEmulated["submods"].(map[string]any)["cpu0"].(map[string]any)["ear.veraison.annotated-evidence"].(map[string]any)["snp"].(map[string]any)["emulated"] = true
	twoSubmods := claims("snp", "affirming")
	twoSubmods["submods"].(map[string]any)["gpu0"] = map[string]any{"ear.status": "warning"}

	def := DefaultResourcePolicy()
	allowAll, _ := SampleResourcePolicy("allow-all")
	denyAll, _ := SampleResourcePolicy("deny-all")
	affirming, _ := SampleResourcePolicy("affirming")
	upstream, _ := SampleResourcePolicy("upstream-default")
	tests := []struct {
		name   string
		policy string
		claims map[string]any
		req    Request
		want   bool
	}{
		{"default: snp affirming", def, claims("snp", "affirming"), res, true},
		{"default: tdx affirming", def, claims("tdx", "affirming"), res, true},
		{"default: snp warning", def, claims("snp", "warning"), res, false},
		{"default: snp contraindicated", def, claims("snp", "contraindicated"), res, false},
		{"default: sample affirming", def, claims("sample", "affirming"), res, false},
		{"default: sample affirming, emulation allowed", def, claims("sample", "affirming"), emul, false},
		{"default: snp-emulated", def, claims("snp-emulated", "affirming"), res, false},
		{"default: snp-emulated allowed", def, claims("snp-emulated", "affirming"), emul, true},
		{"default: claims marked emulated", def, markedEmulated, res, false},
		{"default: claims marked emulated, allowed", def, markedEmulated, emul, true},
		{"default: other plugin", def, claims("snp", "affirming"), Request{Plugin: "nebula-ca"}, false},
		{"default: gpu warning", def, twoSubmods, res, false},
		{"default: no claims", def, map[string]any{}, res, false},
		{"allow-all", allowAll, map[string]any{}, res, true},
		{"deny-all", denyAll, claims("snp", "affirming"), res, false},
		{"affirming: yes", affirming, claims("sample", "affirming"), res, true},
		{"affirming: no", affirming, claims("snp", "warning"), res, false},
		{"upstream default: snp warning", upstream, claims("snp", "warning"), res, true},
		{"upstream default: sample", upstream, claims("sample", "affirming"), res, false},
		{"path data", "package policy\nimport rego.v1\nallow if data[\"resource-path\"][2] == \"1\"\n", map[string]any{}, res, true},
		{"query data", "package policy\nimport rego.v1\nallow if data.query.v == \"2\"\n", map[string]any{}, Request{Plugin: "resource", Query: map[string]string{"v": "2"}}, true},
		{"non-bool allow", "package policy\nallow := \"yes\"\n", map[string]any{}, res, false},
	}
	e := NewEngine(nil)
	for _, tc := range tests {
		got, err := e.Allow(context.Background(), tc.policy, tc.claims, tc.req)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: allow=%v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestEmbeddedPoliciesLoad(t *testing.T) {
	if err := Validate(KindAttestation, DefaultAttestationPolicy()); err != nil {
		t.Fatalf("default attestation policy: %v", err)
	}
	if err := Validate(KindResource, DefaultResourcePolicy()); err != nil {
		t.Fatalf("default resource policy: %v", err)
	}
	names := SampleResourcePolicies()
	if len(names) != 4 {
		t.Fatalf("samples %v", names)
	}
	for _, n := range names {
		src, err := SampleResourcePolicy(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(KindResource, src); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := SampleResourcePolicy("nope"); err == nil {
		t.Error("unknown sample accepted")
	}
	// Resource policies cannot call query_reference_value.
	if err := Validate(KindResource, "package policy\nimport rego.v1\nallow if query_reference_value(\"x\")\n"); err == nil {
		t.Error("resource policy with query_reference_value accepted")
	}
}

// The compiled query is cached per policy text and reused concurrently.
func TestCacheAndConcurrency(t *testing.T) {
	rv := &rvMap{vals: map[string][]any{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {0}}}
	e := NewEngine(rv)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				a, err := e.Appraise(context.Background(), DefaultAttestationPolicy(), sampleInput())
				if err != nil || a.Status != "affirming" {
					errs <- fmt.Errorf("%v %v", a, err)
				}
				ok, err := e.Allow(context.Background(), DefaultResourcePolicy(), claims("snp", "affirming"), Request{Plugin: "resource"})
				if err != nil || !ok {
					errs <- fmt.Errorf("allow %v %v", ok, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.cache); n != 2 {
		t.Errorf("cache holds %d compiled policies, want 2", n)
	}
}

func BenchmarkAppraiseDefault(b *testing.B) {
	rv := &rvMap{vals: map[string][]any{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {0}}}
	e := NewEngine(rv)
	in := sampleInput()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Appraise(ctx, DefaultAttestationPolicy(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAllowDefault(b *testing.B) {
	e := NewEngine(nil)
	c := claims("snp", "affirming")
	req := Request{Plugin: "resource", Path: []string{"default", "key", "1"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Allow(ctx, DefaultResourcePolicy(), c, req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvalTimeout: a policy that runs too long fails (closed) with a
// reason naming the bound, instead of holding the request.
func TestEvalTimeout(t *testing.T) {
	e := NewEngine(nil)
	e.Timeout = 50 * time.Millisecond
	slow := "package policy\n\nallow if {\n\tsome i in numbers.range(1, 20000)\n\tsome j in numbers.range(1, 20000)\n\ti * j == -1\n}\n"
	allowed, err := e.Allow(context.Background(), slow, map[string]any{}, Request{Plugin: "resource", Path: []string{"a", "b", "c"}})
	if err == nil || allowed || !strings.Contains(err.Error(), "policy too slow") {
		t.Fatalf("allowed %v, err %v", allowed, err)
	}
	slowAttestation := "package policy\n\ntrust_claims := {\"hardware\": 2} if {\n\tsome i in numbers.range(1, 20000)\n\tsome j in numbers.range(1, 20000)\n\ti * j == -1\n}\n"
	if _, err := e.Appraise(context.Background(), slowAttestation, map[string]any{}); err == nil || !strings.Contains(err.Error(), "policy too slow") {
		t.Fatalf("appraise: %v", err)
	}
}

// TestDefaultPolicyTDXInitData: MRCONFIGID (48 bytes) takes a sha384 digest
// as is. The claims are the tdx verifier's mapping of trustee's
// tdx_quote_6, whose MRCONFIGID is set; input.init_data stands for the
// digest of the initdata the guest sent, which the verifier has found
// equal to MRCONFIGID.
func TestDefaultPolicyTDXInitData(t *testing.T) {
	claims := map[string]any(tdx.Claims(vectors.Read(t, "trustee/tdx/tdx_quote_6.dat")))
	bound := claims["init_data"].(string)
	xfam := claims["quote"].(map[string]any)["body"].(map[string]any)["xfam"]
	for _, tc := range []struct {
		name     string
		sent     string
		refs     map[string][]any
		wantConf int
	}{
		{"sha384 registered and sent", bound, map[string][]any{"init_data": {bound}, "xfam": {xfam}}, 2},
		{"registered, none sent", "", map[string][]any{"init_data": {bound}, "xfam": {xfam}}, 96},
		{"bound, none registered", bound, map[string][]any{"xfam": {xfam}}, 96},
		{"another registered", bound, map[string][]any{"init_data": {strings.Repeat("ab", 48)}, "xfam": {xfam}}, 96},
	} {
		in := map[string]any{"tdx": claims, "init_data": tc.sent}
		a, err := NewEngine(&rvMap{vals: tc.refs}).Appraise(context.Background(), DefaultAttestationPolicy(), in)
		if err != nil {
			t.Fatal(err)
		}
		if a.TrustVector["configuration"] != tc.wantConf {
			t.Errorf("%s: configuration = %d, want %d", tc.name, a.TrustVector["configuration"], tc.wantConf)
		}
	}
}

// TestConstantAllowShortcut: only a policy whose sole rule is a boolean
// `default allow` is answered without evaluation, and the answer is the
// one OPA's full evaluation gives, for several inputs and requests.
func TestConstantAllowShortcut(t *testing.T) {
	allowAll, err := SampleResourcePolicy("allow-all")
	if err != nil {
		t.Fatal(err)
	}
	denyAll, err := SampleResourcePolicy("deny-all")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, src string
		constant  bool // the short-cut applies
	}{
		{"allow-all", allowAll, true},
		{"deny-all", denyAll, true},
		{"v1 allow", "package policy\ndefault allow := true\n", true},
		{"v1 deny", "package policy\nimport rego.v1\ndefault allow := false\n", true},
		{"default plus rule", "package policy\nimport rego.v1\ndefault allow := false\nallow if input.x == 1\n", false},
		{"not a default", "package policy\nallow := true\n", false},
		{"not a boolean", "package policy\ndefault allow := 1\n", false},
		{"other rule name", "package policy\ndefault permit := true\n", false},
		{"default resource", DefaultResourcePolicy(), false},
	}
	inputs := []map[string]any{nil, {"x": 1}, claims("snp", "affirming"), claims("sample", "contraindicated")}
	reqs := []Request{{Plugin: "resource", Path: []string{"a", "b", "c"}}, {Plugin: "other", AllowEmulated: true}}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil)
			c, err := e.compile(ctx, KindResource, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if (c.constAllow != nil) != tt.constant {
				t.Fatalf("short-cut applies: %v, want %v", c.constAllow != nil, tt.constant)
			}
			for _, in := range inputs {
				for _, req := range reqs {
					got, err := e.Allow(ctx, tt.src, in, req)
					if err != nil {
						t.Fatal(err)
					}
					doc, err := e.eval(ctx, KindResource, c, in, req.data()) // full evaluation
					if err != nil {
						t.Fatal(err)
					}
					want, _ := doc["allow"].(bool)
					if got != want {
						t.Fatalf("Allow(%v, %+v) = %v, full evaluation says %v", in, req, got, want)
					}
				}
			}
		})
	}
}

// BenchmarkAllowAllowAll: upstream's allow-all sample answered by the
// constant short-cut, next to OPA's full evaluation of the same policy.
func BenchmarkAllowAllowAll(b *testing.B) {
	src, _ := SampleResourcePolicy("allow-all")
	e := NewEngine(nil)
	c := claims("snp", "affirming")
	req := Request{Plugin: "resource", Path: []string{"default", "key", "1"}}
	ctx := context.Background()
	compiled, err := e.compile(ctx, KindResource, src)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("shortcut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := e.Allow(ctx, src, c, req); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("evaluated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.eval(ctx, KindResource, compiled, c, req.data()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestReferenceTermFollowsAnswer: query_reference_value reuses a converted
// term only for the very slice it was made from; a new answer under the
// same name (values changed in the RVPS) is what the next evaluation sees.
func TestReferenceTermFollowsAnswer(t *testing.T) {
	rv := &rvMap{vals: map[string][]any{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {0}}}
	e := NewEngine(rv)
	ctx := context.Background()
	appraise := func() int {
		t.Helper()
		a, err := e.Appraise(ctx, DefaultAttestationPolicy(), sampleInput())
		if err != nil {
			t.Fatal(err)
		}
		return a.TrustVector["executables"]
	}
	match := appraise()
	if again := appraise(); again != match {
		t.Fatalf("executables %d, then %d with the same reference values", match, again)
	}
	rv.mu.Lock()
	rv.vals["launch_digest"] = []any{"other"}
	rv.mu.Unlock()
	if changed := appraise(); changed == match {
		t.Fatalf("executables still %d after the launch digest's reference value changed", changed)
	}
	rv.mu.Lock()
	rv.vals["launch_digest"] = []any{"abcde"}
	rv.mu.Unlock()
	if back := appraise(); back != match {
		t.Fatalf("executables %d, want %d again", back, match)
	}
}

func TestSameSlice(t *testing.T) {
	a := []any{"x", "y"}
	for _, tc := range []struct {
		a, b []any
		want bool
	}{
		{a, a, true},
		{a, a[:1], false},
		{a, []any{"x", "y"}, false},
		{nil, nil, true},
		{nil, []any{}, false},
		{[]any{}, []any{}, true},
	} {
		if got := sameSlice(tc.a, tc.b); got != tc.want {
			t.Errorf("sameSlice(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
