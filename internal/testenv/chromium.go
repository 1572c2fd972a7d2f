package testenv

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium starts headless Chromium (from ChromiumPath; skipped or failed as
// Require says when unset) with a private profile and a width×height window,
// and returns its context. The context has no deadline, because a deadline
// on the first run would stop the browser: bound each step with
// context.WithTimeout instead. cancel closes the browser; the test's cleanup
// calls it too.
func Chromium(t testing.TB, width, height int) (ctx context.Context, cancel context.CancelFunc) {
	t.Helper()
	return startChromium(t, width, height)
}

// ClientCert is a user's TLS client certificate and the CAs a browser
// trusts, for ChromiumClientCert.
type ClientCert struct {
	P12         string // PKCS#12 file with the client certificate and key
	P12Password string // its password
	TrustedCAs  string // PEM file of the CAs the browser trusts for TLS servers
}

// ChromiumClientCert starts headless Chromium as Chromium does, with a
// private $HOME whose NSS database ($HOME/.pki/nssdb, what Chromium on Linux
// reads) holds cc's client certificate and trusts cc's CAs for TLS servers,
// and with the client certificate offered without a prompt. It needs
// certutil and pk12util (Debian's libnss3-tools): skipped, or failed under
// CI=true, without them.
func ChromiumClientCert(t testing.TB, width, height int, cc ClientCert) (ctx context.Context, cancel context.CancelFunc) {
	t.Helper()
	Require(t, ChromiumPath)
	certutil, err1 := exec.LookPath("certutil")
	pk12util, err2 := exec.LookPath("pk12util")
	if err1 != nil || err2 != nil {
		missing(t, "certutil/pk12util not found: install libnss3-tools (scripts/test.sh does)")
	}
	home := t.TempDir()
	db := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), args[0], err, out)
		}
	}
	run(certutil, "-N", "-d", "sql:"+db, "--empty-password")
	run(pk12util, "-i", cc.P12, "-d", "sql:"+db, "-W", cc.P12Password, "-K", "")
	pemData, err := os.ReadFile(cc.TrustedCAs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rest := pemData; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		f := filepath.Join(home, fmt.Sprintf("ca-%d.pem", n))
		if err := os.WriteFile(f, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
		run(certutil, "-A", "-d", "sql:"+db, "-n", fmt.Sprintf("trusted-ca-%d", n), "-t", "C,,", "-i", f)
		n++
	}
	if n == 0 {
		t.Fatalf("%s: no CA certificate", cc.TrustedCAs)
	}
	autoSelectClientCert(t)
	return startChromium(t, width, height, chromedp.Env("HOME="+home))
}

// ClientCertPolicy is the Chromium managed policy that offers the client
// certificate to https://localhost without the prompt a headless browser
// cannot answer. Chromium has no command-line switch for it (the old
// --auto-ssl-client-auth is gone), and on Linux reads managed policies only
// from /etc/chromium/policies/managed.
const ClientCertPolicy = "/etc/chromium/policies/managed/trustgate-test-client-cert.json"

// autoSelectClientCert installs ClientCertPolicy when it is absent (as root;
// it is left in place for later runs, and selects a certificate only for
// https://localhost sites that ask for one), skipping the test, or failing
// it under CI=true, when it cannot.
func autoSelectClientCert(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(ClientCertPolicy); err == nil {
		return
	}
	policy := `{"AutoSelectCertificateForUrls": ["{\"pattern\":\"https://localhost:*\",\"filter\":{}}"]}` + "\n"
	tmp := ClientCertPolicy + fmt.Sprintf(".%d", os.Getpid())
	err := os.MkdirAll(filepath.Dir(ClientCertPolicy), 0o755)
	if err == nil {
		err = os.WriteFile(tmp, []byte(policy), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, ClientCertPolicy)
	}
	if err != nil {
		missing(t, "Chromium policy "+ClientCertPolicy+" (AutoSelectCertificateForUrls for https://localhost:*) is absent and cannot be written: "+err.Error())
	}
}

func startChromium(t testing.TB, width, height int, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, cancel context.CancelFunc) {
	t.Helper()
	path := Require(t, ChromiumPath)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}, extra...)...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	cancel = func() {
		cancelCtx()
		cancelAlloc()
	}
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, cancel
}
