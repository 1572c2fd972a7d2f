package tlssidecar

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// IdentityPath is the guest local API endpoint that certifies a key
// (internal/guest.IdentityPath).
const IdentityPath = "/trustgate/identity/csr"

// identityAnswer is the guest's (and Trustee's) answer.
type identityAnswer struct {
	CertificateChain string    `json:"certificate_chain"`
	SPIFFEID         string    `json:"spiffe_id"`
	NotAfter         time.Time `json:"not_after"`
}

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
	body, _ := json.Marshal(map[string]any{
		"csr":       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
		"dns_names": s.cfg.DNSNames,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.cfg.API, "/")+IdentityPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxMaterialSize+1))
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(b))
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return nil, fmt.Errorf("certificate request: HTTP %d: %s", resp.StatusCode, msg)
	}
	var ans identityAnswer
	if err := json.Unmarshal(b, &ans); err != nil {
		return nil, errors.New("certificate request: malformed answer")
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
	cert := &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}
	s.log.Info("workload certificate issued", "spiffe_id", ans.SPIFFEID, "not_after", leaf.NotAfter.Format(time.RFC3339))
	return &material{cert: cert, pool: pool, notAfter: leaf.NotAfter, notBefore: leaf.NotBefore}, nil
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
