package trustee

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/trustgate/trustgate/internal/ear"
)

// TokenPublicKey returns the key that verifies this trustee's attestation
// tokens (shared by all replicas through the store). Relying parties such as
// the dashboard trust it to check beacons.
func (i *Instance) TokenPublicKey(ctx context.Context) (*ecdsa.PublicKey, error) {
	b, err := i.Store.SecretKey(ctx, signingKeyName, func() ([]byte, error) {
		return nil, errors.New("not created yet (trustee not started)")
	})
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	k, err := ear.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	return &k.PublicKey, nil
}
