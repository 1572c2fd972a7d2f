package cocofy

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Subcommand is an extra subcommand wired in by cmd/cocofy (image signing
// lives in internal/imagesig). args are the arguments after its name.
type Subcommand func(args []string, stdout, stderr io.Writer) int

// ProgramName returns "kubectl coco" when the binary runs as the kubectl
// plugin kubectl-coco, else "cocofy".
func ProgramName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if base == "kubectl-coco" {
		return "kubectl coco"
	}
	return "cocofy"
}

// Main runs the cocofy command line. args exclude the program name.
func Main(prog string, args []string, stdout, stderr io.Writer, extra map[string]Subcommand) int {
	usage := func() {
		fmt.Fprintf(stderr, `usage: %s COMMAND [flags]

commands:
  apply -f IN [-o OUTDIR]      harden manifests (uploads secrets to Trustee, or --offline bundle)
  explain -f IN                show each change apply would make, and why
  initdata create|dump|validate|digest
`, prog)
		names := sortedKeys(extra)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %s ...\n", n)
		}
		fmt.Fprintf(stderr, "\nEvery flag can also be set as TRUSTGATE_COCOFY_<FLAG> (e.g. TRUSTGATE_COCOFY_TRUSTEE_URL).\nSee docs/cocofy.md.\n")
	}
	if len(args) == 0 {
		usage()
		return ExitUsage
	}
	switch args[0] {
	case "apply":
		return cmdApply(prog, args[1:], stdout, stderr, false)
	case "explain":
		return cmdApply(prog, args[1:], stdout, stderr, true)
	case "initdata":
		return cmdInitData(prog, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		usage()
		return ExitOK
	}
	if f, ok := extra[args[0]]; ok {
		return f(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n", prog, args[0])
	usage()
	return ExitUsage
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, strings.Split(v, ",")...); return nil }

func readOptional(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return os.ReadFile(path)
}

func cmdApply(prog string, args []string, stdout, stderr io.Writer, explain bool) int {
	name := "apply"
	if explain {
		name = "explain"
	}
	fs := flag.NewFlagSet(prog+" "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("f", "", "input manifests (file, or - for stdin)")
	out := fs.String("o", "", "output directory (default: print to stdout)")
	var o Options
	var sans listFlag
	var trusteeCert, adminKey, importKey string
	fs.StringVar(&o.TrusteeURL, "trustee-url", "", "Trustee URL as the guest reaches it (required)")
	fs.StringVar(&trusteeCert, "trustee-cert", "", "Trustee TLS certificate or CA (PEM), embedded in the initdata")
	fs.StringVar(&o.AdminURL, "admin-url", "", "Trustee admin API URL as cocofy reaches it (default --trustee-url)")
	fs.StringVar(&adminKey, "admin-key", "", "Ed25519 private key (PEM) for the admin API")
	fs.BoolVar(&o.Offline, "offline", false, "do not contact Trustee; write the uploads to a bundle for `trustee admin import`")
	fs.StringVar(&o.BundlePath, "bundle", "", "offline bundle file (default OUTDIR.trustee-bundle.json; never inside OUTDIR)")
	fs.StringVar(&importKey, "import-key", "", "Trustee's import public key (PEM or JWK): encrypt the bundle to it")
	fs.StringVar(&o.KeyDir, "key-dir", "", "cocofy key directory (default $XDG_CONFIG_HOME/trustgate/cocofy)")
	fs.StringVar(&o.RuntimeClass, "runtime-class", DefaultRuntimeClass, "runtimeClassName")
	fs.StringVar(&o.MachineType, "machine-type", "", "peer-pod VM size annotation")
	fs.StringVar(&o.Namespace, "namespace", "", "namespace of objects without one (default: any for the policy, \"default\" for resource paths)")
	fs.StringVar(&o.Algorithm, "initdata-algorithm", initdata.SHA256, "initdata digest algorithm: sha256 (binds on every TEE), sha384 (TDX only); what the TEE cannot bind is refused")
	fs.StringVar(&o.TEE, "tee", "", "target TEE: snp, tdx, az-snp-vtpm or az-tdx-vtpm (default: guessed from --runtime-class)")
	fs.BoolVar(&o.FixPodSecurity, "fix-pod-security", false, "set what the workload's containers lack for Pod Security \"restricted\" (otherwise: a warning)")
	fs.StringVar(&o.ImagePolicyURI, "image-policy-uri", DefaultImagePolicyURI, "image security policy resource for cdh.toml")
	fs.StringVar(&o.PolicyMode, "policy", agentpolicy.Strict, "agent policy: strict (pin containers) or hardened")
	fs.BoolVar(&o.AllowLogs, "allow-logs", false, "let the host read container logs (anything the app prints leaks)")
	fs.BoolVar(&o.ResolveDigests, "resolve-digests", false, "resolve image tags to digests and read entrypoints from the registry")
	fs.BoolVar(&o.Sidecar, "sidecar", false, "inject the tls-sidecar container and its Service")
	identityMode := fs.Bool("identity", true, "with --sidecar: the server key is born in the TEE and certified by Trustee's identity CA after attestation (no server key is generated or uploaded); the initdata carries the namespace and service account. --identity=false is --uploaded-server-key")
	fs.BoolVar(&o.UploadedServerKey, "uploaded-server-key", false, "DEPRECATED, for migrating pipelines only: with --sidecar, make the server key and certificate here and upload them to Trustee (the key exists outside the TEE); see docs/tls-sidecar.md, \"Migration from uploaded keys\"")
	fs.StringVar(&o.SidecarImage, "sidecar-image", DefaultSidecarImage, "tls-sidecar image")
	fs.IntVar(&o.SidecarAppPort, "sidecar-app-port", 0, "port the app listens on (default: first containerPort)")
	fs.Var(&sans, "san", "extra DNS name for the sidecar server certificate (repeatable)")
	fs.StringVar(&o.KeyType, "key-type", KeyECDSAP256, "sidecar key type: ecdsa-p256 or rsa4096")
	fs.StringVar(&o.Beacon, "beacon", "", "dashboard URL: inject the beacon sidecar")
	fs.StringVar(&o.BeaconImage, "beacon-image", DefaultBeaconImage, "beacon image")
	timeout := fs.Duration("timeout", 5*time.Minute, "overall time limit")
	cliflags.DocumentEnv(fs, "TRUSTGATE_COCOFY_")
	if err := fs.Parse(args); err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // flag printed it; 0 for -h
	}
	if err := cliflags.EnvDefaults(fs, "TRUSTGATE_COCOFY_"); err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, name, err)
		return ExitUsage
	}
	if *in == "" || fs.NArg() != 0 {
		fmt.Fprintf(stderr, "%s %s: -f IN is required\n", prog, name)
		fs.Usage()
		return ExitUsage
	}
	if err := identityFlags(fs, *identityMode, &o); err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, name, err)
		return ExitUsage
	}
	o.SANs = sans
	var err error
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, name, err)
		return ExitError
	}
	if o.TrusteeCertPEM, err = readOptional(trusteeCert); err != nil {
		return fail(err)
	}
	if o.AdminKeyPEM, err = readOptional(adminKey); err != nil {
		return fail(err)
	}
	if o.ImportKeyPEM, err = readOptional(importKey); err != nil {
		return fail(err)
	}
	var input []byte
	if *in == "-" {
		input, err = io.ReadAll(io.LimitReader(os.Stdin, MaxInputSize+1))
	} else if f, ferr := os.Open(*in); ferr != nil {
		err = ferr
	} else {
		input, err = io.ReadAll(io.LimitReader(f, MaxInputSize+1))
		f.Close()
	}
	if err != nil {
		return fail(err)
	}
	if explain {
		o.Offline = true
		res, err := Transform(o, input)
		if err != nil {
			return fail(err)
		}
		printChanges(stdout, res)
		printWarnings(stderr, res)
		return ExitOK
	}
	sctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, *timeout)
	defer cancel()
	ar, err := Apply(ctx, o, input, *in, *out, stdout)
	if err != nil {
		return fail(err)
	}
	summary := stderr
	printWarnings(stderr, ar.Result)
	if ar.ManifestPath != "" {
		fmt.Fprintf(summary, "wrote %s\n", ar.ManifestPath)
	}
	if ar.BundlePath != "" {
		fmt.Fprintf(summary, "wrote offline bundle %s (%d resources; keep it out of git, import with `trustee admin import`)\n", ar.BundlePath, len(ar.Uploads))
	} else {
		fmt.Fprintf(summary, "uploaded %d resources to Trustee\n", len(ar.Uploads))
	}
	for _, rv := range ar.ReferenceValues {
		fmt.Fprintf(summary, "reference value %s: %s\n", rv.Name, strings.Join(rv.Values, ", "))
	}
	return ExitOK
}

// identityFlags folds --identity into Options.UploadedServerKey:
// --identity=false is the deprecated --uploaded-server-key, and asking for
// both identity and an uploaded key is a contradiction.
func identityFlags(fs *flag.FlagSet, identityMode bool, o *Options) error {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "identity" })
	if explicit && identityMode && o.UploadedServerKey {
		return errors.New("--identity and --uploaded-server-key contradict each other: the server key is either born in the TEE or uploaded")
	}
	if !identityMode {
		o.UploadedServerKey = true
	}
	return nil
}

func printWarnings(w io.Writer, res *Result) {
	for _, m := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
}

func printChanges(w io.Writer, res *Result) {
	byObj := map[string][]Change{}
	var order []string
	for _, c := range res.Changes {
		if _, ok := byObj[c.Object]; !ok {
			order = append(order, c.Object)
		}
		byObj[c.Object] = append(byObj[c.Object], c)
	}
	for _, obj := range order {
		fmt.Fprintf(w, "%s\n", obj)
		for _, c := range byObj[obj] {
			fmt.Fprintf(w, "  - %s\n      why: %s\n", c.What, c.Why)
		}
	}
	fmt.Fprintf(w, "Trustee uploads (values not shown):\n")
	for _, u := range res.Uploads {
		fmt.Fprintf(w, "  - %s: %s\n", u.Path, u.What)
	}
	for _, rv := range res.ReferenceValues {
		fmt.Fprintf(w, "Reference value %s: %s\n", rv.Name, strings.Join(rv.Values, ", "))
	}
}

func cmdInitData(prog string, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: %s initdata create --trustee-url URL [--trustee-cert PEM] [--policy hardened] [--allow-logs] [--algorithm sha256] [--workload-identity NS/SA] > initdata.toml\n" +
		"       %s initdata dump -f MANIFEST|ANNOTATION-FILE    print the initdata TOML inside\n" +
		"       %s initdata validate FILE                       strict checks\n" +
		"       %s initdata digest FILE                          hex digest (FILE: TOML or annotation)\n"
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, prog, prog, prog, prog)
		return ExitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s initdata %s: %v\n", prog, args[0], err)
		return ExitError
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet(prog+" initdata create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		var o Options
		cert := fs.String("trustee-cert", "", "Trustee TLS certificate (PEM)")
		fs.StringVar(&o.TrusteeURL, "trustee-url", "", "Trustee URL (required)")
		fs.StringVar(&o.Algorithm, "algorithm", initdata.SHA256, "digest algorithm: sha256, or sha384 with --tee tdx")
		fs.StringVar(&o.TEE, "tee", "", "target TEE: snp, tdx, az-snp-vtpm or az-tdx-vtpm")
		fs.StringVar(&o.ImagePolicyURI, "image-policy-uri", DefaultImagePolicyURI, "image security policy resource")
		fs.BoolVar(&o.AllowLogs, "allow-logs", false, "let the host read container logs")
		fs.Func("workload-identity", "NAMESPACE/SERVICE-ACCOUNT: add identity.toml, so that a tls-sidecar in identity mode on this guest gets a certificate for spiffe://…/ns/NAMESPACE/sa/SERVICE-ACCOUNT from Trustee's identity CA", func(v string) error {
			ns, sa, _ := strings.Cut(v, "/")
			w := identity.Workload{Namespace: ns, ServiceAccount: sa}
			if !w.Valid() {
				return fmt.Errorf("want NAMESPACE/SERVICE-ACCOUNT, both DNS-1123 labels, not %q", v)
			}
			o.InitDataIdentity = &w
			return nil
		})
		cliflags.DocumentEnv(fs, "TRUSTGATE_COCOFY_")
		if err := fs.Parse(args[1:]); err != nil {
			return cliflags.ExitCode(cliflags.AsUsage(err)) // flag printed it; 0 for -h
		}
		if err := cliflags.EnvDefaults(fs, "TRUSTGATE_COCOFY_"); err != nil {
			return fail(err)
		}
		var err error
		if o.TrusteeCertPEM, err = readOptional(*cert); err != nil {
			return fail(err)
		}
		raw, err := CreateInitData(o)
		if err != nil {
			return fail(err)
		}
		stdout.Write(raw)
		return ExitOK
	case "dump", "validate", "digest":
		fs := flag.NewFlagSet(prog+" initdata "+args[0], flag.ContinueOnError)
		fs.SetOutput(stderr)
		file := fs.String("f", "", "file: initdata TOML, annotation value, or a manifest holding the annotation")
		if err := fs.Parse(args[1:]); err != nil {
			return cliflags.ExitCode(cliflags.AsUsage(err)) // flag printed it; 0 for -h
		}
		if *file == "" && fs.NArg() == 1 {
			*file = fs.Arg(0)
		}
		if *file == "" {
			fmt.Fprintf(stderr, usage, prog, prog, prog, prog)
			return ExitUsage
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return fail(err)
		}
		docs, err := FindInitData(b)
		if err != nil {
			return fail(err)
		}
		for _, d := range docs {
			switch args[0] {
			case "dump":
				if len(docs) > 1 {
					fmt.Fprintf(stdout, "# %s\n", d.Object)
				}
				stdout.Write(d.InitData.Raw)
			case "validate":
				fmt.Fprintf(stdout, "%s: valid initdata (version %s, %s, keys %s)\n", d.Object, d.InitData.Version, d.InitData.Algorithm, strings.Join(d.InitData.Keys(), ", "))
			case "digest":
				if len(docs) > 1 {
					fmt.Fprintf(stdout, "%s  %s\n", hex.EncodeToString(d.InitData.Digest()), d.Object)
				} else {
					fmt.Fprintln(stdout, hex.EncodeToString(d.InitData.Digest()))
				}
			}
		}
		return ExitOK
	}
	fmt.Fprintf(stderr, usage, prog, prog, prog, prog)
	return ExitUsage
}

// CreateInitData builds a standalone initdata document (hardened agent
// policy, no pinned containers) for guests outside Kubernetes.
func CreateInitData(o Options) ([]byte, error) {
	o.Offline = true
	o.KeyDir = os.TempDir() // unused: no secrets are sealed
	o.PolicyMode = agentpolicy.Hardened
	if err := o.normalize(); err != nil {
		return nil, err
	}
	t := &transformer{opts: &o}
	policy, err := agentpolicy.Generate(agentpolicy.Options{Mode: agentpolicy.Hardened, AllowLogs: o.AllowLogs}, nil)
	if err != nil {
		return nil, err
	}
	entries := map[string]string{initdata.KeyAA: t.aaTOML(), initdata.KeyCDH: t.cdhTOML(), initdata.KeyPolicy: policy}
	if o.InitDataIdentity != nil {
		if !o.InitDataIdentity.Valid() {
			return nil, fmt.Errorf("workload identity %s/%s: namespace and service account must be DNS-1123 labels", o.InitDataIdentity.Namespace, o.InitDataIdentity.ServiceAccount)
		}
		entries[identity.InitDataEntry] = o.InitDataIdentity.InitDataTOML()
	}
	return initdata.Build(o.Algorithm, entries)
}

// FoundInitData is initdata found in a file.
type FoundInitData struct {
	Object   string
	InitData *initdata.InitData
}

// FindInitData reads initdata from raw TOML, an annotation value, or the
// annotations of every workload in a manifest.
func FindInitData(b []byte) ([]FoundInitData, error) {
	if d, err := initdata.Parse(b); err == nil {
		return []FoundInitData{{Object: "file", InitData: d}}, nil
	}
	if d, err := initdata.ParseAnnotation(string(b)); err == nil {
		return []FoundInitData{{Object: "annotation", InitData: d}}, nil
	}
	docs, err := readDocuments(b)
	if err != nil {
		return nil, errors.New("not initdata TOML, an annotation value, or YAML manifests")
	}
	var out []FoundInitData
	for _, doc := range docs {
		path, ok := workloadKinds[doc.node.GetKind()]
		if !ok {
			continue
		}
		tmpl := doc.node
		if path != nil {
			if tmpl, _ = doc.node.Pipe(yaml.Lookup(path...)); tmpl == nil {
				continue
			}
		}
		ann, ok := tmpl.GetAnnotations()[initdata.AnnotationKey]
		if !ok {
			continue
		}
		d, err := initdata.ParseAnnotation(ann)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", doc.node.GetKind(), doc.node.GetName(), err)
		}
		out = append(out, FoundInitData{Object: doc.node.GetKind() + "/" + doc.node.GetName(), InitData: d})
	}
	if len(out) == 0 {
		return nil, errors.New("no initdata annotation found")
	}
	return out, nil
}
