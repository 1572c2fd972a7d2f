package sealed

import (
	"crypto/ecdsa"
	"fmt"
)

// Open parses s and verifies it against pub, returning the payload (the
// guest does the same in two steps, Parse then Verify).
func Open(s string, pub *ecdsa.PublicKey) (Secret, error) {
	p, err := Parse(s)
	if err != nil {
		return Secret{}, err
	}
	if err := p.Verify(pub); err != nil {
		return Secret{}, fmt.Errorf("open sealed secret (kid %q): %w", p.Header.Kid, err)
	}
	return p.Secret, nil
}
