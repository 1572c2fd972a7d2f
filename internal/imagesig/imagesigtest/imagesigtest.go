// Package imagesigtest holds helpers for tests of Gate 1 that other
// packages reuse (the guest and end-to-end tests): an in-memory OCI
// registry on 127.0.0.1, random images, signing keys, policies and a
// ResourceFetcher backed by a map.
package imagesigtest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

// NewRegistry starts go-containerregistry's in-memory registry (with the
// OCI referrers API) on 127.0.0.1 and returns its host:port. Loopback
// registries are spoken to over plain HTTP.
func NewRegistry(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(
		registry.WithReferrersSupport(true),
		registry.Logger(log.New(io.Discard, "", 0)),
	))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// PushRandomImage pushes a small random image (two layers) to ref
// ("host:port/repo:tag") and returns its digest reference.
func PushRandomImage(t testing.TB, ref string) name.Digest {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatalf("parse %s: %v", ref, err)
	}
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tag.Context().Digest(h.String())
}

// PushSignedImage pushes a random image to ref and signs its digest with
// privPEM in cosign's tag layout (what `cocofy sign` writes).
func PushSignedImage(t testing.TB, ref string, privPEM []byte) name.Digest {
	t.Helper()
	d := PushRandomImage(t, ref)
	signer, err := sigs.LoadPrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sigs.SignDigest(context.Background(), signer, d); err != nil {
		t.Fatalf("sign %s: %v", d, err)
	}
	return d
}

// Key kinds accepted by NewKeyPair.
const (
	ECDSAP256 = "ecdsa-p256"
	ECDSAP384 = "ecdsa-p384"
	Ed25519   = "ed25519"
	RSA2048   = "rsa-2048"
)

// NewKeyPair generates a key and returns the PKCS#8 private key PEM and
// the public key PEM.
func NewKeyPair(t testing.TB, kind string) (privPEM, pubPEM []byte) {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch kind {
	case ECDSAP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case Ed25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case RSA2048:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	privPEM, err = cryptoutils.MarshalPrivateKeyToPEM(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err = cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return privPEM, pubPEM
}

// Policy returns a containers-policy.json that rejects everything except
// the docker scope, which must be sigstoreSigned by the key at keyPath
// (a file or kbs:///… URI).
func Policy(scope, keyPath string) []byte {
	return mustJSON(map[string]any{
		"default": []any{map[string]any{"type": "reject"}},
		"transports": map[string]any{"docker": map[string]any{
			scope: []any{map[string]any{"type": "sigstoreSigned", "keyPath": keyPath}},
		}},
	})
}

// PolicyKeyData is Policy with the public key inline (keyData).
func PolicyKeyData(scope string, pubPEM []byte) []byte {
	return mustJSON(map[string]any{
		"default": []any{map[string]any{"type": "reject"}},
		"transports": map[string]any{"docker": map[string]any{
			scope: []any{map[string]any{"type": "sigstoreSigned", "keyData": pubPEM}},
		}},
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// MapFetcher is a ResourceFetcher serving fixed resources, standing in for
// the guest data hub. With Deny set every fetch fails, as when attestation
// is denied.
type MapFetcher struct {
	mu        sync.Mutex
	Resources map[string][]byte
	Deny      bool
	Calls     []string
}

// GetResource implements imagesig.ResourceFetcher.
func (m *MapFetcher) GetResource(_ context.Context, uri string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls = append(m.Calls, uri)
	if m.Deny {
		return nil, fmt.Errorf("resource %s: attestation denied", uri)
	}
	b, ok := m.Resources[uri]
	if !ok {
		return nil, fmt.Errorf("resource %s: not found", uri)
	}
	return b, nil
}
