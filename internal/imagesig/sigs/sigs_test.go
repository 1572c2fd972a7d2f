package sigs_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"google.golang.org/protobuf/proto"

	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

const testDigest = "sha256:4bf6ea2b5cd9a8e2d5bd2a8b9d1b6ad6a7a1f5e1c8a1d5c0d4c3b2a1f0e9d8c7"

func TestPayloadRoundTrip(t *testing.T) {
	d, err := name.NewDigest("127.0.0.1:5000/org/app@" + testDigest)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sigs.MakePayload(d)
	if err != nil {
		t.Fatal(err)
	}
	// The exact bytes cosign writes (sigstore's payload.Cosign).
	want := `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/org/app"},"image":{"docker-manifest-digest":"` + testDigest + `"},"type":"cosign container image signature"},"optional":null}`
	if string(b) != want {
		t.Fatalf("payload\n got %s\nwant %s", b, want)
	}
	p, err := sigs.ParsePayload(b)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := v1.NewHash(testDigest)
	if err := p.Check(h); err != nil {
		t.Fatal(err)
	}
	other, _ := v1.NewHash("sha256:" + strings.Repeat("0", 64))
	if err := p.Check(other); err == nil {
		t.Fatal("Check accepted a different digest")
	}
}

func TestParsePayloadRejects(t *testing.T) {
	ok := `{"critical":{"identity":{"docker-reference":"r.io/a"},"image":{"docker-manifest-digest":"` + testDigest + `"},"type":"cosign container image signature"},"optional":null}`
	tests := []struct{ name, doc, want string }{
		{"wrong type", strings.Replace(ok, "cosign container image signature", "something else", 1), "unknown critical.type"},
		{"bad digest", strings.Replace(ok, testDigest, "sha256:xyz", 1), "docker-manifest-digest"},
		{"no identity", strings.Replace(ok, `"r.io/a"`, `""`, 1), "docker-reference is empty"},
		{"bad identity", strings.Replace(ok, `"r.io/a"`, `"UPPER/Case!"`, 1), "docker-reference"},
		{"trailing", ok + "{}", "trailing"},
		{"not json", "nope", "parse signature payload"},
		{"huge", `{"optional":"` + strings.Repeat("a", sigs.MaxPayloadBytes) + `"}`, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sigs.ParsePayload([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
	// A tagged identity is accepted; its repository is what counts.
	p, err := sigs.ParsePayload([]byte(strings.Replace(ok, `"r.io/a"`, `"r.io/a:v1"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := sigs.ParseIdentity(p.DockerReference)
	if err != nil || repo.Name() != "r.io/a" {
		t.Fatalf("identity repo = %v, %v", repo, err)
	}
}

var keyKinds = []string{imagesigtest.ECDSAP256, imagesigtest.ECDSAP384, imagesigtest.Ed25519, imagesigtest.RSA2048}

func TestSignVerifyAllKeyTypes(t *testing.T) {
	msg := []byte("payload")
	for _, kind := range keyKinds {
		t.Run(kind, func(t *testing.T) {
			priv, pub := imagesigtest.NewKeyPair(t, kind)
			_, otherPub := imagesigtest.NewKeyPair(t, kind)
			signer, err := sigs.LoadPrivateKey(priv, nil)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := signer.SignMessage(bytes.NewReader(msg))
			if err != nil {
				t.Fatal(err)
			}
			k, err := sigs.ParsePublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			if err := k.VerifySignature(sig, msg); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
			if err := k.VerifySignature(sig, []byte("payload2")); err == nil {
				t.Fatal("signature accepted over a different message")
			}
			ok, _ := sigs.ParsePublicKey(otherPub)
			if err := ok.VerifySignature(sig, msg); err == nil {
				t.Fatal("signature accepted by another key")
			}
		})
	}
}

func TestParsePublicKeyRejects(t *testing.T) {
	for _, in := range []string{"", "not pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := sigs.ParsePublicKey([]byte(in)); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", in)
		}
	}
	priv, _ := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	if _, err := sigs.ParsePublicKey(priv); err == nil {
		t.Error("a private key was accepted as a public key")
	}
}

func TestBundleSignVerify(t *testing.T) {
	d, _ := name.NewDigest("127.0.0.1:5000/org/app@" + testDigest)
	h, _ := v1.NewHash(testDigest)
	other, _ := v1.NewHash("sha256:" + strings.Repeat("1", 64))
	for _, kind := range keyKinds {
		t.Run(kind, func(t *testing.T) {
			privPEM, pub := imagesigtest.NewKeyPair(t, kind)
			_, otherPub := imagesigtest.NewKeyPair(t, kind)
			priv, err := sigs.ParsePrivateKey(privPEM, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := sigs.SignBundle(context.Background(), priv, d)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := sigs.ParsePublicKey(pub)
			if err := sigs.VerifyBundle(b, h, k); err != nil {
				t.Fatalf("bundle rejected: %v", err)
			}
			if err := sigs.VerifyBundle(b, other, k); err == nil {
				t.Fatal("bundle accepted for another digest")
			}
			ok, _ := sigs.ParsePublicKey(otherPub)
			if err := sigs.VerifyBundle(b, h, ok); err == nil {
				t.Fatal("bundle accepted with another key")
			}
			// Tamper with the envelope payload.
			tampered := bytes.Replace(b, []byte(`"payload":"`), []byte(`"payload":"AA`), 1)
			if err := sigs.VerifyBundle(tampered, h, k); err == nil {
				t.Fatal("tampered bundle accepted")
			}
		})
	}
}

func FuzzParsePayload(f *testing.F) {
	f.Add([]byte(`{"critical":{"identity":{"docker-reference":"r.io/a"},"image":{"docker-manifest-digest":"` + testDigest + `"},"type":"cosign container image signature"},"optional":null}`))
	f.Add([]byte(`{"critical":{"identity":{"docker-reference":"r.io/a:v1"},"image":{"docker-manifest-digest":"sha256:00"},"type":"atomic container signature"},"optional":{"a":1}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := sigs.ParsePayload(data)
		if err != nil {
			return
		}
		if p.DockerReference == "" || p.ManifestDigest.Hex == "" {
			t.Fatalf("accepted payload without identity or digest: %+v", p)
		}
		if _, err := sigs.ParseIdentity(p.DockerReference); err != nil {
			t.Fatalf("accepted unparsable identity %q", p.DockerReference)
		}
	})
}

func FuzzVerifyBundle(f *testing.F) {
	priv, pub := imagesigtest.NewKeyPair(f, imagesigtest.ECDSAP256)
	signer, _ := sigs.ParsePrivateKey(priv, nil)
	d, _ := name.NewDigest("r.io/a@" + testDigest)
	b, err := sigs.SignBundle(context.Background(), signer, d)
	if err != nil {
		f.Fatal(err)
	}
	k, _ := sigs.ParsePublicKey(pub)
	h, _ := v1.NewHash(testDigest)
	f.Add(b)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	var orig bundle.Bundle
	if err := orig.UnmarshalJSON(b); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := sigs.VerifyBundle(data, h, k); err != nil || bytes.Equal(data, b) {
			return
		}
		// A mutation of the signed bundle never verifies: anything that
		// does carries exactly the original signed envelope (a re-encoding),
		// which the fuzzer cannot forge.
		var got bundle.Bundle
		if err := got.UnmarshalJSON(data); err != nil {
			t.Fatalf("verified a bundle that does not parse: %v", err)
		}
		if !proto.Equal(got.GetDsseEnvelope(), orig.GetDsseEnvelope()) || !proto.Equal(got.GetMessageSignature(), orig.GetMessageSignature()) {
			t.Fatalf("a bundle with another signed content verified")
		}
	})
}
