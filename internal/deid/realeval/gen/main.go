// Command gen turns the hand-written markup files of
// internal/deid/testdata/realstyle (*.txt, PHI marked <<TYPE:value>>) into
// gold JSON Lines files (*.jsonl) next to them, after checking every span.
//
//	go run ./internal/deid/realeval/gen -dir internal/deid/testdata/realstyle
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustgate/trustgate/internal/deid/realeval"
)

func main() {
	dir := flag.String("dir", "internal/deid/testdata/realstyle", "folder with *.txt markup files")
	flag.Parse()
	if err := run(*dir); err != nil {
		slog.Error("realeval gen", "err", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return err
	}
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			return err
		}
		notes, err := realeval.ParseMarkup(in)
		in.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		out := strings.TrimSuffix(f, ".txt") + ".jsonl"
		data, err := realeval.MarshalJSONL(notes)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d notes\n", out, len(notes))
	}
	return nil
}
