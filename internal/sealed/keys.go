package sealed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
)

// GenerateKey returns a new P-256 signing key.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate sealed-secret signing key: %w", err)
	}
	return k, nil
}

// MarshalPrivateKeyPEM encodes priv as a PKCS#8 "PRIVATE KEY" PEM block.
func MarshalPrivateKeyPEM(priv *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("marshal signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKeyPEM reads a P-256 key from PKCS#8 or SEC 1 ("EC PRIVATE KEY") PEM.
func ParsePrivateKeyPEM(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("parse signing key: no PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("parse signing key: unexpected PEM type %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("parse signing key: want an ECDSA P-256 key")
	}
	return ec, nil
}

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("marshal verification key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

type ecJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Alg string `json:"alg,omitempty"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d,omitempty"`
}

// MarshalPublicJWK encodes pub as the public EC JWK upstream's CDH expects at
// the kid resource: {"kty":"EC","crv":"P-256","alg":"ES256","x":…,"y":…}.
func MarshalPublicJWK(pub *ecdsa.PublicKey) ([]byte, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("marshal verification key: want ECDSA P-256")
	}
	ecdh, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("marshal verification key: %w", err)
	}
	pt := ecdh.Bytes() // 0x04 || X || Y
	return json.Marshal(ecJWK{Kty: "EC", Crv: "P-256", Alg: AlgES256,
		X: b64.EncodeToString(pt[1:33]), Y: b64.EncodeToString(pt[33:65])})
}

// ParsePublicKey reads a P-256 verification key from a JWK (what upstream
// stores at the kid resource) or a PKIX PEM block. A private JWK is refused:
// verification material must not carry the signing key.
func ParsePublicKey(data []byte) (*ecdsa.PublicKey, error) {
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "{") {
		var j ecJWK
		if err := json.Unmarshal([]byte(trimmed), &j); err != nil {
			return nil, fmt.Errorf("parse verification key: JWK: %w", err)
		}
		if j.D != "" {
			return nil, fmt.Errorf("parse verification key: JWK contains a private key")
		}
		if j.Kty != "EC" || j.Crv != "P-256" {
			return nil, fmt.Errorf("parse verification key: JWK must be EC P-256")
		}
		x, errX := b64.DecodeString(j.X)
		y, errY := b64.DecodeString(j.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return nil, fmt.Errorf("parse verification key: JWK coordinates must be 32 bytes of base64url")
		}
		pt := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
		if err != nil {
			return nil, fmt.Errorf("parse verification key: %w", err)
		}
		return pub, nil
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("parse verification key: want a JWK or a PUBLIC KEY PEM block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse verification key: %w", err)
	}
	ec, ok := key.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("parse verification key: want ECDSA P-256")
	}
	return ec, nil
}

// ResourceURI is a parsed `kbs:///repo/type/tag` (or `kbs://host/repo/type/tag`) URI.
type ResourceURI struct {
	Host            string // usually empty: the guest's configured Trustee
	Repo, Type, Tag string
}

// Path returns "repo/type/tag", the suffix of /kbs/v0/resource/ and of the
// guest's /cdh/resource/.
func (u ResourceURI) Path() string { return u.Repo + "/" + u.Type + "/" + u.Tag }

// String returns the URI form.
func (u ResourceURI) String() string { return "kbs://" + u.Host + "/" + u.Path() }

var segment = regexp.MustCompile(`^[a-zA-Z0-9_\-]+[a-zA-Z0-9_\-\.]*$`)

// ParseResourceURI parses a KBS resource URI, applying the KBS path-segment
// rule to each of repo, type and tag.
func ParseResourceURI(s string) (ResourceURI, error) {
	rest, ok := strings.CutPrefix(s, "kbs://")
	if !ok {
		return ResourceURI{}, fmt.Errorf("resource URI %q: want kbs:///repo/type/tag", s)
	}
	host, path, ok := strings.Cut(rest, "/")
	if !ok {
		return ResourceURI{}, fmt.Errorf("resource URI %q: want kbs:///repo/type/tag", s)
	}
	parts := strings.Split(path, "/")
	if len(parts) != 3 {
		return ResourceURI{}, fmt.Errorf("resource URI %q: want exactly repo/type/tag", s)
	}
	for _, p := range parts {
		if !segment.MatchString(p) {
			return ResourceURI{}, fmt.Errorf("resource URI %q: invalid path segment %q", s, p)
		}
	}
	return ResourceURI{Host: host, Repo: parts[0], Type: parts[1], Tag: parts[2]}, nil
}

// Base64Std is a helper for envelope fields, which upstream encodes as
// standard padded base64.
func Base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
