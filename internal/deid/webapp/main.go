package webapp

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/ner"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

// Main is `deid serve ARGS…`; it returns the process exit code.
func Main(args []string) int {
	return mainWithEnv(args, os.Getenv, os.Stderr)
}

func mainWithEnv(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("deid serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	model := fs.String("model", "", "directory of an ONNX token-classification model (model.onnx, tokenizer.json, config.json) to run next to the rules")
	mode := fs.String("mode", "tags", "redaction of approved notes: tags, numbered or surrogate")
	useTagger := fs.Bool("tagger", true, "run the statistical tagger with the rules (--tagger=false: the rules alone)")
	secretURL := fs.String("secret-url", DefaultSecretURL, "guest local API resource holding the blob connection string")
	attestURL := fs.String("attestation-url", "", "guest local API attestation summary shown in the page header (default: "+AttestationPath+" on --secret-url's host)")
	connEnv := fs.String("connection-string-env", "AZURE_STORAGE_CONNECTION_STRING", "environment variable with the connection string unsealed by `guest run` (used instead of --secret-url when set)")
	container := fs.String("container", "deid-approved", "blob container for approved notes")
	ttl := fs.Duration("session-ttl", 0, "idle time after which a session and its notes are discarded (default 30m)")
	insecure := fs.Bool("insecure-cookie", false, "drop the Secure cookie attribute (plain-HTTP development only)")
	maxBatch := fs.Int("max-batch", 0, "notes per upload (default 500)")
	maxNote := fs.Int("max-note-bytes", 0, "bytes per note (default 1 MiB)")
	maxUpload := fs.Int64("max-upload-bytes", 0, "bytes per upload request (default 16 MiB)")
	logging := cliflags.Logging{Format: "json"}
	logging.Register(fs)
	cliflags.DocumentEnv(fs, "TRUSTGATE_DEID_")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: deid serve [flags]\n\nServes the clinician review app. Every flag can also be set as TRUSTGATE_DEID_<FLAG> (dashes as underscores).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cliflags.ExitCode(cliflags.AsUsage(err)) // flag printed the error; 0 for -h
	}
	if err := cliflags.FromLookup(fs, "TRUSTGATE_DEID_", func(k string) (string, bool) {
		v := getenv(k) // an empty variable counts as unset
		return v, v != ""
	}); err != nil {
		return cliflags.Report(stderr, "deid serve", cliflags.AsUsage(err))
	}
	logger, err := logging.Logger(stderr)
	if err != nil {
		return cliflags.Report(stderr, "deid serve", err)
	}
	m, err := deid.ParseMode(*mode)
	if err != nil {
		return cliflags.Report(stderr, "deid serve", cliflags.AsUsage(err))
	}
	opts := []deid.Option{}
	if *useTagger {
		t, err := tagger.Load()
		if err != nil {
			logger.Error("cannot load the tagger", "err", err)
			return 1
		}
		opts = append(opts, deid.WithRecognizer(t))
	}
	if *model != "" {
		rec, err := ner.Load(*model)
		if err != nil {
			logger.Error("cannot load the NER model", "dir", *model, "err", err)
			return 1
		}
		opts = append(opts, deid.WithRecognizer(rec))
	}
	cfg := Config{
		Addr: *addr, Detector: deid.New(opts...), Mode: m, SecretURL: *secretURL, AttestationURL: *attestURL, Container: *container,
		SessionTTL: *ttl, InsecureCookie: *insecure, MaxBatch: *maxBatch, MaxNoteBytes: *maxNote,
		MaxUploadBytes: *maxUpload, Logger: logger,
	}
	if *connEnv != "" {
		cfg.ConnectionString = getenv(*connEnv)
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if err := Run(ctx, cfg); err != nil {
		logger.Error("deid serve stopped", "err", err)
		return 1
	}
	return 0
}
