// Package jwe produces and opens the JWE that carries a KBS resource to the
// guest: flattened JSON serialisation, A256GCM content encryption, and key
// management ECDH-ES+A256KW (P-256, P-521) or RSA-OAEP-256, exactly as
// upstream Trustee writes it.
//
// Why not go-jose's Encrypter: the upstream guest rebuilds the AAD by
// re-serialising the header it parsed (serde_json, keys in insertion order of
// its own struct), so the protected header must be the compact JSON
// {"alg":…,"enc":…,"epk":{"crv":…,"kty":…,"x":…,"y":…}} byte for byte.
// go-jose writes the epk members in another order (kty first). We therefore
// build the header ourselves and do the key agreement with crypto/ecdh, the
// Concat KDF and AES key wrap from go-jose/v4/cipher (RFC 7518 §4.6, RFC 3394),
// and check in tests that go-jose decrypts every message we produce.
package jwe

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	josecipher "github.com/go-jose/go-jose/v4/cipher"

	"github.com/trustgate/trustgate/internal/kbs"
)

// EncA256GCM is the only content encryption upstream uses.
const EncA256GCM = "A256GCM"

// MaxSize bounds the serialised JWE that Decrypt accepts (resources are at
// most a few MiB; the server's body limit is 2 MiB).
const MaxSize = 64 << 20

// Response is the flattened JSON serialisation; every member is base64url
// without padding. There is no "aad" member: upstream never sends one.
type Response struct {
	Protected    string `json:"protected"`
	EncryptedKey string `json:"encrypted_key"`
	IV           string `json:"iv"`
	Ciphertext   string `json:"ciphertext"`
	Tag          string `json:"tag"`
}

// epk and header fix the member order of upstream's protected header.
type epk struct {
	Crv string `json:"crv"`
	Kty string `json:"kty"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

type header struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Epk *epk   `json:"epk,omitempty"`
}

// AAD returns the additional authenticated data for a protected header: the
// ASCII of its base64url encoding (RFC 7516 §5.1 step 14, no JWE aad).
func AAD(protectedJSON []byte) []byte {
	return []byte(base64.RawURLEncoding.EncodeToString(protectedJSON))
}

// Encrypt encrypts plaintext to the guest's key and returns the JSON JWE.
func Encrypt(pub kbs.TeePubKey, plaintext []byte) ([]byte, error) {
	r, err := EncryptResponse(pub, plaintext)
	if err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// EncryptResponse is Encrypt without the final serialisation.
func EncryptResponse(pub kbs.TeePubKey, plaintext []byte) (*Response, error) {
	key, err := pub.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("jwe: %w", err)
	}
	cek := make([]byte, 32)
	if _, err := rand.Read(cek); err != nil {
		return nil, fmt.Errorf("jwe: cek: %w", err)
	}
	defer clear(cek)

	var h header
	var encryptedKey []byte
	switch k := key.(type) {
	case *ecdh.PublicKey:
		eph, err := k.Curve().GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("jwe: ephemeral key: %w", err)
		}
		kek, err := deriveKEK(eph, k)
		if err != nil {
			return nil, err
		}
		encryptedKey, err = wrap(kek, cek)
		clear(kek)
		if err != nil {
			return nil, err
		}
		ep, err := kbs.NewTeePubKey(eph.PublicKey())
		if err != nil {
			return nil, fmt.Errorf("jwe: %w", err)
		}
		h = header{Alg: kbs.AlgECDHESA256KW, Enc: EncA256GCM, Epk: &epk{Crv: ep.Crv, Kty: ep.Kty, X: ep.X, Y: ep.Y}}
	case *rsa.PublicKey:
		switch pub.Alg {
		case kbs.AlgRSAOAEP256:
			encryptedKey, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, k, cek, nil)
		case kbs.AlgRSA15:
			// Deprecated upstream but still served to old guests that ask
			// for it; the padding-oracle risk is on the decrypting side,
			// and our own guest never asks for RSA1_5.
			//lint:ignore SA1019 wire compatibility with upstream guests
			encryptedKey, err = rsa.EncryptPKCS1v15(rand.Reader, k, cek)
		default:
			err = fmt.Errorf("algorithm %q is not supported", pub.Alg)
		}
		if err != nil {
			return nil, fmt.Errorf("jwe: rsa: %w", err)
		}
		h = header{Alg: pub.Alg, Enc: EncA256GCM}
	default:
		return nil, fmt.Errorf("jwe: unsupported key %T", key)
	}

	hj, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("jwe: header: %w", err)
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(iv); err != nil {
		return nil, fmt.Errorf("jwe: iv: %w", err)
	}
	protected := AAD(hj)
	sealed := gcm.Seal(nil, iv, plaintext, protected)
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	b := base64.RawURLEncoding
	return &Response{
		Protected:    string(protected),
		EncryptedKey: b.EncodeToString(encryptedKey),
		IV:           b.EncodeToString(iv),
		Ciphertext:   b.EncodeToString(ct),
		Tag:          b.EncodeToString(tag),
	}, nil
}

// concatKDFAlgID is the Concat KDF AlgorithmID for ECDH-ES+A256KW; apu and
// apv are empty, keydatalen is 256 (RFC 7518 §4.6.2).
const concatKDFAlgID = kbs.AlgECDHESA256KW

// deriveKEK runs ECDH and the Concat KDF, giving the 32-byte key-wrapping key.
func deriveKEK(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) ([]byte, error) {
	z, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("jwe: ecdh: %w", err)
	}
	defer clear(z)
	algID := lengthPrefixed([]byte(concatKDFAlgID))
	supPub := binary.BigEndian.AppendUint32(nil, 256)
	r := josecipher.NewConcatKDF(crypto.SHA256, z, algID, lengthPrefixed(nil), lengthPrefixed(nil), supPub, nil)
	kek := make([]byte, 32)
	if _, err := r.Read(kek); err != nil {
		return nil, fmt.Errorf("jwe: concat kdf: %w", err)
	}
	return kek, nil
}

func lengthPrefixed(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

func wrap(kek, cek []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("jwe: key wrap: %w", err)
	}
	out, err := josecipher.KeyWrap(block, cek)
	if err != nil {
		return nil, fmt.Errorf("jwe: key wrap: %w", err)
	}
	return out, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("jwe: content key: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("jwe: gcm: %w", err)
	}
	return gcm, nil
}

// ErrDecrypt is returned for every failure to open a JWE whose structure was
// valid, so that callers (and attackers) learn nothing about which step failed.
var ErrDecrypt = errors.New("jwe: decryption failed")

// Decrypt opens a JSON JWE produced by a KBS with the guest's private key:
// *ecdh.PrivateKey or *ecdsa.PrivateKey (P-256, P-521) for ECDH-ES+A256KW,
// *rsa.PrivateKey for RSA-OAEP-256. It never panics on malformed input and
// refuses inputs over MaxSize.
func Decrypt(priv any, body []byte) ([]byte, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("jwe: %d bytes exceeds the %d-byte limit", len(body), MaxSize)
	}
	var r struct {
		Response
		AAD *string `json:"aad"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("jwe: decode: %w", err)
	}
	b := base64.RawURLEncoding
	hj, err := b.DecodeString(r.Protected)
	if err != nil {
		return nil, errors.New("jwe: protected header is not base64url")
	}
	var h struct {
		Alg string          `json:"alg"`
		Enc string          `json:"enc"`
		Epk json.RawMessage `json:"epk"`
	}
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, fmt.Errorf("jwe: protected header: %w", err)
	}
	if h.Enc != EncA256GCM {
		return nil, fmt.Errorf("jwe: enc %q is not supported", h.Enc)
	}
	ek, err1 := b.DecodeString(r.EncryptedKey)
	iv, err2 := b.DecodeString(r.IV)
	ct, err3 := b.DecodeString(r.Ciphertext)
	tag, err4 := b.DecodeString(r.Tag)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, errors.New("jwe: a member is not base64url")
	}
	if len(iv) != 12 || len(tag) != 16 {
		return nil, errors.New("jwe: iv must be 12 bytes and tag 16 bytes")
	}
	aad := []byte(r.Protected)
	if r.AAD != nil {
		// RFC 7516 §5.1 step 14; upstream never sends it but accepting it
		// costs nothing.
		aad = append(append(aad, '.'), *r.AAD...)
	}

	var cek []byte
	switch h.Alg {
	case kbs.AlgECDHESA256KW:
		cek, err = unwrapECDH(priv, h.Epk, ek)
	case kbs.AlgRSAOAEP256:
		k, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("jwe: alg %s needs an RSA key, have %T", h.Alg, priv)
		}
		cek, err = rsa.DecryptOAEP(sha256.New(), nil, k, ek, nil)
		if err != nil {
			err = ErrDecrypt
		}
	default:
		return nil, fmt.Errorf("jwe: alg %q is not supported", h.Alg)
	}
	if err != nil {
		return nil, err
	}
	defer clear(cek)
	if len(cek) != 32 {
		return nil, ErrDecrypt
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, iv, append(ct, tag...), aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

func unwrapECDH(priv any, rawEpk json.RawMessage, ek []byte) ([]byte, error) {
	var k *ecdh.PrivateKey
	switch p := priv.(type) {
	case *ecdh.PrivateKey:
		k = p
	case *ecdsa.PrivateKey:
		var err error
		if k, err = p.ECDH(); err != nil {
			return nil, fmt.Errorf("jwe: private key: %w", err)
		}
	default:
		return nil, fmt.Errorf("jwe: alg %s needs an EC key, have %T", kbs.AlgECDHESA256KW, priv)
	}
	if len(rawEpk) == 0 {
		return nil, errors.New("jwe: missing epk")
	}
	var ep epk
	if err := json.Unmarshal(rawEpk, &ep); err != nil {
		return nil, fmt.Errorf("jwe: epk: %w", err)
	}
	if ep.Kty != kbs.KtyEC {
		return nil, errors.New("jwe: epk is not an EC key")
	}
	// The epk carries no alg; PublicKey validates the point on its curve.
	e := kbs.TeePubKey{Kty: ep.Kty, Crv: ep.Crv, Alg: kbs.AlgECDHESA256KW, X: ep.X, Y: ep.Y}
	pubAny, err := e.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("jwe: epk: %w", err)
	}
	pub := pubAny.(*ecdh.PublicKey)
	if pub.Curve() != k.Curve() {
		return nil, errors.New("jwe: epk curve differs from the private key's")
	}
	kek, err := deriveKEK(k, pub)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, ErrDecrypt
	}
	if len(ek) != 40 {
		return nil, ErrDecrypt
	}
	cek, err := josecipher.KeyUnwrap(block, ek)
	if err != nil {
		return nil, ErrDecrypt
	}
	return cek, nil
}

// KeyType selects the guest's ephemeral key.
type KeyType string

// Key types for GenerateKey. P-256 is the upstream guest's default.
const (
	KeyP256 KeyType = "P-256"
	KeyP521 KeyType = "P-521"
	KeyRSA  KeyType = "RSA" // 3072-bit, RSA-OAEP-256
)

// GenerateKey makes a fresh key pair for one KBS session and returns the
// private key (for Decrypt) and its TeePubKey (for the attestation body).
func GenerateKey(t KeyType) (any, kbs.TeePubKey, error) {
	switch t {
	case KeyP256, KeyP521, "":
		c := ecdh.P256()
		if t == KeyP521 {
			c = ecdh.P521()
		}
		k, err := c.GenerateKey(rand.Reader)
		if err != nil {
			return nil, kbs.TeePubKey{}, fmt.Errorf("generate %s key: %w", t, err)
		}
		pub, err := kbs.NewTeePubKey(k.PublicKey())
		return k, pub, err
	case KeyRSA:
		k, err := rsa.GenerateKey(rand.Reader, 3072)
		if err != nil {
			return nil, kbs.TeePubKey{}, fmt.Errorf("generate RSA key: %w", err)
		}
		pub, err := kbs.NewTeePubKey(&k.PublicKey)
		return k, pub, err
	default:
		return nil, kbs.TeePubKey{}, fmt.Errorf("unknown key type %q", t)
	}
}
