package sigs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// PublicKey is a trusted verification key with the signature schemes
// cosign may have used with it.
type PublicKey struct {
	Key crypto.PublicKey
	// ID is a short fingerprint (sha256 of the DER public key) for messages.
	ID        string
	verifiers []signature.Verifier
}

// ParsePublicKey parses a PEM public key (ECDSA P-256/P-384/P-521,
// Ed25519 or RSA >= 2048 bits).
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(bytes.TrimSpace(pemBytes))
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return NewPublicKey(pub)
}

// NewPublicKey wraps a crypto public key.
func NewPublicKey(pub crypto.PublicKey) (*PublicKey, error) {
	if err := validatePublicKey(pub); err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	sum := sha256.Sum256(der)
	k := &PublicKey{Key: pub, ID: hex.EncodeToString(sum[:8])}
	// Cosign's signer and verifier have disagreed over hashes across
	// versions: the CLI verifies with SHA-256 whatever the curve, while
	// the key loader signs with the curve's default hash (SHA-384 for
	// P-384) and Ed25519ph for Ed25519 keys. Each combination is a sound
	// signature scheme on its own, so accepting any of them is safe.
	var hashes []crypto.Hash
	var extra []signature.LoadOption
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P384():
			hashes = []crypto.Hash{crypto.SHA384, crypto.SHA256}
		case elliptic.P521():
			hashes = []crypto.Hash{crypto.SHA512, crypto.SHA256}
		default:
			hashes = []crypto.Hash{crypto.SHA256}
		}
	case *rsa.PublicKey:
		hashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}
	case ed25519.PublicKey:
		hashes = []crypto.Hash{crypto.SHA256}
		extra = []signature.LoadOption{options.WithED25519ph()}
	default:
		return nil, fmt.Errorf("public key: unsupported type %T", pub)
	}
	for _, h := range hashes {
		v, err := signature.LoadVerifier(pub, h)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		k.verifiers = append(k.verifiers, v)
	}
	for _, o := range extra {
		v, err := signature.LoadVerifierWithOpts(pub, o)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		k.verifiers = append(k.verifiers, v)
	}
	return k, nil
}

// validatePublicKey refuses weak or malformed keys: RSA below 2048 bits,
// curves other than P-256/P-384/P-521, and malformed Ed25519 keys.
func validatePublicKey(pub crypto.PublicKey) error {
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return errors.New("unsupported ECDSA curve")
	case *rsa.PublicKey:
		if p.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits is too small (minimum 2048)", p.N.BitLen())
		}
		return nil
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return errors.New("malformed Ed25519 key")
		}
		return nil
	}
	return fmt.Errorf("unsupported key type %T", pub)
}

// ErrBadSignature is returned when no scheme of the key verifies.
var ErrBadSignature = errors.New("signature does not verify with the trusted key")

// VerifySignature checks sig over msg.
func (k *PublicKey) VerifySignature(sig, msg []byte) error {
	for _, v := range k.verifiers {
		if v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg)) == nil {
			return nil
		}
	}
	return ErrBadSignature
}

// Verifiers returns the candidate verifiers of the key (for bundle
// verification through sigstore-go).
func (k *PublicKey) Verifiers() []signature.Verifier { return k.verifiers }

// ParsePrivateKey parses a PEM private key for signing: PKCS#8, PKCS#1,
// SEC1 EC, encrypted PKCS#8, or cosign's encrypted "SIGSTORE/COSIGN
// PRIVATE KEY" format (the password may be empty, as cosign allows).
func ParsePrivateKey(pemBytes, password []byte) (crypto.Signer, error) {
	pf := func(bool) ([]byte, error) {
		if password == nil {
			return []byte{}, nil
		}
		return password, nil
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(bytes.TrimSpace(pemBytes), pf)
	if err != nil {
		// The parser's error text never contains key material.
		return nil, fmt.Errorf("load private key: %w", err)
	}
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("load private key: unsupported type %T", priv)
	}
}

// LoadPrivateKey is ParsePrivateKey returning a signer for cosign's tag
// layout: SHA-256 for ECDSA and RSA (PKCS#1 v1.5) and pure Ed25519, the
// schemes `cosign verify --key` checks by default.
func LoadPrivateKey(pemBytes, password []byte) (signature.SignerVerifier, error) {
	priv, err := ParsePrivateKey(pemBytes, password)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadSignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("load private key: %w", err)
	}
	return sv, nil
}
