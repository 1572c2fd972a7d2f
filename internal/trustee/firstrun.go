package trustee

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Material is what the first run makes, or what later runs load.
type Material struct {
	KEK             []byte
	TLSFingerprint  string // SHA-256 of the certificate DER, hex with colons
	AdminKeyPath    string // "" when admin keys were configured explicitly
	AdminPubPath    string
	CreatedTLS      bool
	CreatedAdminKey bool
	CreatedKEK      bool
}

// writeNew writes b to path with mode, failing if it exists (O_EXCL), so
// that two first runs never overwrite each other's keys.
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Prepare makes the data directory and, where absent, the KEK, the
// self-signed TLS certificate and the admin key pair.
func Prepare(cfg Config, getenv func(string) string) (*Material, error) {
	m := &Material{}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	kek, created, err := loadOrCreateKEK(cfg.KEKFile, getenv)
	if err != nil {
		return nil, err
	}
	m.KEK, m.CreatedKEK = kek, created

	if !cfg.InsecureHTTP {
		if !exists(cfg.TLSCert) && !exists(cfg.TLSKey) {
			if err := makeSelfSigned(cfg.TLSCert, cfg.TLSKey, cfg.Listen); err != nil {
				return nil, fmt.Errorf("make TLS certificate: %w", err)
			}
			m.CreatedTLS = true
		}
		fp, err := CertFingerprint(cfg.TLSCert)
		if err != nil {
			return nil, err
		}
		m.TLSFingerprint = fp
	}

	def := filepath.Join(cfg.DataDir, "admin.pub")
	if len(cfg.AdminPublicKeys) == 1 && filepath.Clean(cfg.AdminPublicKeys[0]) == filepath.Clean(def) {
		m.AdminPubPath = def
		m.AdminKeyPath = filepath.Join(cfg.DataDir, "admin.key")
		if !exists(def) {
			if exists(m.AdminKeyPath) {
				return nil, fmt.Errorf("%s exists without %s: restore it or remove both to make a new pair", m.AdminKeyPath, def)
			}
			if err := makeAdminKey(m.AdminKeyPath, def); err != nil {
				return nil, fmt.Errorf("make admin key: %w", err)
			}
			m.CreatedAdminKey = true
		}
	}
	return m, nil
}

// loadOrCreateKEK reads TRUSTEE_KEK (base64) or the KEK file, creating the
// file (0600) on first run.
func loadOrCreateKEK(path string, getenv func(string) string) ([]byte, bool, error) {
	for _, name := range []string{"TRUSTEE_KEK", "TRUSTGATE_TRUSTEE_KEK"} {
		if v := getenv(name); v != "" {
			k, err := DecodeKEK([]byte(v))
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", name, err)
			}
			return k, false, nil
		}
	}
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := DecodeKEK(b)
		if err != nil {
			return nil, false, fmt.Errorf("KEK file %s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("KEK file: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	if err := writeNew(path, EncodeKEK(k), 0o600); err != nil {
		return nil, false, fmt.Errorf("KEK file: %w", err)
	}
	return k, true, nil
}

// EncodeKEK is the KEK file format: standard base64 and a newline.
func EncodeKEK(k []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(k) + "\n") }

// DecodeKEK reads the KEK file format.
func DecodeKEK(b []byte) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		return nil, errors.New("want 32 bytes in standard base64")
	}
	return k, nil
}

// WriteKEKFile replaces the KEK file atomically, keeping the old one as
// PATH.prev so a failed rollout can be undone.
func WriteKEKFile(path string, k []byte) error {
	tmp := path + ".new"
	_ = os.Remove(tmp)
	if err := writeNew(tmp, EncodeKEK(k), 0o600); err != nil {
		return err
	}
	if exists(path) {
		_ = os.Remove(path + ".prev")
		if err := os.Link(path, path+".prev"); err != nil {
			return err
		}
	}
	return os.Rename(tmp, path)
}

func makeSelfSigned(certPath, keyPath, listen string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "trustee (self-signed)", Organization: []string{"trustgate"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so clients can pin it as their CA file (--cacert)
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsLoopback() && !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if host != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, h)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return err
	}
	return writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// CertFingerprint returns the SHA-256 fingerprint of the first certificate
// in a PEM file, as colon-separated upper-case hex (what openssl prints).
func CertFingerprint(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("TLS certificate: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", fmt.Errorf("TLS certificate %s: no PEM CERTIFICATE block", path)
	}
	sum := sha256.Sum256(blk.Bytes)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	parts := make([]string, 0, 32)
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":"), nil
}

func makeAdminKey(keyPath, pubPath string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pb, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return err
	}
	return writeNew(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pb}), 0o644)
}
