package cocofy

import (
	"crypto"
	"crypto/x509"
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// encodeP12 writes the client certificate and key as a password-protected
// PKCS#12 file (AES-256, PBKDF2) that browsers import.
func encodeP12(key crypto.Signer, cert, ca *x509.Certificate, password string) ([]byte, error) {
	b, err := pkcs12.Modern2023.Encode(key, cert, []*x509.Certificate{ca}, password)
	if err != nil {
		return nil, fmt.Errorf("encode client .p12: %w", err)
	}
	return b, nil
}
