package guest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/sealed"
	"github.com/trustgate/trustgate/internal/testenv"
)

// The end-to-end tests run the real trustee and guest binaries, built once
// per test process, talking over loopback.

func binaries(t testing.TB) (trustee, guest string) {
	t.Helper()
	dir := testenv.Build(t, "./cmd/trustee", "./cmd/guest")
	return filepath.Join(dir, "trustee"), filepath.Join(dir, "guest")
}

type trusteeProc struct {
	url, dir, bin string
	p             *testenv.Proc
}

var (
	reTrusteeURL = regexp.MustCompile(`trustee listening on (http://127\.0\.0\.1:\d+)`)
	reGuestAddr  = regexp.MustCompile(`guest local API listening.* addr=(127\.0\.0\.1:\d+)`)
)

func startTrustee(t testing.TB) *trusteeProc {
	t.Helper()
	bin, _ := binaries(t)
	dir := t.TempDir()
	p := testenv.Start(t, nil, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--insecure-http", "--auth-rate", "0")
	return &trusteeProc{url: p.WaitFor(t, reTrusteeURL), dir: dir, bin: bin, p: p}
}

func (tr *trusteeProc) admin(t testing.TB, stdin string, args ...string) {
	t.Helper()
	full := append([]string{"admin", "--url", tr.url, "--key", filepath.Join(tr.dir, "admin.key")}, args...)
	cmd := exec.Command(tr.bin, full...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trustee admin %v: %v\n%s", args, err, out)
	}
}

func startGuest(t testing.TB, env []string, args ...string) (*testenv.Proc, string) {
	t.Helper()
	_, bin := binaries(t)
	p := testenv.Start(t, env, bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	return p, p.WaitFor(t, reGuestAddr)
}

func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const allowAzure = `package policy
import rego.v1
default allow := false
allow if data["resource-path"] == ["default", "azure", "conn"]
allow if data["resource-path"][1] == "sealed-secret-key"
allow if data["resource-path"][1] == "db"
`

func TestE2EResourceRelease(t *testing.T) {
	tr := startTrustee(t)
	tr.admin(t, canary, "set-resource", "default/azure/conn", "-")
	g, addr := startGuest(t, nil, "--kbs-url", tr.url, "--tee", "sample")
	url := "http://" + addr + "/cdh/resource/default/azure/conn"

	// trustee's default policy never releases to the sample TEE.
	code, body := httpGet(t, url)
	if code == 200 || strings.Contains(body, canary) {
		t.Fatalf("default policy released the secret: %d %q", code, body)
	}
	if !strings.Contains(body, "PolicyDeny") {
		t.Fatalf("denial does not say why: %d %q", code, body)
	}

	tr.admin(t, allowAzure, "set-resource-policy", "-")
	code, body = httpGet(t, url)
	if code != 200 || body != canary {
		t.Fatalf("allowed resource: %d %q", code, body)
	}
	code, _ = httpGet(t, "http://"+addr+"/aa/token?token_type=kbs")
	if code != 200 {
		t.Fatalf("token: %d", code)
	}
	if strings.Contains(g.Output(), canary) || strings.Contains(tr.p.Output(), canary) {
		t.Fatalf("a log line carries the secret:\n%s\n%s", g.Output(), tr.p.Output())
	}

	// guest get-resource prints the bytes.
	_, bin := binaries(t)
	out, err := exec.Command(bin, "get-resource", "--kbs-url", tr.url, "--tee", "sample", "--log-level", "error", "kbs:///default/azure/conn").Output()
	if err != nil || string(out) != canary {
		t.Fatalf("get-resource: %q %v", out, err)
	}
}

func writeInitData(t testing.TB, kbsURL, extra string) (path string, digest []byte) {
	t.Helper()
	raw, err := initdata.Build("sha256", map[string]string{
		"aa.toml":  fmt.Sprintf("[token_configs.kbs]\nurl = %q\n", kbsURL),
		"cdh.toml": fmt.Sprintf("[kbc]\nname = \"cc_kbc\"\nurl = %q\n%s", kbsURL, extra),
	})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "initdata.toml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return path, sum[:]
}

func TestE2EInitData(t *testing.T) {
	tr := startTrustee(t)
	tr.admin(t, canary, "set-resource", "default/azure/conn", "-")
	registered, digestA := writeInitData(t, tr.url, "")
	changed, digestB := writeInitData(t, tr.url, "# edited after registration\n")

	t.Run("mismatch with the bound value refuses to start", func(t *testing.T) {
		_, bin := binaries(t)
		cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--tee", "sample",
			"--initdata", changed, "--bound-initdata-digest", hex.EncodeToString(digestA))
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("guest started with initdata that does not match the binding:\n%s", out)
		}
		if !strings.Contains(string(out), "does not match") || !strings.Contains(string(out), "refusing to start") {
			t.Fatalf("no clear message:\n%s", out)
		}
	})

	// Policies that release only to guests whose initdata digest is
	// registered: the attestation policy affirms configuration only for a
	// registered digest, the resource policy requires an affirming token.
	tr.admin(t, "", "set-reference-value", "initdata", hex.EncodeToString(digestA))
	tr.admin(t, `package policy
import rego.v1
default configuration := 36
configuration := 2 if input.init_data in query_reference_value("initdata")
trust_claims := {"configuration": configuration, "executables": 2, "hardware": 2}
`, "set-attestation-policy", "--id", "default_cpu", "-")
	tr.admin(t, `package policy
import rego.v1
default allow := false
allow if input.submods.cpu0["ear.status"] == "affirming"
`, "set-resource-policy", "-")

	t.Run("registered initdata is released", func(t *testing.T) {
		_, addr := startGuest(t, nil, "--tee", "sample", "--initdata", registered)
		attestation := func() AttestationResponse {
			t.Helper()
			code, body := httpGet(t, "http://"+addr+AttestationPath)
			var a AttestationResponse
			if err := json.Unmarshal([]byte(body), &a); code != 200 || err != nil {
				t.Fatalf("GET %s: %d %q %v", AttestationPath, code, body, err)
			}
			if strings.Contains(body, "token") || strings.Contains(body, canary) {
				t.Fatalf("GET %s carries a token or secret: %s", AttestationPath, body)
			}
			return a
		}
		// Started, not attested yet: TEE and the verified initdata only.
		if a := attestation(); a.Attested || a.LastAttestation != nil || a.EARStatus != "" || a.Tee != "sample" ||
			a.InitDataAlgorithm != "sha256" || a.InitDataDigest != hex.EncodeToString(digestA) {
			t.Fatalf("before attestation: %+v", a)
		}
		before := time.Now().Add(-time.Second)
		code, body := httpGet(t, "http://"+addr+"/cdh/resource/default/azure/conn")
		if code != 200 || body != canary {
			t.Fatalf("%d %q", code, body)
		}
		// The resource fetch attested: time and trustee's EAR status.
		if a := attestation(); !a.Attested || a.LastAttestation == nil || a.LastAttestation.Before(before) || a.LastAttestation.After(time.Now()) ||
			a.EARStatus != "affirming" || a.InitDataDigest != hex.EncodeToString(digestA) {
			t.Fatalf("after attestation: %+v", a)
		}
	})
	t.Run("changed initdata is denied", func(t *testing.T) {
		_, addr := startGuest(t, nil, "--tee", "sample", "--initdata", changed, "--bound-initdata-digest", hex.EncodeToString(digestB))
		code, body := httpGet(t, "http://"+addr+"/cdh/resource/default/azure/conn")
		if code == 200 || strings.Contains(body, canary) {
			t.Fatalf("changed initdata got the secret: %d %q", code, body)
		}
		if !strings.Contains(body, "PolicyDeny") {
			t.Fatalf("changed initdata failed for another reason than the policy: %d %q", code, body)
		}
	})
}

func TestE2ECredentials(t *testing.T) {
	tr := startTrustee(t)
	tr.admin(t, canary, "set-resource", "default/azure/conn", "-")
	tr.admin(t, allowAzure, "set-resource-policy", "-")
	credPath := filepath.Join(t.TempDir(), "creds", "conn")
	id, _ := writeInitData(t, tr.url, fmt.Sprintf("\n[[credentials]]\nresource_uri = \"kbs:///default/azure/conn\"\npath = %q\n", credPath))
	startGuest(t, nil, "--tee", "sample", "--initdata", id)
	b, err := os.ReadFile(credPath)
	if err != nil || string(b) != canary {
		t.Fatalf("credential file: %q %v", b, err)
	}
	if st, _ := os.Stat(credPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("credential mode %v", st.Mode())
	}
}

func TestE2ERun(t *testing.T) {
	tr := startTrustee(t)
	_, bin := binaries(t)
	tr.admin(t, canary, "set-resource", "default/azure/conn", "-")
	tr.admin(t, "db-"+canary, "set-resource", "default/db/password", "-")
	tr.admin(t, allowAzure, "set-resource-policy", "-")

	keyPath := filepath.Join(t.TempDir(), "seal.pem")
	jwk, err := exec.Command(bin, "keygen", "--out", keyPath).Output()
	if err != nil {
		t.Fatal(err)
	}
	tr.admin(t, string(jwk), "set-resource", "default/sealed-secret-key/1", "-")
	seal := func(resource string) string {
		out, err := exec.Command(bin, "seal", "--key", keyPath, "--kid", "kbs:///default/sealed-secret-key/1", "--resource", resource).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "conn"), []byte(seal("kbs:///default/azure/conn")), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"run", "--kbs-url", tr.url, "--tee", "sample", "--unseal-dir", dir, "--"}
	script := `printf 'env=%s file=%s' "$DB_PASSWORD" "$(cat ` + filepath.Join(dir, "conn") + `)"`

	cmd := exec.Command(bin, append(base, "sh", "-c", script)...)
	cmd.Env = append(os.Environ(), "DB_PASSWORD="+seal("kbs:///default/db/password"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("guest run: %v\n%s", err, stderr.String())
	}
	if want := "env=db-" + canary + " file=" + canary; stdout.String() != want {
		t.Fatalf("stdout %q, want %q", stdout.String(), want)
	}
	if strings.Contains(stderr.String(), canary) {
		t.Fatalf("logs carry the secret:\n%s", stderr.String())
	}

	other := filepath.Join(t.TempDir(), "other.pem")
	if _, err := exec.Command(bin, "keygen", "--out", other).Output(); err != nil {
		t.Fatal(err)
	}
	wrongKey, err := exec.Command(bin, "seal", "--key", other, "--kid", "kbs:///default/sealed-secret-key/1", "--resource", "kbs:///default/azure/conn").Output()
	if err != nil {
		t.Fatal(err)
	}
	good := seal("kbs:///default/azure/conn")
	tampered := good[:len(good)-3] + flip(good[len(good)-3:])
	unsigned, _ := sealed.Unsigned(sealed.NewVault("kbs:///default/azure/conn"))
	for _, tc := range []struct{ name, env string }{
		{"tampered signature", "AZURE_CONN=" + tampered},
		{"wrong key", "AZURE_CONN=" + strings.TrimSpace(string(wrongKey))},
		{"unknown resource", "AZURE_CONN=" + seal("kbs:///default/db/nonexistent")},
		{"unsigned", "AZURE_CONN=" + unsigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "ran")
			cmd := exec.Command(bin, "run", "--kbs-url", tr.url, "--tee", "sample", "--", "touch", marker)
			cmd.Env = append(os.Environ(), tc.env)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("guest run succeeded:\n%s", out)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the command ran although unsealing failed")
			}
			if !strings.Contains(string(out), "environment variable AZURE_CONN") {
				t.Fatalf("failure does not name the variable:\n%s", out)
			}
			if strings.Contains(string(out), canary) {
				t.Fatalf("output carries the secret:\n%s", out)
			}
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// BenchmarkServeToFirstSecret measures, with real processes, the time from
// starting `guest serve` (sample TEE) to the first secret it releases: start,
// handshake, attestation, policy, JWE.
func BenchmarkServeToFirstSecret(b *testing.B) {
	tr := startTrustee(b)
	tr.admin(b, canary, "set-resource", "default/azure/conn", "-")
	tr.admin(b, allowAzure, "set-resource-policy", "-")
	_, bin := binaries(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "serve", "--listen", addr, "--kbs-url", tr.url, "--tee", "sample", "--log-level", "error")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://" + addr + "/cdh/resource/default/azure/conn")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.StopTimer()
		cmd.Process.Kill()
		cmd.Wait()
		b.StartTimer()
	}
}

// BenchmarkLocalAPIResource measures resources/s through the local API of
// a running guest whose token is warm (the first request attested).
func BenchmarkLocalAPIResource(b *testing.B) {
	tr := startTrustee(b)
	tr.admin(b, canary, "set-resource", "default/azure/conn", "-")
	tr.admin(b, allowAzure, "set-resource-policy", "-")
	_, addr := startGuest(b, nil, "--kbs-url", tr.url, "--tee", "sample")
	url := "http://" + addr + "/cdh/resource/default/azure/conn"
	if code, _ := httpGet(b, url); code != 200 {
		b.Fatalf("warm-up: %d", code)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

var _ = context.Background

// TestE2ESNPEmulated runs the hardware-shaped path: an snp-emulated guest
// whose HOST_DATA binds the initdata digest attests to a trustee that
// trusts the emulated root; a guest given other initdata refuses to start.
func TestE2ESNPEmulated(t *testing.T) {
	bin, guestBin := binaries(t)
	chain := t.TempDir()
	if _, err := snpemu.GenerateRoot(chain); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := testenv.Start(t, nil, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--insecure-http",
		"--auth-rate", "0", "--dev-emulated-snp-root", filepath.Join(chain, snpemu.ARKFile))
	tr := &trusteeProc{url: p.WaitFor(t, reTrusteeURL), dir: dir, bin: bin, p: p}
	tr.admin(t, canary, "set-resource", "default/azure/conn", "-")
	tr.admin(t, allowAzure, "set-resource-policy", "-")
	id, digest := writeInitData(t, tr.url, "")
	other, _ := writeInitData(t, tr.url, "# other workload\n")

	_, addr := startGuest(t, nil, "--tee", "snp-emulated", "--emulated-dir", chain, "--initdata", id,
		"--bound-initdata-digest", hex.EncodeToString(digest))
	code, body := httpGet(t, "http://"+addr+"/cdh/resource/default/azure/conn")
	if code != 200 || body != canary {
		t.Fatalf("snp-emulated guest: %d %q", code, body)
	}
	code, body = httpGet(t, "http://"+addr+"/aa/evidence?runtime_data=abc")
	if code != 200 || !strings.Contains(body, `"attestation_report"`) {
		t.Fatalf("evidence: %d %.200s", code, body)
	}

	out, err := exec.Command(guestBin, "serve", "--listen", "127.0.0.1:0", "--tee", "snp-emulated", "--emulated-dir", chain,
		"--initdata", other, "--bound-initdata-digest", hex.EncodeToString(digest)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "does not match") {
		t.Fatalf("guest with other initdata started or said nothing useful: %v\n%s", err, out)
	}
}
