// Package identity is Trustee's workload certificate authority (issue 17):
// it signs a certificate signing request (CSR) only for the key an
// attestation bound, with a SPIFFE URI SAN taken from the initdata the TEE
// measured and the DNS names the resource policy allows, for a short
// lifetime (1 h by default).
//
// The CA key and certificate are created on first use and kept in the
// store's secret table, encrypted under the KEK like the token signing key
// (store.SecretKey), never as a releasable resource. The CA certificate is
// public (the trust bundle). The HTTP plugin that uses this package is
// internal/kbs/server/plugin_identity.go (POST /kbs/v0/identity/csr,
// GET /kbs/v0/identity/bundle).
package identity

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Defaults.
const (
	// DefaultLifetime is how long an issued certificate lives.
	DefaultLifetime = time.Hour
	// DefaultTrustDomain is the SPIFFE trust domain when none is configured.
	DefaultTrustDomain = "trustgate.local"
	// SecretName is the store secret holding the CA key and certificate.
	SecretName = "identity-ca"
	// InitDataEntry is the initdata data entry naming the workload's
	// namespace and service account (TOML: namespace, service_account).
	InitDataEntry = "identity.toml"
	// MaxCSRBytes bounds a CSR (PEM or DER).
	MaxCSRBytes = 16 << 10
	// MaxDNSNames bounds the DNS names one certificate may request.
	MaxDNSNames = 16
	caLifetime  = 10 * 365 * 24 * time.Hour
)

// Refusal is a request the CA will not sign; its message is safe to show
// the caller and to write in the audit (no key material, bounded length).
// Malformed marks input that does not parse (a 400), as opposed to a
// well-formed request the CA will not grant.
type Refusal struct {
	Reason    string
	Malformed bool
}

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "…"
	}
	return &Refusal{Reason: msg}
}

func malformed(format string, a ...any) error {
	err := refuse(format, a...)
	err.(*Refusal).Malformed = true
	return err
}

// IsRefusal reports whether err is a refusal (a 4xx), not a fault.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// SecretStore is the part of store.Store the CA needs.
type SecretStore interface {
	SecretKey(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
}

// CA signs workload certificates.
type CA struct {
	key         *ecdsa.PrivateKey
	cert        *x509.Certificate
	trustDomain string
	// Lifetime of issued certificates (DefaultLifetime when zero).
	Lifetime time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// LoadOrCreate returns the CA kept in st under SecretName, creating a P-256
// key and a self-signed CA certificate for trustDomain on first use.
// Replicas racing to create it all end up with the first one written.
//
// The trust domain is fixed when the CA is created: a stored CA made for
// another trust domain is refused with ErrTrustDomainMismatch (its
// certificates, and the peers' allow-lists, name the old one).
func LoadOrCreate(ctx context.Context, st SecretStore, trustDomain string) (*CA, error) {
	if trustDomain == "" {
		trustDomain = DefaultTrustDomain
	}
	if err := ValidateTrustDomain(trustDomain); err != nil {
		return nil, err
	}
	blob, err := st.SecretKey(ctx, SecretName, func() ([]byte, error) { return newCA(trustDomain, time.Now()) })
	if err != nil {
		return nil, fmt.Errorf("identity: CA secret: %w", err)
	}
	ca, err := parseCA(blob)
	if err != nil {
		return nil, err
	}
	if ca.trustDomain != trustDomain {
		return nil, fmt.Errorf("identity: the stored workload CA was created for trust domain %q, not %q (%w): start with --identity-trust-domain %s, "+
			"or (changing every workload's SPIFFE ID and the peers' allow-lists) delete the secret %q from the store so that a new CA is made",
			ca.trustDomain, trustDomain, ErrTrustDomainMismatch, ca.trustDomain, SecretName)
	}
	return ca, nil
}

// ErrTrustDomainMismatch marks a stored CA made for another trust domain.
var ErrTrustDomainMismatch = errors.New("trust domain mismatch")

// ValidateTrustDomain checks the SPIFFE trust domain name syntax (SPIFFE ID
// specification, section 2.1): 1..255 characters from lower-case letters,
// digits, dots, dashes and underscores, which leaves no scheme, port,
// user info or path. Go's URL parser must also take it as a host, and it
// may not start or end with a dot or have an empty label.
func ValidateTrustDomain(s string) error {
	if s == "" || len(s) > 255 {
		return fmt.Errorf("identity: trust domain %q: want 1..255 characters", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("identity: trust domain %q: only lower-case letters, digits, '.', '-' and '_' are allowed (SPIFFE), not %q", s, c)
		}
	}
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return fmt.Errorf("identity: trust domain %q has an empty label", s)
	}
	if u, err := url.Parse("spiffe://" + s); err != nil || u.Host != s {
		return fmt.Errorf("identity: trust domain %q is not a URI host", s)
	}
	return nil
}

func newCA(trustDomain string, now time.Time) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randSerial()
	if err != nil {
		return nil, err
	}
	td, _ := url.Parse("spiffe://" + trustDomain)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"trustgate"}, CommonName: "trustgate workload CA " + trustDomain},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		URIs:                  []*url.URL{td},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	_ = pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: pk})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	return b.Bytes(), nil
}

func parseCA(blob []byte) (*CA, error) {
	ca := &CA{}
	for rest := blob; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("identity: CA key: %w", err)
			}
			ek, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, errors.New("identity: CA key is not ECDSA")
			}
			ca.key = ek
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("identity: CA certificate: %w", err)
			}
			ca.cert = c
		}
	}
	if ca.key == nil || ca.cert == nil || len(ca.cert.URIs) != 1 {
		return nil, errors.New("identity: CA secret lacks its key or certificate")
	}
	ca.trustDomain = ca.cert.URIs[0].Host
	return ca, nil
}

// TrustDomain is the SPIFFE trust domain of the certificates this CA signs.
func (c *CA) TrustDomain() string { return c.trustDomain }

// Certificate is the CA certificate.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// BundlePEM is the trust bundle: the CA certificate in PEM.
func (c *CA) BundlePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
}

// Workload is who a certificate names: from the measured initdata.
type Workload struct {
	Namespace      string `toml:"namespace"`
	ServiceAccount string `toml:"service_account"`
}

// SPIFFEID is spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
func (w Workload) SPIFFEID(trustDomain string) string {
	return "spiffe://" + trustDomain + "/ns/" + w.Namespace + "/sa/" + w.ServiceAccount
}

// Valid reports whether the namespace and service account are DNS-1123
// labels, as Trustee requires before it names them in a SPIFFE ID.
func (w Workload) Valid() bool {
	return dns1123Label.MatchString(w.Namespace) && dns1123Label.MatchString(w.ServiceAccount)
}

// InitDataTOML is the InitDataEntry that names w, what cocofy writes into
// the initdata (and `trustgate up` into its second workload's).
func (w Workload) InitDataTOML() string {
	return fmt.Sprintf("namespace = %q\nservice_account = %q\n", w.Namespace, w.ServiceAccount)
}

var (
	dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	dnsName      = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// WorkloadFromClaims reads the workload's namespace and service account
// from the attestation token claims: the initdata entry InitDataEntry of
// the first submodule whose annotated evidence carries init_data_claims.
// The AS puts there the initdata whose digest the TEE measured, so the
// names are what the hardware bound, not what the caller says.
func WorkloadFromClaims(claims map[string]any) (Workload, error) {
	sub, _ := claims["submods"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(sub)) {
		m, _ := sub[name].(map[string]any)
		ae, _ := m["ear.veraison.annotated-evidence"].(map[string]any)
		idc, _ := ae["init_data_claims"].(map[string]any)
		data, _ := idc["data"].(map[string]any)
		raw, ok := data[InitDataEntry].(string)
		if !ok {
			continue
		}
		return WorkloadFromInitData(raw)
	}
	return Workload{}, refuse("the attestation carries no measured initdata with %s (cocofy apply --sidecar, or cocofy initdata create --workload-identity)", InitDataEntry)
}

// WorkloadFromInitData parses the InitDataEntry raw (identity.toml, at
// most 4 KiB, no other keys, DNS-1123 labels).
func WorkloadFromInitData(raw string) (Workload, error) {
	if len(raw) > 4096 {
		return Workload{}, refuse("initdata %s is larger than 4 KiB", InitDataEntry)
	}
	var w Workload
	md, err := toml.Decode(raw, &w)
	if err != nil {
		return Workload{}, refuse("initdata %s is not valid TOML", InitDataEntry)
	}
	if len(md.Undecoded()) != 0 {
		return Workload{}, refuse("initdata %s has unknown keys %v", InitDataEntry, md.Undecoded())
	}
	if !w.Valid() {
		return Workload{}, refuse("initdata %s: namespace %q and service_account %q must be DNS-1123 labels", InitDataEntry, w.Namespace, w.ServiceAccount)
	}
	return w, nil
}

// ParseCSR parses a PEM ("CERTIFICATE REQUEST") or DER CSR and checks its
// self-signature (proof that the requester holds the key).
func ParseCSR(b []byte) (*x509.CertificateRequest, error) {
	if len(b) == 0 {
		return nil, malformed("empty CSR")
	}
	if len(b) > MaxCSRBytes {
		return nil, malformed("CSR is %d bytes, limit %d", len(b), MaxCSRBytes)
	}
	der := b
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "CERTIFICATE REQUEST" && blk.Type != "NEW CERTIFICATE REQUEST" {
			return nil, malformed("PEM block %q is not a CERTIFICATE REQUEST", blk.Type)
		}
		der = blk.Bytes
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, malformed("malformed CSR")
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, malformed("CSR signature does not verify")
	}
	return csr, nil
}

// Fingerprint is "sha256:<hex>" of the public key's PKIX encoding.
func Fingerprint(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "unknown"
	}
	h := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(h[:])
}

// SameKey reports whether csrKey (from a CSR) is the attested key
// teeKey (*ecdh.PublicKey or *rsa.PublicKey, as kbs.TeePubKey.PublicKey
// returns). An ECDSA key and an ECDH key on the same curve are the same
// key when their points are equal.
func SameKey(csrKey, teeKey crypto.PublicKey) bool {
	switch k := csrKey.(type) {
	case *ecdsa.PublicKey:
		e, err := k.ECDH()
		if err != nil {
			return false
		}
		t, ok := teeKey.(*ecdh.PublicKey)
		return ok && e.Equal(t)
	case *rsa.PublicKey:
		t, ok := teeKey.(*rsa.PublicKey)
		return ok && k.Equal(t)
	}
	return false
}

// Request is what Issue signs.
type Request struct {
	CSR *x509.CertificateRequest
	// TeeKey is the public key the attestation bound (the token's
	// tee-pubkey).
	TeeKey   crypto.PublicKey
	Workload Workload
	// DNSNames are the server names, already allowed by the policy.
	DNSNames []string
}

// Issued is a signed certificate.
type Issued struct {
	DER         []byte
	SPIFFEID    string
	Fingerprint string
	Serial      string
	NotAfter    time.Time
}

// ChainPEM is the leaf then the CA certificate, in PEM.
func (c *CA) ChainPEM(i *Issued) []byte {
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.DER}), c.BundlePEM()...)
}

// ValidDNSName reports whether s is a lower-case DNS name (no wildcard).
func ValidDNSName(s string) bool { return len(s) <= 253 && dnsName.MatchString(s) }

// Issue signs a certificate for r.CSR's key when that key is the attested
// one. Subject and extensions of the CSR are ignored: the certificate says
// only what the CA established (the SPIFFE ID and the allowed DNS names).
func (c *CA) Issue(r Request) (*Issued, error) {
	if r.CSR == nil {
		return nil, refuse("no CSR")
	}
	if !SameKey(r.CSR.PublicKey, r.TeeKey) {
		return nil, refuse("CSR key %s is not the key the attestation bound (%s)", Fingerprint(r.CSR.PublicKey), Fingerprint(r.TeeKey))
	}
	if k, ok := r.CSR.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
		return nil, refuse("RSA key of %d bits; at least 2048", k.N.BitLen())
	}
	if len(r.DNSNames) > MaxDNSNames {
		return nil, refuse("%d DNS names requested, limit %d", len(r.DNSNames), MaxDNSNames)
	}
	for _, n := range r.DNSNames {
		if !ValidDNSName(n) {
			return nil, refuse("DNS name %q is not a lower-case DNS name", n)
		}
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	life := c.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	notAfter := now.Add(life)
	if notAfter.After(c.cert.NotAfter) {
		notAfter = c.cert.NotAfter
	}
	id := r.Workload.SPIFFEID(c.trustDomain)
	u, err := url.Parse(id)
	if err != nil {
		return nil, refuse("SPIFFE ID %q does not parse", id)
	}
	serial, err := randSerial()
	if err != nil {
		return nil, err
	}
	usage := x509.KeyUsageDigitalSignature
	if _, ok := r.CSR.PublicKey.(*rsa.PublicKey); ok {
		usage |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              notAfter,
		KeyUsage:              usage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		URIs:                  []*url.URL{u},
		DNSNames:              r.DNSNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, r.CSR.PublicKey, c.key)
	if err != nil {
		return nil, fmt.Errorf("identity: sign: %w", err)
	}
	return &Issued{DER: der, SPIFFEID: id, Fingerprint: Fingerprint(r.CSR.PublicKey), Serial: serial.Text(16), NotAfter: notAfter}, nil
}

func randSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}
