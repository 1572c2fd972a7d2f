package trustee

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	emu "github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbs/client"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/testenv"
)

// TestSNPEmulatedEndToEnd is issue 4's snp-emulated acceptance at the
// trustee level, with the real emulated attester, KBS client, verifier,
// attestation policy (trustgate up's) and default resource policy:
//   - without --dev-emulated-snp-root, snp-emulated evidence is refused at
//     attestation, and the audit says why;
//   - with the dev root, a guest whose launch measurement and initdata
//     digest match the registered reference values gets the secret, and one
//     whose measurement or initdata digest differs, or whose policy allows
//     debug, does not.
func TestSNPEmulatedEndToEnd(t *testing.T) {
	ctx := context.Background()
	chain := t.TempDir()
	if _, err := emu.GenerateRoot(chain); err != nil {
		t.Fatal(err)
	}
	rego, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "internal", "up", "emulated.rego"))
	if err != nil {
		t.Fatal(err)
	}
	attPolicy := policy.DefaultAttestationPolicy() + "\n" + string(rego) // = up.AttestationPolicy()
	measurement := bytes.Repeat([]byte{0x5a}, 48)
	otherMeasurement := bytes.Repeat([]byte{0x5b}, 48)
	digest := sha256.Sum256([]byte("initdata of the registered workload"))
	otherDigest := sha256.Sum256([]byte("initdata of another workload"))
	const secret = "emulated-secret-value"

	fetch := func(t *testing.T, inst *Instance, dir string, cfg emu.Config) ([]byte, error) {
		t.Helper()
		cfg.Dir = chain
		a, err := emu.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := os.ReadFile(filepath.Join(dir, "tls.crt"))
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		c, err := client.New(client.Options{URL: inst.URL, Attester: a, RootCAs: pool, HandshakeAttempts: 1, ResourceAttempts: 1, RetryDelay: -1})
		if err != nil {
			t.Fatal(err)
		}
		return c.GetResource(ctx, "default", "emu", "secret")
	}
	lastAudit := func(t *testing.T, ac *kbsadmin.Client, kind string) audit.Event {
		t.Helper()
		evs, err := ac.Audit(ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].Kind == kind {
				return evs[i]
			}
		}
		t.Fatalf("no %s audit event in %+v", kind, evs)
		return audit.Event{}
	}
	setup := func(t *testing.T, ac *kbsadmin.Client) {
		t.Helper()
		for _, err := range []error{
			ac.SetResource(ctx, "default/emu/secret", []byte(secret)),
			ac.SetAttestationPolicy(ctx, policy.DefaultAttestationPolicyID, []byte(attPolicy)),
			ac.SetReferenceValue(ctx, "snp_launch_measurement", []any{hex.EncodeToString(measurement)}, time.Time{}),
			ac.SetReferenceValue(ctx, "init_data", []any{hex.EncodeToString(digest[:])}, time.Time{}),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("without the dev root", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
		ac := adminFor(t, inst, dir)
		setup(t, ac)
		_, err := fetch(t, inst, dir, emu.Config{Measurement: measurement, InitDataDigest: digest[:]})
		var se *client.StatusError
		if !errors.As(err, &se) || se.Op != "attest" || se.Status != 401 || se.Info.Variant() != kbs.AttestationError || !strings.Contains(se.Info.Detail, attest.TeeSNPEmulated) {
			t.Fatalf("snp-emulated evidence without the dev root: %v", err)
		}
		ev := lastAudit(t, ac, audit.KindAttest)
		if ev.Outcome != audit.OutcomeDeny || ev.Tee != attest.TeeSNPEmulated || !strings.Contains(ev.Reason, "--dev-emulated-snp-root") {
			t.Fatalf("audit: %+v", ev)
		}
	})

	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) {
		c.DataDir = dir
		c.DevEmulatedSNPRoot = filepath.Join(chain, emu.ARKFile)
	}, quiet())
	ac := adminFor(t, inst, dir)
	setup(t, ac)

	t.Run("matching guest gets the secret", func(t *testing.T) {
		got, err := fetch(t, inst, dir, emu.Config{Measurement: measurement, InitDataDigest: digest[:]})
		if err != nil || string(got) != secret {
			t.Fatalf("%q %v", got, err)
		}
		if ev := lastAudit(t, ac, audit.KindResource); ev.Outcome != audit.OutcomeAllow || ev.Tee != attest.TeeSNPEmulated {
			t.Fatalf("audit: %+v", ev)
		}
	})
	for _, tc := range []struct {
		name      string
		cfg       emu.Config
		op        string
		variant   kbs.Variant
		auditKind string
		reason    string
	}{
		{"other measurement", emu.Config{Measurement: otherMeasurement, InitDataDigest: digest[:]}, "resource", kbs.PolicyDeny, audit.KindResource, "resource policy denied default/emu/secret"},
		{"other initdata", emu.Config{Measurement: measurement, InitDataDigest: otherDigest[:]}, "resource", kbs.PolicyDeny, audit.KindResource, "resource policy denied"},
		{"debug allowed", emu.Config{Measurement: measurement, InitDataDigest: digest[:], Debug: true}, "attest", kbs.AttestationError, audit.KindAttest, "debug_policy check failed"},
	} {
		t.Run(tc.name+" is denied", func(t *testing.T) {
			got, err := fetch(t, inst, dir, tc.cfg)
			var se *client.StatusError
			if !errors.As(err, &se) || se.Op != tc.op || se.Status != 401 || se.Info.Variant() != tc.variant {
				t.Fatalf("got %q, %v; want %s %s", got, err, tc.op, tc.variant)
			}
			if ev := lastAudit(t, ac, tc.auditKind); ev.Outcome != audit.OutcomeDeny || !strings.Contains(ev.Reason, tc.reason) {
				t.Fatalf("audit: %+v", ev)
			}
		})
	}
}
