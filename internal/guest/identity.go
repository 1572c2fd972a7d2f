package guest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbs/client"
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
// asks its identity plugin for a certificate, through the guest's KBS
// client (its trust settings, initdata and limits).
type TrusteeIdentity struct {
	KBS *client.Client
}

// NewIdentityIssuer returns the issuer for a prepared runtime, or nil when
// no KBS is configured.
func NewIdentityIssuer(cfg *Config, rt *Runtime) IdentityIssuer {
	if cfg.KBSURL == "" || rt == nil || rt.Attester == nil {
		return nil
	}
	c, err := newClient(cfg, rt.Attester, rt.InitData)
	if err != nil {
		// The data hub's client, built from the same settings, has
		// refused them already and says why.
		return nil
	}
	return &TrusteeIdentity{KBS: c}
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
	body, _ := json.Marshal(identityRequest{CSR: string(csrPEM), DNSNames: dnsNames})
	out, err := t.KBS.PostAttested(ctx, pub, "identity/csr", body)
	var se *client.StatusError
	if errors.As(err, &se) {
		return nil, &IdentityError{Status: se.Status, Msg: se.Error()}
	}
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
