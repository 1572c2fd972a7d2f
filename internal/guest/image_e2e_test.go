package guest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/testenv"
)

var reTrusteeHTTPS = regexp.MustCompile(`trustee listening on (https://127\.0\.0\.1:\d+)`)

// startTrusteeTLS starts trustee over HTTPS with its self-signed
// certificate (DATA_DIR/tls.crt), as the guest's --kbs-cert trusts it, and
// points trustee admin at that certificate.
func startTrusteeTLS(t *testing.T) (tr *trusteeProc, cert string) {
	t.Helper()
	bin, _ := binaries(t)
	dir := t.TempDir()
	p := testenv.Start(t, nil, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--auth-rate", "0")
	tr = &trusteeProc{url: p.WaitFor(t, reTrusteeHTTPS), dir: dir, bin: bin, p: p}
	cert = filepath.Join(dir, "tls.crt")
	t.Setenv("TRUSTEE_ADMIN_CACERT", cert)
	return tr, cert
}

func (tr *trusteeProc) adminOutput(t *testing.T, args ...string) []byte {
	t.Helper()
	full := append([]string{"admin", "--url", tr.url, "--key", filepath.Join(tr.dir, "admin.key")}, args...)
	out, err := exec.Command(tr.bin, full...).Output()
	if err != nil {
		t.Fatalf("trustee admin %v: %v", args, err)
	}
	return out
}

// guestImage runs `guest image ARGS` as a subprocess that finds the local
// API through TRUSTGATE_GUEST_API, as the CVM units do.
func guestImage(t *testing.T, apiAddr string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	_, bin := binaries(t)
	cmd := exec.Command(bin, append([]string{"image"}, args...)...)
	cmd.Env = append(os.Environ(), APIEnv+"=http://"+apiAddr, EnvName("policy")+"=", EnvName("policy-uri")+"=")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("guest image %v: %v", args, err)
	}
	return code, o.String(), e.String()
}

// allowImageKeys releases the cosign key and the image policy (and nothing
// else) to any attested guest, the sample TEE included.
const allowImageKeys = `package policy
import rego.v1
default allow := false
allow if data["resource-path"] == ["default", "cosign-public-key", "1"]
allow if data["resource-path"] == ["default", "image-policy", "1"]
`

// TestE2EImageGate is issue 6's end-to-end acceptance with real processes:
// trustee (HTTPS) holds the cosign public key at default/cosign-public-key/1;
// `guest serve` attests with the sample TEE; `guest image verify|pull` runs
// as its own process with a policy whose keyPath is kbs:///…, against
// go-containerregistry's in-memory registry on loopback (plain HTTP). While
// the resource policy releases the key, the signed image passes and the
// unsigned one does not; with trustee's default policy back (which never
// releases to the sample TEE) the same signed image fails closed.
func TestE2EImageGate(t *testing.T) {
	tr, cert := startTrusteeTLS(t)
	defaultPolicy := tr.adminOutput(t, "get-resource-policy")
	if !bytes.Contains(defaultPolicy, []byte("package policy")) {
		t.Fatalf("default resource policy: %q", defaultPolicy)
	}

	reg := imagesigtest.NewRegistry(t)
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	otherPriv, _ := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	signed := imagesigtest.PushSignedImage(t, reg+"/org/app:v1", priv)
	imagesigtest.PushRandomImage(t, reg+"/org/unsigned:v1")
	imagesigtest.PushSignedImage(t, reg+"/org/other:v1", otherPriv)

	dir := t.TempDir()
	pubFile := filepath.Join(dir, "cosign.pub")
	policyFile := filepath.Join(dir, "policy.json")
	pol := imagesigtest.Policy(reg+"/org", "kbs:///default/cosign-public-key/1")
	for f, b := range map[string][]byte{pubFile: pub, policyFile: pol} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tr.admin(t, "", "set-resource", "default/cosign-public-key/1", pubFile)
	tr.admin(t, "", "set-resource", "default/image-policy/1", policyFile)
	tr.admin(t, allowImageKeys, "set-resource-policy", "-")

	// The acceptance scripts' form: no initdata, so no configured policy.
	plainGuest, plainAddr := startGuest(t, nil, "--kbs-url", tr.url, "--tee", "sample", "--kbs-cert", cert)
	// A guest whose initdata's cdh.toml names the image policy.
	id, _ := writeInitData(t, tr.url, "\n[image]\nimage_security_policy_uri = \"kbs:///default/image-policy/1\"\n")
	_, confAddr := startGuest(t, nil, "--tee", "sample", "--kbs-cert", cert, "--initdata", id)

	type check struct {
		name   string
		addr   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}
	run := func(t *testing.T, checks []check) {
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) {
				code, stdout, stderr := guestImage(t, c.addr, c.args...)
				t.Logf("exit %d\n%s%s", code, stdout, stderr)
				ok := code == c.code
				for _, s := range c.stdout {
					ok = ok && strings.Contains(stdout, s)
				}
				for _, s := range c.stderr {
					ok = ok && strings.Contains(stderr, s)
				}
				if !ok {
					t.Fatalf("guest image %q: exit %d (want %d)\nstdout: %s\nstderr: %s", c.args, code, c.code, stdout, stderr)
				}
			})
		}
	}
	pulled := func(t *testing.T, dest string, want bool) {
		t.Helper()
		ents, err := os.ReadDir(dest)
		switch {
		case want && (err != nil || len(ents) == 0):
			t.Fatalf("nothing unpacked into %s: %v", dest, err)
		case !want && !os.IsNotExist(err):
			t.Fatalf("a denied pull created %s (%d entries, %v)", dest, len(ents), err)
		}
	}

	t.Run("released", func(t *testing.T) {
		run(t, []check{
			{"signed by the trusted key", plainAddr, []string{"verify", "--policy", policyFile, reg + "/org/app:v1"}, 0,
				[]string{"allowed: " + signed.String(), "satisfied: sigstoreSigned"}, nil},
			{"unsigned", plainAddr, []string{"verify", "--policy", policyFile, reg + "/org/unsigned:v1"}, 1,
				nil, []string{"denied:", "no signatures found"}},
			{"signed by another key", plainAddr, []string{"verify", "--policy", policyFile, reg + "/org/other:v1"}, 1,
				nil, []string{"denied:", "does not verify"}},
			{"no policy given or configured", plainAddr, []string{"verify", reg + "/org/app:v1"}, 1,
				nil, []string{"no image policy configured", "image_security_policy_uri"}},
			{"configured policy: signed", confAddr, []string{"verify", reg + "/org/app:v1"}, 0,
				[]string{"allowed: " + signed.String()}, []string{"using the configured image policy kbs:///default/image-policy/1"}},
			{"configured policy: unsigned", confAddr, []string{"verify", reg + "/org/unsigned:v1"}, 1,
				nil, []string{"no signatures found"}},
		})
		// The key came from trustee through the daemon, after attestation.
		if !regexp.MustCompile(`resource released to local caller.*resource=kbs:///default/cosign-public-key/1`).MatchString(plainGuest.Output()) {
			t.Fatalf("the guest daemon released no cosign key:\n%s", plainGuest.Output())
		}
		dest := filepath.Join(t.TempDir(), "signed")
		run(t, []check{{"pull signed", plainAddr, []string{"pull", "--policy", policyFile, reg + "/org/app:v1", "--dest", dest}, 0,
			[]string{"pulled: " + signed.String()}, nil}})
		pulled(t, dest, true)
		dest = filepath.Join(t.TempDir(), "unsigned")
		run(t, []check{{"pull unsigned", plainAddr, []string{"pull", "--policy", policyFile, reg + "/org/unsigned:v1", "--dest", dest}, 1,
			nil, []string{"no signatures found"}}})
		pulled(t, dest, false)
	})

	// trustee's default policy never releases to the sample TEE: the key
	// (and the configured policy) cannot be fetched, so the same signed
	// image is refused.
	tr.admin(t, string(defaultPolicy), "set-resource-policy", "-")
	t.Run("default policy denies the release", func(t *testing.T) {
		run(t, []check{
			{"signed, key not released", plainAddr, []string{"verify", "--policy", policyFile, reg + "/org/app:v1"}, 1,
				nil, []string{"denied:", "keyPath kbs:///default/cosign-public-key/1: fetch through the data hub", "PolicyDeny"}},
			{"signed, configured policy not released", confAddr, []string{"verify", reg + "/org/app:v1"}, 1,
				nil, []string{"denied:", "policy kbs:///default/image-policy/1", "PolicyDeny"}},
		})
		dest := filepath.Join(t.TempDir(), "signed")
		run(t, []check{{"pull signed, key not released", plainAddr, []string{"pull", "--policy", policyFile, reg + "/org/app:v1", "--dest", dest}, 1,
			nil, []string{"PolicyDeny"}}})
		pulled(t, dest, false)
	})
}
