package guest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	josecipher "github.com/go-jose/go-jose/v4/cipher"

	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/sealed"
)

// KBS is what the data hub needs from a KBS client: resources by path
// ("repo/type/tag") and the attestation token with the PKCS#8 PEM of the
// session's private key. kbsclient.go adapts internal/kbs/client.
type KBS interface {
	GetResource(ctx context.Context, path string) ([]byte, error)
	Token(ctx context.Context) (token string, keyPEM []byte, err error)
}

// Errors of the data hub that callers distinguish.
var (
	ErrBadResourceURI = errors.New("invalid resource URI")
	ErrNoKBS          = errors.New("no KBS configured (set --kbs-url or kbc.url in initdata's cdh.toml)")
)

// Hub is the confidential data hub: it fetches KBS resources and unseals
// sealed secrets. It never logs resource contents or unsealed values.
type Hub struct {
	kbs        KBS
	skipVerify bool
	localKey   string // file or directory of verification keys
	log        *slog.Logger
}

// NewHub returns a data hub over kbs.
func NewHub(kbs KBS, cfg *Config) *Hub {
	return &Hub{kbs: kbs, skipVerify: cfg.SkipSealedSecretVerification, localKey: cfg.SealedSecretKey, log: cfg.logger()}
}

// ResourcePath turns `kbs:///repo/type/tag`, `kbs://host/repo/type/tag` or
// `repo/type/tag` into the checked path "repo/type/tag".
func ResourcePath(uri string) (string, error) {
	p, err := localapi.ResourcePath(uri)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadResourceURI, err)
	}
	return p, nil
}

// GetResource returns the resource named by uri (see ResourcePath).
func (h *Hub) GetResource(ctx context.Context, uri string) ([]byte, error) {
	p, err := ResourcePath(uri)
	if err != nil {
		return nil, err
	}
	if h.kbs == nil {
		return nil, ErrNoKBS
	}
	b, err := h.kbs.GetResource(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("get resource kbs:///%s: %w", p, err)
	}
	return b, nil
}

// Unseal verifies a sealed secret (unless verification was switched off)
// and returns the secret value it references or carries.
func (h *Hub) Unseal(ctx context.Context, s string) ([]byte, error) {
	sec, err := h.open(ctx, s)
	if err != nil {
		return nil, err
	}
	switch sec.Type {
	case sealed.TypeVault:
		if sec.Provider != sealed.ProviderKBS {
			return nil, fmt.Errorf("unseal: vault provider %q is not supported (only kbs)", sec.Provider)
		}
		return h.GetResource(ctx, sec.Name)
	case sealed.TypeEnvelope:
		return h.openEnvelope(ctx, sec)
	}
	return nil, fmt.Errorf("unseal: unknown sealed secret type %q", sec.Type)
}

func (h *Hub) open(ctx context.Context, s string) (sealed.Secret, error) {
	p, err := sealed.Parse(s)
	if err != nil {
		return sealed.Secret{}, fmt.Errorf("unseal: %w", err)
	}
	if h.skipVerify {
		return p.Secret, nil
	}
	if p.Unsigned {
		return sealed.Secret{}, fmt.Errorf("unseal: %w; sign it with `guest seal` or set skip_sealed_secret_verification", sealed.ErrUnsigned)
	}
	pub, err := h.verificationKey(ctx, p.Header.Kid)
	if err != nil {
		return sealed.Secret{}, fmt.Errorf("unseal: verification key %q: %w", p.Header.Kid, err)
	}
	if err := p.Verify(pub); err != nil {
		return sealed.Secret{}, fmt.Errorf("unseal: key %q: %w", p.Header.Kid, err)
	}
	return p.Secret, nil
}

// verificationKey finds the public key named by kid: a KBS resource for
// kbs:// kids, else the local key file (or the file named kid inside the
// local key directory).
func (h *Hub) verificationKey(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	var data []byte
	if strings.HasPrefix(kid, "kbs://") {
		b, err := h.GetResource(ctx, kid)
		if err != nil {
			return nil, err
		}
		data = b
	} else {
		if h.localKey == "" {
			return nil, errors.New("kid is not a kbs:/// URI and no local key (--sealed-key) is configured")
		}
		path := h.localKey
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			base := filepath.Base(kid)
			if base == "." || base == ".." || base == "/" || base != kid {
				return nil, errors.New("kid must be a plain file name to look up in the key directory")
			}
			path = filepath.Join(path, base)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data = b
	}
	return sealed.ParsePublicKey(data)
}

// openEnvelope decrypts an envelope secret whose key-encryption key is a
// KBS resource (provider kbs): key_id names the 32-byte KEK, encrypted_key
// is the data key wrapped with AES key wrap (RFC 3394) under the KEK, and
// encrypted_data is AES-256-GCM under the data key with iv.
func (h *Hub) openEnvelope(ctx context.Context, sec sealed.Secret) ([]byte, error) {
	if sec.Provider != sealed.ProviderKBS {
		return nil, fmt.Errorf("unseal: envelope provider %q is not supported (only kbs)", sec.Provider)
	}
	if sec.WrapType != sealed.WrapA256GCM {
		return nil, fmt.Errorf("unseal: envelope wrap_type %q is not supported (only %s)", sec.WrapType, sealed.WrapA256GCM)
	}
	kek, err := h.GetResource(ctx, sec.KeyID)
	if err != nil {
		return nil, fmt.Errorf("unseal envelope: %w", err)
	}
	return OpenEnvelope(kek, sec)
}

// errEnvelope hides which step of envelope decryption failed.
var errEnvelope = errors.New("unseal envelope: decryption failed (wrong key or tampered data)")

// OpenEnvelope decrypts an envelope secret with its key-encryption key.
func OpenEnvelope(kek []byte, sec sealed.Secret) ([]byte, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("unseal envelope: key-encryption key is %d bytes, want 32", len(kek))
	}
	wrapped, err1 := base64.StdEncoding.DecodeString(sec.EncryptedKey)
	ct, err2 := base64.StdEncoding.DecodeString(sec.EncryptedData)
	iv, err3 := base64.StdEncoding.DecodeString(sec.IV)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("unseal envelope: %w", err)
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, errEnvelope
	}
	dek, err := josecipher.KeyUnwrap(block, wrapped)
	if err != nil || len(dek) != 32 {
		return nil, errEnvelope
	}
	dblock, err := aes.NewCipher(dek)
	if err != nil {
		return nil, errEnvelope
	}
	gcm, err := cipher.NewGCMWithNonceSize(dblock, max(len(iv), 1))
	if err != nil || len(iv) == 0 {
		return nil, errEnvelope
	}
	pt, err := gcm.Open(nil, iv, ct, nil)
	if err != nil {
		return nil, errEnvelope
	}
	return pt, nil
}

// SealEnvelope encrypts value for an envelope secret whose key-encryption
// key kek (32 bytes) is stored at the KBS resource keyID: a fresh data key
// encrypts value with AES-256-GCM and is wrapped under kek (RFC 3394).
// The caller signs the result with sealed.Sign.
func SealEnvelope(kek []byte, keyID string, value []byte) (sealed.Secret, error) {
	if len(kek) != 32 {
		return sealed.Secret{}, fmt.Errorf("seal envelope: key-encryption key is %d bytes, want 32", len(kek))
	}
	if _, err := sealed.ParseResourceURI(keyID); err != nil {
		return sealed.Secret{}, fmt.Errorf("seal envelope: key id: %w", err)
	}
	dek := make([]byte, 32)
	iv := make([]byte, 12)
	if _, err := rand.Read(dek); err != nil {
		return sealed.Secret{}, err
	}
	if _, err := rand.Read(iv); err != nil {
		return sealed.Secret{}, err
	}
	kb, err := aes.NewCipher(kek)
	if err != nil {
		return sealed.Secret{}, err
	}
	wrapped, err := josecipher.KeyWrap(kb, dek)
	if err != nil {
		return sealed.Secret{}, err
	}
	db, err := aes.NewCipher(dek)
	if err != nil {
		return sealed.Secret{}, err
	}
	gcm, err := cipher.NewGCM(db)
	if err != nil {
		return sealed.Secret{}, err
	}
	sec := sealed.Secret{
		Version: sealed.Version, Type: sealed.TypeEnvelope, Provider: sealed.ProviderKBS,
		KeyID:         keyID,
		EncryptedKey:  sealed.Base64Std(wrapped),
		EncryptedData: sealed.Base64Std(gcm.Seal(nil, iv, value, nil)),
		WrapType:      sealed.WrapA256GCM,
		IV:            sealed.Base64Std(iv),
	}
	if err := sec.Validate(); err != nil {
		return sealed.Secret{}, err
	}
	return sec, nil
}
