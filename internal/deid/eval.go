package deid

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Counts are true positives, false positives and false negatives.
type Counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
}

// Precision is TP/(TP+FP), 1 when nothing was predicted.
func (c Counts) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), 1 when there was nothing to find.
func (c Counts) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Evaluation scores predicted spans against gold spans.
//
// Character level counts non-space characters. Per type it is typed: a
// gold NAME character is a TP for NAME only when predicted NAME. "Redacted"
// per type counts a gold character of that type as found when any predicted
// span covers it (what matters for a leak). Overall is untyped (PHI or not).
// Entity level needs the exact same start, end and type.
type Evaluation struct {
	Notes        int             `json:"notes"`
	Char         map[Type]Counts `json:"char"`
	CharRedacted map[Type]Counts `json:"char_redacted"`
	CharOverall  Counts          `json:"char_overall"`
	Entity       map[Type]Counts `json:"entity"`
	EntityAll    Counts          `json:"entity_overall"`
}

// NewEvaluation returns an empty evaluation.
func NewEvaluation() *Evaluation {
	return &Evaluation{Char: map[Type]Counts{}, CharRedacted: map[Type]Counts{}, Entity: map[Type]Counts{}}
}

// Add scores one note.
func (ev *Evaluation) Add(text string, gold, pred []Span) error {
	runes := []rune(text)
	n := len(runes)
	g, err := typeByChar(gold, n)
	if err != nil {
		return fmt.Errorf("gold: %w", err)
	}
	p, err := typeByChar(pred, n)
	if err != nil {
		return fmt.Errorf("prediction: %w", err)
	}
	ev.Notes++
	for i, r := range runes {
		if unicode.IsSpace(r) {
			continue
		}
		gt, pt := g[i], p[i]
		if gt != "" {
			c := ev.Char[gt]
			cr := ev.CharRedacted[gt]
			if pt == gt {
				c.TP++
			} else {
				c.FN++
			}
			if pt != "" {
				cr.TP++
				ev.CharOverall.TP++
			} else {
				cr.FN++
				ev.CharOverall.FN++
			}
			ev.Char[gt], ev.CharRedacted[gt] = c, cr
		} else if pt != "" {
			ev.CharOverall.FP++
		}
		if pt != "" && pt != gt {
			c := ev.Char[pt]
			c.FP++
			ev.Char[pt] = c
		}
		if pt != "" && gt == "" {
			cr := ev.CharRedacted[pt]
			cr.FP++
			ev.CharRedacted[pt] = cr
		}
	}
	type key struct {
		s, e int
		t    Type
	}
	gs := map[key]bool{}
	for _, s := range gold {
		gs[key{s.Start, s.End, s.Type}] = true
	}
	ps := map[key]bool{}
	for _, s := range Resolve(pred) {
		ps[key{s.Start, s.End, s.Type}] = true
	}
	for k := range ps {
		c := ev.Entity[k.t]
		if gs[k] {
			c.TP++
			ev.EntityAll.TP++
		} else {
			c.FP++
			ev.EntityAll.FP++
		}
		ev.Entity[k.t] = c
	}
	for k := range gs {
		if !ps[k] {
			c := ev.Entity[k.t]
			c.FN++
			ev.EntityAll.FN++
			ev.Entity[k.t] = c
		}
	}
	return nil
}

func typeByChar(spans []Span, n int) ([]Type, error) {
	out := make([]Type, n)
	for _, s := range spans {
		if s.Start < 0 || s.End > n || s.Start > s.End {
			return nil, fmt.Errorf("span [%d,%d) outside text of %d characters", s.Start, s.End, n)
		}
		for i := s.Start; i < s.End; i++ {
			out[i] = s.Type
		}
	}
	return out, nil
}

// WriteTable prints the evaluation as a fixed-width table.
func (ev *Evaluation) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "notes: %d\n", ev.Notes)
	fmt.Fprintf(&b, "%-9s | %-27s | %-27s | %-27s\n", "type", "char P / R / F1 (typed)", "char recall (any tag) ", "entity P / R / F1 (exact)")
	row := func(name string, c, cr, e Counts, crOK bool) {
		red := "-"
		if crOK {
			red = fmt.Sprintf("%.4f (%d/%d)", cr.Recall(), cr.TP, cr.TP+cr.FN)
		}
		fmt.Fprintf(&b, "%-9s | %.4f / %.4f / %.4f  | %-27s | %.4f / %.4f / %.4f\n", name,
			c.Precision(), c.Recall(), c.F1(), red, e.Precision(), e.Recall(), e.F1())
	}
	for _, t := range Types {
		c, cr, e := ev.Char[t], ev.CharRedacted[t], ev.Entity[t]
		if c == (Counts{}) && e == (Counts{}) {
			continue
		}
		row(string(t), c, cr, e, true)
	}
	row("OVERALL", ev.CharOverall, ev.CharOverall, ev.EntityAll, true)
	_, err := io.WriteString(w, b.String())
	return err
}

// GoldNote is one line of an evaluation file.
type GoldNote struct {
	Text  string `json:"text"`
	Spans []Span `json:"spans"`
}

// MaxLineBytes bounds one JSON line read by ReadJSONL.
const MaxLineBytes = 16 << 20

// ReadJSONL calls fn for each non-empty line of r decoded as a GoldNote
// (also used for `{"text": …}` detect input). Errors name the line number,
// never its content.
func ReadJSONL(r io.Reader, fn func(line int, n GoldNote) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		data, err := ReadLine(br)
		if err == io.EOF && len(data) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if len(strings.TrimSpace(string(data))) > 0 {
			n, derr := DecodeNote(data)
			if derr != nil {
				return fmt.Errorf("line %d: %w", line, derr)
			}
			if ferr := fn(line, n); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// ErrLineTooLong: a JSON line over MaxLineBytes. ReadLine has skipped the
// rest of it, so the caller may go on with the next line.
var ErrLineTooLong = errors.New("line longer than 16 MiB")

// ReadLine reads one line of at most MaxLineBytes (without its newline).
func ReadLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		out = append(out, chunk...)
		if len(out) > MaxLineBytes {
			for isPrefix && err == nil {
				_, isPrefix, err = br.ReadLine()
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, ErrLineTooLong
		}
		if err != nil {
			return out, err
		}
		if !isPrefix {
			return out, nil
		}
	}
}

// DecodeNote decodes one JSON object with "text" and optional "spans".
func DecodeNote(data []byte) (GoldNote, error) {
	var n GoldNote
	if !utf8.Valid(data) {
		return n, ErrInvalidUTF8
	}
	if err := json.Unmarshal(data, &n); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return n, fmt.Errorf("invalid JSON at byte %d", se.Offset)
		}
		return n, errors.New("invalid JSON object (want {\"text\": string, \"spans\": [...]})")
	}
	nr := utf8.RuneCountInString(n.Text)
	for i, s := range n.Spans {
		if _, err := ParseType(string(s.Type)); err != nil {
			return n, fmt.Errorf("span %d: unknown type", i)
		}
		if s.Start < 0 || s.End > nr || s.Start >= s.End {
			return n, fmt.Errorf("span %d: offsets [%d,%d) invalid for %d characters", i, s.Start, s.End, nr)
		}
	}
	return n, nil
}
