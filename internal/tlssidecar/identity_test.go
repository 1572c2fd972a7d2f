package tlssidecar

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

// fakeClock is a settable clock shared by the CA and the sidecar.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// identityAPI stands in for the guest local API: it certifies the CSR's
// own key with a real identity.CA (the guest's fresh attestation is tested
// in internal/guest), counts issuances, and refuses while refuse is set.
type identityAPI struct {
	ca       *identity.CA
	clientCA []byte
	refuse   atomic.Bool
	issued   atomic.Int64
	keys     sync.Map // fingerprint → true
}

func (a *identityAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/cdh/resource/hospital/sidecar-tls-deid/client-ca":
		w.Write(a.clientCA)
	case r.URL.Path == localapi.IdentityPath && r.Method == http.MethodPost:
		if a.refuse.Load() {
			http.Error(w, "kbs identity/csr: HTTP 401: resource policy denied identity/hospital/deid", http.StatusForbidden)
			return
		}
		var req struct {
			CSR      string   `json:"csr"`
			DNSNames []string `json:"dns_names"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		csr, err := identity.ParseCSR([]byte(req.CSR))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		teeKey, _ := csr.PublicKey.(*ecdsa.PublicKey).ECDH()
		iss, err := a.ca.Issue(identity.Request{CSR: csr, TeeKey: teeKey, Workload: identity.Workload{Namespace: "hospital", ServiceAccount: "deid"}, DNSNames: req.DNSNames})
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		a.issued.Add(1)
		a.keys.Store(iss.Fingerprint, true)
		json.NewEncoder(w).Encode(localapi.Certificate{CertificateChain: string(a.ca.ChainPEM(iss)), SPIFFEID: iss.SPIFFEID, NotAfter: iss.NotAfter})
	default:
		http.NotFound(w, r)
	}
}

// TestIdentityRenewal runs the sidecar in identity mode under a fake
// clock: it listens only once it has a certificate; renews with a new key
// (a new request, so a new attestation) after two thirds of the lifetime,
// not before; keeps the current certificate when a renewal is refused; and
// offers nothing once that certificate expires.
func TestIdentityRenewal(t *testing.T) {
	ca := testCA(t)
	t0 := time.Now().Truncate(time.Second)
	clock := &fakeClock{now: t0}
	ca.Now = clock.Now
	clientCA := issue(t, "client CA", nil, true, 0)
	alice := issue(t, "alice", clientCA, false, x509.ExtKeyUsageClientAuth)
	api := &identityAPI{ca: ca, clientCA: clientCA.pem}
	api.refuse.Store(true)
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer app.Close()

	addr := freeAddr(t)
	s, err := New(Config{
		Listen: addr, Upstream: app.URL, API: apiSrv.URL, Identity: true, DNSNames: []string{"deid-tls.hospital.svc"},
		ClientCAURI: "kbs:///hospital/sidecar-tls-deid/client-ca",
		Refresh:     time.Hour, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	time.Sleep(100 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("listening before any certificate")
	}
	api.refuse.Store(false)
	select {
	case <-s.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("no start after the certificate became available")
	}

	pool := x509.NewCertPool()
	pool.AddCert(ca.Certificate())
	handshake := func() (*x509.Certificate, error) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "deid-tls.hospital.svc",
			Certificates: []tls.Certificate{{Certificate: [][]byte{alice.cert.Raw}, PrivateKey: alice.key}},
			Time:         clock.Now})
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0], nil
	}
	first, err := handshake()
	if err != nil {
		t.Fatal(err)
	}
	if first.URIs[0].String() != "spiffe://hospital.example/ns/hospital/sa/deid" || api.issued.Load() != 1 {
		t.Fatalf("first certificate %v, %d issued", first.URIs, api.issued.Load())
	}

	clock.set(t0.Add(39 * time.Minute)) // 1 h lifetime from t0-1m: due at t0+39m20s
	s.renewIfDue(ctx)
	if api.issued.Load() != 1 {
		t.Fatal("renewed before two thirds of the lifetime")
	}
	clock.set(t0.Add(40 * time.Minute))
	s.renewIfDue(ctx)
	second, err := handshake()
	if err != nil || api.issued.Load() != 2 {
		t.Fatalf("renewal: %v, %d issued", err, api.issued.Load())
	}
	if second.SerialNumber.Cmp(first.SerialNumber) == 0 || identity.Fingerprint(second.PublicKey) == identity.Fingerprint(first.PublicKey) {
		t.Fatal("renewal kept the old certificate or key")
	}

	// Policy changed: renewals refused, the current certificate serves
	// until it expires, then nothing is offered.
	api.refuse.Store(true)
	clock.set(t0.Add(90 * time.Minute))
	s.renewIfDue(ctx)
	if c, err := handshake(); err != nil || c.SerialNumber.Cmp(second.SerialNumber) != 0 {
		t.Fatalf("refused renewal dropped the valid certificate: %v", err)
	}
	clock.set(second.NotAfter.Add(time.Second))
	s.renewIfDue(ctx)
	if _, err := handshake(); err == nil {
		t.Fatal("an expired workload certificate was offered")
	}
	rec := httptest.NewRecorder()
	s.health(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("health %d after expiry", rec.Code)
	}
	// Allowed again: the next check renews.
	api.refuse.Store(false)
	s.renewIfDue(ctx)
	if _, err := handshake(); err != nil || api.issued.Load() != 3 {
		t.Fatalf("after the policy allowed again: %v, %d issued", err, api.issued.Load())
	}
}

func TestIdentityFlags(t *testing.T) {
	if _, err := New(Config{Listen: ":0", Upstream: "http://127.0.0.1:1", Identity: true, CertURI: "a/b/c", ClientCAURI: "a/b/d"}); err == nil || !strings.Contains(err.Error(), "drop --cert") {
		t.Errorf("identity with --cert: %v", err)
	}
	if _, err := New(Config{Listen: ":0", Upstream: "http://127.0.0.1:1", Identity: true, ClientCAURI: "a/b/d"}); err != nil {
		t.Errorf("identity without --cert/--key: %v", err)
	}
}

// testCA is an identity CA for trust domain hospital.example over a
// throw-away store.
func testCA(t *testing.T) *identity.CA {
	t.Helper()
	st := storetest.Open(t)
	ca, err := identity.LoadOrCreate(context.Background(), st, "hospital.example")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}
