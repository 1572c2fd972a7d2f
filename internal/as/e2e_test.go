package as

import (
	"context"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tdxabi "github.com/google/go-tdx-guest/abi"
	tdxpb "github.com/google/go-tdx-guest/proto/tdx"
	tdxverify "github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azsnp"
	"github.com/trustgate/trustgate/internal/attest/aztdx"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/azvtpm/azvtpmtest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/snp"
	vsnpemu "github.com/trustgate/trustgate/internal/attest/snpemu"
	"github.com/trustgate/trustgate/internal/attest/tdx"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	asample "github.com/trustgate/trustgate/internal/attester/sample"
	asnpemu "github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/rvps"
	"github.com/trustgate/trustgate/internal/store"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
	teetdx "github.com/trustgate/trustgate/internal/tee/tdx"
	"github.com/trustgate/trustgate/internal/testenv"
)

// The end-to-end tests take captured hardware evidence through the
// verifier as trustee configures it, the default attestation policy and
// reference values registered in the documented format (an upstream RVPS
// message, format-checked with refvalue.ValidateValues, stored in a real
// store), to the decision and the reason the server writes into the audit
// event. Claims reach the policy only from the verifier.

// e2eCase is one decision.
type e2eCase struct {
	name     string
	v        attest.Verifier
	evidence []byte
	bind     []byte         // REPORT_DATA / quote nonce the evidence carries
	initData []byte         // initdata TOML the guest sends; nil: none
	refs     map[string]any // registered reference values (name → values)
	status   string         // ear.status of the issued token; "" when refused
	reason   string         // what Result.Reason must contain ("" when affirming)
	vector   map[string]int // trust claims to check, if any
}

func decideCase(t *testing.T, tee string, c e2eCase) *Result {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(t.TempDir(), "db"), KEK: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	refs := rvps.New(st)
	if len(c.refs) > 0 {
		vals := refvalue.Values{}
		for k, v := range c.refs {
			if s, ok := v.([]any); ok {
				vals[k] = s
			} else {
				vals[k] = []any{v}
			}
		}
		msg, err := refvalue.NewMessage(vals, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		parsed, _, err := refvalue.ParseMessage(msg, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := refvalue.ValidateValues(parsed); err != nil {
			t.Fatalf("reference values not in the documented format: %v", err)
		}
		if _, err := refs.Register(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	k, _ := ear.GenerateKey()
	iss, err := ear.NewIssuer(k, ear.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Verifiers: map[string]attest.Verifier{tee: c.v}, Engine: policy.NewEngine(refs), Issuer: iss})
	if err != nil {
		t.Fatal(err)
	}
	ev := evidenceCase{tee: tee, evidence: c.evidence, want: attest.Expected{ReportData: c.bind}, reportData: c.bind,
		runtimeClaims: map[string]any{"nonce": "n"}}
	if c.initData != nil {
		if ev.want.InitDataDigest, ev.initClaims, err = parseInitData(c.initData); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.decide(ctx, &Result{Tee: tee, Outcome: OutcomeDenied, PolicyID: DefaultPolicyID}, c.v, ev)
	if c.status == "" {
		if err == nil || res.Outcome != OutcomeDenied || res.Token != "" {
			t.Fatalf("%s: evidence accepted (outcome %s, status %s), want refused with %q", c.name, res.Outcome, res.Status, c.reason)
		}
	} else {
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Status != c.status {
			t.Errorf("%s: ear.status %s, want %s (vector %v, reason %q)", c.name, res.Status, c.status, res.TrustVector, res.Reason)
		}
		for k, v := range c.vector {
			if res.TrustVector[k] != v {
				t.Errorf("%s: %s = %d, want %d (reason %q)", c.name, k, res.TrustVector[k], v, res.Reason)
			}
		}
	}
	if c.reason == "" && res.Reason != "" {
		t.Errorf("%s: reason %q, want none", c.name, res.Reason)
	}
	if !strings.Contains(res.Reason, c.reason) {
		t.Errorf("%s: reason %q does not name %q", c.name, res.Reason, c.reason)
	}
	return res
}

func certClock(t *testing.T, der []byte) (notBefore, notAfter time.Time) {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c.NotBefore.Add(24 * time.Hour), c.NotAfter.Add(24 * time.Hour)
}

func fixed(at time.Time) func() time.Time { return func() time.Time { return at } }

// initDataTOML is trustee's captured initdata (aa.toml, cdh.toml, agent
// policy; algorithm sha256).
func initDataTOML(t *testing.T) []byte {
	return vectors.Read(t, "trustee/initdata/init-data-with-policy.toml")
}

// otherDigest is a well-formed initdata digest of nothing the vectors bind.
var otherDigest = strings.Repeat("5a", 32)

func claimsOf(t *testing.T, v attest.Verifier, evidence, bind []byte) attest.Claims {
	t.Helper()
	c, err := v.Verify(context.Background(), evidence, attest.Expected{ReportData: bind})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func merge(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestEndToEndSNP(t *testing.T) {
	evidence := vectors.Read(t, "trustee/snp-aa-evidence/evidence.json") // Genoa, the upstream AA's format
	ev, err := snp.ParseEvidence(evidence)
	if err != nil {
		t.Fatal(err)
	}
	bind := snp.ReportData(ev.Report)
	now, late := certClock(t, ev.Certs.VCEK)
	mustSNP := func(cfg snp.Config) *snp.Verifier {
		if cfg.Now == nil {
			cfg.Now = fixed(now)
		}
		v, err := snp.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	prod := mustSNP(snp.Config{})
	c := claimsOf(t, prod, evidence, bind)
	// What an operator registers from a known-good `trustee verify`.
	refs := map[string]any{
		"snp_launch_measurement": c["measurement"],
		"snp_bootloader":         c["reported_tcb_bootloader"], "snp_microcode": c["reported_tcb_microcode"],
		"snp_snp_svn": c["reported_tcb_snp"], "snp_tee_svn": c["reported_tcb_tee"],
		"snp_smt_enabled": c["platform_smt_enabled"], "snp_tsme_enabled": c["platform_tsme_enabled"],
		"snp_guest_abi_major": c["policy_abi_major"], "snp_guest_abi_minor": c["policy_abi_minor"],
		"snp_single_socket": c["policy_single_socket"], "snp_smt_allowed": c["policy_smt_allowed"],
	}
	// go-sev-guest's real report has the debug policy bit set.
	gsg := filepath.Join(testenv.ModuleDir(t, "github.com/google/go-sev-guest"), "verify", "testdata")
	dbgReport, _ := os.ReadFile(filepath.Join(gsg, "attestation.bin"))
	dbgVCEK, _ := os.ReadFile(filepath.Join(gsg, "vcek.testcer"))
	dbgEvidence, err := teesnp.Encode(dbgReport, teesnp.Certs{VCEK: dbgVCEK}.Chain())
	if err != nil {
		t.Fatal(err)
	}
	dbgNow, _ := certClock(t, dbgVCEK)
	minTCB, err := snp.ParseMinimumTCB("Genoa:snp=255;Milan:snp=255")
	if err != nil {
		t.Fatal(err)
	}
	offline := &collateral.Getter{Cache: collateral.NewMemCache()}
	for _, tc := range []e2eCase{
		{name: "affirming", v: prod, evidence: evidence, bind: bind, refs: refs, status: "affirming",
			vector: map[string]int{"executables": 3, "hardware": 2, "configuration": 2}},
		{name: "changed measurement", v: prod, evidence: evidence, bind: bind,
			refs: merge(refs, "snp_launch_measurement", strings.Repeat("ab", 48)), status: "warning", reason: "executables"},
		{name: "initdata sent but not the one bound (HOST_DATA)", v: prod, evidence: evidence, bind: bind, initData: initDataTOML(t),
			refs: refs, reason: "evidence: init_data"},
		{name: "initdata absent while one is registered", v: prod, evidence: evidence, bind: bind,
			refs: merge(refs, "init_data", otherDigest), status: "contraindicated", reason: "init_data",
			vector: map[string]int{"configuration": 96}},
		{name: "debug enabled", v: mustSNP(snp.Config{Now: fixed(dbgNow)}), evidence: dbgEvidence, bind: snp.ReportData(dbgReport),
			refs: refs, reason: "evidence: debug_policy"},
		{name: "TCB below the configured minimum", v: mustSNP(snp.Config{MinimumTCBByLine: minTCB}), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: tcb"},
		{name: "VCEK expired", v: mustSNP(snp.Config{Now: fixed(late)}), evidence: evidence, bind: bind, refs: refs, reason: "evidence: cert_chain"},
		{name: "CRL not in the imported collateral", v: mustSNP(snp.Config{Getter: offline, CheckRevocations: true}), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: revocation"},
		{name: "report signed for another session", v: prod, evidence: evidence, bind: []byte("other session"), refs: refs, reason: "evidence: report_data"},
	} {
		t.Run(tc.name, func(t *testing.T) { decideCase(t, attest.TeeSNP, tc) })
	}
}

func pckClock(t *testing.T, quote []byte) time.Time {
	t.Helper()
	q, err := tdxabi.QuoteToProto(quote)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := tdxverify.ExtractChainFromQuote(q)
	if err != nil {
		t.Fatal(err)
	}
	return ch.PCKCertificate.NotBefore.Add(24 * time.Hour)
}

func TestEndToEndTDX(t *testing.T) {
	// trustee's tdx_quote_4 is the one captured quote whose platform the
	// real Intel collateral go-tdx-guest ships covers (FMSPC 50806f000000,
	// TCB UpToDate). It is a debug TD, so it can never be affirmed: the
	// production verifier refuses it, and seen through --allow-debug every
	// claim but the configuration affirms.
	q4 := vectors.Read(t, "trustee/tdx/tdx_quote_4.dat")
	evidence, _ := teetdx.Encode(q4, nil)
	bind := tdx.Body(q4)[520:584]
	bundle := vectors.IntelCollateralBundle(t)
	at := vectors.IntelCollateralTime
	newTDX := func(now time.Time, g *collateral.Getter, allowDebug bool) *tdx.Verifier {
		return tdx.New(tdx.Config{Now: fixed(now), Collateral: g, AllowDebug: allowDebug})
	}
	prod := newTDX(at, vectors.OfflineGetter(t, bundle), false)
	seen := newTDX(at, vectors.OfflineGetter(t, bundle), true)
	c := claimsOf(t, seen, evidence, bind)
	body := c["quote"].(map[string]any)["body"].(map[string]any)
	refs := map[string]any{"mr_td": body["mr_td"], "rtmr_1": body["rtmr_1"], "rtmr_2": body["rtmr_2"], "xfam": body["xfam"]}

	spr := sprQuote(t)
	sprEvidence, _ := teetdx.Encode(spr, nil)

	q6 := vectors.Read(t, "trustee/tdx/tdx_quote_6.dat") // MRCONFIGID holds an initdata digest
	q6Evidence, _ := teetdx.Encode(q6, nil)
	for _, tc := range []e2eCase{
		{name: "debug TD refused", v: prod, evidence: evidence, bind: bind, refs: refs, reason: "evidence: debug"},
		{name: "every reference value registered, TCB UpToDate from the offline bundle (debug TD seen through --allow-debug)",
			v: seen, evidence: evidence, bind: bind, refs: refs, status: "warning", reason: "configuration",
			vector: map[string]int{"hardware": 2, "executables": 4, "configuration": 36}},
		{name: "changed measurement (MRTD)", v: seen, evidence: evidence, bind: bind, refs: merge(refs, "mr_td", strings.Repeat("ab", 48)),
			status: "contraindicated", reason: "hardware", vector: map[string]int{"hardware": 97}},
		{name: "initdata absent while one is registered", v: seen, evidence: evidence, bind: bind, refs: merge(refs, "init_data", otherDigest),
			status: "contraindicated", reason: "init_data", vector: map[string]int{"configuration": 96}},
		{name: "initdata sent but not the one bound (MRCONFIGID)", v: prod, evidence: evidence, bind: bind, initData: initDataTOML(t),
			refs: refs, reason: "evidence: init_data"},
		{name: "initdata bound, none registered", v: newTDX(pckClock(t, q6), nil, false), evidence: q6Evidence, bind: tdx.Body(q6)[520:584],
			status: "contraindicated", reason: "init_data"},
		{name: "TCB below every level Intel lists", v: newTDX(at, vectors.OfflineGetter(t, bundle), false), evidence: sprEvidence, bind: tdx.Body(spr)[520:584],
			reason: "evidence: tcb"},
		{name: "collateral expired", v: newTDX(at.AddDate(0, 2, 0), vectors.OfflineGetter(t, bundle), true), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: collateral"},
		{name: "no collateral imported", v: newTDX(at, &collateral.Getter{Cache: collateral.NewMemCache()}, true), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: collateral"},
		{name: "no collateral source: TCB never appraised", v: newTDX(at, nil, true), evidence: evidence, bind: bind,
			refs: refs, status: "contraindicated", reason: "tcb_status: absent"},
	} {
		t.Run(tc.name, func(t *testing.T) { decideCase(t, attest.TeeTDX, tc) })
	}
}

// sprQuote is go-tdx-guest's production quote without the text it appends
// "for testing purpose".
func sprQuote(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.ModuleDir(t, "github.com/google/go-tdx-guest"), "testing", "testdata", "tdx_prod_quote_SPR_E4.dat"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := tdxabi.QuoteToProto(raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw[:len(raw)-len(q.(*tdxpb.QuoteV4).GetExtraBytes())]
}

func azEvidence(t *testing.T, path string) ([]byte, *azvtpm.Evidence, []byte) {
	t.Helper()
	data := vectors.Read(t, path)
	ev, err := azvtpm.ParseEvidence(data)
	if err != nil {
		t.Fatal(err)
	}
	n, err := azvtpmtest.QuoteNonce(ev)
	if err != nil {
		t.Fatal(err)
	}
	return data, ev, n
}

func TestEndToEndAzureSNP(t *testing.T) {
	evidence, ev, bind := azEvidence(t, "trustee/az-snp-vtpm/evidence-v2.json")
	now, late := certClock(t, ev.VCEK)
	newAz := func(cfg azsnp.Config) *azsnp.Verifier {
		if cfg.Now == nil {
			cfg.Now = fixed(now)
		}
		v, err := azsnp.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	prod := newAz(azsnp.Config{})
	c := claimsOf(t, prod, evidence, bind)
	refs := map[string]any{
		"measurement": c["measurement"], "snp_pcr11": c["tpm"].(map[string]any)["pcr11"],
		"tcb_bootloader": c["reported_tcb_bootloader"], "tcb_microcode": c["reported_tcb_microcode"],
		"tcb_snp": c["reported_tcb_snp"], "tcb_tee": c["reported_tcb_tee"],
		"smt_enabled": c["platform_smt_enabled"], "tsme_enabled": c["platform_tsme_enabled"],
		"abi_major": c["policy_abi_major"], "abi_minor": c["policy_abi_minor"],
		"single_socket": c["policy_single_socket"], "smt_allowed": c["policy_smt_allowed"],
	}
	minTCB, err := snp.ParseMinimumTCB("Milan:snp=255")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []e2eCase{
		{name: "affirming", v: prod, evidence: evidence, bind: bind, refs: refs, status: "affirming",
			vector: map[string]int{"executables": 3, "hardware": 2, "configuration": 2}},
		{name: "changed measurement", v: prod, evidence: evidence, bind: bind, refs: merge(refs, "measurement", strings.Repeat("ab", 48)),
			status: "warning", reason: "executables"},
		{name: "changed PCR 11", v: prod, evidence: evidence, bind: bind, refs: merge(refs, "snp_pcr11", strings.Repeat("ab", 32)),
			status: "warning", reason: "executables"},
		{name: "initdata sent but not the one bound (PCR 8)", v: prod, evidence: evidence, bind: bind, initData: initDataTOML(t),
			refs: refs, reason: "evidence: init_data"},
		{name: "initdata absent while one is registered", v: prod, evidence: evidence, bind: bind, refs: merge(refs, "init_data", otherDigest),
			status: "contraindicated", reason: "init_data", vector: map[string]int{"configuration": 96}},
		{name: "TCB below the configured minimum", v: newAz(azsnp.Config{MinimumTCBByLine: minTCB}), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: tcb"},
		{name: "VCEK expired", v: newAz(azsnp.Config{Now: fixed(late)}), evidence: evidence, bind: bind, refs: refs, reason: "evidence: cert_chain"},
		{name: "CRL not in the imported collateral", v: newAz(azsnp.Config{Getter: &collateral.Getter{Cache: collateral.NewMemCache()}, CheckRevocations: true}),
			evidence: evidence, bind: bind, refs: refs, reason: "evidence: revocation"},
		{name: "quote for another session", v: prod, evidence: evidence, bind: make([]byte, 32), refs: refs, reason: "evidence: nonce"},
	} {
		t.Run(tc.name, func(t *testing.T) { decideCase(t, attest.TeeAzSNPvTPM, tc) })
	}
}

func TestEndToEndAzureTDX(t *testing.T) {
	evidence, ev, bind := azEvidence(t, "trustee/az-tdx-vtpm/evidence-v1.json")
	now := pckClock(t, ev.TDQuote)
	prod := aztdx.New(aztdx.Config{Now: fixed(now)})
	c := claimsOf(t, prod, evidence, bind)
	body := c["quote"].(map[string]any)["body"].(map[string]any)
	refs := map[string]any{"tdx_pcr11": c["tpm"].(map[string]any)["pcr11"], "mr_td": body["mr_td"], "xfam": body["xfam"]}
	for _, tc := range []e2eCase{
		// No Intel collateral exists for this quote's platform (FMSPC
		// 00806f050000): without a TCB status it cannot be affirmed.
		{name: "every reference value registered, no collateral source", v: prod, evidence: evidence, bind: bind, refs: refs,
			status: "contraindicated", reason: "tcb_status: absent", vector: map[string]int{"executables": 3, "hardware": 97, "configuration": 2}},
		{name: "collateral bundle for another platform", v: aztdx.New(aztdx.Config{Now: fixed(now), Collateral: vectors.OfflineGetter(t, vectors.IntelCollateralBundle(t))}),
			evidence: evidence, bind: bind, refs: refs, reason: "evidence: collateral"},
		{name: "changed PCR 11", v: prod, evidence: evidence, bind: bind, refs: merge(refs, "tdx_pcr11", strings.Repeat("ab", 32)),
			status: "contraindicated", reason: "executables"},
		{name: "initdata sent but not the one bound (PCR 8)", v: prod, evidence: evidence, bind: bind, initData: initDataTOML(t),
			refs: refs, reason: "evidence: init_data"},
		{name: "initdata absent while one is registered", v: prod, evidence: evidence, bind: bind, refs: merge(refs, "init_data", otherDigest),
			status: "contraindicated", reason: "init_data", vector: map[string]int{"configuration": 96}},
		{name: "PCK chain expired", v: aztdx.New(aztdx.Config{Now: fixed(now.AddDate(40, 0, 0))}), evidence: evidence, bind: bind,
			refs: refs, reason: "evidence: quote_signature"},
	} {
		t.Run(tc.name, func(t *testing.T) { decideCase(t, attest.TeeAzTDXvTPM, tc) })
	}
}

// TestSoftwareTEENeverReleased: software TEEs never satisfy the production
// default policies. The sample TEE can reach "affirming" in the attestation
// policy, but the default resource policy never releases to it; an
// snp-emulated guest is never affirmed by default_cpu (only trustgate up's
// extended policy knows it), and even affirming claims are refused unless
// the server allows emulation.
func TestSoftwareTEENeverReleased(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, sampleRefs, nil)
	att := guestAttestation(t, "n", "n", &asample.Attester{}, nil)
	res, err := s.Attest(ctx, Request{Tee: "sample", SessionNonce: "n", Attestation: att})
	if err != nil || res.Status != "affirming" {
		t.Fatalf("sample: %v %+v", err, res)
	}
	eng := policy.NewEngine(nil)
	if ok, err := eng.Allow(ctx, policy.DefaultResourcePolicy(), res.Claims, policy.Request{Plugin: "resource", Path: []string{"default", "key", "1"}}); err != nil || ok {
		t.Fatalf("sample token released: %v %v", ok, err)
	}

	dir := t.TempDir()
	root, err := asnpemu.GenerateRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := sha512.Sum384([]byte("guest image"))
	a, err := asnpemu.New(asnpemu.Config{Dir: dir, Measurement: m[:]})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := a.Evidence(ctx, []byte("bind"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vsnpemu.New(vsnpemu.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	// Every SNP reference value registered with the emulated values.
	refs := map[string]any{"snp_launch_measurement": hex.EncodeToString(m[:])}
	r := decideCase(t, attest.TeeSNPEmulated, e2eCase{name: "snp-emulated under default_cpu", v: v, evidence: ev, bind: []byte("bind"),
		refs: refs, status: "contraindicated", reason: "hardware"})
	if ok, _ := eng.Allow(ctx, policy.DefaultResourcePolicy(), r.Claims, policy.Request{Plugin: "resource", Path: []string{"default", "key", "1"}}); ok {
		t.Fatal("snp-emulated token released")
	}
}

// TestEventDetailsMatchReferenceValues: the CC event log details the tdx
// verifier emits from a real log (go-tdx-guest's cos-113 capture) let a
// rule shaped like default_cpu's kernel rule match a registered digest, and
// miss a wrong one. (default_cpu's own rule looks for TDVF's "File(kernel)";
// this guest boots through shim and grub, so the rule names BOOTX64.EFI.)
func TestEventDetailsMatchReferenceValues(t *testing.T) {
	dir := filepath.Join(testenv.ModuleDir(t, "github.com/google/go-tdx-guest"), "testing", "testdata", "ccel")
	quote, err := os.ReadFile(filepath.Join(dir, "cos-113-tdx-quote.dat"))
	if err != nil {
		t.Fatal(err)
	}
	ccel, err := os.ReadFile(filepath.Join(dir, "ccel_data.dat"))
	if err != nil {
		t.Fatal(err)
	}
	evidence, _ := teetdx.Encode(quote, ccel)
	v := tdx.New(tdx.Config{Now: fixed(pckClock(t, quote))})
	claims := claimsOf(t, v, evidence, tdx.Body(quote)[520:584])
	var digest string
	for _, e := range claims["uefi_event_logs"].([]any) {
		ev := e.(map[string]any)
		paths, _ := ev["details"].(map[string]any)["device_paths"].([]any)
		if ev["type_name"] == "EV_EFI_BOOT_SERVICES_APPLICATION" && len(paths) > 0 && paths[len(paths)-1] == `File(\EFI\BOOT\BOOTX64.EFI)` {
			digest = ev["digests"].([]any)[0].(map[string]any)["digest"].(string)
		}
	}
	if digest == "" {
		t.Fatal("no BOOTX64.EFI load event in the claims")
	}
	const rule = `
shim_ok if {
	event := input.tdx.uefi_event_logs[_]
	event.type_name == "EV_EFI_BOOT_SERVICES_APPLICATION"
	"File(\\EFI\\BOOT\\BOOTX64.EFI)" in event.details.device_paths
	d := event.digests[_]
	d.digest in query_reference_value("shim")
}
`
	input := map[string]any{"tdx": map[string]any(claims), "init_data": ""}
	for _, tc := range []struct {
		ref  string
		want bool
	}{{digest, true}, {strings.Repeat("ab", 48), false}} {
		a, err := policy.NewEngine(rv{"shim": {tc.ref}}).Appraise(context.Background(), policy.DefaultAttestationPolicy()+rule, input)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Rules["shim_ok"] == true; got != tc.want {
			t.Errorf("reference %s…: shim_ok = %v, want %v", tc.ref[:8], got, tc.want)
		}
	}
}
