package tlssidecar

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	kpem []byte
}

func issue(t testing.TB, cn string, parent *pki, isCA bool, usage x509.ExtKeyUsage, dns ...string) *pki {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: isCA, BasicConstraintsValid: true}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return &pki{cert: c, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		kpem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})}
}

// fakeAPI serves /cdh/resource/... as the guest's local API does, but only
// once available is set (attestation succeeded).
type fakeAPI struct {
	mu        sync.Mutex
	available bool
	res       map[string][]byte
	requests  atomic.Int64
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/cdh/resource/")
	if !f.available {
		http.Error(w, "attestation failed", http.StatusInternalServerError)
		return
	}
	b, ok := f.res[p]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Write(b)
}

func (f *fakeAPI) set(available bool, res map[string][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.available = available
	if res != nil {
		f.res = res
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func client(serverCA *pki, cert *pki, maxVersion uint16) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(serverCA.cert)
	cfg := &tls.Config{RootCAs: pool, ServerName: "deid-tls.hospital.svc", MaxVersion: maxVersion}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.cert.Raw}, PrivateKey: cert.key}}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}, Timeout: 5 * time.Second}
}

func TestEndToEnd(t *testing.T) {
	serverCA := issue(t, "server CA", nil, true, 0)
	server := issue(t, "deid-tls", serverCA, false, x509.ExtKeyUsageServerAuth, "deid-tls.hospital.svc")
	clientCA := issue(t, "client CA", nil, true, 0)
	goodClient := issue(t, "alice", clientCA, false, x509.ExtKeyUsageClientAuth)
	otherCA := issue(t, "other CA", nil, true, 0)
	otherClient := issue(t, "mallory", otherCA, false, x509.ExtKeyUsageClientAuth)

	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An app's own HSTS header that would switch HSTS off: the sidecar's replaces it.
		w.Header().Set("Strict-Transport-Security", "max-age=0")
		io.WriteString(w, "deid app says hello to "+r.Header.Get("X-Client-Cert-Subject"))
	}))
	defer app.Close()
	api := &fakeAPI{}
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	material := map[string][]byte{
		"hospital/sidecar-tls-deid/server-cert": server.pem,
		"hospital/sidecar-tls-deid/server-key":  server.kpem,
		"hospital/sidecar-tls-deid/client-ca":   clientCA.pem,
	}

	addr, healthAddr := freeAddr(t), freeAddr(t)
	s, err := New(Config{
		Listen: addr, HealthListen: healthAddr, Upstream: app.URL, API: apiSrv.URL,
		CertURI: "kbs:///hospital/sidecar-tls-deid/server-cert", KeyURI: "kbs:///hospital/sidecar-tls-deid/server-key",
		ClientCAURI: "kbs:///hospital/sidecar-tls-deid/client-ca",
		Refresh:     50 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	// Before attestation: the sidecar keeps asking and listens nowhere.
	eventually(t, "retries", func() bool { return api.requests.Load() >= 5 })
	for _, a := range []string{addr, healthAddr} {
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err == nil {
			c.Close()
			t.Fatalf("%s accepted a connection before the material was available", a)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s: %v, want connection refused", a, err)
		}
	}
	select {
	case <-s.Ready():
		t.Fatal("ready before material")
	default:
	}

	api.set(true, material)
	select {
	case <-s.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("sidecar did not start after the material became available")
	}
	url := "https://" + addr + "/notes"
	// Route the test's requests for the SAN to the sidecar's address.
	get := func(c *http.Client) (string, error) {
		tr := c.Transport.(*http.Transport)
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		req, _ := http.NewRequest(http.MethodGet, strings.Replace(url, addr, "deid-tls.hospital.svc:443", 1), nil)
		req.Header.Set("X-Client-Cert-Subject", "CN=admin") // forged: the sidecar must replace it
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return "", errors.New(resp.Status)
		}
		if got := resp.Header.Values("Strict-Transport-Security"); len(got) != 1 || got[0] != HSTS {
			return "", fmt.Errorf("Strict-Transport-Security %q, want only %q", got, HSTS)
		}
		return string(b), nil
	}

	if _, err := get(client(serverCA, nil, 0)); err == nil {
		t.Fatal("request without a client certificate succeeded")
	}
	if _, err := get(client(serverCA, otherClient, 0)); err == nil {
		t.Fatal("client certificate from another CA accepted")
	}
	if _, err := get(client(serverCA, goodClient, tls.VersionTLS12)); err == nil {
		t.Fatal("TLS 1.2 accepted")
	}
	body, err := get(client(serverCA, goodClient, 0))
	if err != nil {
		t.Fatalf("right certificate: %v", err)
	}
	if body != "deid app says hello to CN=alice" {
		t.Fatalf("app answer %q", body)
	}
	// Raw handshake without a certificate is refused by the server.
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: poolOf(serverCA), ServerName: "deid-tls.hospital.svc"})
	if err == nil {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate required") {
		t.Fatalf("handshake without client cert: %v, want certificate required alert", err)
	}

	resp, err := http.Get("http://" + healthAddr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", err, resp)
	}
	resp.Body.Close()

	// Rotation: a new server certificate is served without a restart.
	server2 := issue(t, "deid-tls-rotated", serverCA, false, x509.ExtKeyUsageServerAuth, "deid-tls.hospital.svc")
	api.set(true, map[string][]byte{
		"hospital/sidecar-tls-deid/server-cert": server2.pem,
		"hospital/sidecar-tls-deid/server-key":  server2.kpem,
		"hospital/sidecar-tls-deid/client-ca":   clientCA.pem,
	})
	eventually(t, "rotated certificate", func() bool {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: poolOf(serverCA), ServerName: "deid-tls.hospital.svc",
			Certificates: []tls.Certificate{{Certificate: [][]byte{goodClient.cert.Raw}, PrivateKey: goodClient.key}}})
		if err != nil {
			return false
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.Cmp(server2.cert.SerialNumber) == 0
	})
	// A broken rotation (key of another certificate) keeps the current one.
	api.set(true, map[string][]byte{
		"hospital/sidecar-tls-deid/server-cert": server.pem,
		"hospital/sidecar-tls-deid/server-key":  server2.kpem,
		"hospital/sidecar-tls-deid/client-ca":   clientCA.pem,
	})
	n := api.requests.Load()
	eventually(t, "rotation checks", func() bool { return api.requests.Load() >= n+6 })
	if body, err := get(client(serverCA, goodClient, 0)); err != nil || !strings.Contains(body, "alice") {
		t.Fatalf("after broken rotation: %v", err)
	}
}

func poolOf(p *pki) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.cert)
	return pool
}

func TestLoadRejectsBadMaterial(t *testing.T) {
	ca := issue(t, "ca", nil, true, 0)
	a := issue(t, "a", ca, false, x509.ExtKeyUsageServerAuth, "a")
	b := issue(t, "b", ca, false, x509.ExtKeyUsageServerAuth, "b")
	tests := []struct {
		name string
		res  map[string][]byte
	}{
		{"key mismatch", map[string][]byte{"r/t/cert": a.pem, "r/t/key": b.kpem, "r/t/ca": ca.pem}},
		{"no CA", map[string][]byte{"r/t/cert": a.pem, "r/t/key": a.kpem, "r/t/ca": []byte("nothing")}},
		{"missing key", map[string][]byte{"r/t/cert": a.pem, "r/t/ca": ca.pem}},
		{"garbage cert", map[string][]byte{"r/t/cert": []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "r/t/key": a.kpem, "r/t/ca": ca.pem}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{available: true, res: tt.res}
			srv := httptest.NewServer(api)
			defer srv.Close()
			s, err := New(Config{Listen: "127.0.0.1:0", Upstream: "http://127.0.0.1:1", API: srv.URL,
				CertURI: "kbs:///r/t/cert", KeyURI: "r/t/key", ClientCAURI: "kbs:///r/t/ca"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.load(context.Background()); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	good := Config{Listen: ":8443", Upstream: "http://127.0.0.1:8080", CertURI: "kbs:///a/b/c", KeyURI: "a/b/d", ClientCAURI: "kbs:///a/b/e"}
	for name, mut := range map[string]func(*Config){
		"no listen":     func(c *Config) { c.Listen = "" },
		"bad upstream":  func(c *Config) { c.Upstream = "127.0.0.1:8080" },
		"traversal":     func(c *Config) { c.CertURI = "kbs:///a/../c" },
		"two segments":  func(c *Config) { c.KeyURI = "a/b" },
		"query in path": func(c *Config) { c.ClientCAURI = "a/b/c?x=1" },
	} {
		c := good
		mut(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
}

// The material comes from the guest API; whatever it serves must never
// panic the sidecar, and only a matching pair plus a CA is accepted.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("x"), []byte("y"))
	// Real material, as cocofy issues it: the fuzzer mutates from there.
	ca := issue(f, "client CA", nil, true, 0)
	srvCA := issue(f, "server CA", nil, true, 0)
	srv := issue(f, "deid-tls", srvCA, false, x509.ExtKeyUsageServerAuth, "deid-tls.hospital.svc")
	f.Add(srv.pem, srv.kpem, ca.pem)
	f.Fuzz(func(t *testing.T, cert, key, ca []byte) {
		api := &fakeAPI{available: true, res: map[string][]byte{"r/t/c": cert, "r/t/k": key, "r/t/a": ca}}
		srv := httptest.NewServer(api)
		defer srv.Close()
		s, err := New(Config{Listen: ":0", Upstream: "http://127.0.0.1:1", API: srv.URL, CertURI: "r/t/c", KeyURI: "r/t/k", ClientCAURI: "r/t/a"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.load(context.Background())
		if err != nil {
			return
		}
		if m.cert == nil || m.pool == nil {
			t.Fatal("accepted incomplete material")
		}
		// Accepted material is a matching pair, not expired.
		if _, err := tls.X509KeyPair(cert, key); err != nil || time.Now().After(m.notAfter) {
			t.Fatalf("accepted a key that does not match the certificate, or an expired one: %v", err)
		}
	})
}
