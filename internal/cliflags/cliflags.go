// Package cliflags holds the conventions every trustgate command line
// follows, on top of the standard flag package: PREFIX<FLAG> environment
// variables, help, usage errors (exit code 2), the logging flags and the
// signal-aware context.
//
// Each flag can also be given as an environment variable, PREFIX plus the
// flag name in upper case with dashes as underscores (--token-key under
// DASHBOARD_ is DASHBOARD_TOKEN_KEY). The command line wins over the
// environment, and a value the flag refuses is an error naming the
// variable, so that a typo stops the start instead of being ignored.
//
// Long-running binaries register --log-level and --log-format with Logging
// (or LogFlags) and build their *slog.Logger with it; every command returns
// a UsageError for a mistake on its command line and reports it with
// Report, which picks the exit code; SignalContext is the context of a
// run.
package cliflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// EnvName is the environment variable for the flag name under prefix.
func EnvName(prefix, name string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// EnvDefaults sets every flag of fs that the command line did not set from
// its environment variable (see EnvName). Call it after fs.Parse.
func EnvDefaults(fs *flag.FlagSet, prefix string) error {
	return FromLookup(fs, prefix, os.LookupEnv)
}

// FromLookup is EnvDefaults reading variables through lookup, for commands
// that take their environment as a parameter.
func FromLookup(fs *flag.FlagSet, prefix string, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := EnvName(prefix, f.Name)
		if v, ok := lookup(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		}
	})
	return err
}

// Parse is the command-line front of a trustgate binary: `help`, `-h` and
// `--help` print the usage (summary, then the flags) to stdout and end with
// code 0; a flag the set does not know, or a value it refuses, prints one
// line naming the mistake, then a pointer to --help, and ends with code 2;
// then EnvDefaults applies PREFIX variables. Each flag's help line names its
// variable (DocumentEnv). ok is false when the command
// must end with code.
func Parse(fs *flag.FlagSet, args []string, prefix, summary string, stdout, stderr io.Writer) (code int, ok bool) {
	DocumentEnv(fs, prefix)
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: %s [flags]\n\n%s\n\nFlags (each also read from %s<FLAG>, upper case, dashes as underscores):\n",
			fs.Name(), strings.TrimSpace(summary), prefix)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		usage(stdout)
		return 0, false
	}
	fs.SetOutput(io.Discard) // the error is printed below, on one line
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0, false
		}
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for the flags.\n", fs.Name(), err, fs.Name())
		return 2, false
	}
	fs.SetOutput(stderr)
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags start with --; run '%s --help')\n", fs.Name(), fs.Arg(0), fs.Name())
		return 2, false
	}
	if err := EnvDefaults(fs, prefix); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return 2, false
	}
	return 0, true
}
