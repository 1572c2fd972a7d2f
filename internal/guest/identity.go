package guest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/kbs"
)

// IdentityPath is the local API endpoint through which a workload in this
// TEE (the tls-sidecar) obtains a certificate from Trustee's identity CA for
// a key it generated and keeps in its own memory:
//
//	POST /trustgate/identity/csr  {"csr": PEM, "dns_names": [...]}
//	→ 200 {"certificate_chain": PEM, "spiffe_id": …, "not_after": …}
//
// For each request the guest runs a fresh attestation (auth, evidence,
// attest) whose tee-pubkey is the CSR's public key, so the evidence's
// report data binds that key, then forwards the CSR to
// /kbs/v0/identity/csr on the attested session. The guest never sees the
// private key: it does not need it (a certificate is public, nothing is
// encrypted to the key), and the CSR's self-signature proves the caller
// holds it. See docs/tls-sidecar.md.
const IdentityPath = localapi.IdentityPath

// maxIdentityRequest bounds a local identity request.
const maxIdentityRequest = 64 << 10

// IdentityIssuer gets a certificate for a CSR through a fresh attestation.
type IdentityIssuer interface {
	Certificate(ctx context.Context, csrPEM []byte, dnsNames []string) (json.RawMessage, error)
}

// identityRequest is the local API body (the same as Trustee's).
type identityRequest = localapi.CertificateRequest

// TrusteeIdentity attests to Trustee with the CSR's key as tee-pubkey and
// asks its identity plugin for a certificate.
type TrusteeIdentity struct {
	URL      string // KBS base URL, as Config.KBSURL
	Attester attester.Attester
	InitData *kbs.InitData
	Client   *http.Client // nil: built from the KBS TLS settings
}

// NewIdentityIssuer returns the issuer for a prepared runtime, or nil when
// no KBS is configured.
func NewIdentityIssuer(cfg *Config, rt *Runtime) IdentityIssuer {
	if cfg.KBSURL == "" || rt == nil || rt.Attester == nil {
		return nil
	}
	ti := &TrusteeIdentity{URL: cfg.KBSURL, Attester: rt.Attester, Client: kbsHTTPClient(cfg)}
	if rt.InitData != nil {
		ti.InitData = &kbs.InitData{Format: "toml", Body: string(rt.InitData.Raw)}
	}
	return ti
}

// kbsHTTPClient trusts what the KBS client trusts: the system roots plus
// KBSCertPEM, or exactly the certificate KBSCertSHA256 pins.
func kbsHTTPClient(cfg *Config) *http.Client {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(cfg.KBSCertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(cfg.KBSCertPEM)
		tc.RootCAs = pool
	}
	if pin := cfg.KBSCertSHA256; len(pin) > 0 {
		tc.InsecureSkipVerify = true // replaced by the pin check below
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("kbs: server sent no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
				return errors.New("kbs: server certificate does not match the pinned fingerprint")
			}
			return nil
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
}

// teePubKeyOf is the CSR's key as a KBS tee-pubkey.
func teePubKeyOf(csrPEM []byte) (kbs.TeePubKey, error) {
	csr, err := identity.ParseCSR(csrPEM)
	if err != nil {
		return kbs.TeePubKey{}, err
	}
	switch k := csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P521() {
			return kbs.TeePubKey{}, errors.New("CSR key: only P-256 and P-521 EC keys can be a tee-pubkey")
		}
		e, err := k.ECDH()
		if err != nil {
			return kbs.TeePubKey{}, err
		}
		return kbs.NewTeePubKey(e)
	case *rsa.PublicKey:
		return kbs.NewTeePubKey(k)
	}
	return kbs.TeePubKey{}, errors.New("CSR key: only EC (P-256, P-521) and RSA keys")
}

// Certificate implements IdentityIssuer.
func (t *TrusteeIdentity) Certificate(ctx context.Context, csrPEM []byte, dnsNames []string) (json.RawMessage, error) {
	pub, err := teePubKeyOf(csrPEM)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimRight(t.URL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("kbs URL %q", t.URL)
	}
	jar, _ := cookiejar.New(nil)
	hc := *t.Client
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(op string, body []byte) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/kbs/v0/"+op, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("kbs %s: %w", op, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("kbs %s: %w", op, err)
		}
		if resp.StatusCode != http.StatusOK {
			detail := ""
			if info, err := kbs.ParseErrorInfo(b); err == nil {
				detail = ": " + info.Detail
			}
			return nil, &IdentityError{Status: resp.StatusCode, Msg: fmt.Sprintf("kbs %s: HTTP %d%s", op, resp.StatusCode, detail)}
		}
		return b, nil
	}
	ext, _ := json.Marshal(map[string]any{"supported-hash-algorithms": []string{"sha256", "sha384", "sha512"}})
	reqBody, _ := json.Marshal(kbs.Request{Version: kbs.ProtocolVersion, Tee: t.Attester.Tee(), ExtraParams: ext})
	b, err := post("auth", reqBody)
	if err != nil {
		return nil, err
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(b, &ch); err != nil || ch.Nonce == "" {
		return nil, errors.New("kbs auth: malformed challenge")
	}
	rd, err := kbs.ReportDataHash(ch.SelectedHashAlgorithm(), ch.Nonce, pub, "")
	if err != nil {
		return nil, fmt.Errorf("kbs auth: %w", err)
	}
	ev, err := t.Attester.Evidence(ctx, rd)
	if err != nil {
		return nil, fmt.Errorf("get evidence: %w", err)
	}
	att, _ := json.Marshal(kbs.Attestation{
		InitData:    t.InitData,
		RuntimeData: kbs.RuntimeData{Nonce: ch.Nonce, TeePubKey: pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev},
	})
	if _, err := post("attest", att); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(identityRequest{CSR: string(csrPEM), DNSNames: dnsNames})
	out, err := post("identity/csr", body)
	if err != nil {
		return nil, err
	}
	if !json.Valid(out) {
		return nil, errors.New("kbs identity/csr: malformed answer")
	}
	return out, nil
}

// IdentityError is a refusal from Trustee, with its HTTP status.
type IdentityError struct {
	Status int
	Msg    string
}

func (e *IdentityError) Error() string { return e.Msg }

// identityCSR serves POST IdentityPath.
func (a *API) identityCSR(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		plain(w, http.StatusMethodNotAllowed, bodyNotAllowed)
		return
	}
	if a.Identity == nil {
		plain(w, http.StatusInternalServerError, ErrNoKBS.Error())
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxIdentityRequest+1))
	if err != nil || len(b) > maxIdentityRequest {
		plain(w, http.StatusRequestEntityTooLarge, "identity request larger than 64 KiB")
		return
	}
	var req identityRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.CSR == "" {
		plain(w, http.StatusBadRequest, `want {"csr": PEM, "dns_names": [...]}`)
		return
	}
	if _, err := teePubKeyOf([]byte(req.CSR)); err != nil {
		plain(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.Identity.Certificate(r.Context(), []byte(req.CSR), req.DNSNames)
	if err != nil {
		a.log().Warn("identity certificate refused", "err", err)
		status := http.StatusBadGateway
		var ie *IdentityError
		if errors.As(err, &ie) && ie.Status >= 400 && ie.Status < 500 {
			status = http.StatusForbidden
		}
		plain(w, status, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}
