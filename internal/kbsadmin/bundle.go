package kbsadmin

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/refvalue"
)

// BundleFormat identifies the layout of an offline bundle.
const BundleFormat = "trustgate-bundle/v1"

// BundleContentType is the JWE "cty" of an encrypted bundle.
const BundleContentType = BundleFormat + "+json"

// Limits on a bundle's contents (the server's body limit bounds the total).
const (
	MaxBundleResources = 10000
	MaxBundleRefValues = 1000
	MaxRefValuesPerKey = 10000
)

// Bundle is the offline form of what cocofy would upload (`cocofy apply
// --offline`, imported with `trustee admin import` or POST /kbs/v0/import):
// resources with standard-base64 values and reference values by name.
type Bundle struct {
	Format          string                 `json:"format"`
	Resources       []BundleResource       `json:"resources"`
	ReferenceValues []BundleReferenceValue `json:"reference_values"`
}

// BundleResource is one resource of a Bundle; Value is standard base64.
type BundleResource struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// BundleReferenceValue is one reference value of a Bundle; its values are
// added to those already stored under Name. TEE, optional, names the TEE
// the values are for: an init_data digest must be bound in full by it, or
// by every hardware TEE when it is empty (refvalue.ValidateInitDataDigest).
// It is not stored.
type BundleReferenceValue struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
	TEE    string   `json:"tee,omitempty"`
}

// Marshal serialises b (Format set to BundleFormat when empty) as indented
// JSON. With importKey (trustee's import public key, ECDSA P-256 or RSA,
// PEM or JWK) the JSON is sealed to it as a compact JWE (ECDH-ES+A256KW or
// RSA-OAEP-256, A256GCM, cty BundleContentType). Either form ends in a
// newline.
func (b Bundle) Marshal(importKey []byte) ([]byte, error) {
	if b.Format == "" {
		b.Format = BundleFormat
	}
	plain, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	plain = append(plain, '\n')
	if len(importKey) == 0 {
		return plain, nil
	}
	return SealBundle(plain, importKey)
}

// SealBundle encrypts a bundle's JSON to importKey (see Bundle.Marshal).
func SealBundle(plain, importKey []byte) ([]byte, error) {
	pub, err := ParseImportKey(importKey)
	if err != nil {
		return nil, err
	}
	alg := jose.ECDH_ES_A256KW
	if _, ok := pub.(*rsa.PublicKey); ok {
		alg = jose.RSA_OAEP_256
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: alg, Key: pub},
		(&jose.EncrypterOptions{}).WithContentType(BundleContentType))
	if err != nil {
		return nil, fmt.Errorf("encrypt bundle: %w", err)
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt bundle: %w", err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("encrypt bundle: %w", err)
	}
	return []byte(s + "\n"), nil
}

// ParseImportKey reads trustee's bundle import public key: PEM ("PUBLIC
// KEY" or a certificate) or a JWK; ECDSA, or RSA of 2048 bits or more.
func ParseImportKey(b []byte) (crypto.PublicKey, error) {
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

// ParseBundle decodes and validates an untrusted bundle: plain JSON (it
// starts with "{") or a compact JWE (ECDH-ES+A256KW, A256GCM) encrypted to
// key, trustee's import key (nil: plain bundles only). Every field is
// checked: paths are REPO/TYPE/TAG and unique, values standard base64,
// reference value names valid and unique, their values in a format the
// default policy can match. It returns the bundle and its resource values
// decoded, by canonical path. Errors never quote a value.
func ParseBundle(data []byte, key *ecdsa.PrivateKey) (*Bundle, map[string][]byte, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil, errors.New("empty bundle")
	}
	if data[0] != '{' {
		plain, err := openBundle(string(data), key)
		if err != nil {
			return nil, nil, err
		}
		data = bytes.TrimSpace(plain)
		if len(data) == 0 || data[0] != '{' {
			return nil, nil, errors.New("decrypted bundle is not a JSON object")
		}
	}
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, nil, fmt.Errorf("decode bundle: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("trailing data after the bundle")
	}
	if b.Format != BundleFormat {
		return nil, nil, fmt.Errorf("bundle format %q, want %q", bound(b.Format), BundleFormat)
	}
	if len(b.Resources) > MaxBundleResources || len(b.ReferenceValues) > MaxBundleRefValues {
		return nil, nil, fmt.Errorf("bundle holds more than %d resources or %d reference values", MaxBundleResources, MaxBundleRefValues)
	}
	res := make(map[string][]byte, len(b.Resources))
	for i, r := range b.Resources {
		rp, err := kbs.ParseResourcePath(r.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("resource %d: path %q is not REPO/TYPE/TAG", i, bound(r.Path))
		}
		if _, dup := res[rp.String()]; dup {
			return nil, nil, fmt.Errorf("resource %s appears twice", rp)
		}
		v, err := base64.StdEncoding.DecodeString(r.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("resource %s: value is not standard base64", rp)
		}
		res[rp.String()] = v
	}
	seen := map[string]bool{}
	for i, rv := range b.ReferenceValues {
		if err := checkRefName(rv.Name); err != nil {
			return nil, nil, fmt.Errorf("reference value %d: %w", i, err)
		}
		if seen[rv.Name] {
			return nil, nil, fmt.Errorf("reference value %s appears twice", rv.Name)
		}
		seen[rv.Name] = true
		if len(rv.Values) == 0 || len(rv.Values) > MaxRefValuesPerKey {
			return nil, nil, fmt.Errorf("reference value %s: want 1..%d values", rv.Name, MaxRefValuesPerKey)
		}
		vals := make([]any, len(rv.Values))
		for i, v := range rv.Values {
			vals[i] = v
		}
		// A value in a format the default policy can never match is
		// refused now, not silently never affirming later.
		if err := refvalue.ValidateValueFor(rv.TEE, rv.Name, vals); err != nil {
			return nil, nil, err
		}
	}
	return &b, res, nil
}

// checkRefName is the RVPS name rule (refvalue.CheckName) in the words a
// bundle error uses: 1..256 printable ASCII, no spaces.
func checkRefName(name string) error {
	if name == "" || len(name) > 256 {
		return errors.New("name must be 1..256 bytes")
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e {
			return fmt.Errorf("name %q must be printable ASCII without spaces", bound(name))
		}
	}
	return nil
}

// bound cuts an untrusted string quoted in an error.
func bound(s string) string {
	if len(s) > 256 {
		return s[:256] + "…"
	}
	return s
}

func openBundle(s string, key *ecdsa.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("bundle is not JSON and this trustee has no import key to decrypt it")
	}
	obj, err := jose.ParseEncryptedCompact(s, []jose.KeyAlgorithm{jose.ECDH_ES_A256KW}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, fmt.Errorf("bundle is neither JSON nor a compact JWE (ECDH-ES+A256KW, A256GCM): %w", err)
	}
	if cty, ok := obj.Header.ExtraHeaders[jose.HeaderContentType]; ok && cty != BundleContentType {
		return nil, fmt.Errorf("bundle JWE content type %v, want %s", cty, BundleContentType)
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		// go-jose's message says nothing about the key; keep it generic.
		return nil, errors.New("bundle JWE does not decrypt with this trustee's import key (encrypted to another key?)")
	}
	return plain, nil
}
