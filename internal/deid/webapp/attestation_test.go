package webapp

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/trustee"
)

// attestedGuest is a real trustee and a real guest daemon, in process: the
// guest (sample TEE, with initdata) serves the storage secret through its
// local API once it attested, and the attestation summary the page shows.
type attestedGuest struct {
	secretURL, guestURL string
	digest              string // initdata digest, hex
}

func startAttestedGuest(t *testing.T, conn string) *attestedGuest {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tcfg := trustee.Defaults()
	tcfg.DataDir = filepath.Join(t.TempDir(), "trustee")
	tcfg.Listen = "127.0.0.1:0"
	tcfg.InsecureHTTP = true
	tcfg.AuthRate = 0
	inst, err := trustee.Start(ctx, tcfg, trustee.Options{Logger: testLogger, Out: &logs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Shutdown(context.Background()) })
	ac, err := kbsadmin.New(inst.URL, inst.Material.AdminKeyPath, kbsadmin.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetResource(ctx, "default/azure/connection-string", []byte(conn)); err != nil {
		t.Fatal(err)
	}
	// The sample TEE proves nothing: only this test's policy releases to it.
	if err := ac.SetResourcePolicy(ctx, []byte("package policy\nimport rego.v1\ndefault allow := false\nallow if data[\"resource-path\"] == [\"default\", \"azure\", \"connection-string\"]\n")); err != nil {
		t.Fatal(err)
	}
	raw, err := initdata.Build("sha256", map[string]string{
		"aa.toml":  fmt.Sprintf("[token_configs.kbs]\nurl = %q\n", inst.URL),
		"cdh.toml": fmt.Sprintf("[kbc]\nname = \"cc_kbc\"\nurl = %q\n", inst.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	idPath := filepath.Join(t.TempDir(), "initdata.toml")
	if err := os.WriteFile(idPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	digest, _ := initdata.Digest("sha256", raw)
	d, err := guest.Start(ctx, &guest.Config{KBSURL: inst.URL, Attester: &sample.Attester{InitDataDigest: digest},
		Listen: "127.0.0.1:0", InitDataPath: idPath, Logger: testLogger}, detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	g := "http://" + d.Addr
	return &attestedGuest{secretURL: g + "/cdh/resource/default/azure/connection-string", guestURL: g, digest: hex.EncodeToString(digest)}
}

// summary is the guest's own answer, read directly.
func (g *attestedGuest) summary(t *testing.T) guest.AttestationResponse {
	t.Helper()
	resp, err := http.Get(g.guestURL + guest.AttestationPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a guest.AttestationResponse
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// attestationLine is the header paragraph of the page, tags stripped.
func attestationLine(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="attestation"`)
	if i < 0 {
		t.Fatalf("no attestation line in the page")
	}
	s := page[i:]
	s = s[strings.Index(s, ">")+1 : strings.Index(s, "</p>")]
	for _, tag := range []string{"<strong>", "</strong>", "<code>", "</code>"} {
		s = strings.ReplaceAll(s, tag, "")
	}
	return strings.Join(strings.Fields(s), " ")
}

// TestAttestationHeader: the review page says where it runs, from the real
// guest's local API: not attested yet (a guest that has not attested), the
// attested state after the secret was released through the guest, and an
// honest "unknown" when the guest cannot be asked or answers out of shape,
// escaped.
func TestAttestationHeader(t *testing.T) {
	t.Run("real guest, not attested yet", func(t *testing.T) {
		// A guest API over no KBS: it has the TEE, never an attestation.
		api := &guest.API{Attester: &sample.Attester{}, Log: testLogger}
		gs := httptest.NewServer(api)
		defer gs.Close()
		a := startApp(t, Config{AttestationURL: gs.URL + guest.AttestationPath}, false)
		a.waitReady()
		_, page := a.do("GET", "/", nil, "")
		want := "Not attested yet: TEE sample (software test TEE, proves nothing), initdata none; the VM has not attested to Trustee since it started."
		if got := attestationLine(t, string(page)); got != want {
			t.Fatalf("header %q, want %q", got, want)
		}
	})
	t.Run("real guest after attestation", func(t *testing.T) {
		g := startAttestedGuest(t, "dir-store")
		a := startApp(t, Config{SecretURL: g.secretURL}, false) // AttestationURL derived from SecretURL
		a.waitReady()
		s := g.summary(t)
		if !s.Attested || s.LastAttestation == nil || s.EARStatus == "" {
			t.Fatalf("guest summary after the secret was released: %+v", s)
		}
		_, page := a.do("GET", "/", nil, "")
		want := fmt.Sprintf("Runs in an attested VM: TEE sample (software test TEE, proves nothing), initdata sha256 %s, last attestation %s, EAR status %s.",
			g.digest, s.LastAttestation.UTC().Format("2006-01-02 15:04:05 UTC"), s.EARStatus)
		if got := attestationLine(t, string(page)); got != want {
			t.Fatalf("header %q, want %q", got, want)
		}
	})
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"escaped", `{"tee":"<script>x</script>","attested":false}`, 200, "Not attested yet: TEE &lt;script&gt;x&lt;/script&gt;, initdata none;"},
		{"malformed digest", `{"tee":"snp","init_data_digest":"<b>zz</b>","attested":false}`, 200, "unknown: the guest reported a malformed initdata digest."},
		{"unknown status", `{"tee":"snp","attested":true,"last_attestation":"2026-01-02T03:04:05Z","ear_status":"<i>great</i>"}`, 200, "unknown: the guest reported an unknown EAR status."},
		{"no tee", `{"attested":true}`, 200, "unknown: the guest did not name its TEE."},
		{"not json", `<html>`, 200, "unknown: the guest&#39;s answer is not valid JSON."},
		{"old guest", `URL NOT FOUND`, 404, "unknown: the guest&#39;s local API answered 404"},
		{"oversized", `{"tee":"snp","x":"` + strings.Repeat("a", int(localapi.DefaultLimits(localapi.EndpointAttestation).MaxBytes)) + `"}`, 200, "unknown: the guest&#39;s answer could not be read."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer gs.Close()
			a := startApp(t, Config{AttestationURL: gs.URL + guest.AttestationPath}, false)
			a.waitReady()
			_, page := a.do("GET", "/", nil, "")
			if got := attestationLine(t, string(page)); !strings.Contains(got, tc.want) {
				t.Fatalf("header %q lacks %q", got, tc.want)
			}
			if strings.Contains(string(page), "<script>x") || strings.Contains(string(page), "<i>great") || strings.Contains(string(page), "<b>zz") {
				t.Fatal("guest text reached the page unescaped")
			}
		})
	}
	t.Run("no guest", func(t *testing.T) {
		a := startApp(t, Config{}, false) // connection string given directly, no local API
		a.waitReady()
		_, page := a.do("GET", "/", nil, "")
		if got := attestationLine(t, string(page)); got != "Where this app runs is unknown: not started under the trustgate guest (no local API configured)." {
			t.Fatalf("header %q", got)
		}
		gs := httptest.NewServer(http.NotFoundHandler())
		gs.Close()
		b := startApp(t, Config{AttestationURL: gs.URL + guest.AttestationPath}, false)
		b.waitReady()
		_, page = b.do("GET", "/", nil, "")
		if got := attestationLine(t, string(page)); got != "Where this app runs is unknown: the guest&#39;s local API did not answer." {
			t.Fatalf("header %q", got)
		}
	})
}
