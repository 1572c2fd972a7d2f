// Package deid finds protected health information (PHI) in clinical text and
// replaces it. The rule engine covers every HIPAA Safe Harbor identifier that
// can occur in free text; further recognizers (such as the transformer NER in
// internal/deid/ner) plug in through the Recognizer interface and are merged
// with the rules.
//
// Offsets in every Span are Unicode code points (not bytes), end exclusive, so
// that browsers and Python tooling agree on them.
//
// Nothing in this package logs or puts note text into errors: PHI must never
// reach a log line.
package deid

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"
)

// Type is the category of a PHI span.
type Type string

// The span types. PATIENT/STAFF map to NAME; HOSP/LOC/PATORG map to LOCATION.
const (
	TypeName     Type = "NAME"
	TypeLocation Type = "LOCATION"
	TypeDate     Type = "DATE"
	TypeAge      Type = "AGE"
	TypePhone    Type = "PHONE"
	TypeEmail    Type = "EMAIL"
	TypeURL      Type = "URL"
	TypeIP       Type = "IP"
	TypeID       Type = "ID"
	TypeOther    Type = "OTHER"
)

// Types lists every span type in a stable order.
var Types = []Type{TypeName, TypeLocation, TypeDate, TypeAge, TypePhone, TypeEmail, TypeURL, TypeIP, TypeID, TypeOther}

// ParseType accepts a type name (case-sensitive, as in Types).
func ParseType(s string) (Type, error) {
	for _, t := range Types {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown span type %q", s)
}

// Span is one PHI occurrence: code-point offsets [Start, End), its type and
// the recognizer that found it.
type Span struct {
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Type       Type   `json:"type"`
	Recognizer string `json:"recognizer,omitempty"`
}

// Recognizer finds PHI spans in a text. Implementations must be safe for
// concurrent use and must return code-point offsets.
type Recognizer interface {
	Name() string
	Recognize(ctx context.Context, text string) ([]Span, error)
}

// Input errors. They never contain the text itself.
var (
	ErrEmpty       = errors.New("deid: text is empty")
	ErrInvalidUTF8 = errors.New("deid: text is not valid UTF-8")
	ErrTooLong     = errors.New("deid: text is too long")
)

// DefaultMaxBytes is the largest text Detect accepts unless WithMaxBytes says otherwise.
const DefaultMaxBytes = 4 << 20

// Engine runs the rule recognizer plus any added recognizers and merges their spans.
type Engine struct {
	recognizers []Recognizer
	maxBytes    int
	veto        bool // the rules veto other detectors' spans over safe words and clinical numbers
}

// Option configures an Engine.
type Option func(*Engine)

// WithRecognizer adds a recognizer whose spans are merged with the others.
func WithRecognizer(r Recognizer) Option {
	return func(e *Engine) { e.recognizers = append(e.recognizers, r) }
}

// WithoutRules drops the built-in rule recognizer (for testing a model alone).
func WithoutRules() Option {
	return func(e *Engine) {
		out := e.recognizers[:0]
		for _, r := range e.recognizers {
			if _, ok := r.(*Rules); !ok {
				out = append(out, r)
			}
		}
		e.recognizers = out
	}
}

// WithoutVeto keeps every span of the added recognizers, even over words
// and numbers the rules know are not PHI (see combine.go).
func WithoutVeto() Option {
	return func(e *Engine) { e.veto = false }
}

// WithMaxBytes sets the largest accepted text in bytes (<= 0 keeps the default).
func WithMaxBytes(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.maxBytes = n
		}
	}
}

// New returns an engine with the built-in rules and the given options applied.
func New(opts ...Option) *Engine {
	e := &Engine{recognizers: []Recognizer{DefaultRules()}, maxBytes: DefaultMaxBytes, veto: true}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Detectors names the recognizers that run on every note, in order ("rules",
// "tagger", "model"), for the review page and the span report.
func (e *Engine) Detectors() []string {
	out := make([]string, len(e.recognizers))
	for i, r := range e.recognizers {
		out[i] = r.Name()
	}
	return out
}

// Validate reports whether text is acceptable input for Detect.
func (e *Engine) Validate(text string) error {
	switch {
	case len(text) == 0:
		return ErrEmpty
	case len(text) > e.maxBytes:
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLong, len(text), e.maxBytes)
	case !validUTF8(text):
		return ErrInvalidUTF8
	}
	return nil
}

// validUTF8 is utf8.ValidString with a faster ASCII path: 32 bytes a loop
// while the text is ASCII (a note almost always is), the standard check
// from the first block with a byte of 0x80 or more.
func validUTF8(s string) bool {
	const highs = 0x8080808080808080
	i := 0
	for ; i+32 <= len(s); i += 32 {
		if (load64(s, i)|load64(s, i+8)|load64(s, i+16)|load64(s, i+24))&highs != 0 {
			break
		}
	}
	return utf8.ValidString(s[i:])
}

// Detect returns the PHI spans in text, sorted, non-overlapping, from all recognizers.
func (e *Engine) Detect(ctx context.Context, text string) ([]Span, error) {
	if err := e.Validate(text); err != nil {
		return nil, err
	}
	if len(e.recognizers) == 0 {
		return nil, nil
	}
	rules, _ := e.recognizers[0].(*Rules)
	if len(e.recognizers) == 1 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		spans, err := e.recognizers[0].Recognize(ctx, text)
		if err != nil {
			return nil, fmt.Errorf("recognizer %s: %w", e.recognizers[0].Name(), err)
		}
		if rules == nil {
			spans = trimSpans(text, append([]Span(nil), spans...)) // the rules already follow the conventions
			return resolveInPlace(spans), nil
		}
		return resolveInPlace(spans), nil // Recognize's slice is the caller's own
	}
	// the rules' scan of the note, kept for the veto of the other
	// detectors' spans (combine.go) so that the note is tokenized once
	var kept *scan
	// the spans of every detector in buffers kept between notes; the
	// caller gets a copy of the resolved spans only
	buf := detectPool.Get().(*detectScratch)
	defer func() {
		if kept != nil {
			rules.pool.Put(kept)
		}
		buf.release()
		detectPool.Put(buf)
	}()
	var listsBuf [4][]Span
	lists := listsBuf[:0]
	if len(e.recognizers) > len(listsBuf) {
		lists = make([][]Span, 0, len(e.recognizers))
	}
	for i, r := range e.recognizers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if i == 0 && rules != nil && e.veto {
			kept = rules.recognizeKeep(text)
			lists = append(lists, nil)
			continue
		}
		var spans []Span
		if a, ok := r.(TokenSpanAppender); ok && kept != nil {
			from := len(buf.other)
			buf.other = a.AppendSpansTokens(buf.other, text, kept.tokens())
			spans = buf.other[from:len(buf.other):len(buf.other)]
		} else if a, ok := r.(SpanAppender); ok {
			from := len(buf.other)
			buf.other = a.AppendSpans(buf.other, text)
			spans = buf.other[from:len(buf.other):len(buf.other)]
		} else {
			var err error
			if spans, err = r.Recognize(ctx, text); err != nil {
				return nil, fmt.Errorf("recognizer %s: %w", r.Name(), err)
			}
		}
		if _, own := r.(*Rules); rules != nil && !own && e.veto && len(spans) > 0 && kept == nil {
			spans = rules.Plausible(ctx, text, spans)
		}
		lists = append(lists, spans)
	}
	all := buf.all[:0]
	for i, l := range lists {
		switch _, own := e.recognizers[i].(*Rules); {
		case i == 0 && kept != nil:
			all = kept.appendSpans(all)
		case kept != nil && !own && len(l) > 0:
			all = kept.appendPlausible(all, l)
		default:
			all = append(all, l...)
		}
	}
	buf.all = all
	if kept != nil {
		all = trimSpansASCII(text, all, kept.ascii)
	} else {
		all = trimSpans(text, all) // the rules already follow the conventions
	}
	return resolveCopy(all), nil
}

// SpanAppender is implemented by a Recognizer that can append its spans
// to a slice it is given (the engine's buffer, kept between notes) instead
// of returning a new one. AppendSpans must append exactly the spans
// Recognize returns; it is called only when the context is not done.
type SpanAppender interface {
	AppendSpans(dst []Span, text string) []Span
}

// detectScratch holds Detect's span buffers between notes.
type detectScratch struct {
	all   []Span // every detector's spans, trimmed and resolved in place
	other []Span // the spans of the detectors other than the rules
}

var detectPool = sync.Pool{New: func() any { return new(detectScratch) }}

// release empties the buffers, dropping any grown past what ordinary
// notes need.
func (d *detectScratch) release() {
	const maxKeep = 1 << 14
	if cap(d.all) > maxKeep {
		d.all = nil
	}
	if cap(d.other) > maxKeep {
		d.other = nil
	}
	d.all, d.other = d.all[:0], d.other[:0]
}

// typeRank breaks ties when overlapping spans of different types are merged:
// the more specific pattern wins (a switch: no map look-up per comparison).
func typeRank(t Type) int {
	switch t {
	case TypeEmail:
		return 9
	case TypeURL:
		return 8
	case TypeIP:
		return 7
	case TypePhone:
		return 6
	case TypeID:
		return 5
	case TypeDate:
		return 4
	case TypeAge:
		return 3
	case TypeName:
		return 2
	case TypeLocation:
		return 1
	}
	return 0
}

// Resolve sorts spans and merges overlapping ones so that no two spans share a
// character: overlapping spans become their union (a missed character is a
// leak, an extra one only a lost word), typed by the longest member, ties broken
// by typeRank, then by the recognizer's name. Empty or inverted spans are dropped.
func Resolve(spans []Span) []Span {
	return resolveInPlace(append([]Span(nil), spans...))
}

// resolveInPlace is Resolve reusing the memory of in.
func resolveInPlace(in []Span) []Span {
	in = dropEmpty(in)
	sortSpans(in)
	out := in[:0]
	var best Span // the member that decides the type of the current group
	for _, s := range in {
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			cur := &out[n-1]
			if better(&s, &best) {
				best = s
				cur.Type, cur.Recognizer = s.Type, s.Recognizer
			}
			if s.End > cur.End {
				cur.End = s.End
			}
			continue
		}
		best = s
		out = append(out, s)
	}
	return out
}

// dropEmpty drops the empty or inverted spans of in, in place.
func dropEmpty(in []Span) []Span {
	n := 0
	for _, s := range in {
		if s.End > s.Start && s.Start >= 0 {
			in[n] = s
			n++
		}
	}
	return in[:n]
}

// resolveCopy returns Resolve(in) in a new slice of its own length (never
// nil); in is scratch. It drops the empty spans and sorts packed keys
// (sortSpans) in one pass, and merges the spans in the keys' order into a
// pooled buffer: no reordering of the structs in place.
func resolveCopy(in []Span) []Span {
	const maxPos = 1<<keyPosBits - 1
	if len(in) >= 1<<keyIdxBits {
		// too many for the keys' index bits, unless most are empty
		if in = dropEmpty(in); len(in) >= 1<<keyIdxBits {
			in = resolveInPlace(in)
			return append(make([]Span, 0, len(in)), in...)
		}
	}
	sc := sortPool.Get().(*sortScratch)
	defer sortPool.Put(sc)
	keys := sc.keys[:0]
	sorted := true
	for i, s := range in {
		if s.End <= s.Start || s.Start < 0 {
			continue
		}
		if s.End > maxPos {
			sc.keys = keys[:0]
			in = resolveInPlace(in)
			return append(make([]Span, 0, len(in)), in...)
		}
		k := uint64(s.Start)<<(keyPosBits+keyIdxBits) | uint64(maxPos-s.End)<<keyIdxBits | uint64(i)
		sorted = sorted && (len(keys) == 0 || k > keys[len(keys)-1])
		keys = append(keys, k)
	}
	if !sorted {
		slices.Sort(keys)
	}
	out := sc.tmp[:0]
	var best Span // as in resolveInPlace
	for _, k := range keys {
		s := &in[k&(1<<keyIdxBits-1)]
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			cur := &out[n-1]
			if better(s, &best) {
				best = *s
				cur.Type, cur.Recognizer = s.Type, s.Recognizer
			}
			if s.End > cur.End {
				cur.End = s.End
			}
			continue
		}
		best = *s
		out = append(out, *s)
	}
	res := append(make([]Span, 0, len(out)), out...)
	if cap(out) > 1<<16 || cap(keys) > 1<<16 {
		out, keys = nil, nil
	}
	sc.tmp, sc.keys = out[:0], keys[:0]
	return res
}

// Packed sort keys (sortSpans): start, then the end reversed, then the
// index, each in its own bits.
const (
	keyIdxBits = 22
	keyPosBits = 21
)

// sortScratch holds sortSpans' buffers between calls.
type sortScratch struct {
	keys []uint64
	tmp  []Span
}

var sortPool = sync.Pool{New: func() any { return new(sortScratch) }}

// sortSpans sorts spans by start, longest first at the same start. Spans
// with the same start and end may come in any order (resolveInPlace does
// not depend on it). Short lists of small offsets sort one packed uint64
// per span (start, reversed end, index), which is several times cheaper
// than comparing the structs; others sort the structs.
func sortSpans(in []Span) {
	const maxPos = 1<<keyPosBits - 1
	small := len(in) > 1 && len(in) < 1<<keyIdxBits
	for _, s := range in {
		if !small || s.End > maxPos {
			small = false
			break
		}
	}
	if !small {
		slices.SortFunc(in, func(a, b Span) int {
			if a.Start != b.Start {
				return a.Start - b.Start
			}
			return b.End - a.End
		})
		return
	}
	sc := sortPool.Get().(*sortScratch)
	defer sortPool.Put(sc)
	keys := sc.keys[:0]
	sorted := true
	for i, s := range in {
		k := uint64(s.Start)<<(keyPosBits+keyIdxBits) | uint64(maxPos-s.End)<<keyIdxBits | uint64(i)
		sorted = sorted && (i == 0 || k > keys[i-1])
		keys = append(keys, k)
	}
	sc.keys = keys
	if sorted {
		return
	}
	slices.Sort(keys)
	tmp := append(sc.tmp[:0], in...)
	for i, k := range keys {
		in[i] = tmp[k&(1<<keyIdxBits-1)]
	}
	if cap(tmp) > 1<<16 {
		tmp, sc.keys = nil, nil
	}
	sc.tmp = tmp[:0]
}

func better(a, b *Span) bool {
	la, lb := a.End-a.Start, b.End-b.Start
	if la != lb {
		return la > lb
	}
	// a recall-first candidate's type is a guess: any other detector's wins
	if ca, cb := a.Recognizer == recCandidate, b.Recognizer == recCandidate; ca != cb {
		return cb
	}
	if ra, rb := typeRank(a.Type), typeRank(b.Type); ra != rb {
		return ra > rb
	}
	// a full tie: the detector's name decides, so that which one a merged
	// span names does not depend on how the (unstable) sort met the tie
	return a.Recognizer < b.Recognizer
}
