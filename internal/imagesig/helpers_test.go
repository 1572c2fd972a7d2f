package imagesig_test

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
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
