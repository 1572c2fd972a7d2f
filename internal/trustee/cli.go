package trustee

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/attest/verifycli"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// VerifyMain runs `trustee verify …` (offline verification of evidence);
// a variable so that tests can observe the dispatch.
var VerifyMain = verifycli.Main

const usage = `trustee: attestation-gated secret release (KBS protocol 0.4.0)

usage:
  trustee serve [flags]            run the server (trustee serve -h for flags)
  trustee admin [flags] COMMAND    call the admin API (trustee admin -h)
  trustee verify …                 verify evidence offline
  trustee bench [flags]            load-test a server with sample-TEE guests
`

// Main is the trustee command line; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return cliflags.ExitUsage
	}
	switch args[0] {
	case "serve":
		return serveMain(args[1:], stderr)
	case "admin":
		return adminMain(args[1:], stdout, stderr, os.Getenv)
	case "verify":
		if VerifyMain == nil {
			fmt.Fprintln(stderr, "trustee verify: offline verification is not available in this build")
			return cliflags.ExitUsage
		}
		return VerifyMain(args[1:], stdout, stderr)
	case "bench":
		return benchMain(args[1:], stdout, stderr)
	case "bench-load": // the load generator process of trustee bench
		if os.Getenv(benchLoadEnv) != "1" {
			fmt.Fprintf(stderr, "trustee: unknown command %q\n%s", args[0], usage)
			return cliflags.ExitUsage
		}
		return BenchLoadMain(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "trustee: unknown command %q\n%s", args[0], usage)
		return cliflags.ExitUsage
	}
}

func serveMain(args []string, stderr io.Writer) int {
	cfg, err := ParseServeFlags(args, os.Getenv)
	if err != nil {
		// Every configuration mistake is a usage error (exit 2).
		return cliflags.Report(stderr, "trustee serve", cliflags.AsUsage(err))
	}
	TuneGC()
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if err := Run(ctx, cfg, Options{Out: stderr, Logger: NewLogger(cfg, stderr)}); err != nil {
		fmt.Fprintf(stderr, "trustee serve: %v\n", err)
		return 1
	}
	return 0
}

const adminUsage = `usage: trustee admin --url URL --key ADMIN_KEY [--cacert FILE | --insecure] COMMAND [ARGS]

commands:
  set-resource REPO/TYPE/TAG FILE|-        store a secret (from a file or stdin)
  delete-resource REPO/TYPE/TAG
  list-resources                           names only: values are never returned
  set-resource-policy FILE|-               upload the resource policy (Rego)
  get-resource-policy
  set-attestation-policy [--id default_cpu] FILE|-
  get-attestation-policy [ID]
  list-attestation-policies
  set-reference-value NAME VALUE... [--expires 720h|RFC3339] [--tee TEE]
  register-reference-value [--tee TEE] FILE|-   send a raw RVPS "sample" message
                                          (--tee: the TEE an init_data digest is for; without it
                                          only a digest every hardware TEE binds, sha256, is taken)
  get-reference-value NAME
  list-reference-values
  delete-reference-value NAME
  audit [--since ID|RFC3339] [--limit N] [--follow]
  audit --explain ID                       print the whole decision of one event (why it was refused)
  audit export [--since ID|RFC3339] [--output FILE]
                                           every event as JSON Lines (archive before pruning)
  rotate-kek                               re-encrypt stored secrets under a new KEK
  rotate-token-key                         new token signing key; tokens of the previous
                                           one stay valid until they expire
  collateral export [FILE|-]               write the collateral cache as a bundle (default stdout)
  collateral import FILE|-                 load a collateral bundle (air-gapped sites)
  import BUNDLE|-                          load a cocofy offline bundle (plain or encrypted):
                                           set its resources, merge its reference values
  import-key                               print the bundle import public key (for cocofy --import-key)
  token-key                                print the token verification public key (dashboard --token-key)
  token-keys                               print every token verification key as a JWKS (current first)

import-key, token-key and token-keys need no --key.

flags also read TRUSTEE_ADMIN_URL, TRUSTEE_ADMIN_KEY, TRUSTEE_ADMIN_CACERT, TRUSTEE_ADMIN_INSECURE.
`

// adminFlags are the flags of the admin commands (--since, --id…); like
// the global ones they may come before or after the command and its
// arguments.
var adminFlags = []struct{ name, usage string }{
	{"id", "set-attestation-policy: the policy id (default default_cpu)"},
	{"expires", "set-reference-value: expiry, a duration (720h) or an RFC 3339 time"},
	{"tee", "set-reference-value, register-reference-value: the TEE the value is for"},
	{"since", "audit: events after this event id or RFC 3339 time"},
	{"limit", "audit: at most this many events"},
	{"explain", "audit: print the whole decision of this event id"},
	{"output", "audit export: file to write (default stdout)"},
}

// AdminEnvPrefix is the prefix of `trustee admin`'s variables. Only the
// connection flags have one (adminEnv): TRUSTEE_ADMIN_URL, _KEY, _CACERT
// and _INSECURE.
const AdminEnvPrefix = "TRUSTEE_ADMIN_"

var adminEnv = map[string]bool{
	AdminEnvPrefix + "URL": true, AdminEnvPrefix + "KEY": true,
	AdminEnvPrefix + "CACERT": true, AdminEnvPrefix + "INSECURE": true,
}

func adminMain(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("trustee admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, adminUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	u := fs.String("url", "", "trustee URL, e.g. https://127.0.0.1:8080 (env TRUSTEE_ADMIN_URL)")
	key := fs.String("key", "", "admin private key (PKCS#8 PEM), e.g. trustee-data/admin.key (env TRUSTEE_ADMIN_KEY)")
	ca := fs.String("cacert", "", "PEM certificate to trust, e.g. trustee-data/tls.crt (env TRUSTEE_ADMIN_CACERT)")
	insecure := fs.Bool("insecure", false, "skip TLS certificate verification (development only; env TRUSTEE_ADMIN_INSECURE, true or false)")
	for _, f := range adminFlags {
		fs.String(f.name, "", f.usage)
	}
	fs.Bool("follow", false, "audit: keep printing new events")
	// usageErr says what was wrong on the first line, then the usage.
	usageErr := func(msg string) int {
		fmt.Fprintf(stderr, "trustee admin: %s\n\n", msg)
		printUsage(stderr)
		return cliflags.ExitUsage
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			printUsage(stdout)
			return 0
		}
	}
	rest, perr := cliflags.ParseInterspersed(fs, args)
	if perr != nil {
		return usageErr(perr.Error())
	}
	// The connection flags (only those) read TRUSTEE_ADMIN_<FLAG> when not
	// given; an empty variable counts as unset, and a value the flag refuses
	// (TRUSTEE_ADMIN_INSECURE=yes) is a usage error, not a silent false.
	lookup := func(k string) (string, bool) {
		if !adminEnv[k] {
			return "", false
		}
		v := getenv(k)
		return v, v != ""
	}
	if err := cliflags.FromLookup(fs, AdminEnvPrefix, lookup); err != nil {
		return usageErr(err.Error())
	}
	if len(rest) == 0 {
		return usageErr("no command given (e.g. list-resources)")
	}
	if rest[0] == "help" {
		printUsage(stdout)
		return 0
	}
	public := rest[0] == "token-key" || rest[0] == "token-keys" || rest[0] == "import-key"
	if *u == "" {
		return usageErr("missing --url (or TRUSTEE_ADMIN_URL): the address trustee serve printed, e.g. --url https://127.0.0.1:8080")
	}
	if *key == "" && !public {
		return usageErr("missing --key (or TRUSTEE_ADMIN_KEY): the admin private key" + kbsadmin.KeyHint())
	}
	if !public {
		if _, err := os.Stat(*key); err != nil {
			fmt.Fprintf(stderr, "trustee admin: --key %s: %v%s\n", *key, errors.Unwrap(err), kbsadmin.KeyHint())
			return cliflags.ExitUsage
		}
	}
	c, err := kbsadmin.New(*u, *key, kbsadmin.TLSOptions{CACert: *ca, Insecure: *insecure})
	if err != nil {
		fmt.Fprintf(stderr, "trustee admin: %v\n", err)
		return 1
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	fl := map[string]string{} // the command flags given
	fs.Visit(func(f *flag.Flag) { fl[f.Name] = f.Value.String() })
	return cliflags.Report(stderr, "trustee admin "+rest[0], runAdmin(ctx, c, rest[0], fl, rest[1:], stdout))
}

// TuneGC sets the garbage collector for a trustee process, unless the
// operator set GOGC or GOMEMLIMIT: GOGC=DefaultGCPercent (a handshake
// allocates about 0.1 MB that dies at once; collecting less often than at
// Go's default cut server CPU per handshake by about 12 % in trustee bench)
// with a DefaultMemoryLimit soft limit, so that the larger heap target
// never grows past it.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}

// The garbage collector's settings for trustee serve and bench when the
// operator sets neither GOGC nor GOMEMLIMIT. With GOGC=400 the heap may
// grow to five times the live heap between collections (tens of MiB live
// under load); the soft limit makes the collector run more often before
// the heap passes 1 GiB, whatever GOGC says. GOGC=1000 lowered the
// collector's share (2.6-3.4 % to 1.0-2.4 %) but not the CPU per handshake
// (docs/benchmarks.md, round four).
const (
	DefaultGCPercent   = 400
	DefaultMemoryLimit = 1 << 30
)

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
	}
	return os.ReadFile(name)
}

func nargs(pos []string, n int, form string) error {
	if len(pos) != n {
		return cliflags.Usagef("usage: trustee admin … %s", form)
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// parseExpires reads a duration from now ("720h") or an RFC 3339 time.
func parseExpires(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, cliflags.Usagef("--expires must be in the future")
		}
		return time.Now().Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, cliflags.Usagef("--expires: want a duration (720h) or an RFC 3339 time")
	}
	return t, nil
}

// runAdmin runs one admin command; fl holds the command flags given
// (adminFlags and --follow) by name, pos the arguments after the command.
func runAdmin(ctx context.Context, c *kbsadmin.Client, cmd string, fl map[string]string, pos []string, out io.Writer) error {
	switch cmd {
	case "set-resource":
		if err := nargs(pos, 2, "set-resource REPO/TYPE/TAG FILE|-"); err != nil {
			return err
		}
		v, err := readInput(pos[1])
		if err != nil {
			return err
		}
		if err := c.SetResource(ctx, pos[0], v); err != nil {
			return err
		}
		fmt.Fprintf(out, "stored %s (%d bytes)\n", pos[0], len(v))
	case "delete-resource":
		if err := nargs(pos, 1, "delete-resource REPO/TYPE/TAG"); err != nil {
			return err
		}
		if err := c.DeleteResource(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(out, "deleted %s\n", pos[0])
	case "list-resources":
		l, err := c.ListResources(ctx)
		if err != nil {
			return err
		}
		for _, p := range l {
			fmt.Fprintln(out, p)
		}
	case "set-resource-policy":
		if err := nargs(pos, 1, "set-resource-policy FILE|-"); err != nil {
			return err
		}
		src, err := readInput(pos[0])
		if err != nil {
			return err
		}
		if err := c.SetResourcePolicy(ctx, src); err != nil {
			return err
		}
		fmt.Fprintln(out, "resource policy set")
	case "get-resource-policy":
		src, err := c.GetResourcePolicy(ctx)
		if err != nil {
			return err
		}
		_, _ = out.Write(src)
	case "set-attestation-policy":
		if err := nargs(pos, 1, "set-attestation-policy [--id default_cpu] FILE|-"); err != nil {
			return err
		}
		src, err := readInput(pos[0])
		if err != nil {
			return err
		}
		id := fl["id"]
		if id == "" {
			id = "default_cpu"
		}
		if err := c.SetAttestationPolicy(ctx, id, src); err != nil {
			return err
		}
		fmt.Fprintf(out, "attestation policy %s set\n", id)
	case "get-attestation-policy":
		id := "default_cpu"
		if len(pos) == 1 {
			id = pos[0]
		} else if len(pos) > 1 {
			return cliflags.Usagef("usage: trustee admin … get-attestation-policy [ID]")
		}
		src, err := c.GetAttestationPolicy(ctx, id)
		if err != nil {
			return err
		}
		_, _ = out.Write(src)
	case "list-attestation-policies":
		b, err := c.ListAttestationPolicies(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, string(b))
	case "set-reference-value":
		if len(pos) < 2 {
			return cliflags.Usagef("usage: trustee admin … set-reference-value NAME VALUE... [--expires 720h|RFC3339] [--tee TEE]")
		}
		exp, err := parseExpires(fl["expires"])
		if err != nil {
			return err
		}
		vals := make([]any, 0, len(pos)-1)
		for _, v := range pos[1:] {
			vals = append(vals, v)
		}
		if err := c.SetReferenceValueFor(ctx, fl["tee"], pos[0], vals, exp); err != nil {
			return err
		}
		fmt.Fprintf(out, "reference value %s set (%d values)\n", pos[0], len(vals))
	case "register-reference-value":
		if err := nargs(pos, 1, "register-reference-value [--tee TEE] FILE|-"); err != nil {
			return err
		}
		msg, err := readInput(pos[0])
		if err != nil {
			return err
		}
		if err := c.RegisterReferenceValueFor(ctx, fl["tee"], msg); err != nil {
			return err
		}
		fmt.Fprintln(out, "reference values registered")
	case "get-reference-value":
		if err := nargs(pos, 1, "get-reference-value NAME"); err != nil {
			return err
		}
		e, err := c.GetReferenceValue(ctx, pos[0])
		if err != nil {
			return err
		}
		return printJSON(out, e)
	case "list-reference-values":
		l, err := c.ListReferenceValues(ctx)
		if err != nil {
			return err
		}
		return printJSON(out, l)
	case "delete-reference-value":
		if err := nargs(pos, 1, "delete-reference-value NAME"); err != nil {
			return err
		}
		if err := c.DeleteReferenceValue(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(out, "deleted reference value %s\n", pos[0])
	case "audit":
		return runAudit(ctx, c, fl, pos, out)
	case "collateral":
		return runCollateral(ctx, c, pos, out)
	case "import":
		if err := nargs(pos, 1, "import BUNDLE|-"); err != nil {
			return err
		}
		b, err := readInput(pos[0])
		if err != nil {
			return err
		}
		r, err := c.Import(ctx, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "imported %d resources: %s\n", len(r.Resources), strings.Join(r.Resources, " "))
		fmt.Fprintf(out, "merged %d reference values: %s\n", len(r.ReferenceValues), strings.Join(r.ReferenceValues, " "))
	case "import-key", "token-key", "token-keys":
		if err := nargs(pos, 0, cmd); err != nil {
			return err
		}
		get := c.ImportKey
		switch cmd {
		case "token-key":
			get = c.TokenKey
		case "token-keys":
			get = c.TokenKeys
		}
		b, err := get(ctx)
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	case "rotate-kek":
		id, err := c.RotateKEK(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "key-encryption key rotated; new KEK id %s\n", id)
	case "rotate-token-key":
		if err := nargs(pos, 0, cmd); err != nil {
			return err
		}
		kid, prev, err := c.RotateTokenKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "token key rotated; new kid %s; tokens of the previous key %s stay valid until they expire\n", kid, prev)
	default:
		return cliflags.Usagef("unknown admin command %q (trustee admin help lists them)", cmd)
	}
	return nil
}

// runCollateral is `trustee admin collateral export [FILE|-]` and
// `collateral import FILE|-`.
func runCollateral(ctx context.Context, c *kbsadmin.Client, pos []string, out io.Writer) error {
	if len(pos) == 0 {
		return cliflags.Usagef("usage: trustee admin … collateral export [FILE|-] | collateral import FILE|-")
	}
	switch pos[0] {
	case "export":
		if len(pos) > 2 {
			return cliflags.Usagef("usage: trustee admin … collateral export [FILE|-]")
		}
		b, n, err := c.ExportCollateral(ctx)
		if err != nil {
			return err
		}
		if len(pos) == 1 || pos[1] == "-" {
			_, err = out.Write(b)
			return err
		}
		// Collateral is public (vendor certificates, CRLs, TCB info).
		if err := os.WriteFile(pos[1], b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "exported %d collateral entries to %s\n", n, pos[1])
	case "import":
		if err := nargs(pos, 2, "collateral import FILE|-"); err != nil {
			return err
		}
		b, err := readInput(pos[1])
		if err != nil {
			return err
		}
		n, err := c.ImportCollateral(ctx, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "imported %d collateral entries\n", n)
	default:
		return cliflags.Usagef("usage: trustee admin … collateral export [FILE|-] | collateral import FILE|-")
	}
	return nil
}
