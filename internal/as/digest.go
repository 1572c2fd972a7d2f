package as

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// ClaimsDigest returns hex SHA-256 of the RFC 8785 canonical JSON (JCS) of
// claims ("" if they cannot be encoded), the audit log's fingerprint of a
// token.
//
// Claims are JSON-decoded values (what ear.Issue and ear.Verifier return),
// so they are written in canonical form directly: sorted keys, JCS string
// escaping, numbers by jcs.NumberToJSON. That gives the bytes json.Marshal
// followed by jcs.Transform gives (TestClaimsDigestMatchesJCS,
// FuzzClaimsDigest) without encoding the claims and parsing them again,
// which cost as much CPU per handshake as the JWE key agreement. A value
// of any other Go type falls back to that slower path.
func ClaimsDigest(claims map[string]any) string {
	buf := canonBufs.Get().(*[]byte)
	defer canonBufs.Put(buf)
	b, ok := appendCanonical((*buf)[:0], claims)
	if !ok {
		return claimsDigestJCS(claims)
	}
	*buf = b
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// claimsDigestJCS is the reference definition: json.Marshal, then
// jcs.Transform.
func claimsDigestJCS(claims map[string]any) string {
	b, err := json.Marshal(claims)
	if err != nil {
		return ""
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

var canonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxCanonicalDepth mirrors the nesting json.Marshal accepts in practice;
// deeper values take the reference path, which reports them.
const maxCanonicalDepth = 512

// appendCanonical appends the JCS form of v; ok is false for a type it does
// not handle (the caller falls back to the reference path).
func appendCanonical(b []byte, v any) ([]byte, bool) {
	return appendCanon(b, v, 0)
}

func appendCanon(b []byte, v any, depth int) ([]byte, bool) {
	if depth > maxCanonicalDepth {
		return b, false
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		if x {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case string:
		return appendJCSString(b, x), true
	case float64:
		s, err := jcs.NumberToJSON(x)
		if err != nil {
			return b, false
		}
		return append(b, s...), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return b, false
		}
		s, err := jcs.NumberToJSON(f)
		if err != nil {
			return b, false
		}
		return append(b, s...), true
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCanon(b, e, depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if !utf8.ValidString(k) {
				return b, false // json.Marshal would merge keys; let the reference path decide
			}
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJCSString(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = appendCanon(b, x[k], depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	default:
		return b, false
	}
}

// appendJCSString writes s as JCS (ECMAScript JSON.stringify) does: only
// '"', '\\' and control characters are escaped (\b \t \n \f \r, else
// \u00xx in lower case); everything else is literal UTF-8. Invalid UTF-8
// becomes U+FFFD, as json.Marshal makes it.
func appendJCSString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// compareUTF16 orders object keys as JCS does: by their UTF-16 code units
// (which differs from UTF-8 byte order only for characters above U+FFFF
// against U+E000..U+FFFF). Invalid UTF-8 compares as U+FFFD, as it is
// written.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := utf16Units(ra), utf16Units(rb)
			return slices.Compare(ua[:], ub[:])
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	default:
		return 1
	}
}

// utf16Units returns r's UTF-16 code units; a BMP character's second unit
// is 0, which sorts it before any longer key continuing with the same unit.
func utf16Units(r rune) [2]uint16 {
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
		return [2]uint16{uint16(r1), uint16(r2)}
	}
	return [2]uint16{uint16(r), 0}
}
