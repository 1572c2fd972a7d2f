package trustee

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/trustgate/trustgate/internal/identity"
)

func TestParseServeFlags(t *testing.T) {
	dir := t.TempDir()
	cf := filepath.Join(dir, "trustee.toml")
	if err := os.WriteFile(cf, []byte("listen = \"127.0.0.1:9000\"\nsession_timeout = \"2m\"\nmax_body = 4096\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	c, err := ParseServeFlags(nil, getenv)
	if err != nil || c.Listen != "127.0.0.1:8080" || c.DataDir != "trustee-data" || c.Store != filepath.Join("trustee-data", "trustee.db") || c.InsecureHTTP {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = ParseServeFlags([]string{"--config", cf}, getenv)
	if err != nil || c.Listen != "127.0.0.1:9000" || c.SessionTimeout.Duration != 2*time.Minute || c.MaxBody != 4096 {
		t.Fatalf("file: %+v %v", c, err)
	}
	env["TRUSTEE_LISTEN"] = "127.0.0.1:9100"
	env["TRUSTEE_INSECURE_HTTP"] = "true"
	env["TRUSTGATE_TRUSTEE_DATA_DIR"] = "/var/lib/trustee"
	c, err = ParseServeFlags([]string{"--config", cf}, getenv)
	if err != nil || c.Listen != "127.0.0.1:9100" || !c.InsecureHTTP || c.DataDir != "/var/lib/trustee" || c.KEKFile != "/var/lib/trustee/kek" {
		t.Fatalf("env over file: %+v %v", c, err)
	}
	c, err = ParseServeFlags([]string{"--config", cf, "--listen", "127.0.0.1:9200", "--store", "postgres://x/y"}, getenv)
	if err != nil || c.Listen != "127.0.0.1:9200" || c.Store != "postgres://x/y" {
		t.Fatalf("flag over env: %+v %v", c, err)
	}
	for _, bad := range [][]string{{"--session-timeout", "-1s"}, {"--max-body", "10"}, {"extra"}, {"--nope"}} {
		if _, err := ParseServeFlags(bad, func(string) string { return "" }); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if err := os.WriteFile(cf, []byte("lisen = \"typo\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseServeFlags([]string{"--config", cf}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "unknown keys") {
		t.Fatalf("typo accepted: %v", err)
	}
}

func FuzzConfigTOML(f *testing.F) {
	f.Add("listen = \"127.0.0.1:1\"\nsession_timeout = \"5m\"\n")
	f.Add("admin_public_keys = [\"a\", \"b\"]\nmax_body = -1\n")
	f.Add("session_timeout = 5")
	f.Add("identity_trust_domain = \"Hospital.example:1\"\n")
	f.Fuzz(func(t *testing.T, doc string) {
		c := Defaults()
		if _, err := toml.Decode(doc, &c); err != nil {
			return
		}
		c.resolve()
		if c.Validate() != nil {
			return
		}
		// A configuration Validate accepts is one the server can run
		// with: every bound it relies on holds.
		if c.Listen == "" || c.DataDir == "" || c.SessionTimeout.Duration <= 0 || c.TokenLifetime.Duration <= 0 ||
			c.MaxBody < 1024 || c.MaxImportBody < 1024 || c.AuthRate < 0 || c.AuditRetention.Duration < 0 || c.AuthBurst < 0 || (c.TLSCert == "") != (c.TLSKey == "") ||
			(c.IdentityTrustDomain != "" && identity.ValidateTrustDomain(c.IdentityTrustDomain) != nil) {
			t.Fatalf("accepted %+v", c)
		}
	})
}

func FuzzDecodeKEK(f *testing.F) {
	f.Add(string(EncodeKEK(make([]byte, 32))))
	f.Add("short")
	f.Fuzz(func(t *testing.T, in string) {
		k, err := DecodeKEK([]byte(in))
		if err == nil && len(k) != 32 {
			t.Fatalf("accepted %d-byte KEK", len(k))
		}
	})
}

func TestCLIDispatch(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage") {
		t.Fatalf("no args: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown: %d %q", code, errb.String())
	}
	old := VerifyMain
	defer func() { VerifyMain = old }()
	VerifyMain = nil
	errb.Reset()
	if code := Main([]string{"verify"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "not available in this build") {
		t.Fatalf("verify without verifycli: %d %q", code, errb.String())
	}
	var got []string
	VerifyMain = func(args []string, _, _ io.Writer) int { got = args; return 7 }
	if code := Main([]string{"verify", "--tee", "snp"}, &out, &errb); code != 7 || strings.Join(got, " ") != "--tee snp" {
		t.Fatalf("verify dispatch: %d %v", code, got)
	}
	errb.Reset()
	if code := Main([]string{"admin", "list-resources"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--url URL --key ADMIN_KEY") {
		t.Fatalf("admin without url: %d %q", code, errb.String())
	}
	if code := Main([]string{"serve", "--max-body", "1"}, &out, &errb); code != 2 {
		t.Fatalf("bad serve flag: %d", code)
	}
}

// TestIdentityTrustDomain: --identity-trust-domain (env
// TRUSTEE_IDENTITY_TRUST_DOMAIN) sets the workload CA's SPIFFE trust
// domain, a malformed one is refused, and a restart with another trust
// domain than the stored CA's is refused with a clear error.
func TestIdentityTrustDomain(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := ParseServeFlags(nil, getenv)
	if err != nil || c.IdentityTrustDomain != "trustgate.local" {
		t.Fatalf("default: %q %v", c.IdentityTrustDomain, err)
	}
	env["TRUSTEE_IDENTITY_TRUST_DOMAIN"] = "env.example"
	if c, err = ParseServeFlags(nil, getenv); err != nil || c.IdentityTrustDomain != "env.example" {
		t.Fatalf("env: %q %v", c.IdentityTrustDomain, err)
	}
	if c, err = ParseServeFlags([]string{"--identity-trust-domain", "hospital.example"}, getenv); err != nil || c.IdentityTrustDomain != "hospital.example" {
		t.Fatalf("flag over env: %q %v", c.IdentityTrustDomain, err)
	}
	for _, bad := range []string{"Hospital.Example", "hospital.example:8443", "spiffe://hospital.example", "a/b", "a..b"} {
		if _, err := ParseServeFlags([]string{"--identity-trust-domain", bad}, getenv); err == nil || !strings.Contains(err.Error(), "identity_trust_domain") {
			t.Errorf("%q: %v", bad, err)
		}
	}

	dataDir := filepath.Join(t.TempDir(), "data")
	start := func(td string) (*Instance, error) {
		cfg := Defaults()
		cfg.DataDir = dataDir
		cfg.Listen = "127.0.0.1:0"
		cfg.InsecureHTTP = true
		cfg.IdentityTrustDomain = td
		return Start(context.Background(), cfg, quiet())
	}
	inst, err := start("hospital.example")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(inst.URL + "/kbs/v0/identity/bundle")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatalf("bundle: %d %s", resp.StatusCode, pemBytes)
	}
	ca, err := x509.ParseCertificate(blk.Bytes)
	if err != nil || len(ca.URIs) != 1 || ca.URIs[0].String() != "spiffe://hospital.example" {
		t.Fatalf("CA certificate: %v %v", ca, err)
	}
	_ = inst.Shutdown(context.Background())

	for _, td := range []string{"other.example", "trustgate.local"} {
		inst, err := start(td)
		if err == nil {
			_ = inst.Shutdown(context.Background())
			t.Fatalf("%s started over a hospital.example CA", td)
		}
		if !errors.Is(err, identity.ErrTrustDomainMismatch) || !strings.Contains(err.Error(), `created for trust domain "hospital.example", not "`+td+`"`) {
			t.Fatalf("%s: unclear error %v", td, err)
		}
	}
	inst, err = start("hospital.example")
	if err != nil {
		t.Fatalf("restart with the stored trust domain: %v", err)
	}
	_ = inst.Shutdown(context.Background())
}
