package as

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	vsample "github.com/trustgate/trustgate/internal/attest/sample"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	asample "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
)

type rv map[string][]any

func (r rv) Query(_ context.Context, n string) ([]any, error) { return r[n], nil }

type policies map[string]string

func (p policies) AttestationPolicy(_ context.Context, id string) (string, bool, error) {
	s, ok := p[id]
	return s, ok, nil
}

func newService(t testing.TB, refs rv, ps PolicyStore) (*Service, *ear.Issuer) {
	t.Helper()
	// The sample verifier directly, not catalog.Build: these tests must
	// not depend on every other TEE package building.
	vs := map[string]attest.Verifier{attest.TeeSample: vsample.Verifier{}}
	k, _ := ear.GenerateKey()
	iss, err := ear.NewIssuer(k, ear.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Verifiers: vs, Policies: ps, Engine: policy.NewEngine(refs), Issuer: iss})
	if err != nil {
		t.Fatal(err)
	}
	return s, iss
}

// guestAttestation builds what a guest sends: evidence from the sample
// attester bound to nonce and key (bindNonce lets a test bind another nonce).
func guestAttestation(t testing.TB, nonce, bindNonce string, a *asample.Attester, init *kbs.InitData) *kbs.Attestation {
	t.Helper()
	_, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := a.Evidence(context.Background(), kbs.ReportData(bindNonce, pub, ""))
	if err != nil {
		t.Fatal(err)
	}
	return &kbs.Attestation{
		InitData:    init,
		RuntimeData: kbs.RuntimeData{Nonce: nonce, TeePubKey: pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev},
	}
}

var sampleRefs = rv{"launch_digest": {"abcde"}, "svn": {"1"}, "major_version": {1}, "minimum_minor_version": {0}}

func TestAttestIssues(t *testing.T) {
	tests := []struct {
		name   string
		refs   rv
		status string
	}{
		// As upstream, a token is issued whatever the trust vector.
		{"no reference values", nil, "contraindicated"},
		{"matching reference values", sampleRefs, "affirming"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, iss := newService(t, tc.refs, nil)
			att := guestAttestation(t, "nonce-1", "nonce-1", &asample.Attester{}, nil)
			res, err := s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "nonce-1", Attestation: att})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeIssued || res.Status != tc.status || res.Token == "" || res.PolicyID != "default" {
				t.Fatalf("%+v", res)
			}
			tok, err := ear.NewVerifier(iss.PublicKey()).Verify(res.Token)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Status("cpu0") != tc.status {
				t.Fatalf("token status %s", tok.Status("cpu0"))
			}
			k, err := tok.TeePubKey()
			if err != nil || k != att.RuntimeData.TeePubKey {
				t.Fatalf("token key %+v %v", k, err)
			}
			ae := tok.Claims["submods"].(map[string]any)["cpu0"].(map[string]any)["ear.veraison.annotated-evidence"].(map[string]any)
			if ae["sample"].(map[string]any)["svn"] != "1" {
				t.Fatalf("annotated evidence %v", ae)
			}
			if ae["report_data"] != hex.EncodeToString(kbs.ReportData("nonce-1", att.RuntimeData.TeePubKey, "")) {
				t.Fatalf("report_data %v", ae["report_data"])
			}
			if !strings.Contains(strings.Join(res.Explain(), ";"), "hardware = ") {
				t.Fatalf("explain %v", res.Explain())
			}
			if len(res.ClaimsDigest) != 64 || res.ClaimsDigest != ClaimsDigest(tok.Claims) {
				t.Fatalf("claims digest %q", res.ClaimsDigest)
			}
		})
	}
}

func TestAttestDenies(t *testing.T) {
	s, _ := newService(t, sampleRefs, nil)
	good := func() *kbs.Attestation { return guestAttestation(t, "n1", "n1", &asample.Attester{}, nil) }
	otherKey := good()
	_, other, _ := jwe.GenerateKey(jwe.KeyP256)
	otherKey.RuntimeData.TeePubKey = other // evidence binds a different key
	otherAddl := good()
	otherAddl.TeeEvidence.AdditionalEvidence = `{"nvidia":{}}`
	tests := []struct {
		name   string
		req    Request
		reason string
	}{
		{"nonce mismatch", Request{Tee: "sample", SessionNonce: "n2", Attestation: good()}, "nonce mismatch"},
		{"empty session nonce", Request{Tee: "sample", SessionNonce: "", Attestation: guestAttestation(t, "", "", &asample.Attester{}, nil)}, "nonce mismatch"},
		{"evidence bound to other nonce", Request{Tee: "sample", SessionNonce: "n1", Attestation: guestAttestation(t, "n1", "n0", &asample.Attester{}, nil)}, "evidence: report_data"},
		{"evidence bound to other key", Request{Tee: "sample", SessionNonce: "n1", Attestation: otherKey}, "evidence: report_data"},
		{"additional evidence not bound", Request{Tee: "sample", SessionNonce: "n1", Attestation: otherAddl}, "evidence: report_data"},
		{"unknown tee", Request{Tee: "cca", SessionNonce: "n1", Attestation: good()}, "unknown tee"},
		{"no attestation", Request{Tee: "sample", SessionNonce: "n1"}, "no attestation"},
		{"bad initdata", Request{Tee: "sample", SessionNonce: "n1", Attestation: guestAttestation(t, "n1", "n1", &asample.Attester{}, &kbs.InitData{Format: "toml", Body: "version = 1"})}, "invalid initdata"},
	}
	for _, tc := range tests {
		res, err := s.Attest(context.Background(), tc.req)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		var ke *kbs.Error
		if !errors.As(err, &ke) || ke.Variant != kbs.AttestationError || kbs.Status(err) != 401 {
			t.Errorf("%s: error %v", tc.name, err)
		}
		if res == nil || res.Outcome != OutcomeDenied || res.Reason != tc.reason || res.Token != "" {
			t.Errorf("%s: result %+v", tc.name, res)
		}
	}
	if _, err := s.Attest(context.Background(), Request{Tee: "cca", SessionNonce: "n1", Attestation: good()}); !errors.Is(err, attest.ErrUnknownTee) {
		t.Errorf("unknown tee error does not wrap attest.ErrUnknownTee: %v", err)
	}
}

func TestAttestInitData(t *testing.T) {
	dir := vectors.Dir("trustee/initdata")
	raw, err := os.ReadFile(filepath.Join(dir, "init-data-with-policy.toml"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, iss := newService(t, sampleRefs, nil)
	init := &kbs.InitData{Format: "toml", Body: string(raw)}

	att := guestAttestation(t, "n", "n", &asample.Attester{InitDataDigest: id.Digest()}, init)
	res, err := s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "n", Attestation: att})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := ear.NewVerifier(iss.PublicKey()).Verify(res.Token)
	ae := tok.Claims["submods"].(map[string]any)["cpu0"].(map[string]any)["ear.veraison.annotated-evidence"].(map[string]any)
	if ae["init_data"] != hex.EncodeToString(id.Digest()) {
		t.Fatalf("init_data %v", ae["init_data"])
	}
	if _, ok := ae["init_data_claims"].(map[string]any)["data"].(map[string]any)["policy.rego"]; !ok {
		t.Fatalf("init_data_claims %v", ae["init_data_claims"])
	}

	// Evidence bound to other initdata is refused.
	att = guestAttestation(t, "n", "n", &asample.Attester{InitDataDigest: make([]byte, 32)}, init)
	res, err = s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "n", Attestation: att})
	if err == nil || res.Reason != "evidence: init_data" {
		t.Fatalf("mismatched initdata: %+v %v", res, err)
	}
}

func TestAttestPolicies(t *testing.T) {
	strict := `package policy
trust_claims := {"hardware": 99}
`
	s, _ := newService(t, sampleRefs, policies{"default_cpu": strict, "broken_cpu": "package policy\nx := 1\n"})
	att := guestAttestation(t, "n", "n", &asample.Attester{}, nil)
	res, err := s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "n", Attestation: att})
	if err != nil || res.Status != "contraindicated" {
		t.Fatalf("stored default_cpu not used: %+v %v", res, err)
	}
	for _, id := range []string{"broken", "missing"} {
		res, err = s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "n", Attestation: att, PolicyID: id})
		var ke *kbs.Error
		if !errors.As(err, &ke) || ke.Variant != kbs.PolicyEngineError || res.Outcome != OutcomeError || res.Token != "" {
			t.Fatalf("%s: %+v %v", id, res, err)
		}
	}
}

// The evidence a guest sends is checked against the digest, not trusted: a
// hand-built sample evidence with the right report data passes, one with the
// wrong data does not, whatever the JSON around it.
func TestSampleEvidenceBindingByHand(t *testing.T) {
	s, _ := newService(t, nil, nil)
	_, pub, _ := jwe.GenerateKey(jwe.KeyP256)
	rd := kbs.ReportData("n", pub, "")
	for _, tc := range []struct {
		ev string
		ok bool
	}{
		{`{"svn":"1","report_data":"` + base64.StdEncoding.EncodeToString(rd) + `"}`, true},
		{`{"svn":"1","report_data":"` + base64.StdEncoding.EncodeToString(rd[:47]) + `"}`, false},
		{`{"svn":"1","report_data":"` + strings.Repeat("A", 64) + `"}`, false},
	} {
		att := &kbs.Attestation{RuntimeData: kbs.RuntimeData{Nonce: "n", TeePubKey: pub}, TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: json.RawMessage(tc.ev)}}
		_, err := s.Attest(context.Background(), Request{Tee: "sample", SessionNonce: "n", Attestation: att})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.ev, err)
		}
	}
}

func BenchmarkAttestSample(b *testing.B) {
	s, _ := newService(b, sampleRefs, nil)
	att := guestAttestation(b, "n", "n", &asample.Attester{}, nil)
	req := Request{Tee: "sample", SessionNonce: "n", Attestation: att}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Attest(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
