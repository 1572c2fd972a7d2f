package trustee

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/testenv"
)

// cli runs `trustee admin --url … [--key …] --cacert … ARGS` in-process.
func cli(t *testing.T, inst *Instance, dir string, withKey bool, args ...string) (string, int) {
	t.Helper()
	base := []string{"--url", inst.URL, "--cacert", filepath.Join(dir, "tls.crt")}
	if withKey {
		base = append(base, "--key", filepath.Join(dir, "admin.key"))
	}
	var out, errb bytes.Buffer
	code := adminMain(append(base, args...), &out, &errb, func(string) string { return "" })
	return out.String() + errb.String(), code
}

// TestCollateralFetchOption: --collateral-fetch (flag, env, TOML; default
// on) decides whether the verifiers get an HTTP client with timeouts. Only
// the wiring is checked: no test reaches the network.
func TestCollateralFetchOption(t *testing.T) {
	toml := filepath.Join(t.TempDir(), "t.toml")
	if err := os.WriteFile(toml, []byte("collateral_fetch = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default on", nil, nil, true},
		{"flag off", []string{"--collateral-fetch=false"}, nil, false},
		{"env off", nil, map[string]string{"TRUSTEE_COLLATERAL_FETCH": "false"}, false},
		{"toml off", []string{"--config", toml}, nil, false},
		{"flag beats toml", []string{"--config", toml, "--collateral-fetch"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseServeFlags(tc.args, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.CollateralFetch != tc.want {
				t.Fatalf("CollateralFetch %v, want %v", cfg.CollateralFetch, tc.want)
			}
			o := catalogOptions(cfg, nil, nil, nil)
			if (o.HTTPClient != nil) != tc.want {
				t.Fatalf("HTTPClient %v with fetch %v", o.HTTPClient, tc.want)
			}
			if o.HTTPClient != nil {
				tr, ok := o.HTTPClient.Transport.(*http.Transport)
				if o.HTTPClient.Timeout <= 0 || !ok || tr.ResponseHeaderTimeout <= 0 || tr.TLSHandshakeTimeout <= 0 || tr.TLSClientConfig.MinVersion < 0x0303 {
					t.Fatalf("collateral client without timeouts: %+v", o.HTTPClient)
				}
			}
		})
	}
	if _, err := ParseServeFlags(nil, func(k string) string {
		if k == "TRUSTEE_COLLATERAL_FETCH" {
			return "maybe"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "TRUSTEE_COLLATERAL_FETCH") {
		t.Fatalf("bad env value: %v", err)
	}
	// A started trustee with fetching off says so and still verifies
	// what needs no network (the sample TEE in the other tests).
	var logs bytes.Buffer
	o := quiet()
	o.Logger = NewLogger(Config{LogLevel: "info"}, &logs)
	startTest(t, func(c *Config) { c.CollateralFetch = false }, o)
	if !strings.Contains(logs.String(), "collateral fetching is off") {
		t.Fatalf("no log line about collateral fetching: %s", logs.String())
	}
}

// TestCollateralCLI is the air-gapped procedure with the CLI: export the
// cache of one trustee to a file, import it into another; a malformed
// bundle is refused and stores nothing.
func TestCollateralCLI(t *testing.T) {
	ctx := context.Background()
	d1, d2 := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	online := startTest(t, func(c *Config) { c.DataDir = d1 }, quiet())
	airgap := startTest(t, func(c *Config) { c.DataDir = d2; c.CollateralFetch = false }, quiet())
	urls := []string{"https://kdsintf.amd.com/vcek/v1/Milan/00ff?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", "https://kdsintf.amd.com/vcek/v1/Milan/crl"}
	for _, u := range urls {
		if err := collateral.Put(ctx, online.Store, u, nil, []byte("der:"+u), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "collateral.json")
	if out, code := cli(t, online, d1, true, "collateral", "export", file); code != 0 || !strings.Contains(out, "exported 2 collateral entries") {
		t.Fatalf("export: %d %s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	b, _ := os.ReadFile(file)
	_ = os.WriteFile(bad, bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": 7`), 1), 0o600)
	if out, code := cli(t, airgap, d2, true, "collateral", "import", bad); code != 1 || !strings.Contains(out, "HTTP 400") || !strings.Contains(out, "version 7") {
		t.Fatalf("malformed import: %d %s", code, out)
	}
	if k, _ := airgap.Store.Keys(ctx, collateral.KeyPrefix); len(k) != 0 {
		t.Fatalf("malformed bundle stored %q", k)
	}
	if out, code := cli(t, airgap, d2, true, "collateral", "import", file); code != 0 || !strings.Contains(out, "imported 2 collateral entries") {
		t.Fatalf("import: %d %s", code, out)
	}
	for _, u := range urls {
		v, ok, err := airgap.Store.Get(ctx, collateral.Key(u))
		w, _, _ := online.Store.Get(ctx, collateral.Key(u))
		if !ok || err != nil || !bytes.Equal(v, w) {
			t.Fatalf("%s not imported: %v %v", u, ok, err)
		}
	}
	// Without the admin key, nothing.
	if out, code := cli(t, online, d1, false, "collateral", "export"); code != 2 {
		t.Fatalf("export without key: %d %s", code, out)
	}
}

// TestImportCocofyBundle: cocofy apply --offline (plain, and encrypted to
// the key `trustee admin import-key` prints) → trustee admin import → the
// resources are there, and init_data holds the digests of both workloads
// next to the one registered before (merged, not replaced).
func TestImportCocofyBundle(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	ac := adminFor(t, inst, dir)
	if err := ac.SetReferenceValue(ctx, "init_data", []any{"00aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, time.Time{}); err != nil {
		t.Fatal(err)
	}

	// The import key: printed by the CLI without an admin key, and the
	// same as DATA_DIR/import.pub.
	pubPEM, code := cli(t, inst, dir, false, "import-key")
	if code != 0 {
		t.Fatalf("import-key: %d %s", code, pubPEM)
	}
	if file, err := os.ReadFile(filepath.Join(dir, ImportPubFile)); err != nil || string(file) != pubPEM {
		t.Fatalf("%s differs from `admin import-key`: %v", ImportPubFile, err)
	}

	app, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "hospital", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	var digests []string
	uploads := map[string][]byte{}
	for i, importKey := range [][]byte{nil, []byte(pubPEM)} {
		opts := cocofy.Options{
			TrusteeURL: "https://trustee-" + string(rune('a'+i)) + ".example:8080", // another workload config, another digest
			Offline:    true, ImportKeyPEM: importKey, KeyDir: keyDir,
		}
		out := filepath.Join(t.TempDir(), "hardened")
		ar, err := cocofy.Apply(ctx, opts, app, "app.yaml", out, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		bundle, err := os.ReadFile(ar.BundlePath)
		if err != nil {
			t.Fatal(err)
		}
		if encrypted := bundle[0] != '{'; encrypted != (importKey != nil) {
			t.Fatalf("bundle %d encrypted=%v", i, encrypted)
		}
		for _, u := range ar.Result.Uploads {
			uploads[u.Path] = u.Value
			if importKey != nil && bytes.Contains(bundle, u.Value) {
				t.Fatalf("encrypted bundle holds %s in clear", u.Path)
			}
		}
		for _, rv := range ar.Result.ReferenceValues {
			if rv.Name == "init_data" {
				digests = append(digests, rv.Values...)
			}
		}
		out2, code := cli(t, inst, dir, true, "import", ar.BundlePath)
		if code != 0 || !strings.Contains(out2, "merged 1 reference values: init_data") {
			t.Fatalf("import %d: %d %s", i, code, out2)
		}
	}
	if len(digests) != 2 || digests[0] == digests[1] || len(uploads) < 2 {
		t.Fatalf("cocofy produced digests %q, uploads %d", digests, len(uploads))
	}
	names, err := ac.ListResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for p, v := range uploads {
		got, err := inst.Store.GetResource(ctx, p)
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("resource %s: %v (listed: %q)", p, err, names)
		}
	}
	e, err := ac.GetReferenceValue(ctx, "init_data")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range e.Value {
		got = append(got, v.(string))
	}
	want := append([]string{"00aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, digests...)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("init_data %q, want %q (merged)", got, want)
	}
	// The same bundle encrypted to another trustee's key is refused.
	other := filepath.Join(t.TempDir(), "other")
	inst2 := startTest(t, func(c *Config) { c.DataDir = other }, quiet())
	otherPub, _ := os.ReadFile(filepath.Join(other, ImportPubFile))
	ar, err := cocofy.Apply(ctx, cocofy.Options{TrusteeURL: "https://x.example", Offline: true, ImportKeyPEM: otherPub, KeyDir: keyDir},
		app, "app.yaml", filepath.Join(t.TempDir(), "h"), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if out, code := cli(t, inst, dir, true, "import", ar.BundlePath); code != 1 || !strings.Contains(out, "import key") {
		t.Fatalf("bundle for another trustee: %d %s", code, out)
	}
	if out, code := cli(t, inst2, other, true, "import", ar.BundlePath); code != 0 {
		t.Fatalf("bundle for its trustee: %d %s", code, out)
	}
}

// TestTokenKeyCLI: `trustee admin token-key` (no admin key) prints the PEM
// public key that verifies this trustee's tokens, what the dashboard's
// --token-key reads.
func TestTokenKeyCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	out, code := cli(t, inst, dir, false, "token-key")
	if code != 0 {
		t.Fatalf("%d %s", code, out)
	}
	blk, _ := pem.Decode([]byte(out))
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("not PEM: %q", out)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	want, err := inst.TokenPublicKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !want.Equal(k.(*ecdsa.PublicKey)) {
		t.Fatal("token-key is not the signing key's public half")
	}
	pem2, err := ear.MarshalPublicKey(want)
	if err != nil || string(pem2) != out {
		t.Fatalf("token-key output is not the plain PEM: %q", out)
	}
}
