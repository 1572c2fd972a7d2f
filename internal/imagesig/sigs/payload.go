// Package sigs reads and writes cosign-compatible container image
// signatures: the simple-signing payload, cosign's tag layout
// ("sha256-<hex>.sig" with the dev.cosignproject.cosign/signature
// annotation) and sigstore bundles attached as OCI referrers (cosign v3).
// Verification is offline, with public keys only.
package sigs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
)

// Media types and annotations written by cosign.
const (
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
	BundleMediaTypePrefix  = "application/vnd.dev.sigstore.bundle"
	// CosignSignPredicateType is the in-toto predicate cosign v3 puts in the
	// DSSE statement of an image signature bundle.
	CosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1"
)

// MaxPayloadBytes bounds a simple-signing payload or bundle read from a
// registry; cosign payloads are a few hundred bytes, bundles a few KiB.
const MaxPayloadBytes = 256 << 10

// Payload is a parsed simple-signing payload.
type Payload struct {
	// DockerReference is the identity the signer claimed: a repository,
	// or a repository with tag or digest.
	DockerReference string
	// ManifestDigest is the digest of the signed manifest.
	ManifestDigest v1.Hash
	// Optional holds the signer's annotations.
	Optional map[string]any
}

// MakePayload returns cosign's simple-signing payload for d, byte for byte
// what cosign writes (sigstore's payload.Cosign, which cosign itself uses).
func MakePayload(d name.Digest) ([]byte, error) {
	b, err := sigpayload.Cosign{Image: d}.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("make signature payload: %w", err)
	}
	return b, nil
}

// ParsePayload parses an untrusted simple-signing payload. It does not
// check any signature; callers parse only payloads whose signature
// verified, but the parser must still be total on hostile input.
func ParsePayload(data []byte) (*Payload, error) {
	if len(data) > MaxPayloadBytes {
		return nil, fmt.Errorf("parse signature payload: %d bytes, limit %d", len(data), MaxPayloadBytes)
	}
	var sci sigpayload.SimpleContainerImage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&sci); err != nil {
		return nil, fmt.Errorf("parse signature payload: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse signature payload: trailing data after the JSON document")
	}
	// "atomic container signature" is the containers/image spelling of the
	// same format; both name the manifest digest the same way.
	switch sci.Critical.Type {
	case sigpayload.CosignSignatureType, "atomic container signature":
	default:
		return nil, fmt.Errorf("parse signature payload: unknown critical.type %q", sci.Critical.Type)
	}
	h, err := v1.NewHash(sci.Critical.Image.DockerManifestDigest)
	if err != nil {
		return nil, fmt.Errorf("parse signature payload: critical.image.docker-manifest-digest: %w", err)
	}
	ref := sci.Critical.Identity.DockerReference
	if ref == "" {
		return nil, errors.New("parse signature payload: critical.identity.docker-reference is empty")
	}
	if _, err := ParseIdentity(ref); err != nil {
		return nil, fmt.Errorf("parse signature payload: critical.identity.docker-reference: %w", err)
	}
	return &Payload{DockerReference: ref, ManifestDigest: h, Optional: sci.Optional}, nil
}

// ParseIdentity parses a claimed docker-reference (repository, or
// repository with tag or digest) and returns its repository.
func ParseIdentity(ref string) (name.Repository, error) {
	if repo, err := name.NewRepository(ref); err == nil {
		return repo, nil
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return name.Repository{}, err
	}
	return r.Context(), nil
}

// Check verifies that the payload names exactly the digest being run.
func (p *Payload) Check(digest v1.Hash) error {
	if p.ManifestDigest != digest {
		return fmt.Errorf("signature names digest %s, image is %s", p.ManifestDigest, digest)
	}
	return nil
}
