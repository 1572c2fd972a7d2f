package imagesig

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/imagesig/policy"
	"github.com/trustgate/trustgate/internal/imagesig/sigs"
)

// Exit codes of the CLI functions.
const (
	ExitOK     = 0
	ExitDenied = 1 // denied, or any failure: fail closed
	ExitUsage  = 2
)

func newFlagSet(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: "+usage)
		fs.PrintDefaults()
	}
	return fs
}

const guestUsage = `guest image verify [--policy POLICY.json | --policy-uri kbs:///R/T/TAG] [--insecure-accept-anything] IMAGE
       guest image pull   [--policy ... ] IMAGE --dest DIR`

// GuestImage is "guest image verify|pull" with the guest daemon's hooks.
type GuestImage struct {
	// Flags, when set, adds the caller's own flags to the command's flag
	// set (guest's --api); they parse and read TRUSTGATE_GUEST_<FLAG> like
	// the others.
	Flags func(fs *flag.FlagSet)
	// Fetcher returns what resolves kbs:/// key paths and --policy-uri,
	// called after the flags are parsed; nil (or a nil result) makes those
	// fail closed.
	Fetcher func() ResourceFetcher
	// ConfiguredPolicy, when set, is asked for the policy URI when neither
	// --policy nor --policy-uri is given (flag or variable): "" when none is
	// configured (the image is then refused unless
	// --insecure-accept-anything). ok false refuses the image (ExitDenied):
	// whether a policy is configured is unknown. It may explain on stderr.
	ConfiguredPolicy func(stderr io.Writer) (uri string, ok bool)
}

// Main runs the command; args are the arguments after "image".
func (g GuestImage) Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "pull") {
		fmt.Fprintln(stderr, "usage: "+guestUsage)
		return ExitUsage
	}
	cmd := args[0]
	fs := newFlagSet("guest image "+cmd, stderr, guestUsage)
	policyPath := fs.String("policy", "", "containers-policy.json file (overrides the configured policy)")
	policyURI := fs.String("policy-uri", "", "policy resource kbs:///repository/type/tag, fetched through the data hub")
	acceptAll := fs.Bool("insecure-accept-anything", false, "explicit opt-out when no policy is configured: accept unsigned images")
	timeout := fs.Duration("timeout", 5*time.Minute, "overall time limit")
	dest := fs.String("dest", "", "directory to unpack the root filesystem into (pull)")
	maxBytes := fs.Int64("max-bytes", 0, "limit on unpacked bytes (pull; 0 = 16 GiB)")
	if g.Flags != nil {
		g.Flags(fs)
	}
	cliflags.DocumentEnv(fs, "TRUSTGATE_GUEST_")
	pos, err := cliflags.ParseInterspersed(fs, args[1:])
	if err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // 0 for -h
	}
	if err := cliflags.EnvDefaults(fs, "TRUSTGATE_GUEST_"); err != nil {
		fmt.Fprintln(stderr, "guest image:", err)
		return ExitUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	if cmd == "pull" && *dest == "" {
		fmt.Fprintln(stderr, "guest image pull: --dest is required")
		return ExitUsage
	}
	if *policyPath == "" && *policyURI == "" && g.ConfiguredPolicy != nil {
		uri, ok := g.ConfiguredPolicy(stderr)
		if !ok {
			return ExitDenied
		}
		*policyURI = uri
	}
	var fetch ResourceFetcher
	if g.Fetcher != nil {
		fetch = g.Fetcher()
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	pol, err := loadPolicy(ctx, *policyPath, *policyURI, fetch)
	if err != nil {
		fmt.Fprintln(stderr, "denied:", err)
		return ExitDenied
	}
	o := Options{Fetcher: fetch, InsecureAcceptAnything: *acceptAll && pol == nil}
	if o.InsecureAcceptAnything {
		fmt.Fprintln(stderr, "warning: no image policy; --insecure-accept-anything accepts unsigned images")
	}
	if cmd == "verify" {
		dec, err := Verify(ctx, pol, pos[0], o)
		if err != nil {
			fmt.Fprintln(stderr, "denied:", err)
			return ExitDenied
		}
		printDecision(stdout, dec)
		return ExitOK
	}
	res, err := Pull(ctx, pol, pos[0], *dest, PullOptions{Options: o, Limits: Limits{MaxTotalBytes: *maxBytes}})
	if err != nil {
		fmt.Fprintln(stderr, "denied:", err)
		return ExitDenied
	}
	printDecision(stdout, res.Decision)
	fmt.Fprintf(stdout, "pulled: %s (%d layers, %d bytes) into %s\n", res.Manifest, res.Layers, res.Bytes, *dest)
	return ExitOK
}

func printDecision(w io.Writer, dec *Decision) {
	fmt.Fprintf(w, "allowed: %s\nscope: %s\n", dec.Image, dec.Scope)
	for _, s := range dec.Satisfied {
		fmt.Fprintf(w, "satisfied: %s\n", s)
	}
}

// loadPolicy reads the policy from a file or a kbs:/// resource; neither
// gives a nil policy (refused later unless explicitly opted out).
func loadPolicy(ctx context.Context, path, uri string, fetch ResourceFetcher) (*policy.Policy, error) {
	switch {
	case path != "":
		data, err := readLimited(path, policy.MaxPolicyBytes)
		if err != nil {
			return nil, fmt.Errorf("read policy: %w", err)
		}
		return policy.Parse(data)
	case uri != "":
		if fetch == nil {
			return nil, fmt.Errorf("policy %s: no confidential data hub available to fetch it", uri)
		}
		data, err := fetch.GetResource(ctx, uri)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", uri, err)
		}
		return policy.Parse(data)
	}
	return nil, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// keyPassword reads the signing key password from the environment (never
// a flag, which other users could read from the process list).
func keyPassword() []byte {
	for _, k := range []string{"TRUSTGATE_COCOFY_KEY_PASSWORD", "COSIGN_PASSWORD"} {
		if v, ok := os.LookupEnv(k); ok {
			return []byte(v)
		}
	}
	return nil
}

const signUsage = `cocofy sign --key KEY [--format tag|bundle|both] IMAGE@sha256:DIGEST   (key password from COSIGN_PASSWORD or TRUSTGATE_COCOFY_KEY_PASSWORD)`

// CocofySignMain implements "cocofy sign --key KEY IMAGE@DIGEST": it signs
// the digest in cosign's tag layout. args are the arguments after "sign".
func CocofySignMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("cocofy sign", stderr, signUsage)
	keyPath := fs.String("key", "", "PEM private key (PKCS#8/PKCS#1/EC, or cosign's encrypted key)")
	format := fs.String("format", "tag", "signature layout: tag (cosign tag layout), bundle (cosign v3 referrer), or both")
	timeout := fs.Duration("timeout", 5*time.Minute, "overall time limit")
	cliflags.DocumentEnv(fs, "TRUSTGATE_COCOFY_")
	pos, err := cliflags.ParseInterspersed(fs, args)
	if err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // 0 for -h
	}
	if err := cliflags.EnvDefaults(fs, "TRUSTGATE_COCOFY_"); err != nil {
		fmt.Fprintln(stderr, "cocofy sign:", err)
		return ExitUsage
	}
	if len(pos) != 1 || *keyPath == "" || (*format != "tag" && *format != "bundle" && *format != "both") {
		fs.Usage()
		return ExitUsage
	}
	key, err := readLimited(*keyPath, MaxKeyBytes)
	if err != nil {
		fmt.Fprintln(stderr, "cocofy sign: read key:", err)
		return ExitDenied
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var out []string
	if *format != "bundle" {
		tag, err := Sign(ctx, key, keyPassword(), pos[0])
		if err != nil {
			fmt.Fprintln(stderr, "cocofy sign:", err)
			return ExitDenied
		}
		out = append(out, "signature: "+tag.String())
	}
	if *format != "tag" {
		if err := SignBundle(ctx, key, keyPassword(), pos[0]); err != nil {
			fmt.Fprintln(stderr, "cocofy sign:", err)
			return ExitDenied
		}
		out = append(out, "bundle: attached as OCI referrer")
	}
	fmt.Fprintf(stdout, "signed: %s\n%s\n", pos[0], strings.Join(out, "\n"))
	return ExitOK
}

const imageUsage = `cocofy image build --binary PATH --repo REGISTRY/REPOSITORY [--tag TAG] [--key KEY] [--platform linux/amd64] [--user UID:GID]
       [--base IMAGE@sha256:DIGEST] [--add SRC:DEST]... [--env KEY=VALUE]... [--arg ARG]...
       [--onnxruntime LIBONNXRUNTIME.so] [--model DIR]`

// Where --onnxruntime and --model put the ONNX Runtime library and the
// de-identification model in the deid image.
const (
	ONNXRuntimeDir = "/usr/local/lib"
	ModelDir       = "/usr/local/share/deid/model"
	// ONNXRuntimeEnv is the variable internal/deid/ner reads the library
	// path from (ner.LibraryEnv; a test keeps the two equal).
	ONNXRuntimeEnv = "TRUSTGATE_ONNXRUNTIME_LIB"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// CocofyImageMain implements "cocofy image build": build a minimal image of
// one binary, push it and (with --key) sign it. args are the arguments
// after "image". The pushed digest reference is printed on stdout.
func CocofyImageMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(stderr, "usage: "+imageUsage)
		return ExitUsage
	}
	fs := newFlagSet("cocofy image build", stderr, imageUsage)
	binary := fs.String("binary", "", "executable to package")
	repo := fs.String("repo", "", "REGISTRY/REPOSITORY to push to")
	tag := fs.String("tag", "latest", "tag to push")
	keyPath := fs.String("key", "", "PEM private key to sign the pushed digest (omit to push unsigned)")
	platform := fs.String("platform", "linux/amd64", "OS/ARCH[/VARIANT] of the binary")
	user := fs.String("user", "65532:65532", "user the entrypoint runs as")
	timeout := fs.Duration("timeout", 10*time.Minute, "overall time limit")
	baseRef := fs.String("base", "", "base image pinned by digest (default: empty; a cgo binary needs glibc, e.g. gcr.io/distroless/cc-debian12@sha256:…)")
	onnx := fs.String("onnxruntime", "", "libonnxruntime.so to copy to "+ONNXRuntimeDir+"/ and name in $"+ONNXRuntimeEnv+" (the deid image; needs a glibc --base)")
	model := fs.String("model", "", "ONNX model directory to copy to "+ModelDir+" (the deid image; pass --arg=--model="+ModelDir+")")
	var adds, envs, cmdArgs listFlag
	fs.Var(&adds, "add", "SRC:DEST, a file or directory to copy to the absolute path DEST (repeatable)")
	fs.Var(&envs, "env", "KEY=VALUE added to the image's environment (repeatable)")
	fs.Var(&cmdArgs, "arg", "default argument of the entrypoint, in order (repeatable; write --arg=--flag=value)")
	cliflags.DocumentEnv(fs, "TRUSTGATE_COCOFY_")
	pos, err := cliflags.ParseInterspersed(fs, args[1:])
	if err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // 0 for -h
	}
	if err := cliflags.EnvDefaults(fs, "TRUSTGATE_COCOFY_"); err != nil {
		fmt.Fprintln(stderr, "cocofy image build:", err)
		return ExitUsage
	}
	if len(pos) != 0 || *binary == "" || *repo == "" {
		fs.Usage()
		return ExitUsage
	}
	plat, err := v1.ParsePlatform(*platform)
	if err != nil {
		fmt.Fprintln(stderr, "cocofy image build: --platform:", err)
		return ExitUsage
	}
	b := BuildOptions{Binary: *binary, Platform: *plat, User: *user, Env: envs, Cmd: cmdArgs}
	for _, a := range adds {
		src, dest, ok := strings.Cut(a, ":")
		if !ok || src == "" || !strings.HasPrefix(dest, "/") {
			fmt.Fprintf(stderr, "cocofy image build: --add %q: want SRC:/ABSOLUTE/DEST\n", a)
			return ExitUsage
		}
		b.Files = append(b.Files, FileSpec{Src: src, Dest: dest})
	}
	if *onnx != "" {
		dest := ONNXRuntimeDir + "/" + filepath.Base(*onnx)
		b.Files = append(b.Files, FileSpec{Src: *onnx, Dest: dest})
		b.Env = append(b.Env, ONNXRuntimeEnv+"="+dest)
	}
	if *model != "" {
		b.Files = append(b.Files, FileSpec{Src: *model, Dest: ModelDir})
	}
	if *onnx != "" && *baseRef == "" {
		fmt.Fprintln(stderr, "cocofy image build: --onnxruntime needs a glibc --base (ONNX Runtime is a glibc C++ library loaded through cgo)")
		return ExitUsage
	}
	p := PublishOptions{Repo: *repo, Tag: *tag}
	if *keyPath != "" {
		key, err := readLimited(*keyPath, MaxKeyBytes)
		if err != nil {
			fmt.Fprintln(stderr, "cocofy image build: read key:", err)
			return ExitDenied
		}
		p.Signer, err = sigs.LoadPrivateKey(key, keyPassword())
		if err != nil {
			fmt.Fprintln(stderr, "cocofy image build:", err)
			return ExitDenied
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *baseRef != "" {
		if b.Base, err = FetchBase(ctx, *baseRef, *plat); err != nil {
			fmt.Fprintln(stderr, "cocofy image build:", err)
			return ExitDenied
		}
	}
	res, err := BuildPushSign(ctx, b, p)
	if err != nil {
		fmt.Fprintln(stderr, "cocofy image build:", err)
		return ExitDenied
	}
	fmt.Fprintf(stdout, "%s\n", res.Digest)
	if res.Signed {
		fmt.Fprintf(stderr, "pushed %s, signed (%s)\n", res.Tag, res.SignatureTag)
	} else {
		fmt.Fprintf(stderr, "pushed %s, NOT signed (no --key)\n", res.Tag)
	}
	return ExitOK
}
