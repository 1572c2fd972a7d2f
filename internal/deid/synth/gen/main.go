// Command gen writes generated notes with gold spans as JSON Lines
// ({"text","spans","kind"}), in the real-note styles of
// synth.GenerateRealStyle or the formatted layouts of synth.Generate:
//
//	go run ./internal/deid/synth/gen -style real -n 500 -seed 3 > notes.jsonl
//
// The word lists the generator draws from are extracted by the .mjs
// scripts in this folder (see their headers).
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/trustgate/trustgate/internal/deid/synth"
)

func main() {
	style := flag.String("style", "real", "real (nursing notes, reports, messages in every casing) or formatted")
	n := flag.Int("n", 100, "number of notes")
	seed := flag.Uint64("seed", 1, "seed (the tagger trains on seed 1, dev-gen.jsonl uses 20261204)")
	flag.Parse()
	if err := run(*style, *n, *seed); err != nil {
		slog.Error("synth gen", "err", err)
		os.Exit(1)
	}
}

func run(style string, n int, seed uint64) error {
	if n < 0 || n > 1_000_000 {
		return fmt.Errorf("-n %d out of range", n)
	}
	var (
		notes []synth.Note
		err   error
	)
	switch style {
	case "real":
		notes, err = synth.GenerateRealStyle(seed, n)
	case "formatted":
		notes, err = synth.Generate(seed, n)
	default:
		return fmt.Errorf("unknown -style %q (want real or formatted)", style)
	}
	if err != nil {
		return err
	}
	return synth.WriteJSONL(os.Stdout, notes)
}
