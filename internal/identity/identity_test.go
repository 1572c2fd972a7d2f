package identity

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/store"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

func openStore(t testing.TB) store.Store {
	t.Helper()
	st := storetest.Open(t)
	return st
}

func csrFor(t testing.TB, key any) *x509.CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCSR(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCAPersistsEncrypted: the CA is created once, read back the same by a
// second load (another replica), and its key is not readable in the
// database file.
func TestCAPersistsEncrypted(t *testing.T) {
	dir := t.TempDir()
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	st, err := store.Open(context.Background(), store.Options{URL: filepath.Join(dir, "t.db"), KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := LoadOrCreate(context.Background(), st, "hospital.example")
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreate(context.Background(), st, "hospital.example")
	if err != nil {
		t.Fatal(err)
	}
	if !a.key.Equal(b.key) || string(a.BundlePEM()) != string(b.BundlePEM()) || b.TrustDomain() != "hospital.example" {
		t.Fatal("second load made a different CA")
	}
	// The trust domain is fixed at creation: another one (the default
	// included) is refused, naming both, and the stored CA is kept.
	for _, td := range []string{"other.example", ""} {
		_, err := LoadOrCreate(context.Background(), st, td)
		if !errors.Is(err, ErrTrustDomainMismatch) || !strings.Contains(err.Error(), `created for trust domain "hospital.example"`) {
			t.Fatalf("trust domain %q over a hospital.example CA: %v", td, err)
		}
	}
	if c, err := LoadOrCreate(context.Background(), st, "hospital.example"); err != nil || !c.key.Equal(a.key) {
		t.Fatalf("CA lost after a refused load: %v", err)
	}
	if !a.cert.IsCA || !a.cert.MaxPathLenZero {
		t.Error("CA certificate constraints")
	}
	if _, err := LoadOrCreate(context.Background(), st, "Not A Domain"); err == nil {
		t.Error("invalid trust domain accepted")
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(a.key)
	raw, _ := a.key.Bytes()
	assertNotInDir(t, dir, pk, raw)
}

func TestValidateTrustDomain(t *testing.T) {
	for _, tc := range []struct {
		td string
		ok bool
	}{
		{"trustgate.local", true},
		{"hospital.example", true},
		{"prod_cluster-1.example.org", true},
		{"localhost", true},
		{"", false},
		{"Hospital.example", false},
		{"hospital.example:8443", false},
		{"user@hospital.example", false},
		{"hospital.example/ns", false},
		{"spiffe://hospital.example", false},
		{".hospital.example", false},
		{"hospital..example", false},
		{"hospital.example.", false},
		{"höspital.example", false},
		{strings.Repeat("a", 256), false},
		{strings.Repeat("a", 255), true},
	} {
		err := ValidateTrustDomain(tc.td)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok %v", tc.td, err, tc.ok)
		}
	}
}

// TestIssue: key binding, lifetime under a fake clock, and what the
// certificate says.
func TestIssue(t *testing.T) {
	st := openStore(t)
	ca, err := LoadOrCreate(context.Background(), st, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ca.Now = func() time.Time { return now }
	ca.Lifetime = 20 * time.Minute
	tee, _ := ecdh.P256().GenerateKey(rand.Reader)
	key, _ := ecdsa.ParseRawPrivateKey(elliptic.P256(), tee.Bytes())
	wl := Workload{Namespace: "default", ServiceAccount: "deid"}

	iss, err := ca.Issue(Request{CSR: csrFor(t, key), TeeKey: tee.PublicKey(), Workload: wl, DNSNames: []string{"deid.example"}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(iss.DER)
	if !c.NotAfter.Equal(now.Add(20*time.Minute)) || c.IsCA || c.URIs[0].String() != "spiffe://trustgate.local/ns/default/sa/deid" {
		t.Errorf("cert: until %v CA %v URIs %v", c.NotAfter, c.IsCA, c.URIs)
	}
	if err := c.CheckSignatureFrom(ca.Certificate()); err != nil {
		t.Error(err)
	}

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, r := range map[string]Request{
		"other ECDSA key":   {CSR: csrFor(t, other), TeeKey: tee.PublicKey(), Workload: wl},
		"RSA CSR, EC TEE":   {CSR: csrFor(t, rsaKey), TeeKey: tee.PublicKey(), Workload: wl},
		"EC CSR, RSA TEE":   {CSR: csrFor(t, key), TeeKey: &rsaKey.PublicKey, Workload: wl},
		"wildcard DNS name": {CSR: csrFor(t, key), TeeKey: tee.PublicKey(), Workload: wl, DNSNames: []string{"*.example"}},
		"too many names":    {CSR: csrFor(t, key), TeeKey: tee.PublicKey(), Workload: wl, DNSNames: make([]string, MaxDNSNames+1)},
	} {
		if _, err := ca.Issue(r); !IsRefusal(err) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	// An RSA TEE key and the same RSA key in the CSR: issued.
	if _, err := ca.Issue(Request{CSR: csrFor(t, rsaKey), TeeKey: &rsaKey.PublicKey, Workload: wl}); err != nil {
		t.Errorf("RSA: %v", err)
	}
}

func TestWorkloadFromClaims(t *testing.T) {
	claims := func(entry any) map[string]any {
		return map[string]any{"submods": map[string]any{"cpu0": map[string]any{
			"ear.veraison.annotated-evidence": map[string]any{"init_data_claims": map[string]any{"data": map[string]any{InitDataEntry: entry}}},
		}}}
	}
	w, err := WorkloadFromClaims(claims("namespace = \"clinic\"\nservice_account = \"deid-sa\"\n"))
	if err != nil || w.Namespace != "clinic" || w.ServiceAccount != "deid-sa" {
		t.Fatalf("%+v %v", w, err)
	}
	for name, c := range map[string]map[string]any{
		"no claims":      {},
		"not a string":   claims(42),
		"bad TOML":       claims("namespace = "),
		"unknown key":    claims("namespace = \"a\"\nservice_account = \"b\"\ntrust_domain = \"evil\"\n"),
		"path traversal": claims("namespace = \"../x\"\nservice_account = \"b\"\n"),
		"slash in SA":    claims("namespace = \"a\"\nservice_account = \"b/sa/admin\"\n"),
		"upper case":     claims("namespace = \"A\"\nservice_account = \"b\"\n"),
		"empty":          claims(""),
		"oversized":      claims(strings.Repeat("#", 5000)),
	} {
		if _, err := WorkloadFromClaims(c); !IsRefusal(err) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
}

func TestParseCSR(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if _, err := ParseCSR(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), der...)
	tampered[len(tampered)-5] ^= 1
	for name, b := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("hello"),
		"tampered":  tampered,
		"oversized": make([]byte, MaxCSRBytes+1),
		"cert PEM":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	} {
		_, err := ParseCSR(b)
		var rf *Refusal
		if !IsRefusal(err) || !errorsAs(err, &rf) || !rf.Malformed {
			t.Errorf("%s: %v, want a malformed refusal", name, err)
		}
	}
}

// FuzzParseCSR: arbitrary input never panics and is either a CSR whose
// signature verifies or a malformed refusal; a signed CSR with one bit
// flipped never verifies.
func FuzzParseCSR(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{"a.example"}}, key)
	f.Add(der, 0)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 3)
	f.Fuzz(func(t *testing.T, b []byte, flip int) {
		csr, err := ParseCSR(b)
		if err != nil {
			var rf *Refusal
			if !errorsAs(err, &rf) || !rf.Malformed {
				t.Fatalf("error %v is not a malformed refusal", err)
			}
		} else if csr.CheckSignature() != nil {
			t.Fatal("accepted a CSR whose signature does not verify")
		}
		if flip < 0 || len(der) == 0 {
			return
		}
		m := append([]byte(nil), der...)
		i := flip % len(m)
		m[i] ^= 0x01
		if _, err := ParseCSR(m); err == nil {
			t.Fatalf("a CSR with bit 0 of byte %d flipped verified", i)
		}
	})
}

var errorsAs = errors.As

// assertNotInDir fails when any secret (raw, base64 or hex) appears in a
// file under dir.
func assertNotInDir(t *testing.T, dir string, secrets ...[]byte) {
	t.Helper()
	var forms []string
	for _, s := range secrets {
		forms = append(forms, string(s), base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s), fmt.Sprintf("%x", s))
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, f := range forms {
			if strings.Contains(string(b), f) {
				t.Errorf("%s holds a secret in clear", p)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("scan %s: %v (%d files)", dir, err, n)
	}
}
