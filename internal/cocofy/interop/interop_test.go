package interop

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/trustee"
)

func testdata(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", p))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keyDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sealed-signing-key.pem"), testdata(t, "keys/sealed-signing-key.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mapKBS is the guest hub's view of Trustee's resources: exactly what
// cocofy uploaded (it stands in for the attested RCAR fetch, which the
// guest's own end-to-end tests cover).
type mapKBS map[string][]byte

func (m mapKBS) GetResource(_ context.Context, path string) ([]byte, error) {
	b, ok := m[path]
	if !ok {
		return nil, fmt.Errorf("resource %s: not found", path)
	}
	return b, nil
}

func (m mapKBS) Token(context.Context) (string, []byte, error) {
	return "", nil, errors.New("no token")
}

// Sealed secrets cocofy writes unseal in the guest's data hub to the
// original plaintext; with one byte changed they fail.
func TestSealedSecretsUnsealInGuest(t *testing.T) {
	opts := cocofy.Options{TrusteeURL: "https://trustee.hospital.example:8080", Offline: true, KeyDir: keyDir(t)}
	res, err := cocofy.Transform(opts, testdata(t, "in/deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kbs := mapKBS{}
	for _, u := range res.Uploads {
		kbs[u.Path] = u.Value
	}
	hub := guest.NewHub(kbs, &guest.Config{})
	want := map[string]string{
		"connection-string": "DefaultEndpointsProtocol=https;AccountName=hospdeidout;AccountKey=7qXyWzf3kP9vL2mR8sT1aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6A==;EndpointSuffix=core.windows.net",
		"DB_USER":           "deid_app",
		"DB_PASSWORD":       "s3cr3t-Postgres-pw!42",
		"model.key":         "model-decryption-key-0f1e2d3c4b5a",
	}
	sealedValues := sealedFromManifests(t, res.Manifests)
	if len(sealedValues) != len(want) {
		t.Fatalf("sealed values %v", sealedValues)
	}
	ctx := context.Background()
	for key, s := range sealedValues {
		got, err := hub.Unseal(ctx, s)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if string(got) != want[key] {
			t.Fatalf("%s unsealed to the wrong value", key)
		}
		for _, i := range []int{len("sealed.") + 3, len(s) / 2, len(s) - 2} {
			b := []byte(s)
			if b[i] == '.' {
				i++
			}
			b[i] ^= 0x01
			if _, err := hub.Unseal(ctx, string(b)); err == nil {
				t.Fatalf("%s with byte %d changed unsealed", key, i)
			}
		}
	}
}

func sealedFromManifests(t *testing.T, manifests []byte) map[string]string {
	out := map[string]string{}
	for _, doc := range strings.Split(string(manifests), "\n---\n") {
		n, err := yaml.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		if n.GetKind() != "Secret" {
			continue
		}
		sd, _ := n.Pipe(yaml.Lookup("stringData"))
		sd.VisitFields(func(f *yaml.MapNode) error {
			out[f.Key.YNode().Value] = f.Value.YNode().Value
			return nil
		})
	}
	return out
}

// cocofy uploads through the real trustee admin API; the initdata digest
// it registers equals what the guest computes from the annotation.
func TestUploadToTrusteeAndGuestDigest(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "trustee")
	cfg := trustee.Defaults()
	cfg.DataDir, cfg.Listen, cfg.LogLevel = dataDir, "127.0.0.1:0", "error"
	inst, err := trustee.Start(context.Background(), cfg, trustee.Options{Out: io.Discard,
		Logger: trustee.NewLogger(trustee.Config{LogLevel: "error"}, io.Discard), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Shutdown(context.Background()) })
	adminKey, err := os.ReadFile(filepath.Join(dataDir, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := os.ReadFile(filepath.Join(dataDir, "tls.crt"))
	if err != nil {
		t.Fatal(err)
	}
	opts := cocofy.Options{TrusteeURL: inst.URL, TrusteeCertPEM: cert, AdminKeyPEM: adminKey, KeyDir: keyDir(t)}
	out := t.TempDir()
	ctx := context.Background()
	ar, err := cocofy.Apply(ctx, opts, testdata(t, "in/deid.yaml"), "deid.yaml", out, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A second run (same output) keeps one copy of each digest.
	if _, err := cocofy.Apply(ctx, opts, testdata(t, "in/deid.yaml"), "deid.yaml", out, nil); err != nil {
		t.Fatal(err)
	}
	ac, err := kbsadmin.New(inst.URL, filepath.Join(dataDir, "admin.key"), kbsadmin.TLSOptions{CACert: filepath.Join(dataDir, "tls.crt")})
	if err != nil {
		t.Fatal(err)
	}
	listed, err := ac.ListResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ar.Uploads {
		if !slices.Contains(listed, u.Path) {
			t.Errorf("resource %s not in trustee (have %v)", u.Path, listed)
		}
	}
	entry, err := ac.GetReferenceValue(ctx, cocofy.ReferenceValueName)
	if err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, v := range entry.Value {
		registered = append(registered, fmt.Sprint(v))
	}
	manifest, err := os.ReadFile(filepath.Join(out, "deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var annotations []string
	for _, doc := range strings.Split(string(manifest), "\n---\n") {
		n, err := yaml.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range [][]string{{"spec", "template"}, {"spec", "jobTemplate", "spec", "template"}} {
			if tmpl, _ := n.Pipe(yaml.Lookup(path...)); tmpl != nil {
				if a, ok := tmpl.GetAnnotations()[initdata.AnnotationKey]; ok {
					annotations = append(annotations, a)
				}
			}
		}
	}
	if len(annotations) != 2 || len(registered) != 2 {
		t.Fatalf("found %d annotations, trustee has %v", len(annotations), registered)
	}
	for _, ann := range annotations {
		// The guest parses the annotation exactly as written in the manifest.
		g, err := guest.ParseInitData([]byte(ann))
		if err != nil {
			t.Fatal(err)
		}
		d := hex.EncodeToString(g.Digest())
		if !slices.Contains(registered, d) {
			t.Errorf("guest digest %s not registered (%v)", d, registered)
		}
	}
}
