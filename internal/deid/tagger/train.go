package tagger

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/trustgate/trustgate/internal/deid"
)

// Types are the PHI types the tagger learns, in tag order. Ages over 89,
// e-mails, URLs and IPs are left to the rules (a number or a pattern, which
// the rules find at recall 1.0 on every set); the tagger treats them as O.
var Types = []deid.Type{deid.TypeName, deid.TypeLocation, deid.TypeDate, deid.TypePhone, deid.TypeID}

// TrainConfig sets the training run.
type TrainConfig struct {
	Epochs int
	Seed   uint64
	// VocabMin: a word seen at least this often outside PHI in the corpus is
	// a known word (its identity is a feature); other words are seen only
	// through shape, case, affixes and lexicon flags, so the model cannot
	// learn the generator's names by heart.
	VocabMin int
	// Dropout is the share of known words shown as unknown in training.
	Dropout float64
	// Prune drops averaged weights smaller than this in absolute value.
	Prune float32
	// Log, when set, receives one line per epoch.
	Log func(string)
}

// example is one note turned into tokens and gold tags.
type example struct {
	toks []token
	gold []uint8
}

// entry is one feature's weights during training (lazy averaging).
type entry struct {
	w     []float32
	total []float64
	ts    []int32
}

type trainer struct {
	m     *Model
	nTags int
	ents  map[fh]*entry
	now   int32
}

func (tr *trainer) add(f fh, scores []float32) {
	if e := tr.ents[f]; e != nil {
		for i, v := range e.w {
			scores[i] += v
		}
	}
}

func (tr *trainer) update(f fh, tag uint8, v float32) {
	e := tr.ents[f]
	if e == nil {
		e = &entry{w: make([]float32, tr.nTags), total: make([]float64, tr.nTags), ts: make([]int32, tr.nTags)}
		tr.ents[f] = e
	}
	e.total[tag] += float64(tr.now-e.ts[tag]) * float64(e.w[tag])
	e.ts[tag] = tr.now
	e.w[tag] += v
}

// Train learns a model from gold notes.
func Train(notes []deid.GoldNote, cfg TrainConfig) (*Model, error) {
	if cfg.Epochs <= 0 {
		cfg.Epochs = 8
	}
	m := &Model{types: Types}
	typeIdx := map[deid.Type]uint8{}
	for i, t := range m.types {
		typeIdx[t] = uint8(i)
	}
	exs := make([]example, 0, len(notes))
	counts := map[string]int{}
	for ni, n := range notes {
		toks := tokenize(n.Text)
		gold, err := goldTags(toks, n.Spans, typeIdx)
		if err != nil {
			return nil, fmt.Errorf("note %d: %w", ni, err)
		}
		for i, t := range toks {
			if gold[i] == 0 {
				counts[strings.ToLower(t.text)]++
			}
		}
		exs = append(exs, example{toks: toks, gold: gold})
	}
	var vocab []uint32
	for w, c := range counts {
		if c >= cfg.VocabMin {
			vocab = append(vocab, uint32(newF('v').s(w)))
		}
	}
	m.setVocab(vocab)
	tr := &trainer{m: m, nTags: m.nTags(), ents: map[fh]*entry{}}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x7a66))
	var feats []fh
	scores := make([]float32, tr.nTags)
	for epoch := range cfg.Epochs {
		order := r.Perm(len(exs))
		errs, total := 0, 0
		for _, ei := range order {
			ex := exs[ei]
			ws := make([]wordInfo, len(ex.toks))
			for i, t := range ex.toks {
				ws[i] = m.info(t)
				// word dropout: now and then a known word is seen as an
				// unknown one, so the features of unknown words (shape,
				// case, affixes, lexicon flags) learn from clinical words
				// too and not only from names
				if ws[i].known && ws[i].alpha && r.Float64() < cfg.Dropout {
					ws[i].known = false
				}
			}
			casing := noteCasing(ex.toks)
			pred := make([]uint8, len(ex.toks))
			for i := range ex.toks {
				tr.now++
				var p1, p2 uint8
				if i > 0 {
					p1 = pred[i-1]
				}
				if i > 1 {
					p2 = pred[i-2]
				}
				feats = staticFeatures(feats[:0], ws, ex.toks, i, casing)
				feats = tagFeatures(feats, ws, i, p1, p2)
				clear(scores)
				for _, f := range feats {
					tr.add(f, scores)
				}
				p := best(scores, p1)
				g := ex.gold[i]
				if p != g {
					errs++
					for _, f := range feats {
						tr.update(f, g, 1)
						tr.update(f, p, -1)
					}
				}
				pred[i] = p
				total++
			}
		}
		if cfg.Log != nil {
			cfg.Log(fmt.Sprintf("epoch %d: %d of %d tokens wrong (%.4f), %d features", epoch+1, errs, total, float64(errs)/float64(total), len(tr.ents)))
		}
	}
	return tr.finish(cfg.Prune)
}

// finish averages, prunes and quantizes the weights into a Model.
func (tr *trainer) finish(prune float32) (*Model, error) {
	type feat struct {
		full fh
		key  uint32
		tags []uint8
		vals []float32
	}
	var feats []feat
	var maxAbs float32
	for f, e := range tr.ents {
		var ft feat
		for t := range e.w {
			tot := e.total[t] + float64(tr.now-e.ts[t])*float64(e.w[t])
			avg := float32(tot / float64(tr.now))
			if avg > -prune && avg < prune {
				continue
			}
			ft.tags = append(ft.tags, uint8(t))
			ft.vals = append(ft.vals, avg)
			maxAbs = max(maxAbs, float32(math.Abs(float64(avg))))
		}
		if len(ft.tags) > 0 {
			ft.key, ft.full = fold(f), f
			feats = append(feats, ft)
		}
	}
	// merge features whose folded keys collide (rare): sum their weights
	slices.SortFunc(feats, func(a, b feat) int {
		if a.key != b.key {
			return int(int64(a.key) - int64(b.key))
		}
		if a.full < b.full {
			return -1
		}
		return 1
	})
	merged := feats[:0]
	for _, f := range feats {
		if n := len(merged); n > 0 && merged[n-1].key == f.key {
			last := &merged[n-1]
			for i, t := range f.tags {
				if j := slices.Index(last.tags, t); j >= 0 {
					last.vals[j] += f.vals[i]
				} else {
					last.tags = append(last.tags, t)
					last.vals = append(last.vals, f.vals[i])
				}
			}
			continue
		}
		merged = append(merged, f)
	}
	scale := maxAbs / 32767
	if scale == 0 {
		scale = 1
	}
	m := tr.m
	m.scale = scale
	keys := make([]uint32, len(merged))
	weights := make([][]weight, len(merged))
	for i, f := range merged {
		keys[i] = f.key
		for j, t := range f.tags {
			weights[i] = append(weights[i], weight{t, int16(math.Round(float64(f.vals[j] / scale)))})
		}
	}
	if err := m.buildTable(keys, weights); err != nil {
		return nil, err
	}
	return m, nil
}

// goldTags gives each token the B/I tag of the gold span holding its first
// code point.
func goldTags(toks []token, spans []deid.Span, typeIdx map[deid.Type]uint8) ([]uint8, error) {
	tags := make([]uint8, len(toks))
	si := 0
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b deid.Span) int { return a.Start - b.Start })
	prevSpan := -1
	for i, t := range toks {
		for si < len(sorted) && sorted[si].End <= t.start {
			si++
		}
		if si < len(sorted) && sorted[si].Start <= t.start {
			k, ok := typeIdx[sorted[si].Type]
			if !ok {
				continue
			}
			if prevSpan == si && i > 0 && tags[i-1] != 0 {
				tags[i] = 2 + 2*k
			} else {
				tags[i] = 1 + 2*k
			}
			prevSpan = si
		}
	}
	return tags, nil
}
