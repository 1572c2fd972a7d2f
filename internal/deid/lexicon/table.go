package lexicon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The compiled vocabulary (vocab.bin) is every word of every list with its
// flags, laid out so that a look-up reads the embedded bytes directly: nothing
// is decompressed, parsed or hashed into a map at start-up.
//
//	magic    "TGLX2\x00\x00\x00"
//	n        uint64: number of entries
//	index    [buckets+1]uint32: entries of bucket b are entries[index[b]:index[b+1]]
//	entries  [n]uint64, sorted: Hash(word) with its low flagBits bits replaced by the flags
//
// The bucket of a word is the top bucketBits of its hash. Keys keep 48 bits
// of the hash: among about 700,000 entries a false match for a word that is
// in no list has a probability of about 2.5e-9.
const (
	tableMagic = "TGLX2\x00\x00\x00"
	bucketBits = 16
	buckets    = 1 << bucketBits
	flagBits   = 16
	flagMask   = 1<<flagBits - 1
	headerLen  = len(tableMagic) + 8
	indexLen   = 4 * (buckets + 1)
)

// Hash is 64-bit FNV-1a, the key of every look-up (of the lower-cased word).
func Hash(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// BuildTable compiles words (lower case) with their flags into the vocab.bin
// layout. It is deterministic: the same map gives the same bytes.
func BuildTable(words map[string]Flags) ([]byte, error) {
	keys := make([]uint64, 0, len(words))
	seen := make(map[uint64]string, len(words))
	for w, f := range words {
		if f&^flagMask != 0 {
			return nil, fmt.Errorf("lexicon: flags %#x of %q do not fit %d bits", f, w, flagBits)
		}
		k := Hash(w) &^ flagMask
		if prev, dup := seen[k]; dup {
			return nil, fmt.Errorf("lexicon: %q and %q share a 48-bit hash", prev, w)
		}
		seen[k] = w
		keys = append(keys, k|uint64(f))
	}
	slices.Sort(keys)
	out := make([]byte, headerLen+indexLen+8*len(keys))
	copy(out, tableMagic)
	binary.LittleEndian.PutUint64(out[len(tableMagic):], uint64(len(keys)))
	idx := out[headerLen:]
	b := 0
	for i, k := range keys {
		for ; b <= int(k>>(64-bucketBits)); b++ {
			binary.LittleEndian.PutUint32(idx[4*b:], uint32(i))
		}
		binary.LittleEndian.PutUint64(out[headerLen+indexLen+8*i:], k)
	}
	for ; b <= buckets; b++ {
		binary.LittleEndian.PutUint32(idx[4*b:], uint32(len(keys)))
	}
	return out, nil
}

// Table is a compiled vocabulary: a read-only view of vocab.bin bytes.
type Table struct {
	index   []byte
	entries []byte
}

// OpenTable checks the layout of data and returns a view of it (no copy).
func OpenTable(data []byte) (*Table, error) {
	if len(data) < headerLen+indexLen || string(data[:len(tableMagic)]) != tableMagic {
		return nil, errors.New("lexicon: not a vocabulary table")
	}
	n := binary.LittleEndian.Uint64(data[len(tableMagic):])
	if n > uint64(len(data)) || uint64(len(data)) != uint64(headerLen+indexLen)+8*n {
		return nil, fmt.Errorf("lexicon: vocabulary table of %d bytes does not hold %d entries", len(data), n)
	}
	t := &Table{index: data[headerLen : headerLen+indexLen], entries: data[headerLen+indexLen:]}
	prev := uint32(0)
	for b := 0; b <= buckets; b++ {
		v := binary.LittleEndian.Uint32(t.index[4*b:])
		if v < prev || uint64(v) > n {
			return nil, errors.New("lexicon: vocabulary table index out of order")
		}
		prev = v
	}
	return t, nil
}

// LookupHash returns the flags of the word whose Hash is h (0 if none).
func (t *Table) LookupHash(h uint64) Flags {
	b := h >> (64 - bucketBits)
	lo := binary.LittleEndian.Uint32(t.index[4*b:])
	hi := binary.LittleEndian.Uint32(t.index[4*b+4:])
	key := h &^ flagMask
	for i := lo; i < hi; i++ {
		e := binary.LittleEndian.Uint64(t.entries[8*i:])
		if e&^flagMask == key {
			return Flags(e & flagMask)
		}
		if e > key|flagMask {
			break
		}
	}
	return 0
}

// Lookup returns the flags of w, which must be lower case.
func (t *Table) Lookup(w string) Flags { return t.LookupHash(Hash(w)) }

// Len is the number of entries.
func (t *Table) Len() int { return len(t.entries) / 8 }

// Each calls fn for every entry: the key (the word's Hash with its low
// flag bits cleared) and its flags.
func (t *Table) Each(fn func(key uint64, f Flags)) {
	for i := 0; i+8 <= len(t.entries); i += 8 {
		e := binary.LittleEndian.Uint64(t.entries[i:])
		fn(e&^flagMask, Flags(e&flagMask))
	}
}
