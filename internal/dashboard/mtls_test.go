package dashboard

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func issueCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, tmpl *x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, k
}

// TestClientCertificateAccess: with ClientCertAuth, a browser presenting a
// certificate from the configured CA reaches the API without logging in;
// one from another CA, or none, does not.
func TestClientCertificateAccess(t *testing.T) {
	ca, caKey := issueCert(t, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "admins"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	other, otherKey := issueCert(t, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "other"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	client := func(parent *x509.Certificate, key *ecdsa.PrivateKey) tls.Certificate {
		c, k := issueCert(t, parent, key, &x509.Certificate{Subject: pkix.Name{CommonName: "alice"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k}
	}
	s := New(Config{Verifier: &BeaconVerifier{}, AdminPassword: "pw", ClientCertAuth: true, Logger: discardLogger()})
	srv := httptest.NewUnstartedServer(s)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv.TLS = &tls.Config{ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	for _, tc := range []struct {
		name  string
		certs []tls.Certificate
		want  int
		err   bool // a refused handshake is also acceptable
	}{
		{"certificate from the CA", []tls.Certificate{client(ca, caKey)}, http.StatusOK, false},
		{"no certificate", nil, http.StatusUnauthorized, false},
		// Go's client offers no certificate the server's CA list does not
		// name, so this one ends as "no certificate"; either way: no entry.
		{"certificate from another CA", []tls.Certificate{client(other, otherKey)}, http.StatusUnauthorized, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := srv.Client().Transport.(*http.Transport).Clone()
			tr.TLSClientConfig.Certificates = tc.certs
			resp, err := (&http.Client{Transport: tr}).Get(srv.URL + "/api/v1/workloads")
			if tc.err && err != nil {
				return // handshake refused
			}
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
