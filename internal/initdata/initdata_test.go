package initdata

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/vectors"
)

func readVector(t *testing.T) []byte {
	t.Helper()
	dir := vectors.Dir("trustee/initdata")
	raw, err := os.ReadFile(filepath.Join(dir, "init-data-with-policy.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseUpstreamVector(t *testing.T) {
	raw := readVector(t)
	d, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if d.Algorithm != SHA256 || d.Version != Version {
		t.Fatalf("got version %q algorithm %q", d.Version, d.Algorithm)
	}
	if !strings.Contains(d.Data[KeyPolicy], "package agent_policy") {
		t.Fatalf("policy.rego missing or wrong")
	}
	// Known answer computed with sha256sum over the file.
	const want = "0deccded0d87ec44702c7330fac3eb936b68dcca5c9f6b5df1fb3480c0b525ac"
	if got := hex.EncodeToString(d.Digest()); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
	hd := SNPHostData(d.Digest())
	if hex.EncodeToString(hd[:]) != want {
		t.Fatalf("host data %x", hd)
	}
	mr := TDXMRConfigID(d.Digest())
	if hex.EncodeToString(mr[:]) != want+strings.Repeat("00", 16) {
		t.Fatalf("mrconfigid %x", mr)
	}
	// sha256(32 zero bytes || digest), computed independently with Python hashlib.
	pcr := VTPMPCR8(d.Digest())
	if hex.EncodeToString(pcr[:]) != "1c625622a76bb04c5989f8b8c3e8ff0412e580004c93ef42961486d49a7b4fcb" {
		t.Fatalf("pcr8 %x", pcr)
	}
}

func TestDigestIsOverRawBytes(t *testing.T) {
	a := []byte("version = \"0.1.0\"\nalgorithm = \"sha384\"\n\n[data]\n\"aa.toml\" = \"x = 1\"\n")
	b := []byte("version = '0.1.0'\nalgorithm = 'sha384'\n[data]\n'aa.toml' = 'x = 1'\n")
	da, err := Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	// Known answer from sha384sum.
	if got := hex.EncodeToString(da.Digest()); got != "fa61b1747cc6f527122e946c12c309e0267d005582ede4ce954f8e33c6faa8ad4525a2dfe610cd3ba38a30bf7203659a" {
		t.Fatalf("sha384 digest %s", got)
	}
	if bytes.Equal(da.Digest(), db.Digest()) {
		t.Fatal("semantically equal documents with different bytes must have different digests")
	}
	hd := SNPHostData(da.Digest())
	if !bytes.Equal(hd[:], da.Digest()[:32]) {
		t.Fatal("host data must be the truncated digest")
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"bad version", "version = \"0.2.0\"\nalgorithm = \"sha256\"\n", "version"},
		{"missing version", "algorithm = \"sha256\"\n", "version"},
		{"bad algorithm", "version = \"0.1.0\"\nalgorithm = \"md5\"\n", "algorithm"},
		{"missing algorithm", "version = \"0.1.0\"\n", "algorithm"},
		{"unknown key", "version = \"0.1.0\"\nalgorithm = \"sha256\"\nextra = 1\n", "unknown keys"},
		{"non-string data", "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\nx = 1\n", "must be a string"},
		{"bad aa.toml", "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"aa.toml\" = \"[[\"\n", "not valid TOML"},
		{"not toml", "{json: 1}", "parse initdata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestAnnotationRoundTrip(t *testing.T) {
	raw := readVector(t)
	a1, err := EncodeAnnotation(raw)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := EncodeAnnotation(raw)
	if a1 != a2 {
		t.Fatal("encoding is not deterministic")
	}
	if _, err := base64.StdEncoding.DecodeString(a1); err != nil {
		t.Fatalf("not standard base64: %v", err)
	}
	got, err := DecodeAnnotation(a1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, raw) {
		t.Fatal("round trip changed the bytes")
	}
	d, err := ParseAnnotation(a1)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(d.Digest()) != "0deccded0d87ec44702c7330fac3eb936b68dcca5c9f6b5df1fb3480c0b525ac" {
		t.Fatal("digest via annotation differs")
	}
}

func TestDecodeAnnotationRejects(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, MaxTOMLSize+10))
	zw.Close()
	tests := []struct {
		name, value string
		is          error
	}{
		{"gzip bomb", base64.StdEncoding.EncodeToString(bomb.Bytes()), ErrTooLarge},
		{"too long", strings.Repeat("A", MaxAnnotationSize+4), ErrTooLarge},
		{"not base64", "!!!", nil},
		{"unpadded", strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("ab")), "="), nil},
		{"not gzip", base64.StdEncoding.EncodeToString([]byte("version = 1")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeAnnotation(tt.value)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	data := map[string]string{
		KeyAA:     "[token_configs.kbs]\nurl = \"https://trustee:8080\"\ncert = '''\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'''\n",
		KeyCDH:    "[kbc]\nname = \"cc_kbc\"\nurl = \"https://trustee:8080\"\n",
		KeyPolicy: "package agent_policy\n\ndefault ExecProcessRequest := false\n",
		"odd":     "ends with quote '",
	}
	raw, err := Build(SHA256, data)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := Build(SHA256, data)
	if !bytes.Equal(raw, raw2) {
		t.Fatal("Build not deterministic")
	}
	d, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(Build): %v\n%s", err, raw)
	}
	for k, v := range data {
		if d.Data[k] != v {
			t.Fatalf("key %q: got %q want %q", k, d.Data[k], v)
		}
	}
	if _, err := Build("sha1", data); err == nil {
		t.Fatal("Build accepted sha1")
	}
}

func FuzzParseAnnotation(f *testing.F) {
	raw := []byte("version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"aa.toml\" = \"a = 1\"\n")
	enc, _ := EncodeAnnotation(raw)
	f.Add(enc)
	f.Add(string(raw))
	f.Add("H4sIAAAAAAAA/w==")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAnnotation(s)
		if err == nil && len(d.Digest()) == 0 {
			t.Fatal("parsed initdata without a digest")
		}
		if d2, err := Parse([]byte(s)); err == nil {
			if _, err := Digest(d2.Algorithm, d2.Raw); err != nil {
				t.Fatalf("parsed with unusable algorithm: %v", err)
			}
		}
	})
}

func BenchmarkParseAnnotation(b *testing.B) {
	raw := vectors.Read(b, "trustee/initdata/init-data-with-policy.toml")
	ann, _ := EncodeAnnotation(raw)
	for b.Loop() {
		if _, err := ParseAnnotation(ann); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCheckBindable(t *testing.T) {
	for _, tc := range []struct {
		tee, alg string
		ok       bool
	}{
		{"snp", SHA256, true}, {"snp", SHA384, false}, {"snp", SHA512, false},
		{"snp-emulated", SHA384, false},
		{"az-snp-vtpm", SHA256, true}, {"az-snp-vtpm", SHA384, false},
		{"az-tdx-vtpm", SHA512, false},
		{"tdx", SHA256, true}, {"tdx", SHA384, true}, {"tdx", SHA512, false},
		{"sample", SHA512, true},
		{"snp", "md5", false},
	} {
		err := CheckBindable(tc.tee, tc.alg)
		if tc.ok != (err == nil) {
			t.Errorf("%s %s: err = %v", tc.tee, tc.alg, err)
		}
		if err != nil && tc.alg != "md5" && !errors.Is(err, ErrNotBindable) {
			t.Errorf("%s %s: %v does not wrap ErrNotBindable", tc.tee, tc.alg, err)
		}
	}
}
