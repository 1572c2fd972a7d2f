// Package realeval holds the evaluation sets written in real clinical-note
// styles (internal/deid/testdata/realstyle) and the tools that turn their
// hand-written markup into gold spans, check the gold, and score detectors
// on them.
//
// Notes are written by hand with PHI marked <<TYPE:value>> and separated by a
// line "~~~~"; ParseMarkup turns them into deid.GoldNote values with
// code-point offsets, the project's gold format (JSON Lines
// {"text","spans":[{"start","end","type"}]}). Check validates a gold note:
// offsets in range, in order, without overlap, and on word boundaries.
package realeval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
)

// Separator is the line that separates notes in a markup file. Everything
// before the first separator is a comment header.
const Separator = "~~~~"

// ParseMarkup reads a markup file and returns its notes with gold spans.
func ParseMarkup(r io.Reader) ([]deid.GoldNote, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var (
		notes  []deid.GoldNote
		cur    []string
		header = true
		start  int // line number of the current note's first line
	)
	flush := func() error {
		text := strings.Trim(strings.Join(cur, "\n"), "\n")
		cur = cur[:0]
		if text == "" {
			return nil
		}
		n, err := ParseNote(text)
		if err != nil {
			return fmt.Errorf("note starting at line %d: %w", start, err)
		}
		notes = append(notes, n)
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == Separator {
			if !header {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			header = false
			start = line + 1
			continue
		}
		if !header {
			cur = append(cur, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read markup: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return notes, nil
}

// ParseNote turns one note with <<TYPE:value>> markup into text and spans.
func ParseNote(markup string) (deid.GoldNote, error) {
	var (
		sb    strings.Builder
		spans []deid.Span
		runes int
	)
	rest := markup
	for {
		i := strings.Index(rest, "<<")
		if i < 0 {
			break
		}
		sb.WriteString(rest[:i])
		runes += utf8.RuneCountInString(rest[:i])
		rest = rest[i+2:]
		j := strings.Index(rest, ">>")
		if j < 0 {
			return deid.GoldNote{}, errors.New("unclosed <<")
		}
		body := rest[:j]
		rest = rest[j+2:]
		typ, val, ok := strings.Cut(body, ":")
		if !ok || val == "" {
			return deid.GoldNote{}, fmt.Errorf("markup %q: want <<TYPE:value>>", body)
		}
		t, err := deid.ParseType(typ)
		if err != nil {
			return deid.GoldNote{}, fmt.Errorf("markup type %q: %w", typ, err)
		}
		if strings.Contains(val, "<<") {
			return deid.GoldNote{}, errors.New("nested <<")
		}
		n := utf8.RuneCountInString(val)
		spans = append(spans, deid.Span{Start: runes, End: runes + n, Type: t})
		sb.WriteString(val)
		runes += n
	}
	if strings.Contains(rest, ">>") {
		return deid.GoldNote{}, errors.New(">> without <<")
	}
	sb.WriteString(rest)
	n := deid.GoldNote{Text: sb.String(), Spans: spans}
	return n, Check(n)
}

// Check validates a gold note: every span has a known type, lies inside the
// text, follows the previous one without overlap, has no space at either
// end, and starts and ends on a word boundary (the character outside the
// span is not a letter when the span's edge is a letter, nor a digit when
// its edge is a digit: "mr.renzi" and "KRISSY---301" are fine, "renz|i" is not).
func Check(n deid.GoldNote) error {
	runes := []rune(n.Text)
	prev := 0
	for i, s := range n.Spans {
		if _, err := deid.ParseType(string(s.Type)); err != nil {
			return fmt.Errorf("span %d: unknown type %q", i, s.Type)
		}
		if s.Start < prev || s.Start >= s.End || s.End > len(runes) {
			return fmt.Errorf("span %d [%d,%d): out of range or order (text %d characters, previous end %d)", i, s.Start, s.End, len(runes), prev)
		}
		prev = s.End
		first, last := runes[s.Start], runes[s.End-1]
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			return fmt.Errorf("span %d [%d,%d): starts or ends with a space", i, s.Start, s.End)
		}
		if s.Start > 0 && sameClass(runes[s.Start-1], first) {
			return fmt.Errorf("span %d [%d,%d): starts inside a word", i, s.Start, s.End)
		}
		if s.End < len(runes) && sameClass(runes[s.End], last) {
			return fmt.Errorf("span %d [%d,%d): ends inside a word", i, s.Start, s.End)
		}
	}
	return nil
}

// sameClass: both letters or both digits, so a boundary between them would
// cut a word or a number.
func sameClass(a, b rune) bool {
	return unicode.IsLetter(a) && unicode.IsLetter(b) || unicode.IsDigit(a) && unicode.IsDigit(b)
}
