package kbsadmin

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"reflect"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/kbs"
)

const digest64 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func pubPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func sample() Bundle {
	return Bundle{
		Resources:       []BundleResource{{Path: "default/db/password", Value: base64.StdEncoding.EncodeToString([]byte("pw"))}},
		ReferenceValues: []BundleReferenceValue{{Name: "init_data", Values: []string{digest64}}},
	}
}

// A bundle written plain or sealed to the import key parses back to the
// same contents; sealed, it holds no plaintext value and only that key
// opens it.
func TestBundleRoundTrip(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	in := sample()
	for _, tc := range []struct {
		name string
		key  []byte
	}{{"plain", nil}, {"sealed", pubPEM(t, &key.PublicKey)}} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := in.Marshal(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			// sealed: compact JWE (five base64url parts), which can hold no
			// quoted JSON value, so the value never shows by chance either
			if tc.key != nil && (bytes.Contains(data, []byte(`"`+in.Resources[0].Value+`"`)) || data[0] == '{' || bytes.Count(data, []byte(".")) != 4) {
				t.Fatalf("not sealed: %.60s", data)
			}
			b, res, err := ParseBundle(data, key)
			if err != nil {
				t.Fatal(err)
			}
			want := in
			want.Format = BundleFormat
			if !reflect.DeepEqual(*b, want) || string(res["default/db/password"]) != "pw" {
				t.Fatalf("got %+v %q", b, res)
			}
			if tc.key != nil {
				if _, _, err := ParseBundle(data, other); err == nil || !strings.Contains(err.Error(), "import key") {
					t.Fatalf("opened with another key: %v", err)
				}
				if _, _, err := ParseBundle(data, nil); err == nil || !strings.Contains(err.Error(), "no import key") {
					t.Fatalf("opened without a key: %v", err)
				}
			}
		})
	}
}

// The wire form stays what trustee and older cocofy versions read and
// wrote: lower-case names, "tee" only when set.
func TestBundleWireForm(t *testing.T) {
	b := sample()
	b.ReferenceValues = append(b.ReferenceValues, BundleReferenceValue{Name: "snp_launch_measurement", Values: []string{strings.Repeat("ab", 48)}, TEE: "snp"})
	data, err := b.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "format": "trustgate-bundle/v1",
  "resources": [
    {
      "path": "default/db/password",
      "value": "cHc="
    }
  ],
  "reference_values": [
    {
      "name": "init_data",
      "values": [
        "` + digest64 + `"
      ]
    },
    {
      "name": "snp_launch_measurement",
      "values": [
        "` + strings.Repeat("ab", 48) + `"
      ],
      "tee": "snp"
    }
  ]
}
`
	if string(data) != want {
		t.Fatalf("got\n%s\nwant\n%s", data, want)
	}
}

// RSA import keys seal with RSA-OAEP-256; small RSA keys and other key
// types are refused.
func TestSealBundleKeys(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	data, err := sample().Marshal(pubPEM(t, &rk.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "ey") {
		t.Fatalf("not a compact JWE: %.40s", data)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, k := range map[string][]byte{
		"small RSA": pubPEM(t, &small.PublicKey),
		"not PEM":   []byte("nope"),
		"private":   []byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}`),
	} {
		if _, err := sample().Marshal(k); err == nil || !strings.Contains(err.Error(), "import key") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzParseBundle: never panics; what it accepts has valid unique paths,
// decodable values that it returns by path, and valid names with values.
func FuzzParseBundle(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	plain, _ := sample().Marshal(nil)
	sealed, _ := sample().Marshal(pubPEM(f, &key.PublicKey))
	f.Add(plain)
	f.Add(sealed)
	f.Add([]byte(`{"format":"trustgate-bundle/v1","resources":null}`))
	f.Add([]byte(`{"format":"trustgate-bundle/v1","resources":[{"path":"a/b/c","value":"eA=="}],"reference_values":[{"name":"x","values":["1"],"tee":"tdx"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, res, err := ParseBundle(data, key)
		if err != nil {
			if b != nil || res != nil {
				t.Fatal("result with an error")
			}
			return
		}
		if b.Format != BundleFormat || len(res) != len(b.Resources) {
			t.Fatalf("format %q, %d decoded of %d", b.Format, len(res), len(b.Resources))
		}
		for _, r := range b.Resources {
			p, err := kbs.ParseResourcePath(r.Path)
			if err != nil {
				t.Fatalf("accepted path %q", r.Path)
			}
			v, err := base64.StdEncoding.DecodeString(r.Value)
			if err != nil || !bytes.Equal(v, res[p.String()]) {
				t.Fatalf("value of %s: %v", r.Path, err)
			}
		}
		for _, rv := range b.ReferenceValues {
			if checkRefName(rv.Name) != nil || len(rv.Values) == 0 {
				t.Fatalf("accepted reference value %+v", rv)
			}
		}
	})
}
