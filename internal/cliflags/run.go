package cliflags

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// ExitUsage is the exit code of a mistake on the command line.
const ExitUsage = 2

// UsageError is a mistake on the command line (a flag the command does not
// know, a missing argument, a value it refuses): the command prints it on
// one line to stderr and ends with ExitUsage.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef is a UsageError with a formatted message.
func Usagef(format string, a ...any) error {
	return UsageError{fmt.Errorf(format, a...)}
}

// AsUsage marks err (a flag.FlagSet.Parse error, say) as a usage error;
// nil and flag.ErrHelp stay as they are.
func AsUsage(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return UsageError{err}
}

// ExitCode is the exit code for what a command returned: 0 for nil and for
// flag.ErrHelp (help was asked for and printed), ExitUsage for a
// UsageError, 1 for any other error.
func ExitCode(err error) int {
	var ue UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return ExitUsage
	default:
		return 1
	}
}

// Report prints err to stderr as "name: err" (nothing for nil or
// flag.ErrHelp) and returns its ExitCode.
func Report(stderr io.Writer, name string, err error) int {
	code := ExitCode(err)
	if err != nil && code != 0 {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
	return code
}

// SignalContext is the context of a command's run: it ends on SIGINT
// (Ctrl-C) or SIGTERM (systemd, Kubernetes, `trustgate down`).
func SignalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

// Logging holds the two logging flags every long-running binary takes.
// Set Level and Format to the binary's defaults before Register.
type Logging struct {
	Level  string // debug, info, warn or error
	Format string // text or json
}

// Register adds --log-level and --log-format to fs, with l's values as
// their defaults ("info" and "text" where empty).
func (l *Logging) Register(fs *flag.FlagSet) {
	if l.Level == "" {
		l.Level = "info"
	}
	if l.Format == "" {
		l.Format = "text"
	}
	LogFlags(fs, &l.Level, &l.Format)
}

// LogFlags adds --log-level and --log-format to fs, writing to level and
// format, whose values are the defaults: for a binary that keeps them in
// its own configuration (trustee's Config).
func LogFlags(fs *flag.FlagSet, level, format *string) {
	fs.StringVar(level, "log-level", *level, "log level: debug, info, warn or error")
	fs.StringVar(format, "log-format", *format, "log format: text or json")
}

// Logger is the logger the flags ask for, writing to w; a level or format
// it does not know is a UsageError naming the flag.
func (l Logging) Logger(w io.Writer) (*slog.Logger, error) {
	return NewLogger(l.Level, l.Format, w)
}

// NewLogger builds the slog logger for a level (debug, info, warn, error, in
// any case; "" is info) and a format (text or json; "" is text) writing to w.
// A value it does not know is a UsageError naming the flag.
func NewLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if level != "" {
		if err := lvl.UnmarshalText([]byte(level)); err != nil {
			return nil, Usagef("--log-level %q: want debug, info, warn or error", level)
		}
	}
	o := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	default:
		return nil, Usagef("--log-format %q: want text or json", format)
	}
}

// ParseInterspersed parses fs from args where flags may also follow
// positional arguments ("guest image pull IMAGE --dest DIR"); it returns
// the positional arguments in order. "--" ends the flags: everything after
// it is positional. Errors are fs.Parse's (flag.ErrHelp included).
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	pos := []string{}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// DocumentEnv appends "(env PREFIX<FLAG>)" to the usage of every flag of fs
// that does not name its variable yet, so that each --help line says how
// the environment sets it.
func DocumentEnv(fs *flag.FlagSet, prefix string) {
	fs.VisitAll(func(f *flag.Flag) {
		env := EnvName(prefix, f.Name)
		if !strings.Contains(f.Usage, env) {
			f.Usage += " (env " + env + ")"
		}
	})
}
