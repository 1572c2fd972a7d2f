package sigs

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
)

// MaxSignatures bounds how many signature layers or referrers are read for
// one image, so a hostile registry cannot make verification unbounded.
const MaxSignatures = 64

// TagSignature is one entry of cosign's tag layout.
type TagSignature struct {
	Payload   []byte
	Signature []byte // raw signature bytes (decoded from the annotation)
}

// SignatureTag returns cosign's signature tag for a digest in a
// repository: "<repo>:sha256-<hex>.sig".
func SignatureTag(repo name.Repository, digest v1.Hash) name.Tag {
	return repo.Tag(fmt.Sprintf("%s-%s.sig", digest.Algorithm, digest.Hex))
}

// FindTagSignatures reads the signatures stored in cosign's tag layout for
// digest. A missing signature tag yields no signatures and no error.
func FindTagSignatures(ctx context.Context, repo name.Repository, digest v1.Hash, opts ...remote.Option) ([]TagSignature, error) {
	tag := SignatureTag(repo, digest)
	opts = append(opts, remote.WithContext(ctx))
	img, err := remote.Image(tag, opts...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read signature tag %s: %w", tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("read signature manifest %s: %w", tag, err)
	}
	var out []TagSignature
	for i, desc := range m.Layers {
		if i >= MaxSignatures {
			break
		}
		b64, ok := desc.Annotations[SignatureAnnotation]
		if !ok || desc.MediaType != SimpleSigningMediaType {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil || len(sig) == 0 || len(sig) > 4096 {
			continue // not a signature we could ever verify
		}
		if desc.Size < 0 || desc.Size > MaxPayloadBytes {
			continue
		}
		payload, err := readBlob(repo, desc.Digest, opts...)
		if err != nil {
			return nil, fmt.Errorf("read signature payload %s: %w", desc.Digest, err)
		}
		out = append(out, TagSignature{Payload: payload, Signature: sig})
	}
	return out, nil
}

// readBlob fetches a blob with a size limit and checks its digest, so
// the payload we verify is the one the manifest names.
func readBlob(repo name.Repository, digest v1.Hash, opts ...remote.Option) ([]byte, error) {
	l, err := remote.Layer(repo.Digest(digest.String()), opts...)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxPayloadBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxPayloadBytes {
		return nil, fmt.Errorf("blob larger than %d bytes", MaxPayloadBytes)
	}
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if h != digest {
		return nil, fmt.Errorf("blob digest is %s, manifest says %s", h, digest)
	}
	return b, nil
}

func isNotFound(err error) bool {
	var terr *transport.Error
	if errors.As(err, &terr) {
		if terr.StatusCode == http.StatusNotFound {
			return true
		}
		for _, d := range terr.Errors {
			if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
				return true
			}
		}
	}
	return false
}

// SignDigest signs the image d with signer and appends the signature to
// cosign's tag layout, keeping any signatures already there. It returns
// the payload and raw signature it wrote.
func SignDigest(ctx context.Context, signer signature.Signer, d name.Digest, opts ...remote.Option) (TagSignature, error) {
	payload, err := MakePayload(d)
	if err != nil {
		return TagSignature{}, err
	}
	sig, err := signer.SignMessage(bytes.NewReader(payload))
	if err != nil {
		return TagSignature{}, fmt.Errorf("sign payload: %w", err)
	}
	ts := TagSignature{Payload: payload, Signature: sig}
	if err := WriteTagSignature(ctx, d, ts, opts...); err != nil {
		return TagSignature{}, err
	}
	return ts, nil
}

// WriteTagSignature appends one signature to the "sha256-<hex>.sig" image
// of d, creating it if needed, in the shape cosign writes: an OCI manifest
// whose layers are simple-signing payloads annotated with the base64
// signature.
func WriteTagSignature(ctx context.Context, d name.Digest, ts TagSignature, opts ...remote.Option) error {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	tag := SignatureTag(d.Context(), h)
	opts = append(opts, remote.WithContext(ctx))
	b64 := base64.StdEncoding.EncodeToString(ts.Signature)

	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	existing, err := remote.Image(tag, opts...)
	switch {
	case err == nil:
		m, err := existing.Manifest()
		if err != nil {
			return fmt.Errorf("write signature: read %s: %w", tag, err)
		}
		for _, l := range m.Layers {
			if l.Annotations[SignatureAnnotation] == b64 {
				return nil // already there
			}
		}
		base = existing
	case isNotFound(err):
	default:
		return fmt.Errorf("write signature: read %s: %w", tag, err)
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(ts.Payload, SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: b64},
	})
	if err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		return fmt.Errorf("write signature %s: %w", tag, err)
	}
	return nil
}
