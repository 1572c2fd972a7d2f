package trustee

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbs/client"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/testenv"
)

func quiet() Options {
	return Options{Out: io.Discard, Logger: NewLogger(Config{LogLevel: "error"}, io.Discard), Getenv: func(string) string { return "" }}
}

func startTest(t *testing.T, mut func(*Config), o Options) *Instance {
	t.Helper()
	cfg := Defaults()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Listen = "127.0.0.1:0"
	if mut != nil {
		mut(&cfg)
	}
	inst, err := Start(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Shutdown(context.Background()) })
	return inst
}

func adminFor(t *testing.T, inst *Instance, dataDir string) *kbsadmin.Client {
	t.Helper()
	ac, err := kbsadmin.New(inst.URL, filepath.Join(dataDir, "admin.key"), kbsadmin.TLSOptions{CACert: filepath.Join(dataDir, "tls.crt")})
	if err != nil {
		t.Fatal(err)
	}
	return ac
}

// TestZeroConfigEndToEnd starts trustee with defaults (HTTPS, self-signed
// certificate, first-run admin key), configures it through the admin
// client, and runs engineer A's KBS client with the sample attester.
func TestZeroConfigEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	ctx := context.Background()
	for name, mode := range map[string]os.FileMode{"admin.key": 0o600, "kek": 0o600, "tls.key": 0o600, "admin.pub": 0o644, "trustee.db": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != mode {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
	}
	if !strings.HasPrefix(inst.URL, "https://127.0.0.1:") || len(inst.Material.TLSFingerprint) != 95 {
		t.Fatalf("%s %q", inst.URL, inst.Material.TLSFingerprint)
	}
	ac := adminFor(t, inst, dir)
	if err := ac.SetResource(ctx, "default/db/password", []byte("s3cret")); err != nil {
		t.Fatal(err)
	}

	certPEM, _ := os.ReadFile(filepath.Join(dir, "tls.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	newClient := func() *client.Client {
		c, err := client.New(client.Options{URL: inst.URL, Attester: &samplea.Attester{}, RootCAs: pool, RetryDelay: -1, HandshakeAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Default policy: a software TEE never gets a secret.
	_, err := newClient().GetResource(ctx, "default", "db", "password")
	var se *client.StatusError
	if !errors.As(err, &se) || se.Status != 401 || se.Info.Variant() != kbs.PolicyDeny {
		t.Fatalf("default policy: %v", err)
	}
	// Allow-all: released and decrypted by the guest.
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := ac.SetResourcePolicy(ctx, []byte(allow)); err != nil {
		t.Fatal(err)
	}
	got, err := newClient().GetResource(ctx, "default", "db", "password")
	if err != nil || string(got) != "s3cret" {
		t.Fatalf("allow-all: %q %v", got, err)
	}
	// Every decision is in the audit log.
	evs, err := ac.Audit(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var deny, release bool
	for _, e := range evs {
		if e.Kind == audit.KindResource {
			deny = deny || (e.Outcome == audit.OutcomeDeny && strings.Contains(e.Reason, "denied"))
			release = release || e.Outcome == audit.OutcomeAllow
		}
	}
	if !deny || !release {
		t.Fatalf("audit lacks deny/release: %+v", evs)
	}

	// KEK rotation keeps the resource readable after a restart.
	if _, err := ac.RotateKEK(ctx); err != nil {
		t.Fatal(err)
	}
	if err := inst.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	inst2 := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	if inst2.Material.CreatedAdminKey || inst2.Material.CreatedKEK || inst2.Material.CreatedTLS {
		t.Fatal("second start made new first-run material")
	}
	v, err := inst2.Store.GetResource(ctx, "default/db/password")
	if err != nil || string(v) != "s3cret" {
		t.Fatalf("after rotate+restart: %q %v", v, err)
	}
}

func TestAdminCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	run := func(stdin string, args ...string) (string, int) {
		t.Helper()
		base := []string{"--url", inst.URL, "--key", filepath.Join(dir, "admin.key"), "--cacert", filepath.Join(dir, "tls.crt")}
		var out, errb bytes.Buffer
		old := os.Stdin
		if stdin != "" {
			f := filepath.Join(t.TempDir(), "stdin")
			_ = os.WriteFile(f, []byte(stdin), 0o600)
			os.Stdin, _ = os.Open(f)
			defer func() { os.Stdin.Close(); os.Stdin = old }()
		}
		code := adminMain(append(base, args...), &out, &errb, func(string) string { return "" })
		return out.String() + errb.String(), code
	}
	pol := filepath.Join(t.TempDir(), "p.rego")
	_ = os.WriteFile(pol, []byte("package policy\ndefault allow := false\n"), 0o600)
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
		code  int
	}{
		{"v1", []string{"set-resource", "default/k/1", "-"}, "stored default/k/1 (2 bytes)", 0},
		{"", []string{"set-resource", "default/k/2", pol}, "stored default/k/2", 0},
		{"", []string{"list-resources"}, "default/k/1\ndefault/k/2\n", 0},
		{"", []string{"delete-resource", "default/k/2"}, "deleted", 0},
		{"", []string{"set-resource-policy", pol}, "resource policy set", 0},
		{"", []string{"get-resource-policy"}, "default allow := false", 0},
		{"", []string{"set-attestation-policy", "--id", "x_cpu", pol}, "set", 1}, // no trust_claims: refused? (compiles; policy checked at use)
		{"", []string{"get-attestation-policy"}, "package policy", 0},
		{"", []string{"set-reference-value", "m", "a", "b", "--expires", "48h"}, "2 values", 0},
		{"", []string{"get-reference-value", "m"}, `"a"`, 0},
		{"", []string{"list-reference-values"}, `"m"`, 0},
		{"", []string{"delete-reference-value", "m"}, "deleted", 0},
		{"", []string{"set-reference-value", "snp_launch_measurement", "abcd"}, "SNP launch measurement (48 bytes)", 1},
		{"", []string{"set-reference-value", "snp_bootloader", "0x3"}, "snp_bootloader", 1},
		// An initdata digest the TEE cannot bind in full (issue 11 point 10).
		{"", []string{"set-reference-value", "init_data", strings.Repeat("3c", 48)}, "this digest has 48 (sha384)", 1},
		{"", []string{"set-reference-value", "init_data", strings.Repeat("3c", 48), "--tee", "snp"}, "snp binds 32 bytes", 1},
		{"", []string{"set-reference-value", "init_data", strings.Repeat("3c", 64), "--tee", "tdx"}, "tdx binds 48 bytes", 1},
		{"", []string{"set-reference-value", "init_data", strings.Repeat("3c", 48), "--tee", "tdx"}, "1 values", 0},
		{"", []string{"set-reference-value", "init_data", strings.Repeat("3d", 32)}, "1 values", 0},
		{"", []string{"audit", "--limit", "2"}, `"kind":"admin"`, 0},
		{"", []string{"audit", "export", "--since", "0"}, `"kind":"admin"`, 0},
		{"", []string{"audit", "--explain", "1"}, "event 1 ", 0},
		{"", []string{"audit", "--explain", "x"}, "positive number", 2},
		{"", []string{"audit", "bogus"}, `unexpected argument "bogus"`, 2},
		{"", []string{"rotate-kek"}, "new KEK id", 0},
		{"", []string{"rotate-token-key"}, "token key rotated; new kid", 0},
		{"", []string{"set-resource", "default/../x", pol}, "resource path", 1},
		{"", []string{"set-resource", "only-one-arg"}, "usage", 2},
		{"", []string{"nope"}, "unknown admin command", 2},
	} {
		out, code := run(c.stdin, c.args...)
		if c.args[0] == "set-attestation-policy" {
			// A policy that compiles is stored; its shape is checked at use.
			if code != 0 {
				t.Fatalf("%v: %d %s", c.args, code, out)
			}
			continue
		}
		if code != c.code || !strings.Contains(out, c.want) {
			t.Fatalf("%v: code %d, out %q; want %d, %q", c.args, code, out, c.code, c.want)
		}
	}
	// Wrong key is refused.
	other := filepath.Join(t.TempDir(), "d2")
	inst2 := startTest(t, func(c *Config) { c.DataDir = other }, quiet())
	_ = inst2
	var out bytes.Buffer
	code := adminMain([]string{"--url", inst.URL, "--key", filepath.Join(other, "admin.key"), "--insecure", "list-resources"}, &out, &out, func(string) string { return "" })
	if code != 1 || !strings.Contains(out.String(), "AdminAuth") {
		t.Fatalf("wrong key: %d %s", code, out.String())
	}
}

// TestTwoReplicasPostgres runs two trustee servers over one real
// PostgreSQL: a handshake begun on one finishes on the other, and a
// resource written through one is read through the other.
func TestTwoReplicasPostgres(t *testing.T) {
	a, b, dirA := twoReplicas(t)
	ctx := context.Background()
	mk := func(inst *Instance) *kbsadmin.Client {
		ac, err := kbsadmin.New(inst.URL, filepath.Join(dirA, "admin.key"), kbsadmin.TLSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return ac
	}
	acA, acB := mk(a), mk(b)
	if err := acA.SetResource(ctx, "default/shared/key", []byte("from-A")); err != nil {
		t.Fatal(err)
	}
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := acB.SetResourcePolicy(ctx, []byte(allow)); err != nil {
		t.Fatal(err)
	}
	if l, err := acB.ListResources(ctx); err != nil || len(l) != 1 {
		t.Fatalf("list via B: %v %v", l, err)
	}

	splitHandshake(t, a.URL, b.URL, "default/shared/key", "from-A")
}

// twoReplicas starts two trustee replicas over one real PostgreSQL schema,
// sharing the KEK; B trusts A's admin key (in dirA).
func twoReplicas(t *testing.T) (a, b *Instance, dirA string) {
	t.Helper()
	pg := testenv.Require(t, testenv.PostgresURL)
	url := testenv.PostgresSchema(t, pg)
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	o := quiet()
	o.Getenv = func(k string) string {
		if k == "TRUSTEE_KEK" {
			return base64.StdEncoding.EncodeToString(kek)
		}
		return ""
	}
	dirA = filepath.Join(t.TempDir(), "a")
	a = startTest(t, func(c *Config) { c.DataDir, c.Store, c.InsecureHTTP = dirA, url, true }, o)
	b = startTest(t, func(c *Config) {
		c.DataDir, c.Store, c.InsecureHTTP = filepath.Join(t.TempDir(), "b"), url, true
		c.AdminPublicKeys = []string{filepath.Join(dirA, "admin.pub")}
	}, o)
	return a, b, dirA
}

// splitHandshake runs auth on replica a, attest on replica b, then fetches
// resource from a (session cookie) and from b (bearer token).
func splitHandshake(t *testing.T, a, b, resource, want string) {
	t.Helper()
	ctx := context.Background()
	priv, pub, _ := jwe.GenerateKey(jwe.KeyP256)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	post := func(base, path string, body []byte) []byte {
		resp, err := hc.Post(base+path, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s%s: %d %s", base, path, resp.StatusCode, rb)
		}
		return rb
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(post(a, "/kbs/v0/auth", []byte(`{"version":"0.4.0","tee":"sample","extra-params":""}`)), &ch); err != nil {
		t.Fatal(err)
	}
	// The cookie was set for a's host:port; send it to b explicitly.
	copyCookies(t, jar, a, b)
	ev, _ := (&samplea.Attester{}).Evidence(ctx, kbs.ReportData(ch.Nonce, pub, ""))
	body, _ := json.Marshal(kbs.Attestation{RuntimeData: kbs.RuntimeData{Nonce: ch.Nonce, TeePubKey: pub}, TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev}})
	var tr kbs.TokenResponse
	if err := json.Unmarshal(post(b, "/kbs/v0/attest", body), &tr); err != nil {
		t.Fatal(err)
	}
	copyCookies(t, jar, b, a)
	resp, err := hc.Get(a + "/kbs/v0/resource/" + resource)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("resource via first replica: %d %s", resp.StatusCode, rb)
	}
	if v, err := jwe.Decrypt(priv, rb); err != nil || string(v) != want {
		t.Fatalf("%q %v", v, err)
	}
	req, _ := http.NewRequest("GET", b+"/kbs/v0/resource/"+resource, nil)
	req.Header.Set("Authorization", "Bearer "+tr.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if v, err := jwe.Decrypt(priv, rb); resp.StatusCode != 200 || err != nil || string(v) != want {
		t.Fatalf("bearer via second replica: %d %q %v", resp.StatusCode, v, err)
	}
	// The session is attested on both replicas: a second attest returns
	// the stored token, and its nonce cannot start another attestation.
	var tr2 kbs.TokenResponse
	if err := json.Unmarshal(post(a, "/kbs/v0/attest", body), &tr2); err != nil || tr2.Token != tr.Token {
		t.Fatalf("re-attest on first replica: %v", err)
	}
}

func copyCookies(t *testing.T, jar http.CookieJar, from, to string) {
	t.Helper()
	fu, _ := url.Parse(from)
	tu, _ := url.Parse(to)
	jar.SetCookies(tu, jar.Cookies(fu))
}

func TestCertFingerprintMatchesServedCert(t *testing.T) {
	inst := startTest(t, nil, quiet())
	conn, err := tls.Dial("tcp", inst.Addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // we compare the fingerprint
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].Raw)
	fp := strings.ReplaceAll(inst.Material.TLSFingerprint, ":", "")
	if !strings.EqualFold(fp, fmt.Sprintf("%x", sum)) {
		t.Fatalf("printed %s, served %x", fp, sum)
	}
}

func TestFollowAudit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	ac := adminFor(t, inst, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan audit.Event, 8)
	go func() {
		_ = ac.FollowAudit(ctx, "", func(e audit.Event) error { got <- e; return nil })
	}()
	if err := ac.SetResource(ctx, "default/x/1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e.Kind != audit.KindAdmin || e.Resource != "default/x/1" || e.ID == 0 {
			t.Fatalf("%+v", e)
		}
	case <-ctx.Done():
		t.Fatal("no event streamed")
	}
}

// TestFollowAuditAcrossTokenExpiry: the server ends an audit stream when
// the admin token that opened it expires; FollowAudit reopens it with a
// fresh token after the last event, so events written later still arrive,
// each once.
func TestFollowAuditAcrossTokenExpiry(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	o := quiet()
	o.AdminLeeway = time.Millisecond
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, o)
	ac := adminFor(t, inst, dir)
	ac.TokenLifetime = 2 * time.Second // exp is whole seconds: 1-2 s left
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan audit.Event, 64)
	done := make(chan error, 1)
	go func() {
		done <- ac.FollowAudit(ctx, "", func(e audit.Event) error { got <- e; return nil })
	}()
	next := func(res string) {
		t.Helper()
		for {
			select {
			case e := <-got:
				if e.Resource == res {
					return
				}
			case err := <-done:
				t.Fatalf("follow ended: %v", err)
			case <-ctx.Done():
				t.Fatalf("no event for %s", res)
			}
		}
	}
	if err := ac.SetResource(ctx, "default/x/1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	next("default/x/1")
	time.Sleep(3 * time.Second) // past the first stream's token
	if err := ac.SetResource(ctx, "default/x/2", []byte("v")); err != nil {
		t.Fatal(err)
	}
	next("default/x/2")
	select {
	case e := <-got:
		t.Fatalf("event delivered twice or unexpected: %+v", e)
	default:
	}
}
