package sigs

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
)

// keypair adapts a long-lived private key to sigstore-go's sign.Keypair,
// using the key's default Sigstore algorithm (ECDSA P-256/SHA-256,
// P-384/SHA-384, pure Ed25519, RSA PKCS#1 v1.5 SHA-256).
type keypair struct {
	priv crypto.Signer
	alg  signature.AlgorithmDetails
	hint []byte
}

func newKeypair(priv crypto.Signer) (*keypair, error) {
	alg, err := signature.GetDefaultAlgorithmDetails(priv.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	return &keypair{priv: priv, alg: alg, hint: []byte(base64.StdEncoding.EncodeToString(sum[:]))}, nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm { return k.alg.GetProtoHashType() }
func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.alg.GetSignatureAlgorithm()
}
func (k *keypair) GetHint() []byte                { return k.hint }
func (k *keypair) GetPublicKey() crypto.PublicKey { return k.priv.Public() }
func (k *keypair) GetKeyAlgorithm() string {
	switch k.alg.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.RSA:
		return "RSA"
	case signature.ED25519:
		return "ED25519"
	}
	return ""
}
func (k *keypair) GetPublicKeyPem() (string, error) {
	b, err := cryptoutils.MarshalPublicKeyToPEM(k.priv.Public())
	return string(b), err
}

// SignData signs data as sigstore-go expects: over its digest, except
// for pure Ed25519 which signs the message.
func (k *keypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	hf := k.alg.GetHashType()
	toSign := data
	if hf != crypto.Hash(0) {
		h := hf.New()
		h.Write(data)
		toSign = h.Sum(nil)
	}
	sig, err := k.priv.Sign(rand.Reader, toSign, hf)
	if err != nil {
		return nil, nil, err
	}
	return sig, toSign, nil
}

var _ sign.Keypair = (*keypair)(nil)

// inTotoStatement is the statement cosign v3 signs for an image.
type inTotoStatement struct {
	Type          string          `json:"_type"`
	Subject       []inTotoSubject `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     map[string]any  `json:"predicate"`
}

type inTotoSubject struct {
	Digest map[string]string `json:"digest"`
}

// SignBundle returns a sigstore bundle (v0.3 JSON) signing d the way cosign
// v3 does: a DSSE envelope over an in-toto statement whose subject is the
// manifest digest and whose predicate type is cosign's sign predicate.
// The verification material is the key hint; no log entry is made.
func SignBundle(ctx context.Context, priv crypto.Signer, d name.Digest) ([]byte, error) {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	stmt, err := json.Marshal(inTotoStatement{
		Type:          "https://in-toto.io/Statement/v1",
		Subject:       []inTotoSubject{{Digest: map[string]string{h.Algorithm: h.Hex}}},
		PredicateType: CosignSignPredicateType,
		Predicate:     map[string]any{},
	})
	if err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	kp, err := newKeypair(priv)
	if err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: stmt, PayloadType: "application/vnd.in-toto+json"}, kp, sign.BundleOptions{Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	out, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	return out, nil
}

// referrerManifest is an OCI image manifest with artifactType, which
// go-containerregistry's v1.Manifest cannot carry at the top level.
type referrerManifest struct {
	SchemaVersion int64             `json:"schemaVersion"`
	MediaType     types.MediaType   `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        v1.Descriptor     `json:"config"`
	Layers        []v1.Descriptor   `json:"layers"`
	Subject       *v1.Descriptor    `json:"subject"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

type rawManifest struct {
	body []byte
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.body, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// WriteBundleReferrer attaches a bundle to d as an OCI referrer in the
// shape cosign v3 writes (artifactType and layer media type
// application/vnd.dev.sigstore.bundle.v0.3+json, empty config, subject =
// the image manifest).
func WriteBundleReferrer(ctx context.Context, d name.Digest, bundleJSON []byte, opts ...remote.Option) error {
	opts = append(opts, remote.WithContext(ctx))
	mt, err := bundle.MediaTypeString("0.3")
	if err != nil {
		return err
	}
	subject, err := remote.Head(d, opts...)
	if err != nil {
		return fmt.Errorf("write bundle: image %s: %w", d, err)
	}
	repo := d.Context()
	cfg := static.NewLayer([]byte("{}"), emptyConfigMediaType)
	layer := static.NewLayer(bundleJSON, types.MediaType(mt))
	descs := make([]v1.Descriptor, 0, 2)
	for _, l := range []v1.Layer{cfg, layer} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return fmt.Errorf("write bundle: upload blob: %w", err)
		}
		dg, _ := l.Digest()
		sz, _ := l.Size()
		lmt, _ := l.MediaType()
		descs = append(descs, v1.Descriptor{MediaType: lmt, Digest: dg, Size: sz})
	}
	m := referrerManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  mt,
		Config:        descs[0],
		Layers:        descs[1:],
		Subject:       &v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
		Annotations: map[string]string{
			"org.opencontainers.image.created":  time.Now().UTC().Format(time.RFC3339),
			"dev.sigstore.bundle.content":       "dsse-envelope",
			"dev.sigstore.bundle.predicateType": CosignSignPredicateType,
		},
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	mh, _, err := v1.SHA256(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if err := remote.Put(repo.Digest(mh.String()), rawManifest{body}, opts...); err != nil {
		return fmt.Errorf("write bundle: put referrer manifest: %w", err)
	}
	return nil
}
