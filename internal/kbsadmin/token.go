package kbsadmin

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// NewToken signs an admin token as kbs-client does: header
// {"alg":"EdDSA","typ":"JWT"}, claims iat and exp = iat+lifetime.
func NewToken(key ed25519.PrivateKey, now time.Time, lifetime time.Duration) (string, error) {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("admin token signer: %w", err)
	}
	c := jwt.Claims{IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime))}
	tok, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign admin token: %w", err)
	}
	return tok, nil
}

// ParseKey reads an Ed25519 admin private key in PKCS#8 PEM ("PRIVATE KEY").
func ParseKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("admin key: want a PKCS#8 PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("admin key: %w", err)
	}
	pk, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("admin key: %T is not Ed25519", k)
	}
	return pk, nil
}
