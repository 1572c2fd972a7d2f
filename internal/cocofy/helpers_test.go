package cocofy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testTrusteeURL = "https://trustee.hospital.example:8080"
	sidecarImage   = "ghcr.io/trustgate/tls-sidecar@sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"
	beaconImage    = "ghcr.io/trustgate/beacon@sha256:6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f"
)

// testKeyDir copies the committed test signing key into a fresh key
// directory, so output is stable across runs while sidecar PKI is fresh.
func testKeyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile("testdata/keys/sealed-signing-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, signingKeyFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testOptions(t *testing.T) Options {
	t.Helper()
	cert, err := os.ReadFile("testdata/trustee-cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	return Options{TrusteeURL: testTrusteeURL, TrusteeCertPEM: cert, Offline: true, KeyDir: testKeyDir(t)}
}

func readInput(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "in", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plaintextSecrets returns every value of every Secret in the input.
func plaintextSecrets(t *testing.T, input []byte) map[string]string {
	t.Helper()
	docs, err := readDocuments(input)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range docs {
		if d.node.GetKind() != "Secret" {
			continue
		}
		vals, err := secretValues(d.node)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range vals {
			out[d.node.GetName()+"/"+k] = string(v)
		}
	}
	return out
}

// objects returns the output documents as JSON objects.
func objects(t *testing.T, manifests []byte) []map[string]any {
	t.Helper()
	docs, err := readDocuments(manifests)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, d := range docs {
		js, err := d.node.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func docJSON(t *testing.T, n *yaml.RNode) []byte {
	t.Helper()
	js, err := n.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func strictDecode(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

func containsAny(hay string, needles ...string) string {
	for _, n := range needles {
		if n != "" && strings.Contains(hay, n) {
			return n
		}
	}
	return ""
}
