// Command score runs a detector over a realstyle gold file and prints the
// evaluation table, the PHI it missed and its false alarms; -case upper or
// -case lower scores the notes rewritten in one letter case
// (realeval.Recase); the tagger's knobs change only when given on the
// command line.
//
//	go run ./internal/deid/realeval/score -gold internal/deid/testdata/realstyle/dev.jsonl -detector rules
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/trustgate/trustgate/internal/deid/realeval"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

func main() {
	gold := flag.String("gold", "internal/deid/testdata/realstyle/dev.jsonl", "gold JSON Lines file")
	det := flag.String("detector", "rules", "rules, tagger or both")
	misses := flag.Bool("misses", true, "list missed PHI and false alarms")
	model := flag.String("model", "", "tagger model file to use instead of the embedded one")
	oPenalty := flag.Float64("o-penalty", float64(tagger.DefaultOPenalty), "the tagger's recall knob (tagger.WithOPenalty)")
	minConf := flag.Float64("min-confidence", float64(tagger.DefaultMinConfidence), "the confidence a tagger span needs (tagger.WithMinConfidence; 0 keeps every span)")
	recase := flag.String("case", "", "score the notes rewritten in one letter case: upper or lower (realeval.Recase)")
	minConfAcr := flag.Float64("min-confidence-acronym", float64(tagger.DefaultMinConfidenceAcronym), "the confidence a one-word span in capitals outside a capitals note needs")
	flag.Parse()
	// the knobs change the tagger only when set: WithOPenalty(DefaultOPenalty)
	// is not the shipped tagger, whose penalty is baked in whole quanta
	// (50.21 units) with the fast path on
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	tune := knobs(set, *oPenalty, *minConf, *minConfAcr)
	if err := run(*gold, *det, *recase, *misses, *model, tune); err != nil {
		slog.Error("score", "err", err)
		os.Exit(1)
	}
}

// knobs returns what sets the tagger's knobs named in set (the flags given on
// the command line) to the values given; with none it returns the tagger as
// shipped.
func knobs(set map[string]bool, oPenalty, minConf, minConfAcr float64) func(*tagger.Tagger) *tagger.Tagger {
	return func(t *tagger.Tagger) *tagger.Tagger {
		if set["o-penalty"] {
			t = t.WithOPenalty(float32(oPenalty))
		}
		if set["min-confidence"] || set["min-confidence-acronym"] {
			t = t.WithMinConfidence(float32(minConf), float32(minConfAcr))
		}
		return t
	}
}

// run scores detector det on gold; tune sets the tagger's knobs.
func run(gold, det, recase string, misses bool, model string, tune func(*tagger.Tagger) *tagger.Tagger) error {
	notes, err := realeval.LoadJSONL(gold)
	if err != nil {
		return err
	}
	if notes, err = realeval.Recase(notes, recase); err != nil {
		return err
	}
	var opts []realeval.Option
	if model != "" {
		f, err := os.Open(model)
		if err != nil {
			return err
		}
		m, err := tagger.ReadModel(f)
		f.Close()
		if err != nil {
			return err
		}
		opts = append(opts, realeval.WithTagger(tune(tagger.New(m))))
	} else {
		t, err := tagger.Load()
		if err != nil {
			return err
		}
		opts = append(opts, realeval.WithTagger(tune(t)))
	}
	d, err := realeval.NewDetector(det, opts...)
	if err != nil {
		return err
	}
	ev, missed, alarms, err := realeval.Score(context.Background(), notes, d)
	if err != nil {
		return err
	}
	fmt.Printf("%s, detector %s\n", gold, det)
	if recase != "" {
		fmt.Printf("notes rewritten in %s case\n", recase)
	}
	if err := ev.WriteTable(os.Stdout); err != nil {
		return err
	}
	pr := realeval.Project(ev, notes)
	fmt.Printf("false-alarm characters per 1,000 non-PHI characters: %.2f; precision projected at real-note PHI density (%.1f per 1,000): %.3f\n",
		1000*pr.FPRate, 1000*realeval.RealDensity, pr.Precision)
	if misses {
		realeval.WriteMisses(os.Stdout, "missed", missed)
		realeval.WriteMisses(os.Stdout, "false alarms", alarms)
	}
	return nil
}
