// Package imagesig is Gate 1 of trustgate: a container image runs only if
// the image policy (containers-policy.json) allows it, which normally means
// a trusted key signed the exact manifest digest being run. It verifies
// cosign's tag layout and cosign v3 sigstore bundles offline with public
// keys, pulls images only after verifying them, signs images in cosign's
// layout for pipelines without cosign, and builds minimal images of the
// project's binaries. Sub-packages: policy (policy parsing and scope
// lookup) and sigs (signature formats).
package imagesig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/trustgate/trustgate/internal/imagesig/policy"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

// ResourceFetcher fetches a confidential resource by URI
// ("kbs:///repo/type/tag") through the guest's data hub, which releases it
// only after the guest passed attestation. The guest provides it.
type ResourceFetcher interface {
	GetResource(ctx context.Context, uri string) ([]byte, error)
}

// ErrNoPolicy is returned when no image policy is configured and the
// operator did not opt out explicitly: Gate 1 fails closed.
var ErrNoPolicy = errors.New("no image policy configured: refusing to verify or run the image " +
	"(configure a containers-policy.json, or opt out explicitly with insecureAcceptAnything)")

// DeniedError says why the policy did not allow an image.
type DeniedError struct {
	Image  string // repo@digest evaluated
	Scope  string // policy scope that applied
	Reason string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("image %s denied by policy scope %q: %s", e.Image, e.Scope, e.Reason)
}

// Options configure Verify and Pull.
type Options struct {
	// Fetcher resolves kbs:/// key paths. Without it such keys fail closed.
	Fetcher ResourceFetcher
	// Remote are extra go-containerregistry options (transport, auth).
	Remote []remote.Option
	// InsecureAcceptAnything is the explicit opt-out that lets a nil policy
	// accept every image. It is never implied.
	InsecureAcceptAnything bool
	// ReadFile reads keyPath files; os.ReadFile when nil.
	ReadFile func(string) ([]byte, error)
}

func (o Options) remoteOpts(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	return append(opts, o.Remote...)
}

// Decision records what allowed an image.
type Decision struct {
	// Image is the digest reference that was verified; run exactly this.
	Image name.Digest
	// Scope is the policy scope that applied.
	Scope string
	// Satisfied describes, per requirement, what satisfied it.
	Satisfied []string
}

// Verify resolves imageRef to a digest once and evaluates the policy for
// that digest. A nil error means the policy allows the image; use
// Decision.Image (never the tag again) to fetch it.
func Verify(ctx context.Context, pol *policy.Policy, imageRef string, o Options) (*Decision, error) {
	ref, err := name.ParseReference(imageRef)
	if err != nil {
		return nil, fmt.Errorf("parse image reference: %w", err)
	}
	if pol == nil && !o.InsecureAcceptAnything {
		// Refuse before touching the registry.
		return nil, ErrNoPolicy
	}
	d, err := Resolve(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	return evaluate(ctx, pol, ref, d, o)
}

// Resolve turns a reference into a digest reference with one registry
// request (HEAD, or GET where HEAD is not supported).
func Resolve(ctx context.Context, ref name.Reference, o Options) (name.Digest, error) {
	if d, ok := ref.(name.Digest); ok {
		return d, nil
	}
	desc, err := remote.Head(ref, o.remoteOpts(ctx)...)
	if err != nil {
		full, gerr := remote.Get(ref, o.remoteOpts(ctx)...)
		if gerr != nil {
			return name.Digest{}, fmt.Errorf("resolve %s: %w", ref, err)
		}
		desc = &full.Descriptor
	}
	return ref.Context().Digest(desc.Digest.String()), nil
}

func evaluate(ctx context.Context, pol *policy.Policy, ref name.Reference, d name.Digest, o Options) (*Decision, error) {
	dec := &Decision{Image: d}
	if pol == nil {
		dec.Scope = "(no policy)"
		dec.Satisfied = []string{"explicit opt-out: insecureAcceptAnything"}
		return dec, nil
	}
	digest, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, fmt.Errorf("image digest: %w", err)
	}
	img := imageName(ref, d)
	m := pol.Requirements(img)
	dec.Scope = m.Scope
	deny := func(format string, args ...any) error {
		return &DeniedError{Image: d.String(), Scope: m.Scope, Reason: fmt.Sprintf(format, args...)}
	}
	ev := &evaluator{ctx: ctx, d: d, digest: digest, o: o}
	for i, req := range m.Requirements {
		switch req.Type {
		case policy.TypeInsecureAcceptAnything:
			dec.Satisfied = append(dec.Satisfied, "insecureAcceptAnything")
		case policy.TypeReject:
			return nil, deny("requirement %d is \"reject\"", i)
		case policy.TypeSigstoreSigned:
			how, err := ev.sigstoreSigned(req)
			if err != nil {
				return nil, deny("requirement %d (sigstoreSigned): %v", i, err)
			}
			dec.Satisfied = append(dec.Satisfied, how)
		case policy.TypeSignedBy:
			return nil, deny("requirement %d: GPG \"signedBy\" is not supported; use sigstoreSigned", i)
		default:
			return nil, deny("requirement %d: unsupported type %q", i, req.Type)
		}
	}
	return dec, nil
}

// imageName maps a reference to the names the policy scopes use;
// containers/image calls Docker Hub "docker.io".
func imageName(ref name.Reference, d name.Digest) policy.ImageName {
	reg := ref.Context().RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	img := policy.ImageName{Registry: reg, Repository: ref.Context().RepositoryStr(), Digest: d.DigestStr()}
	if t, ok := ref.(name.Tag); ok {
		img.Tag = t.TagStr()
	}
	return img
}

// evaluator caches what one evaluation fetched from the registry, so that
// several requirements do not re-read (and cannot see different) data.
type evaluator struct {
	ctx     context.Context
	d       name.Digest
	digest  v1.Hash
	o       Options
	fetched bool
	tagSigs []sigs.TagSignature
	bundles [][]byte
}

func (ev *evaluator) fetch() error {
	if ev.fetched {
		return nil
	}
	opts := ev.o.remoteOpts(ev.ctx)
	ts, err := sigs.FindTagSignatures(ev.ctx, ev.d.Context(), ev.digest, opts...)
	if err != nil {
		return err
	}
	bs, err := sigs.FindBundles(ev.ctx, ev.d.Context(), ev.digest, opts...)
	if err != nil {
		return err
	}
	ev.tagSigs, ev.bundles, ev.fetched = ts, bs, true
	return nil
}

func (ev *evaluator) sigstoreSigned(req policy.Requirement) (string, error) {
	if len(req.Fulcio) > 0 {
		return "", errors.New("keyless (fulcio) verification is not supported offline; use keyPath or keyData")
	}
	keys, err := loadKeys(ev.ctx, req, ev.o)
	if err != nil {
		return "", err
	}
	wantRepo, err := identityRepository(req.SignedIdentity, ev.d.Context())
	if err != nil {
		return "", err
	}
	if err := ev.fetch(); err != nil {
		return "", err
	}
	if len(ev.tagSigs) == 0 && len(ev.bundles) == 0 {
		return "", fmt.Errorf("no signatures found for %s (looked for tag %s and sigstore bundle referrers)",
			ev.digest, sigs.SignatureTag(ev.d.Context(), ev.digest).TagStr())
	}
	var reasons []string
	for _, ts := range ev.tagSigs {
		for _, k := range keys {
			if err := k.VerifySignature(ts.Signature, ts.Payload); err != nil {
				reasons = append(reasons, "tag-layout signature: "+err.Error())
				continue
			}
			p, err := sigs.ParsePayload(ts.Payload)
			if err != nil {
				reasons = append(reasons, "tag-layout signature: "+err.Error())
				continue
			}
			if err := p.Check(ev.digest); err != nil {
				reasons = append(reasons, "tag-layout signature: "+err.Error())
				continue
			}
			claimed, err := sigs.ParseIdentity(p.DockerReference)
			if err != nil || claimed.Name() != wantRepo.Name() {
				reasons = append(reasons, fmt.Sprintf("tag-layout signature: signed for repository %q, policy requires %q", p.DockerReference, wantRepo.Name()))
				continue
			}
			return "sigstoreSigned: cosign tag layout, key " + k.ID, nil
		}
	}
	for _, b := range ev.bundles {
		// A bundle's statement names only the digest; its identity is the
		// repository it is attached to.
		if ev.d.Context().Name() != wantRepo.Name() {
			reasons = append(reasons, fmt.Sprintf("bundle: attached in %q, policy requires %q", ev.d.Context().Name(), wantRepo.Name()))
			continue
		}
		for _, k := range keys {
			if err := sigs.VerifyBundle(b, ev.digest, k); err != nil {
				reasons = append(reasons, "bundle: "+err.Error())
				continue
			}
			return "sigstoreSigned: sigstore bundle (OCI referrer), key " + k.ID, nil
		}
	}
	return "", fmt.Errorf("%d signature(s) found, none valid: %s", len(ev.tagSigs)+len(ev.bundles), strings.Join(dedupe(reasons), "; "))
}

// identityRepository is the repository the signature must claim.
func identityRepository(si *policy.SignedIdentity, image name.Repository) (name.Repository, error) {
	if si == nil {
		return image, nil
	}
	switch si.Type {
	// The image is always evaluated by digest here, so "repository
	// matches" is what matchRepoDigestOrExact requires.
	case policy.IdentityMatchRepoDigestOrExact, policy.IdentityMatchRepository:
		return image, nil
	case policy.IdentityExactRepository:
		r, err := name.NewRepository(si.DockerRepository)
		if err != nil {
			return name.Repository{}, fmt.Errorf("signedIdentity.dockerRepository: %w", err)
		}
		return r, nil
	default:
		return name.Repository{}, fmt.Errorf("signedIdentity type %q is not supported", si.Type)
	}
}

// MaxKeyBytes bounds a fetched or read public key file.
const MaxKeyBytes = 64 << 10

func loadKeys(ctx context.Context, req policy.Requirement, o Options) ([]*sigs.PublicKey, error) {
	var keys []*sigs.PublicKey
	for _, data := range req.InlineKeys() {
		k, err := sigs.ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("keyData: %w", err)
		}
		keys = append(keys, k)
	}
	for _, p := range req.KeyRefs() {
		data, err := readKey(ctx, p, o)
		if err != nil {
			return nil, err
		}
		k, err := sigs.ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("keyPath %s: %w", p, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func readKey(ctx context.Context, p string, o Options) ([]byte, error) {
	var data []byte
	var err error
	if strings.HasPrefix(p, "kbs://") {
		if o.Fetcher == nil {
			return nil, fmt.Errorf("keyPath %s: no confidential data hub available to fetch it", p)
		}
		data, err = o.Fetcher.GetResource(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("keyPath %s: fetch through the data hub: %w", p, err)
		}
	} else {
		read := o.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		data, err = read(p)
		if err != nil {
			return nil, fmt.Errorf("keyPath: %w", err)
		}
	}
	if len(data) > MaxKeyBytes {
		return nil, fmt.Errorf("keyPath %s: %d bytes, limit %d", p, len(data), MaxKeyBytes)
	}
	return data, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
