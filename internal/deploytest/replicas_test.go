package deploytest

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/testenv"
	"github.com/trustgate/trustgate/internal/trustee"
)

// TestTrusteeReplicasFromManifest starts two trustee replicas with exactly
// the Deployment's arguments and environment over one real PostgreSQL
// (file paths moved under a temporary root that holds what the Secrets and
// the admin-key ConfigMap would mount), then checks what the probes check
// (HTTPS /readyz and /healthz) on both and that the admin key the
// ConfigMap names is accepted by either replica.
func TestTrusteeReplicasFromManifest(t *testing.T) {
	pg := testenv.Require(t, testenv.PostgresURL)
	o := loadK8s(t)
	_, c := container(t, o, "trustee", "trustee")
	root := t.TempDir()

	// What the Secrets and the ConfigMap provide.
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.Name == "TRUSTEE_KEK":
			env[e.Name] = base64.StdEncoding.EncodeToString(kek)
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.Name == "TRUSTEE_STORE":
			env[e.Name] = testenv.PostgresSchema(t, pg)
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		default:
			t.Fatalf("env %s: unexpected source", e.Name)
		}
	}
	var args []string
	files := map[string]string{}
	for _, a := range c.Args[1:] {
		k, v, ok := strings.Cut(a, "=")
		if ok && strings.HasPrefix(v, "/") {
			files[k] = filepath.Join(root, v)
			a = k + "=" + files[k]
		}
		args = append(args, a)
	}
	writeTLS(t, files["--tls-cert"], files["--tls-key"])
	adminKey := filepath.Join(root, "admin.key")
	writeAdminKey(t, adminKey, files["--admin-public-key"])

	cfg, err := trustee.ParseServeFlags(args, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var urls []string
	for i := 0; i < 2; i++ {
		// The manifest listens on 0.0.0.0; tests bind loopback only.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rc := cfg
		rc.DataDir = filepath.Join(root, fmt.Sprintf("data-%d", i)) // each pod has its own emptyDir
		inst, err := trustee.Start(ctx, rc, trustee.Options{Listener: ln, Out: io.Discard, Getenv: func(k string) string { return env[k] },
			Logger: trustee.NewLogger(rc, io.Discard)})
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { _ = inst.Shutdown(context.Background()) })
		urls = append(urls, inst.URL)
	}
	cas := x509.NewCertPool()
	caPEM, err := os.ReadFile(files["--tls-cert"])
	if err != nil {
		t.Fatal(err)
	}
	cas.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cas}}}
	for _, u := range urls {
		for _, p := range []string{c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path} {
			resp, err := hc.Get(u + p)
			if err != nil {
				t.Fatalf("%s%s: %v", u, p, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s%s: %s", u, p, resp.Status)
			}
		}
		ac, err := kbsadmin.New(u, adminKey, kbsadmin.TLSOptions{CACert: files["--tls-cert"]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ac.ListResources(ctx); err != nil {
			t.Errorf("%s: admin key from the ConfigMap refused: %v", u, err)
		}
	}
	// A resource set through one replica is listed through the other:
	// they share the database and the KEK.
	a, _ := kbsadmin.New(urls[0], adminKey, kbsadmin.TLSOptions{CACert: files["--tls-cert"]})
	b, _ := kbsadmin.New(urls[1], adminKey, kbsadmin.TLSOptions{CACert: files["--tls-cert"]})
	if err := a.SetResource(ctx, "default/disk/luks", []byte("k")); err != nil {
		t.Fatal(err)
	}
	if l, err := b.ListResources(ctx); err != nil || len(l) != 1 {
		t.Fatalf("replica B lists %v, %v", l, err)
	}
}

func writeFile(t *testing.T, p string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
}

// writeTLS writes a self-signed certificate for 127.0.0.1 (what the
// trustee-tls Secret holds in production, with the Service's names).
func writeTLS(t *testing.T, certPath, keyPath string) {
	t.Helper()
	if certPath == "" || keyPath == "" {
		t.Fatal("the Deployment sets no --tls-cert/--tls-key")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "trustee.trustgate.svc"},
		DNSNames: []string{"trustee.trustgate.svc"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	writeFile(t, keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}

// writeAdminKey writes an Ed25519 admin key pair: the private half for the
// client, the public half where the ConfigMap mounts it.
func writeAdminKey(t *testing.T, privPath, pubPath string) {
	t.Helper()
	if pubPath == "" || strings.Contains(pubPath, ",") {
		t.Fatalf("--admin-public-key %q: want one file", pubPath)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644)
	writeFile(t, privPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}
