package interop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/testenv"
	"github.com/trustgate/trustgate/internal/tlssidecar"
	"github.com/trustgate/trustgate/internal/trustee"
)

var reGuestAddr = regexp.MustCompile(`guest local API listening.* addr=(127\.0\.0\.1:\d+)`)

// startGuest builds and runs the real guest daemon (sample TEE) against
// kbsURL; it returns the local API address and the binary.
func startGuest(t *testing.T, kbsURL string) (string, string) {
	t.Helper()
	bin := filepath.Join(testenv.Build(t, "./cmd/guest"), "guest")
	p := testenv.Start(t, nil, bin, "serve", "--listen", "127.0.0.1:0", "--kbs-url", kbsURL, "--tee", "sample")
	return p.WaitFor(t, reGuestAddr), bin
}

// countingHandler counts the sidecar's "waiting for TLS material" warnings.
type countingHandler struct {
	slog.Handler
	waits *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "waiting for TLS material") {
		h.waits.Add(1)
	}
	return nil
}

// The whole path of issue 5's sidecar acceptance, with the deprecated
// --uploaded-server-key (still supported for migrating pipelines; the
// default, workload identity, is end to end in internal/up and in
// internal/tlssidecar's TestE2EIdentity): cocofy uploads the TLS material
// to the real trustee; the real guest daemon attests (sample TEE) and
// fetches it; the sidecar serves nothing until trustee's resource policy
// releases it, then only to clients holding cocofy's client certificate.
func TestSidecarEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the guest daemon; skipped with -short")
	}
	dataDir := filepath.Join(t.TempDir(), "trustee")
	cfg := trustee.Defaults()
	cfg.DataDir, cfg.Listen, cfg.LogLevel, cfg.InsecureHTTP, cfg.AuthRate = dataDir, "127.0.0.1:0", "error", true, 0
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
	keys := keyDir(t)
	opts := cocofy.Options{TrusteeURL: inst.URL, AdminKeyPEM: adminKey, KeyDir: keys, Sidecar: true, UploadedServerKey: true,
		SidecarImage: "ghcr.io/trustgate/tls-sidecar@sha256:" + strings.Repeat("5e", 32)}
	ctx := context.Background()
	if _, err := cocofy.Apply(ctx, opts, testdata(t, "in/deid.yaml"), "deid.yaml", t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	guestAddr, guestBin := startGuest(t, inst.URL)

	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "deid: 3 notes de-identified for "+r.Header.Get("X-Client-Cert-Subject"))
	}))
	defer app.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	var waits atomic.Int64
	sc, err := tlssidecar.New(tlssidecar.Config{Listen: addr, Upstream: app.URL, API: "http://" + guestAddr,
		CertURI: "kbs:///hospital/sidecar-tls-deid/server-cert", KeyURI: "kbs:///hospital/sidecar-tls-deid/server-key",
		ClientCAURI: "kbs:///hospital/sidecar-tls-deid/client-ca", MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Logger: slog.New(countingHandler{slog.NewTextHandler(io.Discard, nil), &waits})})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sc.Run(sctx) }()
	defer func() { cancel(); wg.Wait() }()

	// trustee's default resource policy never releases to the sample TEE:
	// the sidecar keeps waiting and listens nowhere.
	deadline := time.Now().Add(30 * time.Second)
	for waits.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("sidecar did not retry")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("sidecar reachable before attestation released its key: %v", err)
	}

	ac, err := kbsadmin.New(inst.URL, filepath.Join(dataDir, "admin.key"), kbsadmin.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetResourcePolicy(ctx, []byte("package policy\nimport rego.v1\ndefault allow := false\nallow if data[\"resource-path\"][1] == \"sidecar-tls-deid\"\nallow if data[\"resource-path\"][0] == \"hospital\"\nallow if data[\"resource-path\"][1] == \"sealed-secret\"\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sc.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("sidecar did not start after the policy released its material")
	}

	pki := filepath.Join(keys, "sidecar", "hospital", "deid")
	caPEM, _ := os.ReadFile(filepath.Join(pki, "ca.pem"))
	roots := x509.NewCertPool()
	// The server certificate is issued by the same CA cocofy made.
	roots.AppendCertsFromPEM(caPEM)
	clientCert, err := tls.LoadX509KeyPair(filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(certs []tls.Certificate) (string, error) {
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "deid-tls.hospital.svc", Certificates: certs},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}}
		resp, err := c.Get("https://deid-tls.hospital.svc:8443/notes")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	if _, err := get(nil); err == nil {
		t.Fatal("no client certificate: accepted")
	}
	other := selfSigned(t)
	if _, err := get([]tls.Certificate{other}); err == nil {
		t.Fatal("certificate from another CA: accepted")
	}
	body, err := get([]tls.Certificate{clientCert})
	if err != nil || !strings.HasPrefix(body, "deid: 3 notes de-identified for CN=trustgate client for hospital/deid") {
		t.Fatalf("right certificate: %v %q", err, body)
	}

	// The sealed secrets cocofy wrote unseal in the guest (`guest run`,
	// attested fetch from trustee) to the values of the original Secrets.
	res, err := cocofy.Transform(opts, testdata(t, "in/deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sealedValues := sealedFromManifests(t, res.Manifests)
	cmd := exec.Command(guestBin, "run", "--kbs-url", inst.URL, "--tee", "sample", "--", "sh", "-c", `printf '%s|%s' "$AZURE" "$DBPW"`)
	cmd.Env = append(os.Environ(), "AZURE="+sealedValues["connection-string"], "DBPW="+sealedValues["DB_PASSWORD"])
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("guest run: %v", err)
	}
	if want := "DefaultEndpointsProtocol=https;AccountName=hospdeidout;AccountKey=7qXyWzf3kP9vL2mR8sT1aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6A==;EndpointSuffix=core.windows.net|s3cr3t-Postgres-pw!42"; string(out) != want {
		t.Fatalf("guest run unsealed %q", out)
	}
	bad := []byte(sealedValues["DB_PASSWORD"])
	bad[len(bad)-5] ^= 1
	cmd = exec.Command(guestBin, "run", "--kbs-url", inst.URL, "--tee", "sample", "--", "true")
	cmd.Env = append(os.Environ(), "DBPW="+string(bad))
	if out, err := cmd.CombinedOutput(); err == nil || strings.Contains(string(out), "s3cr3t") {
		t.Fatalf("tampered sealed secret: err=%v", err)
	}
}
