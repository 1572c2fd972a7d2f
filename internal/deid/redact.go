package deid

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mode selects how Redact replaces a span.
type Mode string

// Replacement modes.
const (
	ModeTags      Mode = "tags"      // [NAME]
	ModeNumbered  Mode = "numbered"  // [NAME-1], the same number for every mention of one entity
	ModeSurrogate Mode = "surrogate" // realistic fake values; dates shifted by one offset per note
)

// ParseMode accepts "tags", "numbered" or "surrogate".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeTags, ModeNumbered, ModeSurrogate:
		return m, nil
	}
	return "", fmt.Errorf("unknown redaction mode %q (want tags, numbered or surrogate)", s)
}

// RedactOption configures Redact.
type RedactOption func(*redactConfig)

type redactConfig struct {
	seed   uint64
	seeded bool
}

// WithSeed makes surrogate output reproducible (tests, evaluation). Without it
// every call draws a fresh random seed, so surrogates cannot be linked across notes.
func WithSeed(seed uint64) RedactOption {
	return func(c *redactConfig) { c.seed, c.seeded = seed, true }
}

// Redaction is the result of RedactDetailed: the new text and where each
// replacement sits in it (code-point offsets in Text).
type Redaction struct {
	Text  string `json:"text"`
	Spans []Span `json:"spans"`
}

// Redact replaces every span of text according to mode. Spans may be
// unsorted or overlapping; they are resolved first.
func Redact(text string, spans []Span, mode Mode, opts ...RedactOption) (string, error) {
	r, err := RedactDetailed(text, spans, mode, opts...)
	if err != nil {
		return "", err
	}
	return r.Text, nil
}

// RedactDetailed is Redact that also reports the replacement spans in the output.
func RedactDetailed(text string, spans []Span, mode Mode, opts ...RedactOption) (Redaction, error) {
	if !utf8.ValidString(text) {
		return Redaction{}, ErrInvalidUTF8
	}
	if _, err := ParseMode(string(mode)); err != nil {
		return Redaction{}, err
	}
	cfg := redactConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.seeded {
		cfg.seed = rand.Uint64()
	}
	spans = Resolve(spans)
	runeToByte := runeIndex(text)
	nRunes := len(runeToByte) - 1
	for _, s := range spans {
		if s.End > nRunes {
			return Redaction{}, fmt.Errorf("deid: span [%d,%d) beyond text of %d characters", s.Start, s.End, nRunes)
		}
	}
	values := make([]string, len(spans))
	for i, s := range spans {
		values[i] = text[runeToByte[s.Start]:runeToByte[s.End]]
	}
	var repl []string
	switch mode {
	case ModeTags:
		repl = make([]string, len(spans))
		for i, s := range spans {
			repl[i] = "[" + string(s.Type) + "]"
		}
	case ModeNumbered:
		ids := entityIDs(spans, values)
		repl = make([]string, len(spans))
		for i, s := range spans {
			repl[i] = "[" + string(s.Type) + "-" + strconv.Itoa(ids[i]) + "]"
		}
	case ModeSurrogate:
		repl = surrogates(spans, values, cfg.seed)
	}
	var b strings.Builder
	b.Grow(len(text))
	out := Redaction{Spans: make([]Span, len(spans))}
	prev, outRunes := 0, 0
	for i, s := range spans {
		seg := text[runeToByte[prev]:runeToByte[s.Start]]
		b.WriteString(seg)
		outRunes += s.Start - prev
		n := utf8.RuneCountInString(repl[i])
		out.Spans[i] = Span{Start: outRunes, End: outRunes + n, Type: s.Type, Recognizer: s.Recognizer}
		b.WriteString(repl[i])
		outRunes += n
		prev = s.End
	}
	b.WriteString(text[runeToByte[prev]:])
	out.Text = b.String()
	return out, nil
}

// runeIndex maps each code-point index (and the end) to its byte offset.
func runeIndex(text string) []int {
	idx := make([]int, 0, len(text)+1)
	for i := range text {
		idx = append(idx, i)
	}
	return append(idx, len(text))
}
