package main

import (
	"testing"

	"github.com/trustgate/trustgate/internal/deid/tagger"
)

// TestKnobsDefaultIsShipped: without a knob on the command line the score
// tool scores the tagger as shipped; WithOPenalty(DefaultOPenalty) is not
// that tagger (its penalty is baked in whole quanta), which the tool once
// asked for on every run.
func TestKnobsDefaultIsShipped(t *testing.T) {
	tg, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	const note = "Pt seen by Dr. Quaxley 12/4, wife Ebba at bedside, lives in Wiscasset."
	want := tg.Spans(note)
	if got := knobs(map[string]bool{}, float64(tagger.DefaultOPenalty), float64(tagger.DefaultMinConfidence), float64(tagger.DefaultMinConfidenceAcronym))(tg); got != tg {
		t.Errorf("no knob given: got a changed tagger, want the shipped one")
	}
	tuned := knobs(map[string]bool{"o-penalty": true}, 200, 0, 0)(tg)
	if tuned == tg {
		t.Fatalf("o-penalty given: got the shipped tagger")
	}
	if got := tuned.Spans(note); len(got) < len(want) {
		t.Errorf("a larger O penalty found fewer spans: %v against %v", got, want)
	}
}
