package verifycli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/policy"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSNPVectors(t *testing.T) {
	snpDir := vectors.Dir("trustee/snp")
	aa := filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json")
	cases := []struct {
		name  string
		args  []string
		code  int
		check string
	}{
		{"raw-report", []string{"--tee", "snp", "--evidence", filepath.Join(snpDir, "test-report.bin"), "--vcek", filepath.Join(snpDir, "test-vcek.der"), "--now", "2024-01-01T00:00:00Z"}, 0, ""},
		{"aa-evidence", []string{"--tee", "snp", "--evidence", aa, "--now", "2025-06-01T00:00:00Z"}, 0, ""},
		{"wrong-nonce", []string{"--tee", "snp", "--evidence", aa, "--now", "2025-06-01T00:00:00Z", "--nonce-digest", "00ff"}, 1, "report_data"},
		{"wrong-initdata", []string{"--tee", "snp", "--evidence", aa, "--now", "2025-06-01T00:00:00Z", "--initdata-digest", "01"}, 1, "init_data"},
		{"invalid-vcek", []string{"--tee", "snp", "--evidence", filepath.Join(snpDir, "test-report.bin"), "--vcek", filepath.Join(snpDir, "test-vcek-invalid-new.der"), "--now", "2024-01-01T00:00:00Z"}, 1, ""},
		{"expired", []string{"--tee", "snp", "--evidence", aa, "--now", "2099-01-01T00:00:00Z"}, 1, "cert_chain"},
		{"below-minimum-tcb", []string{"--tee", "snp", "--evidence", aa, "--now", "2025-06-01T00:00:00Z", "--snp-minimum-tcb", "Genoa:snp=24"}, 1, "tcb"},
		{"at-minimum-tcb", []string{"--tee", "snp", "--evidence", aa, "--now", "2025-06-01T00:00:00Z", "--snp-minimum-tcb", "Genoa:bl=10,snp=23"}, 0, ""},
		{"bad-minimum-tcb", []string{"--tee", "snp", "--evidence", aa, "--snp-minimum-tcb", "Rome:snp=1"}, 2, ""},
		{"usage", []string{"--tee", "snp"}, 2, ""},
		{"bad-now", []string{"--tee", "snp", "--evidence", aa, "--now", "yesterday"}, 2, ""},
		{"unknown-tee", []string{"--tee", "nope", "--evidence", aa}, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := run(tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if tc.check != "" && !strings.Contains(stderr, `check "`+tc.check+`"`) {
				t.Fatalf("stderr does not name check %q: %s", tc.check, stderr)
			}
			if code == 0 {
				var o Output
				if err := json.Unmarshal([]byte(out), &o); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, out)
				}
				if o.Claims["measurement"] == nil {
					t.Fatalf("no measurement claim: %s", out)
				}
			}
		})
	}
}

func TestTDXRawQuote(t *testing.T) {
	q := filepath.Join(vectors.Dir("trustee/tdx"), "tdx_quote_4.dat")
	if code, _, stderr := run("--tee", "tdx", "--evidence", q, "--now", "2024-01-01T00:00:00Z"); code != 1 || !strings.Contains(stderr, `"debug"`) {
		t.Fatalf("debug quote without --allow-debug: exit %d %s", code, stderr)
	}
	code, out, stderr := run("--tee", "tdx", "--evidence", q, "--now", "2024-01-01T00:00:00Z", "--allow-debug")
	var o Output
	if code != 0 || json.Unmarshal([]byte(out), &o) != nil || !strings.Contains(out, "mr_td") {
		t.Fatalf("exit %d; stdout must be the claims JSON only; %s %s", code, stderr, out)
	}
}

func TestEmulatedWithPolicy(t *testing.T) {
	dir := t.TempDir()
	if _, err := emu.GenerateRoot(dir); err != nil {
		t.Fatal(err)
	}
	a, err := emu.New(emu.Config{Dir: dir, Measurement: []byte{1, 2, 3}, InitDataDigest: []byte{9}})
	if err != nil {
		t.Fatal(err)
	}
	rd := bytes.Repeat([]byte{0xab}, 48)
	ev, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	evPath := filepath.Join(dir, "ev.json")
	os.WriteFile(evPath, ev, 0o600)
	polPath := filepath.Join(dir, "policy.rego")
	os.WriteFile(polPath, []byte(policy.DefaultAttestationPolicy()), 0o600)
	root := filepath.Join(dir, emu.ARKFile)

	code, out, stderr := run("--tee", "snp-emulated", "--evidence", evPath, "--dev-emulated-snp-root", root,
		"--nonce-digest", hex.EncodeToString(rd), "--policy", polPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var o Output
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	if o.Claims["emulated"] != true || o.Policy == nil || len(o.Policy.TrustVector) != 8 || o.Policy.Status == "" {
		t.Fatalf("output: %s", out)
	}
	if !strings.Contains(stderr, "INSECURE") {
		t.Errorf("no loud warning: %s", stderr)
	}
	// Without the dev root flag the TEE is unavailable.
	if code, _, _ := run("--tee", "snp-emulated", "--evidence", evPath); code != 1 {
		t.Fatalf("without root: exit %d", code)
	}
	// Environment variables stand in for flags.
	t.Setenv("TRUSTGATE_TRUSTEE_DEV_EMULATED_SNP_ROOT", root)
	if code, _, stderr := run("--tee", "snp-emulated", "--evidence", evPath); code != 0 {
		t.Fatalf("root from env: exit %d %s", code, stderr)
	}
}

// TestTDXOfflineCollateral: `trustee verify --collateral` appraises the TCB
// from an imported bundle (Intel's real collateral for tdx_quote_4's
// platform) and names a failing collateral check.
func TestTDXOfflineCollateral(t *testing.T) {
	q := filepath.Join(vectors.Dir("trustee/tdx"), "tdx_quote_4.dat")
	bundle := filepath.Join(t.TempDir(), "collateral.json")
	if err := os.WriteFile(bundle, vectors.IntelCollateralBundle(t), 0o600); err != nil {
		t.Fatal(err)
	}
	at := vectors.IntelCollateralTime.Format(time.RFC3339)
	code, out, stderr := run("--tee", "tdx", "--evidence", q, "--now", at, "--allow-debug", "--collateral", bundle)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var o Output
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Claims["tcb_status"] != "UpToDate" || o.Claims["collateral_expiration_status"] != "0" {
		t.Fatalf("claims %v (%v)", o.Claims, err)
	}
	late := vectors.IntelCollateralTime.AddDate(0, 3, 0).Format(time.RFC3339)
	if code, _, stderr := run("--tee", "tdx", "--evidence", q, "--now", late, "--allow-debug", "--collateral", bundle); code != 1 || !strings.Contains(stderr, `check "collateral"`) {
		t.Fatalf("expired collateral: exit %d %s", code, stderr)
	}
}
