package imagesig_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/imagesig/policy"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

func mustPolicy(t *testing.T, doc []byte) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(doc)
	if err != nil {
		t.Fatalf("parse policy %s: %v", doc, err)
	}
	return p
}

func sign(t *testing.T, priv []byte, d name.Digest) {
	t.Helper()
	if _, err := imagesig.Sign(context.Background(), priv, nil, d.String()); err != nil {
		t.Fatalf("sign %s: %v", d, err)
	}
}

// TestGate1Acceptance covers the acceptance list of issue 6 against the
// in-memory registry.
func TestGate1Acceptance(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	otherPriv, _ := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)

	signed := imagesigtest.PushRandomImage(t, reg+"/org/app:v1")
	sign(t, priv, signed)
	imagesigtest.PushRandomImage(t, reg+"/org/unsigned:v1")
	wrongKey := imagesigtest.PushRandomImage(t, reg+"/org/wrongkey:v1")
	sign(t, otherPriv, wrongKey)
	moved := imagesigtest.PushRandomImage(t, reg+"/org/moved:v1")
	sign(t, priv, moved)
	movedNew := imagesigtest.PushRandomImage(t, reg+"/org/moved:v1") // tag now points elsewhere
	rejected := imagesigtest.PushRandomImage(t, reg+"/blocked/app:v1")
	sign(t, priv, rejected)

	pol := mustPolicy(t, []byte(`{
	  "default": [{"type":"reject"}],
	  "transports": {"docker": {
	    "`+reg+`/org": [{"type":"sigstoreSigned","keyData":"`+b64(pub)+`"}],
	    "`+reg+`/blocked": [{"type":"reject"}]
	  }}}`))

	tests := []struct {
		name    string
		pol     *policy.Policy
		ref     string
		allowed bool
		want    string // substring of the error, or of the allowed digest
	}{
		{"signed by trusted key", pol, reg + "/org/app:v1", true, signed.DigestStr()},
		{"signed, by digest", pol, signed.String(), true, signed.DigestStr()},
		{"unsigned", pol, reg + "/org/unsigned:v1", false, "no signatures found"},
		{"signed by another key", pol, reg + "/org/wrongkey:v1", false, "does not verify with the trusted key"},
		{"tag moved after signing", pol, reg + "/org/moved:v1", false, "no signatures found"},
		{"old digest still fine", pol, moved.String(), true, moved.DigestStr()},
		{"scope says reject although signed", pol, reg + "/blocked/app:v1", false, `"reject"`},
		{"default reject", pol, reg + "/elsewhere/app@" + signed.DigestStr(), false, `scope "default"`},
		{"no policy", nil, reg + "/org/app:v1", false, "no image policy configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := imagesig.Verify(ctx, tt.pol, tt.ref, imagesig.Options{})
			if tt.allowed {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				if dec.Image.DigestStr() != tt.want {
					t.Fatalf("verified %s, want digest %s", dec.Image, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed %s, want denied", dec.Image)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	if dec, err := imagesig.Verify(ctx, pol, reg+"/org/moved:v1", imagesig.Options{}); err == nil {
		t.Fatalf("moved tag allowed as %s", dec.Image)
	} else if !strings.Contains(err.Error(), movedNew.DigestStr()) {
		t.Fatalf("moved tag: error %q should name the new digest %s", err, movedNew.DigestStr())
	}
	var nerr error = imagesig.ErrNoPolicy
	if _, err := imagesig.Verify(ctx, nil, reg+"/org/app:v1", imagesig.Options{}); !errors.Is(err, nerr) {
		t.Fatalf("no policy: %v, want ErrNoPolicy", err)
	}
	// The explicit opt-out is the only way around a missing policy.
	if _, err := imagesig.Verify(ctx, nil, reg+"/org/unsigned:v1", imagesig.Options{InsecureAcceptAnything: true}); err != nil {
		t.Fatalf("explicit opt-out: %v", err)
	}
}

// TestReplayedSignature copies a valid signature of one digest (or one
// repository) onto another and checks that the payload check rejects it.
func TestReplayedSignature(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	a := imagesigtest.PushRandomImage(t, reg+"/org/a:v1")
	sign(t, priv, a)
	ha, _ := v1.NewHash(a.DigestStr())
	found, err := sigs.FindTagSignatures(ctx, a.Context(), ha)
	if err != nil || len(found) != 1 {
		t.Fatalf("find signatures: %v (%d)", err, len(found))
	}

	// Same signature attached to another image in the same repository.
	b := imagesigtest.PushRandomImage(t, reg+"/org/a:v2")
	if err := sigs.WriteTagSignature(ctx, b, found[0]); err != nil {
		t.Fatal(err)
	}
	pol := mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub))
	_, err = imagesig.Verify(ctx, pol, b.String(), imagesig.Options{})
	if err == nil || !strings.Contains(err.Error(), "signature names digest") {
		t.Fatalf("replayed digest: %v", err)
	}

	// Same image and signature copied to another repository.
	copyRepo, _ := name.NewRepository(reg + "/org/copy")
	// Push image a into org/copy so that the digest is the same.
	copyImage(t, a, copyRepo)
	copied := copyRepo.Digest(a.DigestStr())
	if err := sigs.WriteTagSignature(ctx, copied, found[0]); err != nil {
		t.Fatal(err)
	}
	_, err = imagesig.Verify(ctx, pol, copied.String(), imagesig.Options{})
	if err == nil || !strings.Contains(err.Error(), "signed for repository") {
		t.Fatalf("copied to another repository: %v", err)
	}
	// Unless the policy says which repository the signature must name.
	polExact := mustPolicy(t, []byte(`{"default":[{"type":"sigstoreSigned","keyData":"`+b64(pub)+`",
	  "signedIdentity":{"type":"exactRepository","dockerRepository":"`+a.Context().Name()+`"}}]}`))
	if _, err := imagesig.Verify(ctx, polExact, copied.String(), imagesig.Options{}); err != nil {
		t.Fatalf("exactRepository: %v", err)
	}
	polUnsupported := mustPolicy(t, []byte(`{"default":[{"type":"sigstoreSigned","keyData":"`+b64(pub)+`",
	  "signedIdentity":{"type":"remapIdentity","prefix":"a","signedPrefix":"b"}}]}`))
	if _, err := imagesig.Verify(ctx, polUnsupported, a.String(), imagesig.Options{}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("remapIdentity: %v", err)
	}
}

func TestKeyTypesAndKeyPath(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	dir := t.TempDir()
	for _, kind := range []string{imagesigtest.ECDSAP256, imagesigtest.ECDSAP384, imagesigtest.Ed25519, imagesigtest.RSA2048} {
		t.Run(kind, func(t *testing.T) {
			priv, pub := imagesigtest.NewKeyPair(t, kind)
			d := imagesigtest.PushRandomImage(t, reg+"/keys/"+kind+":v1")
			sign(t, priv, d)
			keyFile := filepath.Join(dir, kind+".pub")
			if err := os.WriteFile(keyFile, pub, 0o600); err != nil {
				t.Fatal(err)
			}
			pol := mustPolicy(t, imagesigtest.Policy(reg+"/keys", keyFile))
			if _, err := imagesig.Verify(ctx, pol, reg+"/keys/"+kind+":v1", imagesig.Options{}); err != nil {
				t.Fatalf("denied: %v", err)
			}
		})
	}
}

// TestKBSKeyPath is the Gate 1 half of the end-to-end "keyPath
// kbs:///default/cosign-public-key/1" check: the key comes through the
// guest's ResourceFetcher and a denied fetch fails closed.
func TestKBSKeyPath(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	imagesigtest.PushSignedImage(t, reg+"/org/app:v1", priv)
	const uri = "kbs:///default/cosign-public-key/1"
	pol := mustPolicy(t, imagesigtest.Policy(reg+"/org", uri))

	f := &imagesigtest.MapFetcher{Resources: map[string][]byte{uri: pub}}
	if _, err := imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{Fetcher: f}); err != nil {
		t.Fatalf("denied: %v", err)
	}
	if len(f.Calls) != 1 || f.Calls[0] != uri {
		t.Fatalf("fetcher calls %v", f.Calls)
	}
	denied := &imagesigtest.MapFetcher{Resources: map[string][]byte{uri: pub}, Deny: true}
	_, err := imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{Fetcher: denied})
	if err == nil || !strings.Contains(err.Error(), "attestation denied") {
		t.Fatalf("denied fetch: %v", err)
	}
	_, err = imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{})
	if err == nil || !strings.Contains(err.Error(), "no confidential data hub") {
		t.Fatalf("no fetcher: %v", err)
	}
	garbage := &imagesigtest.MapFetcher{Resources: map[string][]byte{uri: []byte("not a key")}}
	if _, err = imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{Fetcher: garbage}); err == nil {
		t.Fatal("a garbage key allowed the image")
	}
}

func TestBundleReferrers(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	privPEM, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	_, otherPub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	priv, err := sigs.ParsePrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := imagesigtest.PushRandomImage(t, reg+"/org/bundled:v1")
	b, err := sigs.SignBundle(ctx, priv, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigs.WriteBundleReferrer(ctx, d, b); err != nil {
		t.Fatal(err)
	}
	dec, err := imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub)), reg+"/org/bundled:v1", imagesig.Options{})
	if err != nil {
		t.Fatalf("bundle-signed image denied: %v", err)
	}
	if !strings.Contains(strings.Join(dec.Satisfied, " "), "bundle") {
		t.Fatalf("satisfied by %v, want the bundle", dec.Satisfied)
	}
	_, err = imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", otherPub)), reg+"/org/bundled:v1", imagesig.Options{})
	if err == nil {
		t.Fatal("bundle accepted with another key")
	}
	// A bundle for one image attached to another is rejected.
	e := imagesigtest.PushRandomImage(t, reg+"/org/bundled:v2")
	if err := sigs.WriteBundleReferrer(ctx, e, b); err != nil {
		t.Fatal(err)
	}
	if _, err = imagesig.Verify(ctx, mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub)), e.String(), imagesig.Options{}); err == nil {
		t.Fatal("a bundle for another digest allowed the image")
	}
}

func TestRequirementsAreAllRequired(t *testing.T) {
	ctx := context.Background()
	reg := imagesigtest.NewRegistry(t)
	privA, pubA := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	_, pubB := imagesigtest.NewKeyPair(t, imagesigtest.Ed25519)
	d := imagesigtest.PushRandomImage(t, reg+"/org/app:v1")
	sign(t, privA, d)
	pol := mustPolicy(t, []byte(`{"default":[
	  {"type":"sigstoreSigned","keyData":"`+b64(pubA)+`"},
	  {"type":"sigstoreSigned","keyData":"`+b64(pubB)+`"}]}`))
	if _, err := imagesig.Verify(ctx, pol, d.String(), imagesig.Options{}); err == nil {
		t.Fatal("allowed with one of two required signatures")
	}
	polAny := mustPolicy(t, []byte(`{"default":[{"type":"sigstoreSigned","keyDatas":["`+b64(pubB)+`","`+b64(pubA)+`"]}]}`))
	if _, err := imagesig.Verify(ctx, polAny, d.String(), imagesig.Options{}); err != nil {
		t.Fatalf("keyDatas (any of): %v", err)
	}
	polGPG := mustPolicy(t, []byte(`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k"}]}`))
	if _, err := imagesig.Verify(ctx, polGPG, d.String(), imagesig.Options{}); err == nil || !strings.Contains(err.Error(), "GPG") {
		t.Fatalf("signedBy: %v", err)
	}
	polFulcio := mustPolicy(t, []byte(`{"default":[{"type":"sigstoreSigned","fulcio":{"caPath":"/ca"}}]}`))
	if _, err := imagesig.Verify(ctx, polFulcio, d.String(), imagesig.Options{}); err == nil || !strings.Contains(err.Error(), "fulcio") {
		t.Fatalf("fulcio: %v", err)
	}
}

// TestRegistryWithoutReferrersAPI: registries without the OCI 1.1
// referrers API still work for the tag layout, and bundles are found
// through the fallback tag.
func TestRegistryWithoutReferrersAPI(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	reg := strings.TrimPrefix(srv.URL, "http://")
	privPEM, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	pol := mustPolicy(t, imagesigtest.PolicyKeyData(reg+"/org", pub))

	imagesigtest.PushSignedImage(t, reg+"/org/app:v1", privPEM)
	if _, err := imagesig.Verify(ctx, pol, reg+"/org/app:v1", imagesig.Options{}); err != nil {
		t.Fatalf("tag layout without referrers API: %v", err)
	}
	imagesigtest.PushRandomImage(t, reg+"/org/unsigned:v1")
	if _, err := imagesig.Verify(ctx, pol, reg+"/org/unsigned:v1", imagesig.Options{}); err == nil || !strings.Contains(err.Error(), "no signatures found") {
		t.Fatalf("unsigned without referrers API: %v", err)
	}
	d := imagesigtest.PushRandomImage(t, reg+"/org/bundled:v1")
	priv, _ := sigs.ParsePrivateKey(privPEM, nil)
	b, err := sigs.SignBundle(ctx, priv, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigs.WriteBundleReferrer(ctx, d, b); err != nil {
		t.Fatal(err)
	}
	if _, err := imagesig.Verify(ctx, pol, reg+"/org/bundled:v1", imagesig.Options{}); err != nil {
		t.Fatalf("bundle through the referrers fallback tag: %v", err)
	}
}
