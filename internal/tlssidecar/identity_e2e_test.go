package tlssidecar

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/testenv"
)

var (
	reTrusteeURL = regexp.MustCompile(`trustee listening on (http://127\.0\.0\.1:\d+)`)
	reGuestAddr  = regexp.MustCompile(`guest local API listening.* addr=(127\.0\.0\.1:\d+)`)
)

const identityResourcePolicy = `package policy
import rego.v1
default allow := false
allow if {
	data.plugin == "identity"
	input.submods.cpu0["ear.status"] == "affirming"
	data["resource-path"] == ["hospital", "deid"]
	not data.query.dns
}
allow if {
	data.plugin == "identity"
	input.submods.cpu0["ear.status"] == "affirming"
	data["resource-path"] == ["hospital", "deid"]
	data.query.dns == "deid-tls.hospital.svc"
}
allow if {
	data.plugin == "resource"
	input.submods.cpu0["ear.status"] == "affirming"
	data["resource-path"] == ["hospital", "sidecar-tls-deid", "client-ca"]
}
`

func selfSigned(t *testing.T, cn string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: isCA, BasicConstraintsValid: true}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestE2EIdentity: real trustee and guest binaries, the sidecar in
// identity mode in this process. The sidecar's key is born in its memory,
// certified through the guest's fresh attestation, and appears in no file
// of Trustee's state, no Trustee or guest log line, and no sidecar log
// line; a client with the hospital certificate sees the Trustee-issued
// server certificate with the measured SPIFFE ID.
func TestE2EIdentity(t *testing.T) {
	bins := testenv.Build(t, "./cmd/trustee", "./cmd/guest")
	trBin, guestBin := filepath.Join(bins, "trustee"), filepath.Join(bins, "guest")
	dir := t.TempDir()
	trp := testenv.Start(t, nil, trBin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--insecure-http", "--auth-rate", "0")
	trURL := trp.WaitFor(t, reTrusteeURL)
	admin := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(trBin, append([]string{"admin", "--url", trURL, "--key", filepath.Join(dir, "admin.key")}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("trustee admin %v: %v\n%s", args, err, out)
		}
	}
	admin("package policy\ntrust_claims := {\"executables\": 2, \"hardware\": 2, \"configuration\": 2}\n", "set-attestation-policy", "--id", "default_cpu", "-")
	admin(identityResourcePolicy, "set-resource-policy", "-")
	clientCA, clientCAKey, clientCAPEM := selfSigned(t, "hospital users", true, nil, nil)
	alice, aliceKey, _ := selfSigned(t, "alice", false, clientCA, clientCAKey)
	admin(string(clientCAPEM), "set-resource", "hospital/sidecar-tls-deid/client-ca", "-")

	raw, err := initdata.Build("sha256", map[string]string{
		"aa.toml":       fmt.Sprintf("[token_configs.kbs]\nurl = %q\n", trURL),
		"cdh.toml":      fmt.Sprintf("[kbc]\nname = \"cc_kbc\"\nurl = %q\n", trURL),
		"identity.toml": "namespace = \"hospital\"\nservice_account = \"deid\"\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	idPath := filepath.Join(t.TempDir(), "initdata.toml")
	os.WriteFile(idPath, raw, 0o600)
	g := testenv.Start(t, nil, guestBin, "serve", "--listen", "127.0.0.1:0", "--tee", "sample", "--initdata", idPath)
	apiAddr := g.WaitFor(t, reGuestAddr)

	// The guest attests with the CSR's own key, so it refuses a CSR it
	// cannot read (or whose signature does not verify) before attesting.
	resp, err := http.Post("http://"+apiAddr+"/trustgate/identity/csr", "application/json", strings.NewReader(`{"csr":"not a csr"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("malformed CSR: %d", resp.StatusCode)
	}

	app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "deid") })}
	appLn, _ := net.Listen("tcp", "127.0.0.1:0")
	go app.Serve(appLn)
	defer app.Close()
	var logs bytes.Buffer
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s, err := New(Config{
		Listen: addr, Upstream: "http://" + appLn.Addr().String(), API: "http://" + apiAddr,
		Identity: true, DNSNames: []string{"deid-tls.hospital.svc"}, ClientCAURI: "kbs:///hospital/sidecar-tls-deid/client-ca",
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-s.Ready():
	case <-time.After(20 * time.Second):
		t.Fatalf("sidecar never got a certificate:\n%s\nguest:\n%s", logs.String(), g.Output())
	}

	// The bundle is public; the server certificate chains to it.
	bresp, err := http.Get(trURL + "/kbs/v0/identity/bundle")
	if err != nil {
		t.Fatal(err)
	}
	bundle, _ := io.ReadAll(bresp.Body)
	bresp.Body.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		t.Fatalf("bundle: %q", bundle)
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "deid-tls.hospital.svc",
		Certificates: []tls.Certificate{{Certificate: [][]byte{alice.Raw}, PrivateKey: aliceKey}}})
	if err != nil {
		t.Fatalf("mTLS to the sidecar: %v", err)
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != "spiffe://trustgate.local/ns/hospital/sa/deid" {
		t.Fatalf("SPIFFE ID %v", leaf.URIs)
	}
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life > 62*time.Minute {
		t.Errorf("lifetime %v", life)
	}

	// Canary scan: the sidecar's private key, in every encoding a leak
	// would take, is nowhere in Trustee's state or any log.
	key := s.cur.Load().cert.PrivateKey.(*ecdsa.PrivateKey)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	rawKey, _ := key.Bytes()
	forms := []string{string(rawKey), hex.EncodeToString(rawKey), base64.StdEncoding.EncodeToString(rawKey),
		base64.RawURLEncoding.EncodeToString(rawKey), base64.StdEncoding.EncodeToString(der), string(der)}
	check := func(where, text string) {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("the sidecar's private key is in %s", where)
			}
		}
	}
	check("the sidecar log", logs.String())
	check("the guest log", g.Output())
	check("the trustee log", trp.Output())
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			check(p, string(b))
			n++
		}
		return nil
	})
	if n == 0 {
		t.Fatal("trustee state dir is empty: the scan proves nothing")
	}
	if !strings.Contains(logs.String(), "workload certificate issued") {
		t.Errorf("no issuance in the sidecar log: %s", logs.String())
	}
}
