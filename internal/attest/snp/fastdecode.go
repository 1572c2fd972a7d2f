package snp

import (
	"bytes"
	"reflect"
	"strings"
	"sync"

	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// decodeFast decodes upstream's SNP evidence JSON in one pass, without
// encoding/json's validating scan of every byte and its second scan of each
// array handed to ByteArray.UnmarshalJSON (a report and its certificates
// are thousands of numbers). It accepts only the plain shape upstream
// writes: known keys spelled exactly, each at most once, strings without
// escapes, unsigned integers in range, null only for pointer fields. On
// anything else it returns false and the caller falls back to
// encoding/json, so for every input it accepts its result is the one
// json.Unmarshal gives (FuzzDecodeFast checks that).
func decodeFast(data []byte) (*teesnp.Evidence, bool) {
	p := fastParser{b: data}
	var ev teesnp.Evidence
	if !p.value(reflect.ValueOf(&ev).Elem()) {
		return nil, false
	}
	p.ws()
	if p.i != len(p.b) || ev.AttestationReport == nil {
		return nil, false
	}
	return &ev, true
}

type fastParser struct {
	b []byte
	i int
}

var (
	byteArrayType = reflect.TypeFor[teesnp.ByteArray]()
	anyType       = reflect.TypeFor[any]()
	fieldTables   sync.Map // reflect.Type → map[string]int
)

// fields maps the JSON names of t's fields to their indexes.
func fields(t reflect.Type) map[string]int {
	if m, ok := fieldTables.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	fieldTables.Store(t, m)
	return m
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte (0 at the end).
func (p *fastParser) peek() byte {
	p.ws()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *fastParser) null() bool {
	if p.peek() == 'n' && len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (p *fastParser) str() (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		c := p.b[j]
		if c == '"' {
			p.i = j + 1
			return string(p.b[start:j]), true
		}
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return "", false
		}
	}
	return "", false
}

// uint reads an unsigned integer no greater than max.
func (p *fastParser) uint(max uint64) (uint64, bool) {
	p.ws()
	start := p.i
	var v uint64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if v > (max-d)/10 {
			return 0, false
		}
		v = v*10 + d
		p.i++
	}
	n := p.i - start
	if n == 0 || (n > 1 && p.b[start] == '0') {
		return 0, false
	}
	// A number ends at a delimiter; anything else (".5", "e3", "1x") is
	// either not an unsigned integer or not JSON.
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return 0, false
		}
	}
	return v, true
}

// bytes reads a JSON array of integers 0..255. An array of at least
// minCachedSpan bytes of text that is byte for byte one read before (the
// certificates of a chain, sent again with every report) is answered from
// byteSpans instead of being decoded again.
func (p *fastParser) bytes() ([]byte, bool) {
	if p.peek() != '[' {
		return nil, false
	}
	start := p.i
	end := bytes.IndexByte(p.b[start:], ']')
	if end+1 < minCachedSpan || end+1 > maxCachedSpan {
		return p.byteArray()
	}
	span := p.b[start : start+end+1]
	if v, ok := byteSpans.get(span); ok {
		p.i = start + len(span)
		return bytes.Clone(v), true
	}
	out, ok := p.byteArray()
	if ok && p.i == start+len(span) {
		byteSpans.put(span, out)
	}
	return out, ok
}

// minCachedSpan and maxCachedSpan bound the array text byteSpans keeps:
// longer than any report field, shorter than any certificate; at most
// 16 KiB (a 4 KiB DER written as "255,"…), so that the cache holds at
// most 64 × (16 + 4) KiB whatever the evidence sent.
const (
	minCachedSpan = 1024
	maxCachedSpan = 16 << 10
)

// byteSpans remembers the bytes of recently decoded long arrays, by their
// exact text; it holds at most maxCachedSpans.
var byteSpans = spanCache{m: map[string][]byte{}}

const maxCachedSpans = 64

type spanCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *spanCache) get(span []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[string(span)]
	return v, ok
}

func (c *spanCache) put(span, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedSpans {
		clear(c.m) // a new chain replaced the old ones; start again
	}
	c.m[string(span)] = bytes.Clone(v)
}

// byteArray decodes the array of integers 0..255 at '['.
func (p *fastParser) byteArray() ([]byte, bool) {
	p.i++
	out := make([]byte, 0, 64)
	if p.peek() == ']' {
		p.i++
		return out, true
	}
	for {
		v, ok := p.uint(255)
		if !ok {
			return nil, false
		}
		out = append(out, byte(v))
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, true
		default:
			return nil, false
		}
	}
}

// object calls member for each key of an object; member refuses
// duplicates.
func (p *fastParser) object(member func(key string) bool) bool {
	if p.peek() != '{' {
		return false
	}
	p.i++
	if p.peek() == '}' {
		p.i++
		return true
	}
	for {
		k, ok := p.str()
		if !ok || p.peek() != ':' {
			return false
		}
		p.i++
		if !member(k) {
			return false
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}

func (p *fastParser) value(v reflect.Value) bool {
	t := v.Type()
	switch {
	case t == byteArrayType:
		b, ok := p.bytes()
		v.SetBytes(b)
		return ok
	case t == anyType:
		// cert_type: a name, or {"OTHER": "<guid>"}.
		if p.peek() == '"' {
			s, ok := p.str()
			v.Set(reflect.ValueOf(s))
			return ok
		}
		m := map[string]any{}
		ok := p.object(func(k string) bool {
			if _, dup := m[k]; dup {
				return false
			}
			s, ok := p.str()
			m[k] = s
			return ok
		})
		v.Set(reflect.ValueOf(m))
		return ok
	}
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint32, reflect.Uint64:
		n, ok := p.uint(uint64(1)<<t.Bits() - 1)
		v.SetUint(n)
		return ok
	case reflect.Pointer:
		if p.null() {
			v.SetZero()
			return true
		}
		e := reflect.New(t.Elem())
		v.Set(e)
		return p.value(e.Elem())
	case reflect.Struct:
		names := fields(t)
		var seen uint64 // field indexes; every struct here has fewer than 64
		return p.object(func(k string) bool {
			i, ok := names[k]
			if !ok || i >= 64 || seen&(1<<i) != 0 {
				return false
			}
			seen |= 1 << i
			return p.value(v.Field(i))
		})
	case reflect.Slice:
		if p.peek() != '[' {
			return false
		}
		p.i++
		s := reflect.MakeSlice(t, 0, 4)
		if p.peek() == ']' {
			p.i++
			v.Set(s)
			return true
		}
		for {
			s = reflect.Append(s, reflect.Zero(t.Elem()))
			if !p.value(s.Index(s.Len() - 1)) {
				return false
			}
			switch p.peek() {
			case ',':
				p.i++
			case ']':
				p.i++
				v.Set(s)
				return true
			default:
				return false
			}
		}
	}
	return false
}
