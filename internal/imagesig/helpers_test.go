package imagesig_test

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/trustgate/trustgate/internal/imagesig/policy"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// copyImage pushes the image at src into repo under tag "copied".
func copyImage(t *testing.T, src name.Digest, repo name.Repository) {
	t.Helper()
	img, err := remote.Image(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag("copied"), img); err != nil {
		t.Fatal(err)
	}
}

func parsePolicy(doc []byte) (*policy.Policy, error) { return policy.Parse(doc) }

func mustDigest(tb testing.TB, s string) name.Digest {
	tb.Helper()
	d, err := name.NewDigest(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustHash(tb testing.TB, s string) v1.Hash {
	tb.Helper()
	h, err := v1.NewHash(s)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
