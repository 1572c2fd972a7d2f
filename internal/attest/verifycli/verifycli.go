// Package verifycli implements `trustee verify`: offline verification of one
// piece of evidence, printing the claims a policy would see (and, with
// --policy, the trust vector and rule values the attestation policy
// produces), so operators can tell why evidence fails without patching code.
package verifycli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/catalog"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/snp"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/policy"
)

const usage = `usage: trustee verify --tee TEE --evidence FILE [flags]

Verifies evidence offline and prints the claims as JSON. Exit status: 0 when
the evidence verifies, 1 when a check fails (the check is named on stderr),
2 on a usage error. FILE is the TEE's evidence JSON as the guest sends it
("primary_evidence"), or for snp a raw 1184-byte report (with --vcek) and for
tdx a raw quote. Every flag can also be set as TRUSTEE_<FLAG> (e.g.
TRUSTEE_NOW), or as the older TRUSTGATE_TRUSTEE_<FLAG>.

flags:
`

// maxFileSize bounds the files read (evidence, policy, bundle).
const maxFileSize = 64 << 20

// Output is what `trustee verify` prints on stdout.
type Output struct {
	Tee    string        `json:"tee"`
	Claims attest.Claims `json:"claims"`
	Policy *PolicyResult `json:"policy,omitempty"`
}

// PolicyResult is the attestation policy's appraisal of the claims.
type PolicyResult struct {
	Status      string         `json:"status"`
	TrustVector map[string]int `json:"trust_vector"`
	// Rules holds the value of every other rule of the policy (e.g.
	// "hardware": 2), which shows which rules fired for each trust claim.
	Rules map[string]any `json:"rules"`
}

// Main runs `trustee verify` with args (without the "verify" word).
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trustee verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	tee := fs.String("tee", "", "TEE name: "+strings.Join(catalog.Names(), ", "))
	evidencePath := fs.String("evidence", "", "evidence file (- for stdin)")
	nonceHex := fs.String("nonce-digest", "", "expected runtime-data digest (hex) bound as REPORT_DATA / quote nonce; unchecked when empty")
	initHex := fs.String("initdata-digest", "", "expected initdata digest (hex) bound as HOST_DATA / MRCONFIGID / PCR 8; unchecked when empty")
	nowStr := fs.String("now", "", "verification time (RFC 3339) for certificate and collateral validity; default the current time")
	policyPath := fs.String("policy", "", "attestation policy (Rego) to appraise the claims with")
	vcekPath := fs.String("vcek", "", "snp raw report: VCEK or VLEK certificate (DER or PEM)")
	bundlePath := fs.String("collateral", "", "collateral bundle (trustee admin collateral export) used offline; TDX collateral and the SNP/az-snp-vtpm CRL check then apply, as on a trustee server")
	minTCB := fs.String("snp-minimum-tcb", "", "snp, az-snp-vtpm: minimum reported TCB per product line, e.g. Milan:bl=3,tee=0,snp=8,ucode=115;Genoa:snp=14")
	devRoot := fs.String("dev-emulated-snp-root", "", "snp-emulated: the development ARK (PEM)")
	allowDebug := fs.Bool("allow-debug", false, "accept debug-enabled guests (refused by default)")
	cliflags.DocumentEnv(fs, "TRUSTEE_")
	if err := fs.Parse(args); err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // flag printed it; 0 for -h
	}
	// trustee's variables: TRUSTEE_<FLAG>, then the older TRUSTGATE_TRUSTEE_<FLAG>.
	for _, prefix := range []string{"TRUSTEE_", "TRUSTGATE_TRUSTEE_"} {
		if err := cliflags.EnvDefaults(fs, prefix); err != nil {
			return cliflags.Report(stderr, "trustee verify", cliflags.AsUsage(err))
		}
	}
	if *tee == "" || *evidencePath == "" || fs.NArg() != 0 {
		fs.Usage()
		return cliflags.ExitUsage
	}
	now := time.Now
	if *nowStr != "" {
		t, err := time.Parse(time.RFC3339, *nowStr)
		if err != nil {
			fmt.Fprintf(stderr, "trustee verify: --now: %v\n", err)
			return cliflags.ExitUsage
		}
		now = func() time.Time { return t }
	}
	var want attest.Expected
	var err error
	if want.ReportData, err = optHex(*nonceHex); err != nil {
		fmt.Fprintf(stderr, "trustee verify: --nonce-digest: %v\n", err)
		return cliflags.ExitUsage
	}
	if want.InitDataDigest, err = optHex(*initHex); err != nil {
		fmt.Fprintf(stderr, "trustee verify: --initdata-digest: %v\n", err)
		return cliflags.ExitUsage
	}
	evidence, err := readFile(*evidencePath)
	if err != nil {
		fmt.Fprintf(stderr, "trustee verify: --evidence: %v\n", err)
		return cliflags.ExitUsage
	}
	ctx := context.Background()
	opts := catalog.Options{Now: now, AllowDebug: *allowDebug, Logger: slog.New(slog.NewTextHandler(stderr, nil))}
	if *bundlePath != "" {
		b, err := readFile(*bundlePath)
		if err != nil {
			fmt.Fprintf(stderr, "trustee verify: --collateral: %v\n", err)
			return cliflags.ExitUsage
		}
		cache := collateral.NewMemCache()
		if _, err := collateral.Import(ctx, cache, bytes.NewReader(b)); err != nil {
			fmt.Fprintf(stderr, "trustee verify: --collateral: %v\n", err)
			return cliflags.ExitUsage
		}
		opts.Cache = cache // no HTTP client: offline, from the bundle only
	}
	if opts.SNPMinimumTCB, err = snp.ParseMinimumTCB(*minTCB); err != nil {
		fmt.Fprintf(stderr, "trustee verify: --snp-minimum-tcb: %v\n", err)
		return cliflags.ExitUsage
	}
	var vcek []byte
	if *vcekPath != "" {
		if vcek, err = readFile(*vcekPath); err != nil {
			fmt.Fprintf(stderr, "trustee verify: --vcek: %v\n", err)
			return cliflags.ExitUsage
		}
		if blk, _ := pem.Decode(vcek); blk != nil {
			vcek = blk.Bytes
		}
	}
	if *devRoot != "" {
		if opts.DevEmulatedSNPRoot, err = snpemu.LoadRoot(*devRoot); err != nil {
			fmt.Fprintf(stderr, "trustee verify: --dev-emulated-snp-root: %v\n", err)
			return 1
		}
	}
	claims, err := verify(ctx, *tee, opts, evidence, vcek, want)
	if err != nil {
		if check := attest.FailedCheck(err); check != "" {
			fmt.Fprintf(stderr, "trustee verify: FAILED check %q: %v\n", check, err)
			return 1
		}
		fmt.Fprintf(stderr, "trustee verify: %v\n", err)
		return 1
	}
	out := Output{Tee: *tee, Claims: claims}
	if *policyPath != "" {
		src, err := readFile(*policyPath)
		if err != nil {
			fmt.Fprintf(stderr, "trustee verify: --policy: %v\n", err)
			return cliflags.ExitUsage
		}
		a, err := policy.NewEngine(nil).Appraise(ctx, string(src), AnnotatedEvidence(*tee, claims, want))
		if err != nil {
			fmt.Fprintf(stderr, "trustee verify: policy: %v\n", err)
			return 1
		}
		out.Policy = &PolicyResult{Status: a.Status, TrustVector: a.TrustVector, Rules: a.Rules}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "trustee verify: %v\n", err)
		return 1
	}
	return 0
}

// AnnotatedEvidence is the attestation policy input the attestation service
// builds: claims nested under the TEE name, plus the hoisted bindings.
func AnnotatedEvidence(tee string, claims attest.Claims, want attest.Expected) map[string]any {
	// Round-trip through JSON so the policy sees plain JSON values.
	var c map[string]any
	b, _ := json.Marshal(claims)
	_ = json.Unmarshal(b, &c)
	in := map[string]any{tee: c, "init_data_claims": nil, "runtime_data_claims": nil}
	if want.ReportData != nil {
		in["report_data"] = hex.EncodeToString(want.ReportData)
	}
	if want.InitDataDigest != nil {
		in["init_data"] = hex.EncodeToString(want.InitDataDigest)
	}
	return in
}

func isJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// verify builds tee's verifier from the catalog, as a trustee server does,
// and verifies evidence: the evidence JSON, or raw hardware evidence (an SNP
// report with its VCEK or VLEK, a TDX quote) for a verifier that takes it.
func verify(ctx context.Context, tee string, opts catalog.Options, evidence, endorsement []byte, want attest.Expected) (attest.Claims, error) {
	v, err := catalog.BuildOne(tee, opts)
	if err != nil {
		return nil, err
	}
	if rv, ok := v.(attest.RawVerifier); ok && !isJSON(evidence) {
		return rv.VerifyRaw(ctx, evidence, endorsement, want)
	}
	return v.Verify(ctx, evidence, want)
}

func optHex(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return hex.DecodeString(strings.TrimPrefix(s, "0x"))
}

func readFile(path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s exceeds %d bytes", path, maxFileSize)
	}
	return b, nil
}
