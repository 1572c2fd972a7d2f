package realeval

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid"
)

// Detector finds spans in one note.
type Detector func(ctx context.Context, text string) ([]deid.Span, error)

// Miss is a gold span of which some non-space characters no predicted span covers.
type Miss struct {
	Type  deid.Type
	Value string
}

// Score runs detect on every note and scores it against the gold spans. It
// also returns the gold spans left at least partly uncovered and the
// predicted spans that cover no gold character (false alarms), for review.
func Score(ctx context.Context, notes []deid.GoldNote, detect Detector) (*deid.Evaluation, []Miss, []Miss, error) {
	ev := deid.NewEvaluation()
	var missed, alarms []Miss
	for i, n := range notes {
		pred, err := detect(ctx, n.Text)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("note %d: %w", i, err)
		}
		if err := ev.Add(n.Text, n.Spans, pred); err != nil {
			return nil, nil, nil, fmt.Errorf("note %d: %w", i, err)
		}
		runes := []rune(n.Text)
		covered := make([]bool, len(runes))
		for _, p := range pred {
			for j := max(p.Start, 0); j < min(p.End, len(runes)); j++ {
				covered[j] = true
			}
		}
		gold := make([]bool, len(runes))
		for _, g := range n.Spans {
			for j := g.Start; j < g.End; j++ {
				gold[j] = true
				if !covered[j] && runes[j] != ' ' {
					missed = append(missed, Miss{g.Type, string(runes[g.Start:g.End])})
					break
				}
			}
		}
		for _, p := range pred {
			hit := false
			for j := max(p.Start, 0); j < min(p.End, len(runes)); j++ {
				hit = hit || gold[j]
			}
			if !hit && p.End <= len(runes) && p.Start >= 0 {
				alarms = append(alarms, Miss{p.Type, string(runes[p.Start:p.End])})
			}
		}
	}
	return ev, missed, alarms, nil
}

// WriteMisses prints misses grouped by type, sorted, with counts.
func WriteMisses(w io.Writer, title string, ms []Miss) {
	count := map[Miss]int{}
	for _, m := range ms {
		count[m]++
	}
	keys := make([]Miss, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Type != keys[j].Type {
			return keys[i].Type < keys[j].Type
		}
		return keys[i].Value < keys[j].Value
	})
	fmt.Fprintf(w, "%s (%d):\n", title, len(ms))
	var line strings.Builder
	var cur deid.Type
	flush := func() {
		if line.Len() > 0 {
			fmt.Fprintf(w, "  %s: %s\n", cur, line.String())
			line.Reset()
		}
	}
	for _, k := range keys {
		if k.Type != cur {
			flush()
			cur = k.Type
		} else {
			line.WriteString(" | ")
		}
		line.WriteString(strings.ReplaceAll(k.Value, "\n", `\n`))
		if c := count[k]; c > 1 {
			fmt.Fprintf(&line, " (x%d)", c)
		}
	}
	flush()
}

// RealDensity is the share of PHI among the non-space characters of real
// ICU nursing notes (about 5 per 1,000, ../shared/docs/deid-real-notes.md).
const RealDensity = 0.005

// Projection restates a score at the PHI density of real notes: the
// evaluation sets hold far more PHI per note than real notes do, which
// flatters precision. FPRate is false-alarm characters per non-PHI
// character; Precision is what precision would be at RealDensity with the
// same recall and false-alarm rate.
type Projection struct {
	FPRate, Precision float64
}

// Project computes the Projection of ev over notes.
func Project(ev *deid.Evaluation, notes []deid.GoldNote) Projection {
	nonPHI := 0
	for _, n := range notes {
		runes := []rune(n.Text)
		gold := make([]bool, len(runes))
		for _, s := range n.Spans {
			for i := s.Start; i < s.End && i < len(runes); i++ {
				gold[i] = true
			}
		}
		for i, r := range runes {
			if !gold[i] && !unicode.IsSpace(r) {
				nonPHI++
			}
		}
	}
	var p Projection
	if nonPHI > 0 {
		p.FPRate = float64(ev.CharOverall.FP) / float64(nonPHI)
	}
	found := ev.CharOverall.Recall() * RealDensity
	if found+p.FPRate*(1-RealDensity) > 0 {
		p.Precision = found / (found + p.FPRate*(1-RealDensity))
	}
	return p
}
