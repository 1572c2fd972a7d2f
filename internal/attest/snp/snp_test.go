package snp

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/testenv"
)

type vector struct {
	name   string
	report []byte
	certs  Certs
	now    time.Time
	debug  bool
	vmpl   uint32
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clockFor returns a time at which the endorsement certificate is valid, so
// that tests never depend on the wall clock.
func clockFor(t testing.TB, der []byte) time.Time {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c.NotBefore.Add(24 * time.Hour)
}

func rawVectors(t testing.TB) []vector {
	t.Helper()
	var vs []vector
	dir := filepath.Join(testenv.ModuleDir(t, "github.com/google/go-sev-guest"), "verify", "testdata")
	vcek := readFile(t, filepath.Join(dir, "vcek.testcer"))
	vs = append(vs, vector{name: "go-sev-guest/attestation.bin", report: readFile(t, filepath.Join(dir, "attestation.bin")),
		certs: Certs{VCEK: vcek}, now: clockFor(t, vcek), debug: true})
	return vs
}

func trusteeVectors(t testing.TB) []vector {
	t.Helper()
	dir := vectors.Dir("trustee/snp")
	vcek := readFile(t, filepath.Join(dir, "test-vcek.der"))
	vlek := readFile(t, filepath.Join(dir, "test-vlek.der"))
	vs := []vector{
		{name: "trustee/test-report.bin", report: readFile(t, filepath.Join(dir, "test-report.bin")), certs: Certs{VCEK: vcek}, now: clockFor(t, vcek)},
		{name: "trustee/test-vlek-report.bin", report: readFile(t, filepath.Join(dir, "test-vlek-report.bin")), certs: Certs{VLEK: vlek}, now: clockFor(t, vlek), vmpl: 1},
	}
	aa := readFile(t, filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json"))
	ev, err := ParseEvidence(aa)
	if err != nil {
		t.Fatalf("ParseEvidence(evidence.json): %v", err)
	}
	vs = append(vs, vector{name: "trustee/snp-aa-evidence", report: ev.Report, certs: ev.Certs, now: clockFor(t, ev.Certs.VCEK)})
	return vs
}

func (vc vector) verifier() *Verifier {
	return mustNew(Config{Now: func() time.Time { return vc.now }, AllowDebug: vc.debug, VMPL: vc.vmpl})
}

func mustNew(cfg Config) *Verifier {
	v, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return v
}

func TestVerifyVectors(t *testing.T) {
	vs := append(rawVectors(t), trusteeVectors(t)...)
	for _, vc := range vs {
		t.Run(vc.name, func(t *testing.T) {
			want := attest.Expected{ReportData: ReportData(vc.report)}
			claims, err := vc.verifier().VerifyReport(context.Background(), vc.report, vc.certs, want)
			if err != nil {
				t.Fatalf("VerifyReport: %v", err)
			}
			for _, k := range []string{ClaimMeasurement, ClaimReportedTCBBootloader, ClaimReportedTCBTEE, ClaimReportedTCBSNP,
				ClaimReportedTCBMicrocode, ClaimPolicyDebugAllowed, ClaimPolicyMigrateMA, ClaimPlatformSMTEnabled, ClaimReportData, ClaimInitData} {
				if _, ok := claims[k]; !ok {
					t.Errorf("claim %q missing", k)
				}
			}
			// The JSON form round-trips to the same bytes and verifies too.
			js, err := MarshalEvidence(vc.report, vc.certs)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := vc.verifier().Verify(context.Background(), js, want); err != nil {
				t.Fatalf("Verify(JSON): %v", err)
			}
		})
	}
}

func TestAAEvidenceMeasurementFlip(t *testing.T) {
	aa := readFile(t, filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json"))
	ev, err := ParseEvidence(aa)
	if err != nil {
		t.Fatal(err)
	}
	v := mustNew(Config{Now: func() time.Time { return clockFor(t, ev.Certs.VCEK) }})
	if _, err := v.Verify(context.Background(), aa, attest.Expected{}); err != nil {
		t.Fatalf("Verify(evidence.json): %v", err)
	}
	for bit := 0; bit < 48*8; bit++ {
		r := append([]byte(nil), ev.Report...)
		r[0x90+bit/8] ^= 1 << (bit % 8)
		_, err := v.VerifyReport(context.Background(), r, ev.Certs, attest.Expected{})
		if attest.FailedCheck(err) != CheckSignature {
			t.Fatalf("measurement bit %d flipped: err = %v, want %s failure", bit, err, CheckSignature)
		}
	}
}

// TestBitFlips flips one bit at 1,000 seeded random positions of each report
// and requires verification to fail every time.
func TestBitFlips(t *testing.T) {
	vs := append(rawVectors(t), trusteeVectors(t)...)
	if testing.Short() {
		vs = vs[:1]
	}
	for _, vc := range vs {
		t.Run(vc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(42))
			v := vc.verifier()
			for i := 0; i < 1000; i++ {
				pos := rng.Intn(len(vc.report) * 8)
				r := append([]byte(nil), vc.report...)
				r[pos/8] ^= 1 << (pos % 8)
				if _, err := v.VerifyReport(context.Background(), r, vc.certs, attest.Expected{}); err == nil {
					t.Fatalf("bit %d (byte 0x%x) flipped: verification succeeded", pos, pos/8)
				}
			}
		})
	}
}

func TestRejects(t *testing.T) {
	dir := vectors.Dir("trustee/snp")
	report := readFile(t, filepath.Join(dir, "test-report.bin"))
	vcek := readFile(t, filepath.Join(dir, "test-vcek.der"))
	vlek := readFile(t, filepath.Join(dir, "test-vlek.der"))
	now := clockFor(t, vcek)
	ctx := context.Background()
	v := mustNew(Config{Now: func() time.Time { return now }})
	cases := []struct {
		name  string
		certs Certs
		want  attest.Expected
		check string
	}{
		{"invalid-legacy-vcek", Certs{VCEK: readFile(t, filepath.Join(dir, "test-vcek-invalid-legacy.der"))}, attest.Expected{}, ""},
		{"invalid-new-vcek", Certs{VCEK: readFile(t, filepath.Join(dir, "test-vcek-invalid-new.der"))}, attest.Expected{}, ""},
		{"wrong-vcek", Certs{VCEK: readFile(t, filepath.Join(testenv.ModuleDir(t, "github.com/google/go-sev-guest"), "verify", "testdata", "vcek.testcer"))}, attest.Expected{}, ""},
		{"vlek-for-vcek-report", Certs{VLEK: vlek}, attest.Expected{}, CheckEndorsement},
		{"no-vcek-offline", Certs{}, attest.Expected{}, CheckEndorsement},
		{"report-data", Certs{VCEK: vcek}, attest.Expected{ReportData: []byte("other")}, CheckReportData},
		{"init-data", Certs{VCEK: vcek}, attest.Expected{ReportData: ReportData(report), InitDataDigest: []byte{1, 2, 3}}, CheckInitData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.VerifyReport(ctx, report, tc.certs, tc.want)
			if err == nil {
				t.Fatal("verification succeeded")
			}
			var ae *attest.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *attest.Error", err)
			}
			if tc.check != "" && ae.Check != tc.check {
				t.Fatalf("failed check = %q (%v), want %q", ae.Check, err, tc.check)
			}
		})
	}
}

func TestDebugDetected(t *testing.T) {
	vs := rawVectors(t)
	vc := vs[0] // go-sev-guest's real report has the debug policy bit set
	if Policy(vc.report)&(1<<19) == 0 {
		t.Skip("vector does not allow debug")
	}
	strict := mustNew(Config{Now: func() time.Time { return vc.now }})
	_, err := strict.VerifyReport(context.Background(), vc.report, vc.certs, attest.Expected{})
	if attest.FailedCheck(err) != CheckDebug {
		t.Fatalf("err = %v, want %s failure", err, CheckDebug)
	}
	claims, err := vc.verifier().VerifyReport(context.Background(), vc.report, vc.certs, attest.Expected{})
	if err != nil {
		t.Fatal(err)
	}
	if claims[ClaimPolicyDebugAllowed] != "1" {
		t.Fatalf("policy_debug_allowed = %v, want 1", claims[ClaimPolicyDebugAllowed])
	}
}

func TestMinimumTCB(t *testing.T) {
	vc := trusteeVectors(t)[0]
	v := vc.verifier()
	v.cfg.MinimumTCB.SnpSpl = 255
	_, err := v.VerifyReport(context.Background(), vc.report, vc.certs, attest.Expected{})
	if attest.FailedCheck(err) != CheckTCB {
		t.Fatalf("err = %v, want %s failure", err, CheckTCB)
	}
}

// FuzzParseEvidence is seeded with the upstream attestation agent's real
// evidence: a mutation either fails with a named check or, when it leaves
// the signed report intact (JSON spelling, unverified cert entries),
// verifies to the genuine claims. Parsed evidence round-trips through
// MarshalEvidence.
func FuzzParseEvidence(f *testing.F) {
	aa := vectors.Read(f, "trustee/snp-aa-evidence/evidence.json")
	f.Add(aa)
	f.Add([]byte(`{"attestation_report":{},"cert_chain":[]}`))
	ev, err := ParseEvidence(aa)
	if err != nil {
		f.Fatal(err)
	}
	now := clockFor(f, ev.Certs.VCEK)
	v := mustNew(Config{Now: func() time.Time { return now }})
	genuine, err := v.Verify(context.Background(), aa, attest.Expected{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := v.Verify(context.Background(), data, attest.Expected{})
		vectors.CheckVerified(t, claims, err, genuine)
		ev, err := ParseEvidence(data)
		if err != nil {
			return
		}
		js, err := MarshalEvidence(ev.Report, ev.Certs)
		if err != nil {
			t.Fatalf("parsed evidence does not marshal: %v", err)
		}
		again, err := ParseEvidence(js)
		if err != nil || !bytes.Equal(again.Report, ev.Report) {
			t.Fatalf("round trip changed the report: %v", err)
		}
	})
}

// FuzzVerifyReport: a raw report that differs from the signed one in any
// byte never verifies, and failures name their check.
func FuzzVerifyReport(f *testing.F) {
	vs := trusteeVectors(f)
	vc := vs[0]
	f.Add(vc.report)
	f.Add(make([]byte, ReportSize))
	v := vc.verifier()
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := v.VerifyReport(context.Background(), raw, vc.certs, attest.Expected{})
		if err == nil && !bytes.Equal(raw, vc.report) {
			t.Fatal("a mutated report verified")
		}
		if err != nil && attest.FailedCheck(err) == "" {
			t.Fatalf("error does not name the failed check: %v", err)
		}
	})
}

func TestParseEvidenceSkipsOtherCertEntries(t *testing.T) {
	aa := readFile(t, filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json"))
	var doc map[string]any
	if err := json.Unmarshal(aa, &doc); err != nil {
		t.Fatal(err)
	}
	doc["cert_chain"] = append(doc["cert_chain"].([]any), map[string]any{"cert_type": map[string]any{"OTHER": "00000000-0000-0000-0000-000000000000"}, "data": []int{1, 2}})
	js, _ := json.Marshal(doc)
	ev, err := ParseEvidence(js)
	if err != nil || len(ev.Certs.VCEK) == 0 {
		t.Fatalf("ParseEvidence = %v, %v", ev, err)
	}
}

func TestRevocationNeedsCRL(t *testing.T) {
	vc := trusteeVectors(t)[0]
	v := mustNew(Config{Now: func() time.Time { return vc.now }, Getter: &collateral.Getter{Cache: collateral.NewMemCache()}, CheckRevocations: true})
	_, err := v.VerifyReport(context.Background(), vc.report, vc.certs, attest.Expected{})
	if attest.FailedCheck(err) != CheckRevocation {
		t.Fatalf("offline without CRL: err = %v, want %s", err, CheckRevocation)
	}
}

func TestParseByteArray(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{`[]`, []byte{}, true},
		{` [ 1 , 2,255 ] `, []byte{1, 2, 255}, true},
		{`[256]`, nil, false},
		{`[1.5]`, nil, false},
		{`[-1]`, nil, false},
		{`[0001]`, nil, false},
		{`"AQI="`, nil, false},
	} {
		got, ok := parseByteArray([]byte(tc.in))
		if ok != tc.ok || (ok && string(got) != string(tc.want)) {
			t.Errorf("parseByteArray(%s) = %v, %v", tc.in, got, ok)
		}
		var b bytesJSON
		err := json.Unmarshal([]byte(tc.in), &b)
		if tc.ok && (err != nil || string(b) != string(tc.want)) {
			t.Errorf("Unmarshal(%s) = %v, %v", tc.in, b, err)
		}
		if tc.in == `[256]` || tc.in == `[-1]` || tc.in == `"AQI="` {
			if err == nil {
				t.Errorf("Unmarshal(%s) accepted", tc.in)
			}
		}
	}
}
