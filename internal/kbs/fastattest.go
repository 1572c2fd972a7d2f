package kbs

import (
	"bytes"
	"strings"
)

// The evidence of an /attest body is most of its bytes (an SNP report and
// its certificates as JSON arrays of numbers: tens of KB), and
// encoding/json walks a json.RawMessage twice, one byte-state at a time
// (reading the value, then skipping it into the RawMessage): about 0.2 ms
// per SNP attestation, as much as the rest of the request. The fast path
// validates the body once, with the same grammar, finds the value of
// tee-evidence.primary_evidence, and hands encoding/json the body with that
// value replaced by null; the value's bytes become PrimaryEvidence.
//
// It is taken only where the result cannot differ from encoding/json's
// (FuzzDecodeAttestationFast checks it): an object at the top and at
// "tee-evidence", each key escape-free, the two names present once and
// only in their exact spelling (encoding/json also matches keys that differ
// in case, and merges duplicates), nesting under maxFastDepth and nothing
// but whitespace after the body. Anything else takes the encoding/json
// path, errors included.

const maxFastDepth = 512

// fastAttestation returns the body with primary_evidence's value replaced
// by null, and that value; ok is false when the fast path does not apply.
func fastAttestation(body []byte) (rest, evidence []byte, ok bool) {
	p := fastScanner{b: body}
	p.ws()
	start, end, ok := p.topLevel()
	if !ok {
		return nil, nil, false
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, nil, false
	}
	rest = make([]byte, 0, len(body)-(end-start)+4)
	rest = append(rest, body[:start]...)
	rest = append(rest, "null"...)
	rest = append(rest, body[end:]...)
	return rest, body[start:end:end], true
}

type fastScanner struct {
	b     []byte
	i     int
	depth int
}

func (p *fastScanner) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// topLevel scans the body's object and returns the span of
// tee-evidence.primary_evidence.
func (p *fastScanner) topLevel() (start, end int, ok bool) {
	found := false
	ok = p.object(func(key []byte) bool {
		if !matchKey(key, "tee-evidence", &found) {
			return false
		}
		if string(key) != "tee-evidence" {
			return p.value()
		}
		p.ws()
		seen := false
		return p.object(func(k []byte) bool {
			if !matchKey(k, "primary_evidence", &seen) {
				return false
			}
			p.ws()
			if string(k) != "primary_evidence" {
				return p.value()
			}
			start = p.i
			if !p.value() {
				return false
			}
			end = p.i
			return true
		}) && seen
	})
	return start, end, ok && found
}

// matchKey refuses (false) a key that encoding/json could take for name
// without being exactly it, or name a second time.
func matchKey(key []byte, name string, seen *bool) bool {
	if string(key) == name {
		if *seen {
			return false
		}
		*seen = true
		return true
	}
	return !strings.EqualFold(string(key), name) && !foldsTo(key, name)
}

// foldsTo reports whether key may match name under encoding/json's
// case folding beyond ASCII (the Kelvin sign and the long s fold to k and
// s): any non-ASCII byte in a key of a plausible length is a miss for the
// fast path, to be safe.
func foldsTo(key []byte, name string) bool {
	if len(key) < len(name) || len(key) > 3*len(name) {
		return false
	}
	for _, c := range key {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// object scans {"key": value, …} at p.i; member is called after each key
// and its colon, and must scan the value.
func (p *fastScanner) object(member func(key []byte) bool) bool {
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return false
	}
	p.depth++
	if p.depth > maxFastDepth {
		return false
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		return true
	}
	for {
		p.ws()
		ks := p.i
		plain, ok := p.str()
		if !ok || !plain {
			return false
		}
		key := p.b[ks+1 : p.i-1]
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return false
		}
		p.i++
		p.ws()
		if !member(key) {
			return false
		}
		if done, ok := p.sep('}'); !ok || done {
			return ok
		}
	}
}

// sep consumes what follows a member or an element: ',' (more follow) or
// end, which closes the object or array (done). ok is false for anything
// else.
func (p *fastScanner) sep(end byte) (done, ok bool) {
	p.ws()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, true
	case end:
		p.i++
		p.depth--
		return true, true
	}
	return false, false
}

func (p *fastScanner) array() bool {
	p.depth++
	if p.depth > maxFastDepth {
		return false
	}
	p.i++ // '['
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return true
	}
	for {
		p.ws()
		// Evidence is mostly arrays of small integers: scan a plain one
		// (a non-zero digit and digits, or a lone 0, then ',' or ']') here
		// and leave anything else to value.
		if j := p.i; j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			if p.b[j] == '0' {
				j++
			} else {
				for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
					j++
				}
			}
			if j < len(p.b) && (p.b[j] == ',' || p.b[j] == ']') {
				p.i = j + 1
				if p.b[j] == ']' {
					p.depth--
					return true
				}
				continue
			}
		}
		if !p.value() {
			return false
		}
		if done, ok := p.sep(']'); !ok || done {
			return ok
		}
	}
}

// value scans any JSON value at p.i (no leading whitespace).
func (p *fastScanner) value() bool {
	if p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(func([]byte) bool { return p.value() })
	case c == '[':
		return p.array()
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'n':
		return p.lit("null")
	}
	return false
}

func (p *fastScanner) lit(s string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		return false
	}
	p.i += len(s)
	return true
}

// str scans a string; plain reports that it holds no escape.
func (p *fastScanner) str() (plain, ok bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false, false
	}
	p.i++
	plain = true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return plain, true
		case c < 0x20:
			return false, false
		case c == '\\':
			plain = false
			p.i++
			if p.i >= len(p.b) {
				return false, false
			}
			switch p.b[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				if p.i+4 >= len(p.b) {
					return false, false
				}
				for _, h := range p.b[p.i+1 : p.i+5] {
					if !isHex(h) {
						return false, false
					}
				}
				p.i += 5
			default:
				return false, false
			}
		default:
			p.i++
		}
	}
	return false, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastScanner) number() bool {
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

func (p *fastScanner) digits() bool {
	s := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > s
}
