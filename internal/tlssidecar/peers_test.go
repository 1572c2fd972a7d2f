package tlssidecar

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/identity"
)

// workloadCert is a certificate from ca for a fresh key, as Trustee would
// issue to an attested workload ns/sa.
func workloadCert(t *testing.T, ca *identity.CA, ns, sa string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	csr, err := identity.ParseCSR(der)
	if err != nil {
		t.Fatal(err)
	}
	tee, _ := key.PublicKey.ECDH()
	iss, err := ca.Issue(identity.Request{CSR: csr, TeeKey: tee, Workload: identity.Workload{Namespace: ns, ServiceAccount: sa}})
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{iss.DER, ca.Certificate().Raw}, PrivateKey: key}
}

// TestWorkloadPeers: two attested workloads authenticate each other by
// SPIFFE ID. A sidecar admits identity-CA clients only with an allowed ID
// (users of the client CA as before) and tells the app who called; a
// sidecar whose upstream is another workload presents its own workload
// certificate and accepts only the upstream ID it was given.
func TestWorkloadPeers(t *testing.T) {
	ca := testCA(t)
	clientCA := issue(t, "client CA", nil, true, 0)
	alice := issue(t, "alice", clientCA, false, x509.ExtKeyUsageClientAuth)
	api := &identityAPI{ca: ca, clientCA: clientCA.pem} // certifies every sidecar as hospital/deid
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "caller="+r.Header.Get("X-Client-SPIFFE-ID"))
	}))
	defer app.Close()
	const (
		deidID    = "spiffe://hospital.example/ns/hospital/sa/deid"
		gatewayID = "spiffe://hospital.example/ns/hospital/sa/gateway"
	)
	start := func(upstream string, peers, upstreamIDs []string) string {
		t.Helper()
		addr := freeAddr(t)
		s, err := New(Config{
			Listen: addr, Upstream: upstream, API: apiSrv.URL, Identity: true, DNSNames: []string{"deid-tls.hospital.svc"},
			ClientCAURI: "kbs:///hospital/sidecar-tls-deid/client-ca", PeerIDs: peers, UpstreamIDs: upstreamIDs,
			MinBackoff: 5 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-s.Ready():
		case <-time.After(10 * time.Second):
			t.Fatal("sidecar did not start")
		}
		return addr
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Certificate())
	get := func(addr string, cert tls.Certificate) (string, error) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pool, ServerName: "deid-tls.hospital.svc", Certificates: []tls.Certificate{cert}}}}
		resp, err := c.Get("https://" + addr + "/")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return "", &httpStatusError{resp.StatusCode, string(b)}
		}
		return string(b), nil
	}
	aliceCert := tls.Certificate{Certificate: [][]byte{alice.cert.Raw}, PrivateKey: alice.key}

	a := start(app.URL, []string{gatewayID, deidID}, nil)
	if body, err := get(a, workloadCert(t, ca, "hospital", "gateway")); err != nil || body != "caller="+gatewayID {
		t.Errorf("allowed workload: %q %v", body, err)
	}
	if _, err := get(a, workloadCert(t, ca, "hospital", "research")); err == nil {
		t.Error("a workload outside the allow-list was admitted")
	}
	if body, err := get(a, aliceCert); err != nil || body != "caller=" {
		t.Errorf("client-CA user: %q %v", body, err)
	}

	// B proxies to A as workload hospital/deid, and checks that A is deid.
	b := start("https://"+a, nil, []string{deidID})
	if body, err := get(b, aliceCert); err != nil || body != "caller="+deidID {
		t.Errorf("workload to workload: %q %v", body, err)
	}
	// C expects another upstream identity: A is refused, nothing proxied.
	c := start("https://"+a, nil, []string{gatewayID})
	if body, err := get(c, aliceCert); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("upstream with the wrong SPIFFE ID: %q %v", body, err)
	}

	for _, cfg := range []Config{
		{Listen: ":0", Upstream: "http://x", ClientCAURI: "a/b/c", CertURI: "a/b/d", KeyURI: "a/b/e", PeerIDs: []string{deidID}},
		{Listen: ":0", Upstream: "http://x", ClientCAURI: "a/b/c", Identity: true, UpstreamIDs: []string{deidID}},
		{Listen: ":0", Upstream: "https://x", ClientCAURI: "a/b/c", Identity: true, UpstreamIDs: []string{"https://not-spiffe"}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
}

type httpStatusError struct {
	code int
	body string
}

func (e *httpStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }
