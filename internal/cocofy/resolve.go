package cocofy

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/agentpolicy"
)

// ImageConfig is what the agent policy needs from an image's config.
type ImageConfig struct {
	Entrypoint, Cmd, Env []string
}

// Resolver resolves an image reference to name@sha256:digest and its config.
type Resolver interface {
	Resolve(ctx context.Context, image string) (digestRef string, cfg *ImageConfig, err error)
}

// RegistryResolver asks the image's registry (go-containerregistry).
type RegistryResolver struct{ Options []remote.Option }

// Resolve implements Resolver.
func (r RegistryResolver) Resolve(ctx context.Context, image string) (string, *ImageConfig, error) {
	ref, err := name.ParseReference(image)
	if err != nil {
		return "", nil, fmt.Errorf("parse image %q: %w", image, err)
	}
	opts := append([]remote.Option{remote.WithContext(ctx)}, r.Options...)
	img, err := remote.Image(ref, opts...)
	if err != nil {
		return "", nil, fmt.Errorf("fetch image %q: %w", image, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", nil, fmt.Errorf("image %q digest: %w", image, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", nil, fmt.Errorf("image %q config: %w", image, err)
	}
	pinned := image
	if i := strings.Index(pinned, "@"); i >= 0 {
		pinned = pinned[:i]
	}
	return pinned + "@" + d.String(), &ImageConfig{Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env}, nil
}

// resolveImages pins every image of the pod by digest (rewriting the
// manifest) and records its config for the agent policy.
func (t *transformer) resolveImages(id string, spec *yaml.RNode) error {
	r := t.opts.Resolver
	if r == nil {
		r = RegistryResolver{}
	}
	elems, err := containerNodes(spec)
	if err != nil {
		return err
	}
	{
		for _, c := range elems {
			image, _ := c.GetString("image")
			if image == "" {
				continue
			}
			pinned, cfg, err := r.Resolve(context.Background(), image)
			if err != nil {
				return err
			}
			if agentpolicy.IsDigestRef(image) && pinned != image {
				return fmt.Errorf("image %s resolved to a different digest %s", image, pinned)
			}
			t.imageConfigs[pinned] = cfg
			if pinned != image {
				if err := c.PipeE(yaml.SetField("image", yaml.NewStringRNode(pinned))); err != nil {
					return err
				}
				t.change(id, "image "+image+" -> "+pinned, "the agent policy pins images by digest; a tag can be moved")
			}
		}
	}
	return nil
}
