package guest

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/sealed"
)

const usage = `usage: guest <command> [flags]

commands:
  serve         attest, check initdata, fetch credentials and serve the local API
                (guest serve --kbs-url URL --tee sample --listen 127.0.0.1:8006 [--kbs-cert FILE] [--initdata FILE])
  get-resource  print a KBS resource to stdout (guest get-resource kbs:///repo/type/tag)
  run           unseal sealed. env values and files, then exec (guest run [flags] -- CMD ARGS)
  seal          make a signed sealed secret (guest seal --key KEY.pem --resource kbs:///r/t/k)
  keygen        make a sealed-secret signing key (guest keygen --out KEY.pem)
  image         verify or pull a container image against the image policy
                (guest image verify|pull [--policy POLICY.json] [--api URL] IMAGE [--dest DIR];
                without --policy: the daemon's cdh.toml [image] image_security_policy_uri)

Every flag can also be set as TRUSTGATE_GUEST_<FLAG> (upper case, - as _).`

// Main runs the guest CLI and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return cliflags.ExitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(rest, stderr)
	case "get-resource":
		err = cmdGetResource(rest, stdout, stderr)
	case "run":
		err = cmdRun(rest, stderr)
	case "seal":
		err = cmdSeal(rest, stdout, stderr)
	case "keygen":
		err = cmdKeygen(rest, stdout, stderr)
	case "image":
		if ImageMain == nil {
			fmt.Fprintln(stderr, "guest image: image signature checks are not built into this binary")
			return 1
		}
		return ImageMain(rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "guest: unknown command %q\n%s\n", cmd, usage)
		return cliflags.ExitUsage
	}
	return cliflags.Report(stderr, "guest "+cmd, err)
}

// ImageMain runs "guest image ..." (internal/imagesig's GuestImage,
// wired in image.go); it fetches keys and policies through the local API
// at --api or $TRUSTGATE_GUEST_API (default http://127.0.0.1:8006) and,
// given no --policy or --policy-uri, uses the daemon's configured policy.
var ImageMain func(args []string, stdout, stderr io.Writer) int

// common holds the flags every attesting command shares.
type common struct {
	cfg         Config
	kbsCertFile string
	kbsCertPin  string
	bound       string
	emuDir      string
	emuMeas     string
	log         cliflags.Logging
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.cfg.KBSURL, "kbs-url", "", "KBS base URL, e.g. https://trustee:8080 (default: initdata's cdh.toml kbc.url)")
	fs.StringVar(&c.kbsCertFile, "kbs-cert", "", "PEM file of a CA (or self-signed) certificate to trust for the KBS")
	fs.StringVar(&c.kbsCertPin, "kbs-cert-sha256", "", "hex SHA-256 of the KBS's DER certificate to pin (as trustee prints it)")
	fs.StringVar(&c.cfg.Tee, "tee", "", "TEE: "+strings.Join(detect.Names(), ", ")+" (default: detect, as upstream)")
	fs.StringVar(&c.cfg.InitDataPath, "initdata", "", "initdata file: raw TOML or gzip+base64 (default: "+PeerPodInitDataPath+" or "+KataInitDataDir+"/)")
	fs.StringVar(&c.bound, "bound-initdata-digest", "", "software TEEs only: hex initdata digest bound at launch (default: the given initdata's)")
	fs.StringVar(&c.emuDir, "emulated-dir", "", "snp-emulated: directory with the emulated AMD chain")
	fs.StringVar(&c.emuMeas, "emulated-measurement", "", "snp-emulated: hex launch measurement to report")
	fs.StringVar(&c.cfg.SealedSecretKey, "sealed-key", "", "sealed-secret verification key (PEM/JWK file, or a directory of them named by kid) for kids that are not kbs:/// URIs")
	fs.BoolVar(&c.cfg.SkipSealedSecretVerification, "skip-sealed-secret-verification", false, "accept unsigned sealed secrets (insecure; upstream's skip_sealed_secret_verification)")
	c.log.Register(fs)
}

func (c *common) finish(stderr io.Writer) (detect.Options, error) {
	logger, err := c.log.Logger(stderr)
	if err != nil {
		return detect.Options{}, err
	}
	c.cfg.Logger = logger
	if c.kbsCertFile != "" {
		b, err := os.ReadFile(c.kbsCertFile)
		if err != nil {
			return detect.Options{}, fmt.Errorf("--kbs-cert: %w", err)
		}
		c.cfg.KBSCertPEM = b
	}
	var opts detect.Options
	for _, h := range []struct {
		name, val string
		dst       *[]byte
	}{
		{"--kbs-cert-sha256", c.kbsCertPin, &c.cfg.KBSCertSHA256},
		{"--bound-initdata-digest", c.bound, &opts.SoftwareInitDataDigest},
		{"--emulated-measurement", c.emuMeas, &opts.EmulatedMeasurement},
	} {
		if h.val == "" {
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(h.val, ":", ""))
		if err != nil {
			return detect.Options{}, cliflags.Usagef("%s: not hex: %w", h.name, err)
		}
		*h.dst = b
	}
	opts.EmulatedDir = c.emuDir
	opts.Logger = c.cfg.Logger
	return opts, nil
}

// parseFlags parses args, then fills unset flags from TRUSTGATE_GUEST_*.
func parseFlags(fs *flag.FlagSet, args []string) error {
	cliflags.DocumentEnv(fs, envPrefix)
	if err := fs.Parse(args); err != nil {
		return cliflags.AsUsage(err)
	}
	return cliflags.AsUsage(cliflags.EnvDefaults(fs, envPrefix))
}

const envPrefix = "TRUSTGATE_GUEST_"

func newFS(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("guest "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdServe(args []string, stderr io.Writer) error {
	fs := newFS("serve", stderr)
	var c common
	c.register(fs)
	fs.StringVar(&c.cfg.Listen, "listen", DefaultListen, "local API address (loopback only is served to callers)")
	fs.StringVar(&c.cfg.Image.ImageSecurityPolicyURI, "image-security-policy-uri", "", "image policy that guest image uses when given none, as kbs:///repo/type/tag (default: initdata's cdh.toml [image] image_security_policy_uri)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cliflags.Usagef("unexpected arguments %q", fs.Args())
	}
	opts, err := c.finish(stderr)
	if err != nil {
		return err
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	return Serve(ctx, &c.cfg, opts)
}

func cmdGetResource(args []string, stdout, stderr io.Writer) error {
	fs := newFS("get-resource", stderr)
	var c common
	c.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cliflags.Usagef("want exactly one resource URI, e.g. kbs:///default/azure/conn")
	}
	opts, err := c.finish(stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rt, err := Prepare(ctx, &c.cfg, opts)
	if err != nil {
		return err
	}
	b, err := rt.Hub.GetResource(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}

// listFlag is a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func cmdRun(args []string, stderr io.Writer) error {
	fs := newFS("run", stderr)
	var c common
	c.register(fs)
	var dirs listFlag
	fs.Var(&dirs, "unseal-dir", "directory whose files holding a sealed secret are replaced by its value (repeatable, comma-separated)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return cliflags.Usagef("no command: guest run [flags] -- CMD ARGS")
	}
	opts, err := c.finish(stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rt, err := Prepare(ctx, &c.cfg, opts)
	if err != nil {
		return err
	}
	return RunCommand(ctx, rt.Hub, argv, os.Environ(), append(dirs, c.cfg.UnsealDirs...), &c.cfg, nil)
}

func cmdSeal(args []string, stdout, stderr io.Writer) error {
	fs := newFS("seal", stderr)
	keyFile := fs.String("key", "", "ES256 signing key (PEM) made by guest keygen")
	kid := fs.String("kid", "", "key id in the header: the kbs:/// URI where guests find the public JWK, or a key file name (required unless --unsigned)")
	resource := fs.String("resource", "", "vault secret: the kbs:///repo/type/tag holding the value")
	kekFile := fs.String("kek", "", "envelope secret: file with the 32-byte key-encryption key; the value is read from stdin")
	keyID := fs.String("key-id", "", "envelope secret: the kbs:/// URI where the guest finds the key-encryption key")
	unsigned := fs.Bool("unsigned", false, "emit the legacy unsigned form (guests accept it only with verification switched off)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var sec sealed.Secret
	switch {
	case *resource != "" && *kekFile == "":
		sec = sealed.NewVault(*resource)
		if err := sec.Validate(); err != nil {
			return cliflags.UsageError{Err: err}
		}
	case *resource == "" && *kekFile != "":
		kek, err := os.ReadFile(*kekFile)
		if err != nil {
			return err
		}
		value, err := io.ReadAll(io.LimitReader(os.Stdin, sealed.MaxSize))
		if err != nil {
			return err
		}
		if sec, err = SealEnvelope(kek, *keyID, value); err != nil {
			return err
		}
	default:
		return cliflags.Usagef("give either --resource (vault) or --kek with --key-id (envelope)")
	}
	var out string
	var err error
	if *unsigned {
		out, err = sealed.Unsigned(sec)
	} else {
		if *keyFile == "" || *kid == "" {
			return cliflags.Usagef("--key and --kid are required (or --unsigned)")
		}
		pemBytes, rerr := os.ReadFile(*keyFile)
		if rerr != nil {
			return rerr
		}
		priv, perr := sealed.ParsePrivateKeyPEM(pemBytes)
		if perr != nil {
			return perr
		}
		out, err = sealed.Sign(priv, *kid, sec)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, out)
	return err
}

func cmdKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFS("keygen", stderr)
	out := fs.String("out", "", "file to write the private signing key to (PEM, mode 0600; required)")
	pubOut := fs.String("pub-out", "", "also write the public key as PEM to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return cliflags.Usagef("--out is required")
	}
	priv, err := sealed.GenerateKey()
	if err != nil {
		return err
	}
	pemBytes, err := sealed.MarshalPrivateKeyPEM(priv)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if *pubOut != "" {
		pub, err := sealed.MarshalPublicKeyPEM(&priv.PublicKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*pubOut, pub, 0o644); err != nil {
			return err
		}
	}
	jwk, err := sealed.MarshalPublicJWK(&priv.PublicKey)
	if err != nil {
		return err
	}
	// The public JWK goes to stdout: upload it as the kid resource
	// (trustee admin set-resource default/sealed-secret-key/1 -).
	_, err = fmt.Fprintln(stdout, string(jwk))
	return err
}
