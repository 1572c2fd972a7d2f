package client

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// FingerprintFromHex parses a SHA-256 certificate fingerprint written as hex,
// with or without colons (as trustee prints it).
func FingerprintFromHex(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("fingerprint: want 32 bytes of hex")
	}
	return b, nil
}
