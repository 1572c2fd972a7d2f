// Package tagger is a statistical PHI tagger: an averaged perceptron over
// token features (word if known, shape, case, the note's casing, lexicon
// flags, neighbouring words and shapes, the two tags before), decoded
// greedily left to right into B/I/O tags per PHI type.
//
// It is trained by one reproducible command on the project's generated
// corpus (go run ./internal/deid/tagger/train, fixed seed; see README.md)
// and its weights are embedded (model.bin.gz), loaded once per process.
// A Tagger is a deid.Recognizer, so the rule engine can combine it:
//
//	t, err := tagger.Load()
//	e := deid.New(deid.WithRecognizer(t))
package tagger

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/trustgate/trustgate/internal/deid"
)

//go:embed model.bin.gz
var modelGz []byte

// Name is the recognizer name on the spans a Tagger finds.
const Name = "tagger"

// Tagger tags PHI in clinical text. It is read-only after Load and safe for
// concurrent use.
type Tagger struct {
	m *Model
	// oPenalty is subtracted from the score of O (no PHI) at every token:
	// the recall knob (a missed name is a leak, an extra tag a lost word).
	oPenalty float32
	fixed    *fixed
	pool     *sync.Pool // of *wordCache
}

// Model is a trained set of weights.
type Model struct {
	types []deid.Type // tag 0 is O; B-types[k] is 1+2k, I-types[k] is 2+2k
	vocab map[uint32]bool
	// open-addressing table of features (key 0 = empty slot); a slot holds
	// the feature's key and where its entries lie, so one look-up costs one
	// cache line for the slot and one for the entries
	table []slot
	mask  uint32
	ents  []uint32 // tag<<16 | uint16(quantized weight)
	scale float32  // weight = quantized * scale
}

type slot struct{ key, start, end uint32 }

var (
	loadOnce sync.Once
	loaded   *Tagger
	loadErr  error
)

// Load returns the embedded model, decoded on the first call.
func Load() (*Tagger, error) {
	loadOnce.Do(func() {
		m, err := ReadModel(bytes.NewReader(modelGz))
		if err != nil {
			loadErr = fmt.Errorf("tagger: embedded model: %w", err)
			return
		}
		loaded = New(m)
	})
	return loaded, loadErr
}

// New wraps a model (from ReadModel or Train) as a Tagger.
func New(m *Model) *Tagger {
	return &Tagger{m: m, fixed: m.fixedWeights(), pool: newCachePool(), oPenalty: DefaultOPenalty}
}

// DefaultOPenalty is the recall knob's setting, chosen on the development
// notes (see README.md).
const DefaultOPenalty float32 = 0

// WithOPenalty returns a copy of t that favours PHI tags by p (in weight
// units; 0 is the plain model).
func (t *Tagger) WithOPenalty(p float32) *Tagger {
	c := *t
	c.oPenalty = p
	return &c
}

// Name implements deid.Recognizer.
func (t *Tagger) Name() string { return Name }

// Recognize implements deid.Recognizer.
func (t *Tagger) Recognize(ctx context.Context, text string) ([]deid.Span, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t.Spans(text), nil
}

// Spans returns the PHI spans the model finds in text, in order, without
// overlap, in code points. Any input is accepted (invalid UTF-8 bytes count
// as one code point each); the cost is linear in the length of the text.
func (t *Tagger) Spans(text string) []deid.Span {
	c := t.pool.Get().(*wordCache)
	defer t.pool.Put(c)
	defer c.release()
	c.toks = tokenizeInto(c.toks[:0], text)
	tags := t.tagCached(c, c.toks)
	return t.m.spans(c.toks, tags)
}

func (m *Model) nTags() int { return 1 + 2*len(m.types) }

// tag decodes greedily; scorer adds the weights of one feature.
func (m *Model) tag(toks []token) []uint8 {
	return decode(m, toks, m.addWeights)
}

func (m *Model) addWeights(f fh, scores []float32) {
	k := fold(f)
	for s := k & m.mask; ; s = (s + 1) & m.mask {
		sl := &m.table[s]
		if sl.key == 0 {
			return
		}
		if sl.key == k {
			for _, e := range m.ents[sl.start:sl.end] {
				scores[e>>16] += float32(int16(uint16(e))) * m.scale
			}
			return
		}
	}
}

// fold turns a 64-bit feature hash into a non-zero 32-bit table key.
func fold(f fh) uint32 {
	k := uint32(f) ^ uint32(f>>32)
	if k == 0 {
		k = 1
	}
	return k
}

// decode tags tokens left to right; I-X may only follow B-X or I-X.
func decode(m *Model, toks []token, add func(fh, []float32)) []uint8 {
	ws := make([]wordInfo, len(toks))
	for i, t := range toks {
		ws[i] = m.info(t)
	}
	casing := noteCasing(toks)
	tags := make([]uint8, len(toks))
	scores := make([]float32, m.nTags())
	var feats []fh
	for i := range toks {
		var p1, p2 uint8
		if i > 0 {
			p1 = tags[i-1]
		}
		if i > 1 {
			p2 = tags[i-2]
		}
		feats = staticFeatures(feats[:0], ws, toks, i, casing)
		feats = tagFeatures(feats, ws, i, p1, p2)
		clear(scores)
		for _, f := range feats {
			add(f, scores)
		}
		tags[i] = best(scores, p1)
	}
	return tags
}

func best(scores []float32, prev uint8) uint8 {
	bi, bv := 0, float32(math.Inf(-1))
	for i, v := range scores {
		if i > 0 && i%2 == 0 { // an I tag
			if prev != uint8(i) && prev != uint8(i-1) {
				continue
			}
		}
		if v > bv {
			bi, bv = i, v
		}
	}
	return uint8(bi)
}

func (m *Model) spans(toks []token, tags []uint8) []deid.Span {
	var out []deid.Span
	for i := 0; i < len(toks); i++ {
		if tags[i] == 0 {
			continue
		}
		k := (tags[i] - 1) / 2
		j := i
		for j+1 < len(toks) && tags[j+1] == 2+2*k {
			j++
		}
		out = append(out, deid.Span{Start: toks[i].start, End: toks[j].end, Type: m.types[k], Recognizer: Name})
		i = j
	}
	return out
}

// ---- file format ------------------------------------------------------------

var magic = []byte("DTAG1\n")

// Limits a model file must respect; ReadModel rejects anything larger.
const (
	maxTypes    = 15 // 31 tags at most: wordVecs.xDone has a bit per tag
	maxFeatures = 1 << 22
	maxVocab    = 1 << 20
)

// ReadModel decodes a gzip-compressed model file.
func ReadModel(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil {
		return nil, err
	}
	d := &decoder{b: data}
	if !bytes.Equal(d.bytes(len(magic)), magic) {
		return nil, errors.New("not a tagger model")
	}
	m := &Model{vocab: map[uint32]bool{}}
	nt := int(d.u8())
	if nt == 0 || nt > maxTypes {
		return nil, errors.New("bad type count")
	}
	for range nt {
		s := string(d.bytes(int(d.u8())))
		t, err := deid.ParseType(s)
		if err != nil {
			return nil, err
		}
		m.types = append(m.types, t)
	}
	nv := int(d.u32())
	if nv > maxVocab {
		return nil, errors.New("vocabulary too large")
	}
	for range nv {
		m.vocab[d.u32()] = true
	}
	m.scale = math.Float32frombits(d.u32())
	nf := int(d.u32())
	if nf > maxFeatures {
		return nil, errors.New("too many features")
	}
	slots := 1
	for slots < 2*nf+1 {
		slots <<= 1
	}
	m.table, m.mask = make([]slot, slots), uint32(slots-1)
	m.ents = make([]uint32, 0, 4*nf)
	nTags := m.nTags()
	for range nf {
		key := d.u32()
		c := int(d.u8())
		start := uint32(len(m.ents))
		for range c {
			tag := d.u8()
			q := d.u16()
			if int(tag) >= nTags {
				return nil, errors.New("tag out of range")
			}
			m.ents = append(m.ents, uint32(tag)<<16|uint32(q))
		}
		if key == 0 {
			return nil, errors.New("zero feature key")
		}
		if err := m.insert(slot{key, start, uint32(len(m.ents))}); err != nil {
			return nil, err
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return m, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.err = io.ErrUnexpectedEOF
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	b := d.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) u16() uint16 {
	b := d.bytes(2)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

func (d *decoder) u32() uint32 {
	b := d.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (m *Model) insert(sl slot) error {
	s := sl.key & m.mask
	for m.table[s].key != 0 {
		if m.table[s].key == sl.key {
			return errors.New("duplicate feature key")
		}
		s = (s + 1) & m.mask
	}
	m.table[s] = sl
	return nil
}

// features returns the occupied slots in order of their entries.
func (m *Model) features() []slot {
	var out []slot
	for _, sl := range m.table {
		if sl.key != 0 {
			out = append(out, sl)
		}
	}
	slices.SortFunc(out, func(a, b slot) int { return int(a.start) - int(b.start) })
	return out
}

// Stats describes a model's size.
func (m *Model) Stats() (features, weights, vocab int) {
	return len(m.features()), len(m.ents), len(m.vocab)
}

var _ deid.Recognizer = (*Tagger)(nil)
