// Package initdata parses, digests and encodes Confidential Containers
// initdata: the TOML document (aa.toml, cdh.toml, agent policy) a pod hands
// its confidential VM, whose digest the hardware binds (SNP HOST_DATA, TDX
// MRCONFIGID, vTPM PCR 8). The digest is always taken over the raw bytes, never
// over a re-serialised form, because the guest and the verifier must agree
// byte for byte with what the host wrote into the annotation.
package initdata

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Version is the only initdata format version upstream defines.
const Version = "0.1.0"

// AnnotationKey is the pod annotation Kata reads initdata from.
const AnnotationKey = "io.katacontainers.config.hypervisor.cc_init_data"

// Well-known keys of the [data] table.
const (
	KeyAA     = "aa.toml"
	KeyCDH    = "cdh.toml"
	KeyPolicy = "policy.rego"
)

// Digest algorithms allowed by the initdata specification.
const (
	SHA256 = "sha256"
	SHA384 = "sha384"
	SHA512 = "sha512"
)

// Size limits. Initdata travels in a pod annotation (Kubernetes caps all
// annotations at 256 KiB), so anything far larger is an attack, not a config.
const (
	MaxTOMLSize       = 1 << 20 // raw TOML, after decompression
	MaxAnnotationSize = 1 << 20 // base64 text of the annotation
)

// ErrTooLarge is returned when an input exceeds MaxTOMLSize or MaxAnnotationSize.
var ErrTooLarge = errors.New("initdata too large")

// InitData is a parsed initdata document. Raw holds the exact bytes it was
// parsed from; Digest is computed over them.
type InitData struct {
	Version   string
	Algorithm string
	Data      map[string]string
	Raw       []byte
}

type document struct {
	Version   string         `toml:"version"`
	Algorithm string         `toml:"algorithm"`
	Data      map[string]any `toml:"data"`
}

// Parse parses and strictly checks an initdata TOML document: version must be
// 0.1.0, algorithm one of sha256/sha384/sha512, no unknown top-level keys,
// every [data] value a string, and aa.toml / cdh.toml, when present, valid TOML.
func Parse(raw []byte) (*InitData, error) {
	if len(raw) > MaxTOMLSize {
		return nil, fmt.Errorf("parse initdata: %w (%d bytes, limit %d)", ErrTooLarge, len(raw), MaxTOMLSize)
	}
	var doc document
	md, err := toml.Decode(string(raw), &doc)
	if err != nil {
		return nil, fmt.Errorf("parse initdata: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, 0, len(und))
		for _, k := range und {
			if len(k) > 0 && k[0] == "data" {
				continue // values of [data] are checked below
			}
			keys = append(keys, k.String())
		}
		if len(keys) > 0 {
			return nil, fmt.Errorf("parse initdata: unknown keys %s", strings.Join(keys, ", "))
		}
	}
	if doc.Version != Version {
		return nil, fmt.Errorf("parse initdata: version %q is not supported (want %q)", doc.Version, Version)
	}
	if _, err := newHash(doc.Algorithm); err != nil {
		return nil, fmt.Errorf("parse initdata: %w", err)
	}
	out := &InitData{Version: doc.Version, Algorithm: doc.Algorithm, Data: map[string]string{}, Raw: append([]byte(nil), raw...)}
	for k, v := range doc.Data {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("parse initdata: data key %q must be a string, got %T", k, v)
		}
		out.Data[k] = s
	}
	for _, k := range []string{KeyAA, KeyCDH} {
		if s, ok := out.Data[k]; ok {
			var v map[string]any
			if _, err := toml.Decode(s, &v); err != nil {
				return nil, fmt.Errorf("parse initdata: data %q is not valid TOML: %w", k, err)
			}
		}
	}
	return out, nil
}

// Keys returns the [data] keys in sorted order.
func (d *InitData) Keys() []string {
	keys := make([]string, 0, len(d.Data))
	for k := range d.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Digest returns the digest of d.Raw under d.Algorithm.
func (d *InitData) Digest() []byte {
	sum, err := Digest(d.Algorithm, d.Raw)
	if err != nil {
		// Parse accepted the algorithm; a hand-built InitData with a bad one
		// gets an empty digest, which binds to nothing and fails closed.
		return nil
	}
	return sum
}

// Digest hashes raw with the named algorithm (sha256, sha384, sha512).
func Digest(algorithm string, raw []byte) ([]byte, error) {
	h, err := newHash(algorithm)
	if err != nil {
		return nil, err
	}
	h.Write(raw)
	return h.Sum(nil), nil
}

func newHash(algorithm string) (hash.Hash, error) {
	switch algorithm {
	case SHA256:
		return sha256.New(), nil
	case SHA384:
		return sha512.New384(), nil
	case SHA512:
		return sha512.New(), nil
	default:
		return nil, fmt.Errorf("initdata algorithm %q is not supported (want sha256, sha384 or sha512)", algorithm)
	}
}

// EncodeAnnotation returns the annotation value for raw: standard padded
// base64 of gzip(raw). The gzip header carries no name or time, so equal input
// gives equal output.
func EncodeAnnotation(raw []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("encode initdata annotation: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return "", fmt.Errorf("encode initdata annotation: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("encode initdata annotation: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// DecodeAnnotation reverses EncodeAnnotation, refusing values whose text or
// decompressed size exceeds the limits (a gzip bomb stops at MaxTOMLSize+1 bytes).
func DecodeAnnotation(value string) ([]byte, error) {
	value = strings.TrimSpace(value)
	if len(value) > MaxAnnotationSize {
		return nil, fmt.Errorf("decode initdata annotation: %w (%d bytes)", ErrTooLarge, len(value))
	}
	gz, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("decode initdata annotation: base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("decode initdata annotation: gzip: %w", err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(io.LimitReader(zr, MaxTOMLSize+1))
	if err != nil {
		return nil, fmt.Errorf("decode initdata annotation: gzip: %w", err)
	}
	if len(raw) > MaxTOMLSize {
		return nil, fmt.Errorf("decode initdata annotation: %w (decompressed over %d bytes)", ErrTooLarge, MaxTOMLSize)
	}
	return raw, nil
}

// ParseAnnotation decodes an annotation value and parses the TOML inside.
func ParseAnnotation(value string) (*InitData, error) {
	raw, err := DecodeAnnotation(value)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}

// ErrNotBindable is returned when a TEE cannot bind a digest of the
// initdata's algorithm in full.
var ErrNotBindable = errors.New("initdata digest algorithm cannot be bound in full by this TEE")

// BoundSize returns how many bytes of the initdata digest tee's hardware
// holds: 32 for SNP HOST_DATA (snp, snp-emulated) and the Azure vTPM's PCR 8
// extension (az-snp-vtpm, az-tdx-vtpm), 48 for TDX MRCONFIGID; 0 for a TEE
// that binds none this package knows of.
func BoundSize(tee string) int {
	switch tee {
	case "snp", "snp-emulated", "az-snp-vtpm", "az-tdx-vtpm":
		return 32
	case "tdx":
		return 48
	}
	return 0
}

// CheckBindable refuses an algorithm whose digest tee would truncate: a
// truncated digest binds only a prefix, and the default attestation policy
// never affirms it. SNP and Azure vTPM take sha256 only; TDX sha256 or
// sha384.
func CheckBindable(tee, algorithm string) error {
	h, err := newHash(algorithm)
	if err != nil {
		return err
	}
	if n := BoundSize(tee); n > 0 && h.Size() > n {
		return fmt.Errorf("%w: %s binds %d bytes, a %s digest has %d; set algorithm = %q in the initdata", ErrNotBindable, tee, n, algorithm, h.Size(), SHA256)
	}
	return nil
}

// fit copies digest into a field of n bytes, truncating or zero-padding.
func fit(digest []byte, n int) []byte {
	out := make([]byte, n)
	copy(out, digest)
	return out
}

// SNPHostData returns the 32-byte SNP HOST_DATA value binding digest
// (truncated or zero-padded).
func SNPHostData(digest []byte) [32]byte {
	return [32]byte(fit(digest, 32))
}

// TDXMRConfigID returns the 48-byte TDX MRCONFIGID value binding digest
// (truncated or zero-padded).
func TDXMRConfigID(digest []byte) [48]byte {
	return [48]byte(fit(digest, 48))
}

// VTPMPCR8 returns the expected value of PCR 8 (SHA-256 bank) on vTPM
// platforms (Azure SNP/TDX vTPM), where the guest extends a reset PCR 8 once
// with the initdata digest: sha256(32 zero bytes || digest).
func VTPMPCR8(digest []byte) [32]byte {
	h := sha256.New()
	h.Write(make([]byte, 32))
	h.Write(digest)
	return [32]byte(h.Sum(nil))
}

// Build renders an initdata TOML document with the given algorithm and data
// entries, in sorted key order, each value as a TOML multi-line literal
// string when possible. The output is deterministic, so equal input gives an
// equal digest.
func Build(algorithm string, data map[string]string) ([]byte, error) {
	if _, err := newHash(algorithm); err != nil {
		return nil, fmt.Errorf("build initdata: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version = %q\nalgorithm = %q\n\n[data]\n", Version, algorithm)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", tomlKey(k), tomlString(data[k]))
	}
	raw := []byte(b.String())
	if _, err := Parse(raw); err != nil {
		return nil, fmt.Errorf("build initdata: %w", err)
	}
	return raw, nil
}

func tomlKey(k string) string {
	return tomlBasic(k)
}

// tomlString prefers a TOML multi-line literal string (three single quotes)
// so embedded TOML and Rego stay readable; it falls back to a basic string
// when the value contains three single quotes in a row or characters a
// literal string cannot hold.
func tomlString(s string) string {
	literalOK := !strings.Contains(s, "'''")
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			literalOK = false
			break
		}
	}
	if literalOK && !strings.HasSuffix(s, "'") && !strings.Contains(s, "\r") {
		// A newline directly after the opening delimiter is trimmed by TOML.
		return "'''\n" + s + "'''"
	}
	return tomlBasic(s)
}

func tomlBasic(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
