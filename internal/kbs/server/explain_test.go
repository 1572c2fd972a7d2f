package server

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/auditlog"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/refvalue"
)

func auditEvents(t *testing.T, h *harness) []audit.Event {
	t.Helper()
	evs, err := auditlog.New(h.st).Since(context.Background(), 0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func lastOfKind(t *testing.T, evs []audit.Event, kind string) audit.Event {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			return evs[i]
		}
	}
	t.Fatalf("no %s event", kind)
	return audit.Event{}
}

func hasPrefixed(l []string, prefix string) string {
	for _, s := range l {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}

// TestRefusalExplainsItself: the hospital workload's initdata (cocofy's
// output) attests with the sample TEE while another digest is registered;
// the release is refused by the default policy, and its audit event names
// the rule, the claims involved (ear.status, the initdata digests, the
// software TEE) and the workload; the attest event carries the rule values.
func TestRefusalExplainsItself(t *testing.T) {
	h := newHarness(t)
	h.mustAdmin("POST", "/kbs/v0/resource/default/azure/conn", []byte(secret))
	raw, err := os.ReadFile("testdata/hospital-initdata.toml")
	if err != nil {
		t.Fatal(err)
	}
	registered := strings.Repeat("d14c", 16)
	msg, _ := refvalue.NewMessage(refvalue.Values{"init_data": {registered}}, time.Time{})
	h.mustAdmin("POST", "/kbs/v0/reference-value", msg)
	sum := sha256.Sum256(raw)
	sent := hex.EncodeToString(sum[:])

	g := h.guest()
	if r := g.attestWithInitData(string(raw)); r.status != http.StatusOK {
		t.Fatalf("attest: %d %s", r.status, r.body)
	}
	wantError(t, g.get("default/azure/conn", nil), http.StatusUnauthorized, kbs.PolicyDeny)

	evs := auditEvents(t, h)
	res := lastOfKind(t, evs, audit.KindResource)
	if res.Outcome != audit.OutcomeDeny || res.Check != "resource-policy default: allow is false" {
		t.Fatalf("resource event: %+v", res)
	}
	wantInit := "init_data: registered " + registered[:12] + "…; evidence " + sent[:12] + "…"
	if c := hasPrefixed(res.Claims, "init_data:"); c != wantInit {
		t.Fatalf("init_data claim %q, want %q", c, wantInit)
	}
	if hasPrefixed(res.Claims, "tee: sample") == "" || hasPrefixed(res.Claims, "ear.status: ") == "" {
		t.Fatalf("claims %q", res.Claims)
	}
	if c := hasPrefixed(res.Claims, "attestation: ear.status "); c == "" {
		t.Fatalf("no attestation reason among the claims: %q", res.Claims)
	}
	if res.Workload != "default/deid" {
		t.Fatalf("workload %q", res.Workload)
	}
	att := lastOfKind(t, evs, audit.KindAttest)
	if att.Outcome != audit.OutcomeAllow || att.Status == "" || att.Status == "affirming" || len(att.Explain) == 0 || att.Workload != "default/deid" {
		t.Fatalf("attest event: %+v", att)
	}
	if !slices.ContainsFunc(att.Explain, func(s string) bool { return strings.Contains(s, "(default)") }) {
		t.Fatalf("explain does not mark defaulted rules: %q", att.Explain)
	}
	// Never a secret, a nonce or a token in an event.
	b, _ := json.Marshal(evs)
	if strings.Contains(string(b), secret) || strings.Contains(string(b), "eyJ") {
		t.Fatal("an audit event carries a secret or a token")
	}
}

// TestAttestRefusalNamesCheck: a refused attestation names the failing
// check, and each malformed or mutated input its own.
func TestAttestRefusalNamesCheck(t *testing.T) {
	h := newHarness(t)
	g := h.guest()
	tok := g.handshake()
	for _, tc := range []struct {
		name, check string
		run         func() reply
	}{
		{"evidence for another nonce", "evidence", func() reply {
			n := g.auth()
			return g.attest(g.attestBody(n, "b3RoZXI="))
		}},
		{"nonce mismatch", "nonce: mismatch", func() reply {
			n := g.auth()
			return g.attest(g.attestBody("b3RoZXI=", n))
		}},
		{"malformed body", "body: attestation", func() reply {
			g.auth()
			return g.h.do(g.c, "POST", "/kbs/v0/attest", []byte(`{"runtime-data":`), nil)
		}},
		{"mutated token", "token: signature", func() reply {
			return g.h.do(h.client(), "GET", "/kbs/v0/resource/default/a/b", nil, map[string]string{"Authorization": "Bearer " + tok[:len(tok)-6] + "AAAAAA"})
		}},
		{"mutated payload", "token: signature", func() reply {
			p := strings.Split(tok, ".")
			b := []byte(p[1])
			i := len(b) / 2
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return g.h.do(h.client(), "GET", "/kbs/v0/resource/default/a/b", nil, map[string]string{"Authorization": "Bearer " + p[0] + "." + string(b) + "." + p[2]})
		}},
		{"no token", "token: none", func() reply {
			return g.h.do(h.client(), "GET", "/kbs/v0/resource/default/a/b", nil, nil)
		}},
	} {
		r := tc.run()
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("%s: %d %s", tc.name, r.status, r.body)
		}
		evs := auditEvents(t, h)
		last := evs[len(evs)-1]
		if !strings.HasPrefix(last.Check, tc.check) || last.Outcome != audit.OutcomeDeny {
			t.Fatalf("%s: event %+v, want check %q", tc.name, last, tc.check)
		}
		if last.Kind == audit.KindAttest && hasPrefixed(last.Claims, "init_data:") == "" && tc.check == "evidence" {
			t.Fatalf("%s: no init_data claim: %q", tc.name, last.Claims)
		}
	}
}

// TestReferenceValueFormatRefused: a reference value the default policy
// could never match is refused by the admin API and by bundle import,
// audited with the check, and nothing is stored.
func TestReferenceValueFormatRefused(t *testing.T) {
	h := newHarness(t)
	msg, _ := refvalue.NewMessage(refvalue.Values{"snp_launch_measurement": {"abcd"}, "ok_name": {"x"}}, time.Time{})
	r := h.admin("POST", "/kbs/v0/reference-value", msg)
	if r.status < 400 || r.status >= 500 || !strings.Contains(string(r.body), "48 bytes") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	num := []byte(`{"version":"0.1.0","type":"sample","payload":"` + b64(`{"snp_bootloader":[3]}`) + `"}`)
	if r := h.admin("POST", "/kbs/v0/reference-value", num); r.status < 400 || r.status >= 500 || !strings.Contains(string(r.body), `register \"3\"`) {
		t.Fatalf("numeric value: %d %s", r.status, r.body)
	}
	bundle := []byte(`{"format":"trustgate-bundle/v1","reference_values":[{"name":"init_data","values":["not-hex"]}]}`)
	if r := h.admin("POST", "/kbs/v0/import", bundle); r.status != http.StatusBadRequest {
		t.Fatalf("bundle: %d %s", r.status, r.body)
	}
	for _, n := range []string{"snp_launch_measurement", "ok_name", "snp_bootloader", "init_data"} {
		if r := h.admin("GET", "/kbs/v0/reference-value/"+n, nil); r.status != http.StatusNotFound {
			t.Fatalf("%s stored: %d", n, r.status)
		}
	}
	evs := auditEvents(t, h)
	if e := evs[0]; e.Outcome != audit.OutcomeDeny || e.Check != "reference-value format" {
		t.Fatalf("audit %+v", e)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestInitDataDigestBindable: an init_data digest longer than the TEE binds
// (SNP HOST_DATA and vTPM PCR 8 hold 32 bytes, TDX MRCONFIGID 48) is
// refused at provisioning time by the admin API (?tee=) and bundle import
// (a reference value's "tee"), with a 4xx and an audited reason; without a
// TEE only a digest every hardware TEE binds (sha256) is accepted.
func TestInitDataDigestBindable(t *testing.T) {
	toml := []byte("algorithm = \"sha384\"\nversion = \"0.1.0\"\n")
	d256, d384, d512 := sha256.Sum256(toml), sha512.Sum384(toml), sha512.Sum512(toml)
	s256, s384, s512 := hex.EncodeToString(d256[:]), hex.EncodeToString(d384[:]), hex.EncodeToString(d512[:])
	set := func(h *harness, tee, digest string) reply {
		msg, err := refvalue.NewMessage(refvalue.Values{refvalue.InitDataName: {digest}}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		path := "/kbs/v0/reference-value"
		if tee != "" {
			path += "?tee=" + tee
		}
		return h.admin("POST", path, msg)
	}
	importOne := func(h *harness, tee, digest string) reply {
		b, _ := json.Marshal(kbsadmin.Bundle{Format: kbsadmin.BundleFormat, ReferenceValues: []kbsadmin.BundleReferenceValue{{Name: refvalue.InitDataName, Values: []string{digest}, TEE: tee}}})
		return h.admin("POST", "/kbs/v0/import", b)
	}
	for _, tc := range []struct {
		tee, digest, alg string
		ok               bool
	}{
		{"snp", s256, "sha256", true},
		{"snp", s384, "sha384", false},
		{"snp", s512, "sha512", false},
		{"az-snp-vtpm", s384, "sha384", false},
		{"az-tdx-vtpm", s384, "sha384", false},
		{"az-tdx-vtpm", s256, "sha256", true},
		{"tdx", s384, "sha384", true},
		{"tdx", s256, "sha256", true},
		{"tdx", s512, "sha512", false},
		{"", s256, "sha256", true},
		{"", s384, "sha384", false},
		{"", s512, "sha512", false},
	} {
		for via, send := range map[string]func(*harness, string, string) reply{"admin": set, "import": importOne} {
			h := newHarness(t)
			r := send(h, tc.tee, tc.digest)
			stored := h.admin("GET", "/kbs/v0/reference-value/init_data", nil).status == http.StatusOK
			if tc.ok {
				if r.status != http.StatusOK || !stored {
					t.Errorf("%s %q %s: %d %s, stored %v", via, tc.tee, tc.alg, r.status, r.body, stored)
				}
				continue
			}
			if r.status < 400 || r.status >= 500 || stored {
				t.Errorf("%s %q %s: %d %s, stored %v", via, tc.tee, tc.alg, r.status, r.body, stored)
				continue
			}
			if !strings.Contains(string(r.body), "("+tc.alg+")") || !strings.Contains(string(r.body), "binds") {
				t.Errorf("%s %q %s: unclear error %s", via, tc.tee, tc.alg, r.body)
			}
			evs := auditEvents(t, h)
			if len(evs) == 0 || evs[len(evs)-1].Outcome != audit.OutcomeDeny || !strings.Contains(evs[len(evs)-1].Reason, "binds") {
				t.Errorf("%s %q %s: audit %+v", via, tc.tee, tc.alg, evs)
			}
		}
	}
	h := newHarness(t)
	if r := set(h, "sgx", s256); r.status < 400 || r.status >= 500 || !strings.Contains(string(r.body), `unknown TEE \"sgx\"`) {
		t.Errorf("unknown TEE: %d %s", r.status, r.body)
	}
}
