package cocofy

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AdminClient speaks the KBS admin API (wire-compat §2) with an EdDSA JWT.
type AdminClient struct {
	BaseURL string
	Key     ed25519.PrivateKey
	HTTP    *http.Client
}

// NewAdminClient builds a client; caPEM (optional) is trusted for TLS in
// addition to the system roots.
func NewAdminClient(baseURL string, adminKeyPEM, caPEM []byte) (*AdminClient, error) {
	block, _ := pem.Decode(adminKeyPEM)
	if block == nil {
		return nil, fmt.Errorf("admin key: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("admin key: %w", err)
	}
	ed, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("admin key: want an Ed25519 private key")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("trustee certificate: no PEM certificate")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &AdminClient{BaseURL: strings.TrimRight(baseURL, "/"), Key: ed, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, nil
}

func (c *AdminClient) token() (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: c.Key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	now := time.Now()
	return jwt.Signed(signer).Claims(jwt.Claims{IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(2 * time.Hour))}).Serialize()
}

func (c *AdminClient) do(ctx context.Context, method, path, ctype string, body []byte) ([]byte, int, error) {
	tok, err := c.token()
	if err != nil {
		return nil, 0, fmt.Errorf("admin token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return b, resp.StatusCode, nil
}

// Import sends a plain bundle (MakeBundle without an import key) to
// Trustee's POST /kbs/v0/import: resources are stored and reference values
// merged with those already registered, in one request. Values are not
// logged.
func (c *AdminClient) Import(ctx context.Context, bundle []byte) error {
	b, code, err := c.do(ctx, http.MethodPost, "/kbs/v0/import", "application/json", bundle)
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("upload to trustee: HTTP %d: %s", code, short(b))
	}
	return nil
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Bundle is the offline form of the uploads, for `trustee admin import`.
// Format "trustgate-bundle/v1": resources with standard-base64 values,
// reference values by name.
type Bundle struct {
	Format          string           `json:"format"`
	Resources       []BundleResource `json:"resources"`
	ReferenceValues []ReferenceValue `json:"reference_values"`
}

// BundleResource is one resource of a Bundle.
type BundleResource struct {
	Path  string `json:"path"`
	Value string `json:"value"` // standard base64
}

// BundleFormat identifies the bundle layout.
const BundleFormat = "trustgate-bundle/v1"

// MarshalJSON of ReferenceValue uses lower-case names.
func (r ReferenceValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	}{r.Name, r.Values})
}

// UnmarshalJSON reads the lower-case form.
func (r *ReferenceValue) UnmarshalJSON(b []byte) error {
	var v struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Name, r.Values = v.Name, v.Values
	return nil
}

// MakeBundle serialises the uploads. With importKeyPEM (Trustee's import
// public key, ECDSA P-256 or RSA, PEM or JWK) it is a compact JWE
// (ECDH-ES+A256KW or RSA-OAEP-256, A256GCM, cty "trustgate-bundle/v1+json");
// otherwise indented JSON.
func MakeBundle(res *Result, importKeyPEM []byte) ([]byte, error) {
	b := Bundle{Format: BundleFormat, ReferenceValues: res.ReferenceValues}
	for _, u := range res.Uploads {
		b.Resources = append(b.Resources, BundleResource{Path: u.Path, Value: base64.StdEncoding.EncodeToString(u.Value)})
	}
	sort.Slice(b.Resources, func(i, j int) bool { return b.Resources[i].Path < b.Resources[j].Path })
	plain, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	plain = append(plain, '\n')
	if len(importKeyPEM) == 0 {
		return plain, nil
	}
	pub, err := parseImportKey(importKeyPEM)
	if err != nil {
		return nil, err
	}
	alg := jose.ECDH_ES_A256KW
	if _, ok := pub.(*rsa.PublicKey); ok {
		alg = jose.RSA_OAEP_256
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: alg, Key: pub},
		(&jose.EncrypterOptions{}).WithContentType(BundleFormat+"+json"))
	if err != nil {
		return nil, fmt.Errorf("encrypt bundle: %w", err)
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt bundle: %w", err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		return nil, err
	}
	return []byte(s + "\n"), nil
}

func parseImportKey(b []byte) (crypto.PublicKey, error) {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON([]byte(t)); err != nil {
			return nil, fmt.Errorf("import key: %w", err)
		}
		if !jwk.IsPublic() {
			return nil, fmt.Errorf("import key: want a public key")
		}
		return checkImportKey(jwk.Key)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("import key: no PEM block")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("import key: %w", err)
		}
		return checkImportKey(k)
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("import key: %w", err)
		}
		return checkImportKey(c.PublicKey)
	}
	return nil, fmt.Errorf("import key: unexpected PEM type %q", block.Type)
}

func checkImportKey(k any) (crypto.PublicKey, error) {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return k, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("import key: RSA key too small")
		}
		return k, nil
	}
	return nil, fmt.Errorf("import key: want ECDSA or RSA, got %T", k)
}
