package tlssidecar

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// loadIdentity generates a P-256 key in memory, has the guest certify it
// through a fresh attestation, and fetches the client CA. The key is never
// written anywhere, logged, or sent: only the CSR (public key and
// signature) leaves this process.
func (s *Sidecar) loadIdentity(ctx context.Context) (*material, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: s.cfg.DNSNames}, key)
	if err != nil {
		return nil, fmt.Errorf("create CSR: %w", err)
	}
	csrPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})
	ans, err := s.api.SignCSR(ctx, csrPEM, s.cfg.DNSNames)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	var chain [][]byte
	for rest := []byte(ans.CertificateChain); ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			chain = append(chain, blk.Bytes)
		}
	}
	if len(chain) == 0 {
		return nil, errors.New("certificate request: no certificate in the answer")
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	if !key.PublicKey.Equal(leaf.PublicKey) {
		return nil, errors.New("certificate request: the certificate is not for the key this sidecar generated")
	}
	if now := s.cfg.Now(); now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return nil, fmt.Errorf("certificate request: certificate valid %s to %s, not now", leaf.NotBefore.Format(time.RFC3339), leaf.NotAfter.Format(time.RFC3339))
	}
	ca, err := s.fetch(ctx, s.cfg.ClientCAURI)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("client CA holds no PEM certificate")
	}
	var idCA *x509.Certificate
	if len(chain) > 1 {
		if idCA, err = x509.ParseCertificate(chain[len(chain)-1]); err != nil || !idCA.IsCA {
			return nil, errors.New("certificate request: the chain does not end with the identity CA")
		}
		if err := leaf.CheckSignatureFrom(idCA); err != nil {
			return nil, fmt.Errorf("certificate request: leaf not signed by the chain's CA: %w", err)
		}
	}
	if len(s.cfg.PeerIDs) > 0 && idCA != nil {
		pool.AddCert(idCA) // workload peers; VerifyConnection applies the allow-list
	}
	cert := &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}
	s.log.Info("workload certificate issued", "spiffe_id", ans.SPIFFEID, "not_after", leaf.NotAfter.Format(time.RFC3339))
	return &material{cert: cert, pool: pool, notAfter: leaf.NotAfter, notBefore: leaf.NotBefore, idCA: idCA}, nil
}

// renewDue reports whether m should be renewed at now: once two thirds of
// its lifetime have passed (20 minutes before the end of a 1 h certificate).
func renewDue(m *material, now time.Time) bool {
	life := m.notAfter.Sub(m.notBefore)
	return !now.Before(m.notAfter.Add(-life / 3))
}

// renewIfDue renews the certificate (new key, new attestation) when due. A
// failed renewal keeps the current certificate until it expires; an
// expired one is then refused by health and never offered again.
func (s *Sidecar) renewIfDue(ctx context.Context) {
	old := s.cur.Load()
	if old != nil && !renewDue(old, s.cfg.Now()) {
		return
	}
	m, err := s.load(ctx)
	if err != nil {
		s.log.Warn("certificate renewal failed; keeping the current certificate until it expires", "err", err)
		return
	}
	s.cur.Store(m)
}

// checkPeerConfig validates the workload-to-workload settings.
func checkPeerConfig(cfg Config, upstream *url.URL) error {
	if (len(cfg.PeerIDs) > 0 || len(cfg.UpstreamIDs) > 0) && !cfg.Identity {
		return errors.New("tls-sidecar: --peer-id and --upstream-id need --identity (the peers' certificates come from Trustee's identity CA)")
	}
	if len(cfg.UpstreamIDs) > 0 && upstream.Scheme != "https" {
		return errors.New("tls-sidecar: --upstream-id needs an https --upstream")
	}
	for _, id := range append(append([]string(nil), cfg.PeerIDs...), cfg.UpstreamIDs...) {
		u, err := url.Parse(id)
		if err != nil || u.Scheme != "spiffe" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("tls-sidecar: %q is not a SPIFFE ID (spiffe://trust-domain/path)", id)
		}
	}
	return nil
}

// spiffeID is the single spiffe:// URI SAN of c, or "".
func spiffeID(c *x509.Certificate) string {
	if len(c.URIs) != 1 || c.URIs[0].Scheme != "spiffe" {
		return ""
	}
	return c.URIs[0].String()
}

// verifyWorkload checks that chain (leaf first, as sent) chains to the
// identity CA of m at now and names one of ids. It is the whole check of
// a workload peer, so it must pass nothing else.
func verifyWorkload(m *material, chain []*x509.Certificate, ids []string, now time.Time, usage x509.ExtKeyUsage) (string, error) {
	if m == nil || m.idCA == nil {
		return "", errors.New("no workload certificate yet")
	}
	if len(chain) == 0 {
		return "", errors.New("peer sent no certificate")
	}
	roots := x509.NewCertPool()
	roots.AddCert(m.idCA)
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		return "", fmt.Errorf("peer certificate is not from the identity CA: %w", err)
	}
	id := spiffeID(chain[0])
	for _, want := range ids {
		if id != "" && id == want {
			return id, nil
		}
	}
	return "", fmt.Errorf("peer SPIFFE ID %q is not allowed", id)
}

// upstreamTransport is the proxy's transport to an attested upstream
// workload: our workload certificate as client certificate, and the
// upstream's checked against the identity CA and UpstreamIDs.
func (s *Sidecar) upstreamTransport() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return s.cur.Load().cert, nil
		},
		// Chain and name are checked in VerifyConnection against the
		// identity CA and the SPIFFE allow-list, not the system roots and
		// a host name.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := verifyWorkload(s.cur.Load(), cs.PeerCertificates, s.cfg.UpstreamIDs, s.cfg.Now(), x509.ExtKeyUsageServerAuth)
			return err
		},
	}, ForceAttemptHTTP2: true}
}
