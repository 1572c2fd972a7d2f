// Package cli implements the deid command: redact, detect, eval, synth and
// serve. It lives here rather than in cmd/deid so tests can run it in-process.
//
// The note text read on stdin never reaches stderr or a log: errors name the
// line number and the reason only.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/ner"
	"github.com/trustgate/trustgate/internal/deid/synth"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

const usage = `usage: deid <command> [flags]

commands:
  redact  [--mode tags|numbered|surrogate] [--seed N] [--tagger=false] [--model DIR] [FILE]
                                         one note (FILE, or stdin) → redacted text on stdout
  detect  [--tagger=false] [--model DIR] JSON Lines {"text": …} on stdin → {"spans":[…]} per line on stdout
  eval    [--tagger=false] [--model DIR] [--json] FILE  JSON Lines {"text", "spans"} → precision/recall/F1 per type
  synth   [--n 500] [--seed 1]           synthetic notes with gold spans (JSON Lines) on stdout
  serve   …                              the review web app (see docs/deid.md)

Every flag can also be set as TRUSTGATE_DEID_<FLAG> (e.g. TRUSTGATE_DEID_MODE=numbered).
`

// Serve runs the web app; set by cmd/deid so this package does not depend on it.
var Serve func(args []string) int

// Main runs the command and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return cliflags.ExitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "redact":
		err = redact(rest, stdin, stdout)
	case "detect":
		err = detect(rest, stdin, stdout)
	case "eval":
		err = eval(rest, stdout)
	case "synth":
		err = synthCmd(rest, stdout)
	case "serve":
		if Serve == nil {
			fmt.Fprintln(stderr, "deid serve: the web app is not built into this binary")
			return cliflags.ExitUsage
		}
		return Serve(rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "deid: unknown command %q\n%s", cmd, usage)
		return cliflags.ExitUsage
	}
	return cliflags.Report(stderr, "deid "+cmd, err)
}

// newFlags returns a FlagSet whose defaults come from TRUSTGATE_DEID_<FLAG>.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("deid "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args, printing the flags to stdout for -h, then reads
// TRUSTGATE_DEID_<FLAG> for the flags not given.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	cliflags.DocumentEnv(fs, "TRUSTGATE_DEID_")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: %s [flags]\n", fs.Name())
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return cliflags.AsUsage(err)
	}
	return cliflags.AsUsage(cliflags.EnvDefaults(fs, "TRUSTGATE_DEID_"))
}

// engine builds the detectors in order: the rules, the statistical tagger
// (unless --tagger=false), the transformer model (--model DIR).
func engine(model string, useTagger bool) (*deid.Engine, error) {
	var opts []deid.Option
	if useTagger {
		t, err := tagger.Load()
		if err != nil {
			return nil, fmt.Errorf("load tagger: %w", err)
		}
		opts = append(opts, deid.WithRecognizer(t))
	}
	if model != "" {
		r, err := ner.Load(model)
		if err != nil {
			return nil, fmt.Errorf("load model: %w", err)
		}
		opts = append(opts, deid.WithRecognizer(r))
	}
	return deid.New(opts...), nil
}

// taggerFlag adds --tagger (default on) to fs.
func taggerFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("tagger", true, "run the statistical tagger (internal/deid/tagger) with the rules; --tagger=false for the rules alone")
}

func redact(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlags("redact")
	mode := fs.String("mode", "tags", "tags, numbered or surrogate")
	seed := fs.Uint64("seed", 0, "surrogate seed (0: random)")
	model := fs.String("model", "", "folder of an ONNX token-classification model to add to the rules")
	useTagger := taggerFlag(fs)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	m, err := deid.ParseMode(*mode)
	if err != nil {
		return cliflags.UsageError{Err: err}
	}
	in, name := stdin, "stdin"
	switch fs.NArg() {
	case 0:
	case 1:
		if p := fs.Arg(0); p != "-" {
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("open note: %w", err) // the path, never the text
			}
			defer f.Close()
			in, name = f, p
		}
	default:
		return cliflags.Usagef("redact takes at most one FILE, got %d", fs.NArg())
	}
	e, err := engine(*model, *useTagger)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(in, deid.DefaultMaxBytes+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	text := string(data)
	spans, err := e.Detect(context.Background(), text)
	if err != nil {
		return err
	}
	var opts []deid.RedactOption
	if *seed != 0 {
		opts = append(opts, deid.WithSeed(*seed))
	}
	out, err := deid.Redact(text, spans, m, opts...)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, out)
	return err
}

type detectOut struct {
	Spans []deid.Span `json:"spans"`
	Error string      `json:"error,omitempty"`
}

// detect answers every input line with one output line; a bad line gets an
// "error" member (never its text) so the lines stay aligned.
func detect(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlags("detect")
	model := fs.String("model", "", "folder of an ONNX token-classification model to add to the rules")
	useTagger := taggerFlag(fs)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	e, err := engine(*model, *useTagger)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	br := bufio.NewReaderSize(stdin, 64<<10)
	bad := 0
	for line := 1; ; line++ {
		data, rerr := deid.ReadLine(br)
		if rerr == io.EOF && len(data) == 0 {
			break
		}
		if rerr != nil && rerr != io.EOF && !errors.Is(rerr, deid.ErrLineTooLong) {
			return fmt.Errorf("line %d: %w", line, rerr)
		}
		var out detectOut
		derr := rerr
		if rerr == nil || rerr == io.EOF {
			var n deid.GoldNote
			n, derr = deid.DecodeNote(data)
			if derr == nil {
				out.Spans, derr = e.Detect(context.Background(), n.Text)
			}
		}
		if derr != nil {
			out.Error = derr.Error()
			bad++
		}
		if out.Spans == nil {
			out.Spans = []deid.Span{}
		}
		for i := range out.Spans {
			out.Spans[i].Recognizer = ""
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
		if rerr == io.EOF {
			break
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d line(s) could not be processed (see their \"error\" members)", bad)
	}
	return nil
}

func eval(args []string, stdout io.Writer) error {
	fs := newFlags("eval")
	model := fs.String("model", "", "folder of an ONNX token-classification model to add to the rules")
	useTagger := taggerFlag(fs)
	asJSON := fs.Bool("json", false, "print the evaluation as JSON")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cliflags.Usagef("want exactly one FILE")
	}
	e, err := engine(*model, *useTagger)
	if err != nil {
		return err
	}
	ev, err := EvaluateFile(context.Background(), e, fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ev)
	}
	return ev.WriteTable(stdout)
}

// EvaluateFile runs e over every note of a gold JSON Lines file.
func EvaluateFile(ctx context.Context, e *deid.Engine, path string) (*deid.Evaluation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ev := deid.NewEvaluation()
	err = deid.ReadJSONL(f, func(line int, n deid.GoldNote) error {
		pred, err := e.Detect(ctx, n.Text)
		if err != nil && !errors.Is(err, deid.ErrEmpty) {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := ev.Add(n.Text, n.Spans, pred); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", path, err)
	}
	return ev, nil
}

func synthCmd(args []string, stdout io.Writer) error {
	fs := newFlags("synth")
	n := fs.Int("n", 500, "number of notes")
	seed := fs.Uint64("seed", 1, "generator seed")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *n < 0 || *n > 1_000_000 {
		return cliflags.Usagef("--n must be between 0 and 1000000")
	}
	notes, err := synth.Generate(*seed, *n)
	if err != nil {
		return err
	}
	return synth.WriteJSONL(stdout, notes)
}
