package cocofy

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"time"

	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// uploadTimeout bounds the upload of a bundle to Trustee.
const uploadTimeout = 30 * time.Second

// upload sends a plain bundle (MakeBundle without an import key) to
// Trustee's POST /kbs/v0/import with the admin key (PKCS#8 PEM): resources
// are stored and reference values merged with those already registered, in
// one request. caPEM (optional) is trusted for TLS in addition to the
// system roots. Values are not logged.
func upload(ctx context.Context, adminURL string, adminKeyPEM, caPEM, bundle []byte) error {
	key, err := kbsadmin.ParseKey(adminKeyPEM)
	if err != nil {
		return err
	}
	c, err := kbsadmin.NewWithKey(adminURL, key, kbsadmin.TLSOptions{CAPEM: caPEM, SystemRoots: true})
	if err != nil {
		return err
	}
	c.HTTP.Timeout = uploadTimeout
	if _, err := c.Import(ctx, bundle); err != nil {
		return fmt.Errorf("upload to trustee: %w", err)
	}
	return nil
}

// MakeBundle serialises the uploads as a kbsadmin.Bundle
// ("trustgate-bundle/v1", resources sorted by path). With importKeyPEM
// (Trustee's import public key, ECDSA P-256 or RSA, PEM or JWK) it is a
// compact JWE (kbsadmin.SealBundle); otherwise indented JSON.
func MakeBundle(res *Result, importKeyPEM []byte) ([]byte, error) {
	b := kbsadmin.Bundle{Format: kbsadmin.BundleFormat}
	for _, u := range res.Uploads {
		b.Resources = append(b.Resources, kbsadmin.BundleResource{Path: u.Path, Value: base64.StdEncoding.EncodeToString(u.Value)})
	}
	sort.Slice(b.Resources, func(i, j int) bool { return b.Resources[i].Path < b.Resources[j].Path })
	for _, rv := range res.ReferenceValues {
		b.ReferenceValues = append(b.ReferenceValues, kbsadmin.BundleReferenceValue{Name: rv.Name, Values: rv.Values, TEE: rv.TEE})
	}
	return b.Marshal(importKeyPEM)
}
