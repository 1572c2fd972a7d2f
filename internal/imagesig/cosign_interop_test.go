package imagesig_test

// Interop with cosign's own Go library (github.com/sigstore/cosign/v3,
// pinned at v3.1.3): signatures cosign writes verify with ours, and ours
// verify with cosign's, in both the tag layout and the v3 bundle layout.

import (
	"bytes"
	"context"
	"crypto"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v3/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v3/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v3/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v3/pkg/oci/remote"
	"github.com/sigstore/cosign/v3/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v3/pkg/types"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

var cosignAlgorithms = []protocommon.PublicKeyDetails{
	protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256,
	protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384,
	protocommon.PublicKeyDetails_PKIX_ED25519,
	protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_2048_SHA256,
}

// cosignKeyPair generates a key pair with cosign's key generation
// (encrypted "SIGSTORE PRIVATE KEY" PEM, as `cosign generate-key-pair`).
func cosignKeyPair(t *testing.T, alg protocommon.PublicKeyDetails, pass []byte) *cosign.KeysBytes {
	t.Helper()
	details, err := signature.GetAlgorithmDetails(alg)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := cosign.GenerateKeyPairWithAlgorithm(&details, func(bool) ([]byte, error) { return pass, nil })
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// cosignSignTagLayout signs d exactly as `cosign sign --key` does for the
// legacy layout (cosign's signDigest): cosign's key loader, the cosign
// payload, static.NewSignature, AttachSignatureToEntity, WriteSignatures.
func cosignSignTagLayout(t *testing.T, kb *cosign.KeysBytes, pass []byte, d name.Digest) {
	t.Helper()
	sv, err := cosign.LoadPrivateKey(kb.PrivateBytes, pass, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := (&sigpayload.Cosign{Image: d}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	rawSig, err := sv.SignMessage(bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	ociSig, err := static.NewSignature(payload, b64(rawSig))
	if err != nil {
		t.Fatal(err)
	}
	se, err := ociremote.SignedEntity(d)
	if err != nil {
		t.Fatal(err)
	}
	newSE, err := mutate.AttachSignatureToEntity(se, ociSig)
	if err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteSignatures(d.Repository, newSE); err != nil {
		t.Fatal(err)
	}
}

func TestCosignSignsTagLayoutWeVerify(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	pass := []byte("correct horse")
	for _, alg := range cosignAlgorithms {
		t.Run(alg.String(), func(t *testing.T) {
			kb := cosignKeyPair(t, alg, pass)
			other := cosignKeyPair(t, alg, pass)
			d := imagesigtest.PushRandomImage(t, fmt.Sprintf("%s/cosign/%s:v1", reg, strings.ToLower(alg.String())))
			cosignSignTagLayout(t, kb, pass, d)
			ref := d.Context().Tag("v1").String()
			if _, err := imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/cosign", kb.PublicBytes)), ref, imagesig.Options{}); err != nil {
				t.Fatalf("cosign signature rejected: %v", err)
			}
			if _, err := imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/cosign", other.PublicBytes)), ref, imagesig.Options{}); err == nil {
				t.Fatal("cosign signature accepted with another key")
			}
		})
	}
}

func TestWeSignTagLayoutCosignVerifies(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	pass := []byte("pw")
	for _, alg := range cosignAlgorithms {
		t.Run(alg.String(), func(t *testing.T) {
			// Our signer reads cosign's encrypted key format.
			kb := cosignKeyPair(t, alg, pass)
			d := imagesigtest.PushRandomImage(t, fmt.Sprintf("%s/ours/%s:v1", reg, strings.ToLower(alg.String())))
			if _, err := imagesig.Sign(ctx, kb.PrivateBytes, pass, d.String()); err != nil {
				t.Fatal(err)
			}
			pub, err := cryptoutils.UnmarshalPEMToPublicKey(kb.PublicBytes)
			if err != nil {
				t.Fatal(err)
			}
			// `cosign verify --key` loads the key with SHA-256.
			v, err := signature.LoadVerifier(pub, crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			co := &cosign.CheckOpts{SigVerifier: v, IgnoreTlog: true, IgnoreSCT: true, ClaimVerifier: cosign.SimpleClaimVerifier}
			checked, _, err := cosign.VerifyImageSignatures(ctx, d, co)
			if err != nil {
				t.Fatalf("cosign rejected our signature: %v", err)
			}
			if len(checked) != 1 {
				t.Fatalf("cosign checked %d signatures, want 1", len(checked))
			}
			// Cosign with a different key must reject it: the check above is
			// not vacuous.
			other := cosignKeyPair(t, alg, pass)
			opub, _ := cryptoutils.UnmarshalPEMToPublicKey(other.PublicBytes)
			ov, _ := signature.LoadVerifier(opub, crypto.SHA256)
			co.SigVerifier = ov
			if _, _, err := cosign.VerifyImageSignatures(ctx, d, co); err == nil {
				t.Fatal("cosign accepted our signature with another key")
			}
		})
	}
}

// cosignStatement is the statement cosign v3's signDigestBundle signs.
func cosignStatement(d name.Digest) []byte {
	h, _ := v1.NewHash(d.DigestStr())
	return []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + h.Hex +
		`"}}],"predicateType":"` + ctypes.CosignSignPredicateType + `","predicate":{}}`)
}

func TestCosignSignsBundleWeVerify(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	for _, alg := range cosignAlgorithms {
		t.Run(alg.String(), func(t *testing.T) {
			kp, err := sgsign.NewEphemeralKeypair(&sgsign.EphemeralKeypairOptions{Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			d := imagesigtest.PushRandomImage(t, fmt.Sprintf("%s/cbundle/%s:v1", reg, strings.ToLower(alg.String())))
			// cosign's bundle signer, as `cosign sign --new-bundle-format --key`
			// without a transparency log.
			b, err := cbundle.SignData(ctx, &sgsign.DSSEData{Data: cosignStatement(d), PayloadType: "application/vnd.in-toto+json"},
				kp, "", nil, nil, &root.SigningConfig{}, nil, cbundle.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := ociremote.WriteAttestationNewBundleFormat(d, b, ctypes.CosignSignPredicateType); err != nil {
				t.Fatal(err)
			}
			pubPEM, err := kp.GetPublicKeyPem()
			if err != nil {
				t.Fatal(err)
			}
			dec, err := imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/cbundle", []byte(pubPEM))), d.Context().Tag("v1").String(), imagesig.Options{})
			if err != nil {
				t.Fatalf("cosign bundle rejected: %v", err)
			}
			if !strings.Contains(strings.Join(dec.Satisfied, ","), "bundle") {
				t.Fatalf("satisfied by %v, want the bundle", dec.Satisfied)
			}
			_, otherPub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
			if _, err := imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/cbundle", otherPub)), d.String(), imagesig.Options{}); err == nil {
				t.Fatal("cosign bundle accepted with another key")
			}
		})
	}
}

func TestWeSignBundleCosignVerifies(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	for _, kind := range []string{imagesigtest.ECDSAP256, imagesigtest.ECDSAP384, imagesigtest.Ed25519, imagesigtest.RSA2048} {
		t.Run(kind, func(t *testing.T) {
			privPEM, pubPEM := imagesigtest.NewKeyPair(t, kind)
			priv, err := sigs.ParsePrivateKey(privPEM, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := imagesigtest.PushRandomImage(t, reg+"/obundle/"+kind+":v1")
			b, err := sigs.SignBundle(ctx, priv, d)
			if err != nil {
				t.Fatal(err)
			}
			if err := sigs.WriteBundleReferrer(ctx, d, b); err != nil {
				t.Fatal(err)
			}
			bundles, _, err := cosign.GetBundles(ctx, d, nil)
			if err != nil || len(bundles) != 1 {
				t.Fatalf("cosign found %d bundles: %v", len(bundles), err)
			}
			pub, _ := cryptoutils.UnmarshalPEMToPublicKey(pubPEM)
			v, err := signature.LoadDefaultVerifier(pub)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := v1.NewHash(d.DigestStr())
			raw, _ := hex.DecodeString(h.Hex)
			co := &cosign.CheckOpts{SigVerifier: v, IgnoreTlog: true, IgnoreSCT: true}
			res, err := cosign.VerifyNewBundle(ctx, co, verify.WithArtifactDigest("sha256", raw), bundles[0])
			if err != nil {
				t.Fatalf("cosign rejected our bundle: %v", err)
			}
			if res.Statement.GetPredicateType() != ctypes.CosignSignPredicateType {
				t.Fatalf("predicate %q", res.Statement.GetPredicateType())
			}
			other, _ := hex.DecodeString(strings.Repeat("ab", 32))
			if _, err := cosign.VerifyNewBundle(ctx, co, verify.WithArtifactDigest("sha256", other), bundles[0]); err == nil {
				t.Fatal("cosign accepted our bundle for another digest")
			}
		})
	}
}
