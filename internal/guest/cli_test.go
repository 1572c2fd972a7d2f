package guest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/sealed"
)

// TestKeygenSeal makes a key and a sealed secret with the CLI, and checks
// that the data hub verifies and unseals it with the public JWK keygen
// printed, stored where the kid says.
func TestKeygenSeal(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k.pem")
	var out, errb bytes.Buffer
	if code := Main([]string{"keygen", "--out", keyPath}, &out, &errb); code != 0 {
		t.Fatalf("keygen: %d %s", code, errb.String())
	}
	jwk := bytes.TrimSpace(out.Bytes())
	if _, err := sealed.ParsePublicKey(jwk); err != nil {
		t.Fatalf("keygen printed no public JWK: %v", err)
	}
	if st, err := os.Stat(keyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	out.Reset()
	args := []string{"seal", "--key", keyPath, "--kid", "kbs:///default/sealed-secret-key/1", "--resource", "kbs:///default/azure/conn"}
	if code := Main(args, &out, &errb); code != 0 {
		t.Fatalf("seal: %d %s", code, errb.String())
	}
	s := strings.TrimSpace(out.String())
	kbs := newFake(t)
	kbs.resources["default/sealed-secret-key/1"] = jwk
	got, err := NewHub(kbs, &Config{}).Unseal(context.Background(), s)
	if err != nil || string(got) != canary {
		t.Fatalf("unseal CLI output: %q %v", got, err)
	}
	for _, bad := range [][]string{
		{"seal", "--resource", "kbs:///default/azure/conn"},
		{"seal", "--key", keyPath, "--kid", "x", "--resource", "not-a-uri"},
		{"keygen"},
		{"nope"},
	} {
		if code := Main(bad, &out, &errb); code == 0 {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestEnvFlags(t *testing.T) {
	t.Setenv("TRUSTGATE_GUEST_KBS_URL", "http://127.0.0.1:1")
	fs := newFS("t", &bytes.Buffer{})
	var c common
	c.register(fs)
	if err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	if c.cfg.KBSURL != "http://127.0.0.1:1" {
		t.Fatalf("env not applied: %q", c.cfg.KBSURL)
	}
	if err := parseFlags(fs, []string{"--kbs-url", "http://x"}); err != nil || c.cfg.KBSURL != "http://x" {
		t.Fatalf("flag must win over env: %q %v", c.cfg.KBSURL, err)
	}
}

// TestSealWireFormat checks `guest seal` output against wire-compat §6
// independently of internal/sealed: four dot-separated parts, unpadded
// base64url, header {"alg":"ES256","kid":…}, upstream's vault payload, and
// a JWS (raw r||s) ES256 signature over "header.payload".
func TestSealWireFormat(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k.pem")
	var out, errb bytes.Buffer
	if Main([]string{"keygen", "--out", keyPath}, &out, &errb) != 0 {
		t.Fatal(errb.String())
	}
	pemBytes, _ := os.ReadFile(keyPath)
	priv, err := sealed.ParsePrivateKeyPEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if Main([]string{"seal", "--key", keyPath, "--kid", "kbs:///default/k/1", "--resource", "kbs:///default/db/password"}, &out, &errb) != 0 {
		t.Fatal(errb.String())
	}
	parts := strings.Split(strings.TrimSpace(out.String()), ".")
	if len(parts) != 4 || parts[0] != "sealed" {
		t.Fatalf("not sealed.<h>.<p>.<s>: %q", out.String())
	}
	dec := func(s string) []byte {
		if strings.ContainsAny(s, "=+/") {
			t.Fatalf("part %q is not unpadded base64url", s)
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var hdr map[string]any
	if err := json.Unmarshal(dec(parts[1]), &hdr); err != nil || hdr["alg"] != "ES256" || hdr["kid"] != "kbs:///default/k/1" || len(hdr) != 2 {
		t.Fatalf("header %v %v", hdr, err)
	}
	var payload map[string]any
	if err := json.Unmarshal(dec(parts[2]), &payload); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": "0.1.0", "type": "vault", "name": "kbs:///default/db/password", "provider": "kbs", "provider_settings": map[string]any{}, "annotations": map[string]any{}}
	if !reflect.DeepEqual(payload, want) {
		t.Fatalf("payload %v, want %v", payload, want)
	}
	sig := dec(parts[3])
	if len(sig) != 64 {
		t.Fatalf("signature is %d bytes, want raw 64-byte r||s", len(sig))
	}
	h := sha256.Sum256([]byte(parts[1] + "." + parts[2]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(&priv.PublicKey, h[:], r, s) {
		t.Fatal("signature does not verify over header.payload")
	}
}
