package trustee

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/store"
)

// prevSigningKeyName holds the token signing key retired by the last
// rotation (its public key and the rotation time), so that every replica
// keeps accepting the tokens it signed until they expire.
const prevSigningKeyName = signingKeyName + ".previous"

// keyRefresh is how often a replica re-reads the token keys from the
// store: a rotation made through another replica reaches its issuer and
// verifier within this time.
const keyRefresh = time.Second

// tokenKeys keeps an issuer and a verifier in step with the token keys in
// the store (shared by replicas): the current signing key, and the
// previous one until the last token it signed has expired.
type tokenKeys struct {
	st       *store.SQL
	issuer   *ear.Issuer
	verifier *ear.Verifier
	log      *slog.Logger

	mu      sync.Mutex // serialises load; guards now
	now     func() time.Time
	curKid  string
	prevKid string
}

// prevGrace is how long after a rotation the previous key still verifies:
// the token lifetime, the clock skew tolerated between replicas, and two
// refresh periods (a replica that had not yet seen the rotation may have
// signed with the old key that long after it).
func (k *tokenKeys) prevGrace() time.Duration {
	return k.issuer.TTL() + ear.DefaultSkew + 2*keyRefresh
}

// load reads the keys from the store and applies them.
func (k *tokenKeys) load(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, err := k.st.GetSecretKey(ctx, signingKeyName)
	if err != nil {
		return fmt.Errorf("token signing key: %w", err)
	}
	cur, err := ear.ParsePrivateKey(b)
	if err != nil {
		return fmt.Errorf("token signing key: %w", err)
	}
	keys := []ear.VerifyKey{{Key: &cur.PublicKey}}
	prevKid := ""
	pb, err := k.st.GetSecretKey(ctx, prevSigningKeyName)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("previous token signing key: %w", err)
	default:
		pub, retired, err := parseRetiredKey(pb)
		if err != nil {
			return fmt.Errorf("previous token signing key: %w", err)
		}
		if until := retired.Add(k.prevGrace()); k.now().Before(until) {
			keys = append(keys, ear.VerifyKey{Key: pub, Until: until})
			prevKid, _ = ear.KeyID(pub)
		}
	}
	if err := k.verifier.SetKeys(keys...); err != nil {
		return err
	}
	kid, err := ear.KeyID(&cur.PublicKey)
	if err != nil {
		return err
	}
	if kid != k.issuer.KeyID() {
		if err := k.issuer.SetKey(cur); err != nil {
			return err
		}
		k.log.Info("token signing key changed (rotated)", "kid", kid)
	}
	k.curKid, k.prevKid = kid, prevKid
	return nil
}

// run re-reads the keys every keyRefresh until ctx ends.
func (k *tokenKeys) run(ctx context.Context) {
	t := time.NewTicker(keyRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := k.load(ctx); err != nil && ctx.Err() == nil {
				k.log.Warn("reload token keys", "err", err)
			}
		}
	}
}

// rotate makes a new signing key; the current one becomes the previous
// key. The change and its audit entry commit together.
func (k *tokenKeys) rotate(ctx context.Context, entry func(kid, prevKid string) (store.AuditEntry, error)) (string, string, error) {
	nk, err := ear.GenerateKey()
	if err != nil {
		return "", "", err
	}
	next, err := ear.MarshalPrivateKey(nk)
	if err != nil {
		return "", "", err
	}
	kid, err := ear.KeyID(&nk.PublicKey)
	if err != nil {
		return "", "", err
	}
	// Read the current key first, for the audit event; the rotation
	// checks that it is still the current one (another replica may have
	// rotated in between: then retry).
	cb, err := k.st.GetSecretKey(ctx, signingKeyName)
	if err != nil {
		return "", "", fmt.Errorf("token signing key: %w", err)
	}
	ck, err := ear.ParsePrivateKey(cb)
	if err != nil {
		return "", "", err
	}
	prevKid, err := ear.KeyID(&ck.PublicKey)
	if err != nil {
		return "", "", err
	}
	k.mu.Lock()
	retired := k.now()
	k.mu.Unlock()
	ent, err := entry(kid, prevKid)
	if err != nil {
		return "", "", err
	}
	err = k.st.RotateSecretKey(ctx, signingKeyName, prevSigningKeyName, func(cur []byte) ([]byte, []byte, error) {
		if !bytes.Equal(cur, cb) {
			return nil, nil, errors.New("the token key was rotated at the same time through another replica; run rotate-token-key again if another key is still wanted")
		}
		prev, err := marshalRetiredKey(&ck.PublicKey, retired)
		return next, prev, err
	}, ent)
	if err != nil {
		return "", "", err
	}
	if err := k.load(ctx); err != nil {
		return "", "", err
	}
	return kid, prevKid, nil
}

// marshalRetiredKey encodes a retired public key with its retirement time.
func marshalRetiredKey(pub *ecdsa.PublicKey, retired time.Time) ([]byte, error) {
	b, err := ear.MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	blk.Headers = map[string]string{"Retired": retired.UTC().Format(time.RFC3339Nano)}
	return pem.EncodeToMemory(blk), nil
}

func parseRetiredKey(b []byte) (*ecdsa.PublicKey, time.Time, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, time.Time{}, errors.New("not a PEM public key")
	}
	retired, err := time.Parse(time.RFC3339Nano, blk.Headers["Retired"])
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("retirement time: %w", err)
	}
	delete(blk.Headers, "Retired")
	pub, err := ear.ParsePublicKey(pem.EncodeToMemory(blk))
	if err != nil {
		return nil, time.Time{}, err
	}
	return pub, retired, nil
}

// TokenVerifier returns the verifier of this trustee's tokens that follows
// token key rotation (current and previous key, reloaded from the store
// every second): what an in-process relying party (trustgate up's
// dashboard) should verify with, rather than a key read once.
func (i *Instance) TokenVerifier() *ear.Verifier { return i.tk.verifier }

// TokenPublicKey returns the key that verifies this trustee's attestation
// tokens (shared by all replicas through the store). Relying parties such as
// the dashboard trust it to check beacons.
func (i *Instance) TokenPublicKey(ctx context.Context) (*ecdsa.PublicKey, error) {
	b, err := i.Store.GetSecretKey(ctx, signingKeyName)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	k, err := ear.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	return &k.PublicKey, nil
}
