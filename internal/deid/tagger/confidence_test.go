package tagger

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

// TestSpanConfidence: the thresholds only take spans away (each span kept
// is one the tagger finds without them), they take some away on the
// development notes (the filter is live for the embedded model, whatever
// it learnt), and names and places after their cues stay. Which spans a
// model is unsure of depends on the model; that the ones dropped are
// mostly false alarms is measured on the evaluation sets (docs/deid.md).
func TestSpanConfidence(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	off := tg.WithMinConfidence(0, 0)
	f, err := os.Open("../testdata/realstyle/dev-gen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kept, dropped := 0, 0
	err = deid.ReadJSONL(f, func(n int, note deid.GoldNote) error {
		all := off.Spans(note.Text)
		for _, sp := range tg.Spans(note.Text) {
			if !slices.Contains(all, sp) {
				t.Errorf("note %d: span %+v kept with the thresholds, not found without them", n, sp)
			}
		}
		got := len(tg.Spans(note.Text))
		kept += got
		dropped += len(all) - got
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dev-gen: %d spans kept, %d dropped by the thresholds", kept, dropped)
	if dropped == 0 {
		t.Error("the thresholds drop no span of dev-gen: the filter is not live")
	}
	// (the model trained on dev-dev29, 2026-12-06, no longer tags "bill" in
	// "son bill in to visit" on its own, with or without the thresholds; the
	// rules do: TestRealStyle in internal/deid, "lower son")
	for _, tc := range []struct{ text, part string }{
		{"son bill called, per dr smithers ok.", "bill"},
		{"son bill in to visit. per dr smithers ok.", "smithers"},
		{"Pt lives with wife Honora in Dundalk.", "Honora"},
		{"Pt lives with wife Honora in Dundalk.", "Dundalk"},
	} {
		if !coversAt(tg.Spans(tc.text), strings.Index(tc.text, tc.part)) {
			t.Errorf("%q: %q not tagged with the thresholds", tc.text, tc.part)
		}
	}
}

// coversAt reports whether a span covers code point at (an ASCII text's
// byte offset).
func coversAt(spans []deid.Span, at int) bool {
	for _, s := range spans {
		if s.Start <= at && at < s.End {
			return true
		}
	}
	return false
}

// TestConfidenceFastEqualsFloat: the confidence of every span of every set
// by the integer sums (confFast) is the float path's (confFloat) to within
// rounding, and no span lies so near its threshold that the two would keep
// different spans; so a model tagged by the float path alone keeps the
// same spans. With and without an O penalty.
func TestConfidenceFastEqualsFloat(t *testing.T) {
	notes, cases := fastFloatCases(t)
	scale := cases[0].fast.m.scale
	for _, c := range cases {
		p, fast, slow, cf, cs := c.p, c.fast, c.slow, c.cf, c.cs
		spans := 0
		for n, text := range notes {
			recs, casing := scanInto(nil, text)
			toks, _ := tokenizeInto(nil, text)
			tags := fast.tagFast(cf, text, recs, casing)
			for _, st := range cf.starts {
				i := int(st)
				j := spanEnd(tags, i)
				for x := i; x <= j && cf.ic.psOK; x++ {
					// the two lanes of the memoised pairs, and the whole sums
					sc := fast.tokenScore(&cf.ic, recs, cf.ic.ws, x, tags)
					if got, want := fast.leadFast(&cf.ic, recs, cf.ic.ws, tags, x), int64(sc[tags[x]])-int64(sc[0]); got != want {
						t.Fatalf("penalty %v, note %d, token %d: lead %d from the pairs' lanes, %d from the sums", p, n, x, got, want)
					}
					// and the lead the run left (scoreRunAVX2, or tagRun after scoreToken)
					if got, want := int64(cf.leads[x]), int64(sc[tags[x]])-int64(sc[0]); got != want {
						t.Fatalf("penalty %v, note %d, token %d: lead %d from the run, %d from the sums", p, n, x, got, want)
					}
				}
				a := fast.confFast(&cf.ic, recs, cf.ic.ws, tags, i, j)
				b := slow.confFloat(cs, toks, casing, tags, i, j)
				// per token two scores, each within 1.76 units of the
				// integer sum (fast.go), and the penalty's rounding
				bound := float64(j-i+1) * (4*float64(scale) + 1e-5*math.Abs(float64(p)))
				if math.Abs(a-b) > bound {
					t.Fatalf("penalty %v, note %d, span at token %d: confidence %v by the sums, %v by the float path", p, n, i, a, b)
				}
				// the early decision of confidentSpan is the full sum's
				for _, th := range []float64{20, 60, a, a - 1e-3, a + 1e-3, a / 2, a - 50, a + 50} {
					if got := fast.confidentSpan(&cf.ic, recs, cf.ic.ws, tags, i, j, th); got != (a >= th) {
						t.Fatalf("penalty %v, note %d, span at token %d: confidence %v, threshold %v: kept %v", p, n, i, a, th, got)
					}
					if p != 0 || th <= 0 {
						continue
					}
					// without a penalty, in integer units
					if got := fast.leadReaches(&cf.ic, recs, cf.ic.ws, tags, i, j, minLead(float32(th), scale)); got != (a >= float64(float32(th))) {
						t.Fatalf("note %d, span at token %d: confidence %v, threshold %v: kept %v in integer units", n, i, a, float32(th), got)
					}
				}
				acr := i == j && isAcronym(&cf.ic.ws[i].cl.info, casing)
				if th := fast.threshold(acr); (a >= th) != (b >= th) {
					t.Errorf("penalty %v, note %d, span at token %d: confidence %v / %v on both sides of %v", p, n, i, a, b, th)
				}
				spans++
			}
			if p == 0 {
				if a, b := fast.Spans(text), slow.Spans(text); !slices.Equal(a, b) {
					t.Fatalf("note %d: fast path %v, float path %v", n, a, b)
				}
			}
		}
		t.Logf("penalty %v: %d spans", p, spans)
	}
}

// TestWeekdayPlurals: the tagger tags weekdays in the plural (a recurring
// schedule, never one date), and the engine drops those spans now that
// they are safe words (lexicon/clinical.txt); a dated weekday stays found.
func TestWeekdayPlurals(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	e := deid.New(deid.WithRecognizer(tg))
	for _, tc := range []struct {
		text, part string
		want       bool
	}{
		{"Warfarin 5 mg on Mondays and Fridays, 2.5 mg other days.", "Mondays", false},
		{"Warfarin 5 mg on Mondays and Fridays, 2.5 mg other days.", "Fridays", false},
		{"Food pantry at the church (open Wednesdays).", "Wednesdays", false},
		{"Methotrexate 15 mg weekly on Sundays; last dose 12/1.", "Sundays", false},
		{"Dialysis Tuesdays, Thursdays and Saturdays at the unit.", "Thursdays", false},
		{"Fell at home on Sunday, brought in by son.", "Sunday", true},
	} {
		spans, err := e.Detect(context.Background(), tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := coversAt(spans, strings.Index(tc.text, tc.part)); got != tc.want {
			t.Errorf("%q: %q found %v, want %v (%v)", tc.text, tc.part, got, tc.want, spans)
		}
	}
}

// TestMinLead: minLead is the least integer lead whose confidence reaches
// the threshold, for any scale.
func TestMinLead(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		scale := float32(math.Ldexp(1+r.Float64(), r.IntN(40)-30))
		th := float32(r.Float64() * 200)
		if r.IntN(4) == 0 { // thresholds on a multiple of the scale
			th = float32(r.IntN(5000)) * scale
		}
		if th <= 0 {
			continue
		}
		l := minLead(th, scale)
		if float64(l)*float64(scale) < float64(th) || float64(l-1)*float64(scale) >= float64(th) {
			t.Fatalf("scale %v, threshold %v: minLead %d", scale, th, l)
		}
	}
	if l := minLead(0, 0.1); l > -1<<40 {
		t.Errorf("threshold 0: minLead %d, want no bound", l)
	}
	// Thresholds far above any lead, or a tiny scale, end at once
	// (review3: the loops never ended once ceil(th/scale) left int64).
	for _, c := range []struct{ th, scale float32 }{{1e30, 1}, {20, 1e-20}, {float32(math.Inf(1)), 0.1}, {20, float32(math.NaN())}} {
		if l := minLead(c.th, c.scale); l != noLead {
			t.Errorf("threshold %v, scale %v: minLead %d, want %d", c.th, c.scale, l, int64(noLead))
		}
	}
}

// TestMinConfidenceUnset: a negative or NaN threshold keeps every span, as
// 0 does, on every path (review3: NaN kept all spans on one path and
// dropped all on the others).
func TestMinConfidenceUnset(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	const note = "pt seen by Dr Quaxley at Mercy clinic on 3/14, son Bill called 555-201-4477"
	want := fmt.Sprint(tg.WithMinConfidence(0, 0).Spans(note))
	nan := float32(math.NaN())
	for _, c := range [][2]float32{{nan, nan}, {-1, -5}, {nan, 0}} {
		for _, p := range []float32{0, 0.001} {
			if got := fmt.Sprint(tg.WithOPenalty(p).WithMinConfidence(c[0], c[1]).Spans(note)); got != want {
				t.Errorf("thresholds %v, O penalty %v: %s, want %s", c, p, got, want)
			}
		}
	}
}
