package sigs

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

const emptyConfigMediaType = "application/vnd.oci.empty.v1+json"

// FindBundles returns the sigstore bundles attached to digest as OCI
// referrers (cosign v3's default layout). Registries without the
// referrers API are read through the "sha256-<hex>" fallback tag by
// go-containerregistry.
func FindBundles(ctx context.Context, repo name.Repository, digest v1.Hash, opts ...remote.Option) ([][]byte, error) {
	opts = append(opts, remote.WithContext(ctx))
	idx, err := remote.Referrers(repo.Digest(digest.String()), opts...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list referrers of %s: %w", digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("list referrers of %s: %w", digest, err)
	}
	var out [][]byte
	seen := 0
	for _, desc := range im.Manifests {
		// Registries report the manifest's artifactType, or its config
		// media type when it has none (cosign also sets the empty config).
		if at := desc.ArtifactType; at != "" && at != emptyConfigMediaType && !strings.HasPrefix(at, BundleMediaTypePrefix) {
			continue // an SBOM or other attachment, not a signature
		}
		if seen++; seen > MaxSignatures {
			break
		}
		img, err := remote.Image(repo.Digest(desc.Digest.String()), opts...)
		if err != nil {
			return nil, fmt.Errorf("read referrer %s: %w", desc.Digest, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, fmt.Errorf("read referrer %s: %w", desc.Digest, err)
		}
		// The referrer must point at the image we verify; a registry that
		// lists foreign manifests must not make us read their bundles.
		if m.Subject == nil || m.Subject.Digest != digest {
			continue
		}
		for _, l := range m.Layers {
			if !strings.HasPrefix(string(l.MediaType), BundleMediaTypePrefix) || l.Size < 0 || l.Size > MaxPayloadBytes {
				continue
			}
			b, err := readBlob(repo, l.Digest, opts...)
			if err != nil {
				return nil, fmt.Errorf("read bundle %s: %w", l.Digest, err)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// VerifyBundle verifies a sigstore bundle (JSON) offline with key: the
// signature must verify, and the signed content must name digest — a DSSE
// in-toto statement with cosign's sign predicate whose subject is the
// digest, or a message signature over the digest. No transparency log,
// SCT or timestamp is required: trust comes from the key alone.
func VerifyBundle(bundleJSON []byte, digest v1.Hash, key *PublicKey) error {
	if len(bundleJSON) > MaxPayloadBytes {
		return fmt.Errorf("verify bundle: %d bytes, limit %d", len(bundleJSON), MaxPayloadBytes)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return fmt.Errorf("verify bundle: parse: %w", err)
	}
	want, err := hex.DecodeString(digest.Hex)
	if err != nil || digest.Algorithm != "sha256" {
		return fmt.Errorf("verify bundle: unsupported digest %s", digest)
	}
	var errs []error
	for _, v := range key.Verifiers() {
		tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(v, time.Time{}, time.Time{}), nil
		})
		verifier, err := verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
		if err != nil {
			return fmt.Errorf("verify bundle: %w", err)
		}
		res, err := verifier.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", want), verify.WithKey()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res.Statement != nil && res.Statement.GetPredicateType() != CosignSignPredicateType {
			return fmt.Errorf("verify bundle: statement predicate %q is not an image signature (%s)", res.Statement.GetPredicateType(), CosignSignPredicateType)
		}
		return nil
	}
	return fmt.Errorf("verify bundle: %w", errors.Join(errs...))
}
