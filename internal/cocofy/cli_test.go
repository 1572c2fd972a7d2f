package cocofy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// The acceptance scripts' exact invocation: apply -f IN -o OUTDIR --offline
// --trustee-url URL with no other flag (key directory from the environment).
func TestCLIApplyAcceptanceInvocation(t *testing.T) {
	t.Setenv("TRUSTGATE_COCOFY_KEY_DIR", testKeyDir(t))
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := Main("cocofy", []string{"apply", "-f", "testdata/in/deid.yaml", "-o", out, "--offline", "--trustee-url", testTrusteeURL}, &stdout, &stderr, nil)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(out, "deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte("runtimeClassName: kata-remote")) {
		t.Fatal("not hardened")
	}
	if _, err := os.Stat(out + ".trustee-bundle.json"); err != nil {
		t.Fatalf("default bundle: %v", err)
	}
	if !strings.Contains(stderr.String(), "reference value init_data") {
		t.Fatalf("summary: %s", stderr.String())
	}
	for _, v := range plaintextSecrets(t, readInput(t, "deid.yaml")) {
		if strings.Contains(stderr.String()+stdout.String(), v) {
			t.Fatal("a secret value was printed")
		}
	}
	// Same command again: byte-identical.
	if code := Main("cocofy", []string{"apply", "-f", "testdata/in/deid.yaml", "-o", out, "--offline", "--trustee-url", testTrusteeURL}, &stdout, &stderr, nil); code != ExitOK {
		t.Fatal(stderr.String())
	}
	again, _ := os.ReadFile(filepath.Join(out, "deid.yaml"))
	if !bytes.Equal(got, again) {
		t.Fatal("second run differs")
	}
}

func TestCLIOtherCommands(t *testing.T) {
	t.Setenv("TRUSTGATE_COCOFY_KEY_DIR", testKeyDir(t))
	t.Setenv("TRUSTGATE_COCOFY_TRUSTEE_URL", testTrusteeURL)
	run := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := Main("kubectl coco", args, &o, &e, map[string]Subcommand{"sign": func([]string, io.Writer, io.Writer) int { return 0 }})
		return code, o.String(), e.String()
	}
	code, _, errOut := run("apply", "-f", "testdata/in/deid.yaml", "--offline")
	if code != ExitError || !strings.Contains(errOut, "--bundle") {
		t.Fatalf("apply --offline to stdout without --bundle: %d %s", code, errOut)
	}
	code, out, errOut := run("apply", "-f", "testdata/in/deid.yaml", "--offline", "--bundle", filepath.Join(t.TempDir(), "b.json"))
	if code != ExitOK || !strings.Contains(out, "kind: Deployment") {
		t.Fatalf("apply to stdout: %d %s", code, errOut)
	}
	code, out, _ = run("explain", "-f", "testdata/in/deid.yaml")
	if code != ExitOK || !strings.Contains(out, "why:") || !strings.Contains(out, "Deployment/hospital/deid") {
		t.Fatalf("explain: %d\n%s", code, out)
	}
	dir := t.TempDir()
	code, out, errOut = run("initdata", "create", "--trustee-url", "https://t.example:8080")
	if code != ExitOK {
		t.Fatal(errOut)
	}
	f := filepath.Join(dir, "initdata.toml")
	os.WriteFile(f, []byte(out), 0o644)
	if code, out, _ = run("initdata", "validate", f); code != ExitOK || !strings.Contains(out, "valid initdata") {
		t.Fatalf("validate: %s", out)
	}
	code, digest, _ := run("initdata", "digest", f)
	if code != ExitOK || len(strings.TrimSpace(digest)) != 64 {
		t.Fatalf("digest %q", digest)
	}
	os.WriteFile(f, []byte("version = \"9\"\n"), 0o644)
	if code, _, _ = run("initdata", "validate", f); code == ExitOK {
		t.Fatal("invalid initdata validated")
	}
	if code, _, errOut = run("frobnicate"); code != ExitUsage || !strings.Contains(errOut, "kubectl coco") {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
	if code, _, _ = run("sign"); code != 0 {
		t.Fatal("extra subcommand not dispatched")
	}
	if ProgramName("/usr/local/bin/kubectl-coco") != "kubectl coco" || ProgramName("cocofy") != "cocofy" {
		t.Fatal("ProgramName")
	}
}

// With --import-key the bundle is a JWE only Trustee's import key opens.
func TestEncryptedBundle(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	opts := testOptions(t)
	opts.ImportKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	res, err := Transform(opts, readInput(t, "deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := MakeBundle(res, opts.ImportKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range plaintextSecrets(t, readInput(t, "deid.yaml")) {
		if bytes.Contains(b, []byte(v)) {
			t.Fatal("plaintext in encrypted bundle")
		}
	}
	obj, err := jose.ParseEncryptedCompact(strings.TrimSpace(string(b)), []jose.KeyAlgorithm{jose.ECDH_ES_A256KW}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		t.Fatal(err)
	}
	var bundle kbsadmin.Bundle
	if err := json.Unmarshal(plain, &bundle); err != nil || bundle.Format != kbsadmin.BundleFormat || len(bundle.Resources) != len(res.Uploads) {
		t.Fatalf("bundle: %v %+v", err, bundle)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := obj.Decrypt(other); err == nil {
		t.Fatal("decrypted with another key")
	}
}

func FuzzFindInitData(f *testing.F) {
	raw, _ := CreateInitData(Options{TrusteeURL: testTrusteeURL})
	f.Add(raw)
	f.Add([]byte("H4sIAAAAAAAA/w=="))
	for _, p := range []string{"testdata/golden/deid.yaml", "testdata/golden/kinds.yaml", "../../examples/hospital/hardened/app.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("kind: Pod\nmetadata:\n  annotations:\n    io.katacontainers.config.hypervisor.cc_init_data: AAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		found, err := FindInitData(b)
		if err != nil {
			return
		}
		for _, d := range found {
			if len(d.InitData.Digest()) == 0 {
				t.Fatal("initdata without digest")
			}
			// Round trip: the annotation form of what was found is found
			// again, with the same digest.
			ann, err := initdata.EncodeAnnotation(d.InitData.Raw)
			if err != nil {
				t.Fatal(err)
			}
			again, err := FindInitData([]byte(ann))
			if err != nil || len(again) != 1 || !bytes.Equal(again[0].InitData.Digest(), d.InitData.Digest()) {
				t.Fatalf("annotation round trip: %v", err)
			}
		}
	})
}
