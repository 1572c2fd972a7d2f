package imagesig_test

import (
	"context"
	"testing"

	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

// BenchmarkVerifyTagLayout measures one full Verify of a tag against the
// in-memory registry: resolve, read the signature tag, list referrers,
// verify an ECDSA P-256 signature, parse and check the payload.
func BenchmarkVerifyTagLayout(b *testing.B) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(b)
	priv, pub := imagesigtest.NewKeyPair(b, imagesigtest.ECDSAP256)
	d := imagesigtest.PushRandomImage(b, reg+"/org/app:v1")
	if _, err := imagesig.Sign(ctx, priv, nil, d.String()); err != nil {
		b.Fatal(err)
	}
	pol, err := parsePolicy(imagesigtest.PolicyKeyData(reg+"/org", pub))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBundle measures offline verification of one cosign v3
// style bundle with sigstore-go (no registry).
func BenchmarkVerifyBundle(b *testing.B) {
	privPEM, pub := imagesigtest.NewKeyPair(b, imagesigtest.ECDSAP256)
	priv, _ := sigs.ParsePrivateKey(privPEM, nil)
	reg := "127.0.0.1:1"
	d := mustDigest(b, reg+"/org/app@sha256:4bf6ea2b5cd9a8e2d5bd2a8b9d1b6ad6a7a1f5e1c8a1d5c0d4c3b2a1f0e9d8c7")
	bundle, err := sigs.SignBundle(context.Background(), priv, d)
	if err != nil {
		b.Fatal(err)
	}
	k, _ := sigs.ParsePublicKey(pub)
	h := mustHash(b, d.DigestStr())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sigs.VerifyBundle(bundle, h, k); err != nil {
			b.Fatal(err)
		}
	}
}
