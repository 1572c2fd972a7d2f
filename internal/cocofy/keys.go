package cocofy

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trustgate/trustgate/internal/sealed"
)

// keyDir holds cocofy's long-lived key material. Reusing it is what makes
// reruns byte-identical (deterministic signatures, stable certificates).
type keyDir struct{ dir string }

const signingKeyFile = "sealed-signing-key.pem"

func openKeyDir(dir string) (*keyDir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("key directory: %w", err)
	}
	return &keyDir{dir: dir}, nil
}

func (k *keyDir) path(parts ...string) string {
	return filepath.Join(append([]string{k.dir}, parts...)...)
}

// readOrCreate returns the file's content, creating it with make() first
// when it does not exist. Creation is atomic and first-writer-wins (a hard
// link of a complete temporary file), so two cocofy runs sharing a key
// directory end up with the same key. Files are written 0600.
func (k *keyDir) readOrCreate(name string, make func() ([]byte, error)) ([]byte, bool, error) {
	p := k.path(name)
	b, err := os.ReadFile(p)
	if err == nil {
		return b, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	b, err = make()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, false, fmt.Errorf("write %s: %w", p, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return nil, false, fmt.Errorf("write %s: %w", p, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Link(tmp.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another run created it first: use theirs.
			b, err := os.ReadFile(p)
			return b, false, err
		}
		return nil, false, fmt.Errorf("write %s: %w", p, err)
	}
	return b, true, nil
}

func (k *keyDir) signingKey() (*ecdsa.PrivateKey, error) {
	b, _, err := k.readOrCreate(signingKeyFile, func() ([]byte, error) {
		key, err := sealed.GenerateKey()
		if err != nil {
			return nil, err
		}
		return sealed.MarshalPrivateKeyPEM(key)
	})
	if err != nil {
		return nil, err
	}
	key, err := sealed.ParsePrivateKeyPEM(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.path(signingKeyFile), err)
	}
	return key, nil
}

// signingKID names the Trustee resource holding the public JWK; the tag
// carries a key fingerprint so several cocofy users do not overwrite each
// other's verification keys.
func signingKID(pub *ecdsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return "kbs:///default/sealed-secret/cocofy-" + hex.EncodeToString(sum[:8])
}
