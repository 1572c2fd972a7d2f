// Command train trains the PHI tagger on the project's generated corpus and
// writes its weights, reproducibly (fixed seeds, same bytes every run):
//
//	go run ./internal/deid/tagger/train
//
// The corpus is synth.GenerateRealStyle (real clinical-note styles: ICU
// nursing notes in capitals, lower case and mixed case, shorthand, vital-sign
// and ventilator lines, reports, phone messages) plus a share of
// synth.Generate (formatted letters and summaries with e-mails, URLs, IPs).
// No hand-written evaluation note is used.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/synth"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

func main() {
	out := flag.String("out", "internal/deid/tagger/model.bin.gz", "where to write the model")
	nReal := flag.Int("real", 6000, "real-style notes to generate")
	nSynth := flag.Int("synth", 1000, "formatted synthetic notes to generate")
	seed := flag.Uint64("seed", 1, "generator and training seed")
	epochs := flag.Int("epochs", 8, "training epochs")
	flag.Parse()
	if err := run(*out, *nReal, *nSynth, *seed, *epochs); err != nil {
		slog.Error("train", "err", err)
		os.Exit(1)
	}
}

func run(out string, nReal, nSynth int, seed uint64, epochs int) error {
	start := time.Now()
	rs, err := synth.GenerateRealStyle(seed, nReal)
	if err != nil {
		return err
	}
	sy, err := synth.Generate(seed+100, nSynth)
	if err != nil {
		return err
	}
	notes := make([]deid.GoldNote, 0, len(rs)+len(sy))
	for _, n := range append(rs, sy...) {
		notes = append(notes, deid.GoldNote{Text: n.Text, Spans: n.Spans})
	}
	m, err := tagger.Train(notes, tagger.TrainConfig{
		Epochs: epochs, Seed: seed, VocabMin: 3, Prune: 0.05,
		Log: func(s string) { fmt.Fprintln(os.Stderr, s) },
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	f, w, v := m.Stats()
	fmt.Fprintf(os.Stderr, "%d notes, %d features, %d weights, %d vocabulary words, %d bytes, %s\n",
		len(notes), f, w, v, buf.Len(), time.Since(start).Round(time.Second))
	return nil
}
