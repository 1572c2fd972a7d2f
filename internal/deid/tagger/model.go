package tagger

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/trustgate/trustgate/internal/deid"
)

// The model file (model.bin) is laid out so that the tagger reads the
// embedded bytes where they lie: loading checks the layout and decodes the
// few type names, and nothing is decompressed, parsed into maps or copied.
//
//	magic   "DTAG2\n\x00\x00"
//	types   uint8 count, then per type: uint8 length, the name ("NAME")
//	scale   float32: weight = quantized * scale
//	nVocab  uint32, nSlots uint32 (a power of two), nEnts uint32
//	vocab   [nVocab]uint32, strictly increasing: hashes of the known words
//	table   [nSlots]{key uint32; start<<8 | count uint32}: open addressing,
//	        linear probing from key & (nSlots-1); key 0 is an empty slot
//	ents    [nEnts]uint32: tag<<16 | uint16(quantized weight)
//
// All integers are little-endian. A feature's weights are
// ents[start:start+count]; one look-up reads one slot and one short run.
var magic = []byte("DTAG2\n\x00\x00")

// Limits a model file must respect; OpenModel rejects anything larger.
const (
	maxTypes    = 7 // 15 tags at most: a tag vector is 16 lanes (vec)
	maxSlots    = 1 << 23
	maxVocab    = 1 << 20
	maxEnts     = 1 << 24 // start fits 24 bits
	maxPerFeat  = 255     // count fits 8 bits
	slotBytes   = 8
	maxFileSize = 256 << 20
)

var le = binary.LittleEndian

// OpenModel checks the layout of data and returns a model that reads it in
// place (data must not change afterwards).
func OpenModel(data []byte) (*Model, error) {
	d := &decoder{b: data}
	if string(d.bytes(len(magic))) != string(magic) {
		return nil, errors.New("not a tagger model")
	}
	m := &Model{}
	nt := int(d.u8())
	if nt == 0 || nt > maxTypes {
		return nil, errors.New("bad type count")
	}
	for range nt {
		t, err := deid.ParseType(string(d.bytes(int(d.u8()))))
		if err != nil {
			return nil, err
		}
		m.types = append(m.types, t)
	}
	m.scale = math.Float32frombits(d.u32())
	nv, ns, ne := d.u32(), d.u32(), d.u32()
	switch {
	case d.err != nil:
		return nil, d.err
	case nv > maxVocab:
		return nil, errors.New("vocabulary too large")
	case ns == 0 || ns > maxSlots || ns&(ns-1) != 0:
		return nil, errors.New("bad table size")
	case ne > maxEnts:
		return nil, errors.New("too many weights")
	case math.IsNaN(float64(m.scale)) || math.IsInf(float64(m.scale), 0):
		return nil, errors.New("bad weight scale")
	}
	m.vocab = d.bytes(4 * int(nv))
	m.table = d.bytes(slotBytes * int(ns))
	m.ents = d.bytes(4 * int(ne))
	m.mask = ns - 1
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	for i := 4; i < len(m.vocab); i += 4 {
		if le.Uint32(m.vocab[i-4:]) >= le.Uint32(m.vocab[i:]) {
			return nil, errors.New("vocabulary out of order")
		}
	}
	empty := 0
	for s := 0; s < len(m.table); s += slotBytes {
		key, v := le.Uint32(m.table[s:]), le.Uint32(m.table[s+4:])
		if key == 0 {
			if v != 0 {
				return nil, errors.New("empty slot with weights")
			}
			empty++
			continue
		}
		if start, n := v>>8, v&0xff; n == 0 || start+n > ne {
			return nil, errors.New("feature weights out of range")
		}
	}
	if empty == 0 {
		return nil, errors.New("feature table full")
	}
	nTags := uint32(m.nTags())
	for i := 0; i < len(m.ents); i += 4 {
		if le.Uint32(m.ents[i:])>>16 >= nTags {
			return nil, errors.New("tag out of range")
		}
	}
	return m, nil
}

// ReadModel reads a model file from r (into memory of its own).
func ReadModel(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errors.New("model file too large")
	}
	return OpenModel(data)
}

// Write encodes the model in the layout above, deterministically.
func (m *Model) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var b4 [4]byte
	u32 := func(v uint32) { le.PutUint32(b4[:], v); bw.Write(b4[:]) }
	bw.Write(magic)
	bw.WriteByte(byte(len(m.types)))
	for _, t := range m.types {
		bw.WriteByte(byte(len(t)))
		bw.WriteString(string(t))
	}
	u32(math.Float32bits(m.scale))
	u32(uint32(len(m.vocab) / 4))
	u32(uint32(len(m.table) / slotBytes))
	u32(uint32(len(m.ents) / 4))
	bw.Write(m.vocab)
	bw.Write(m.table)
	bw.Write(m.ents)
	return bw.Flush()
}

// weights returns the weights of feature f (tag<<16 | quantized weight,
// four bytes each), nil when the model has none.
func (m *Model) weights(f fh) []byte {
	k := fold(f)
	for s := k & m.mask; ; s = (s + 1) & m.mask {
		o := slotBytes * int(s)
		key := le.Uint32(m.table[o:])
		if key == 0 {
			return nil
		}
		if key == k {
			v := le.Uint32(m.table[o+4:])
			return m.ents[4*(v>>8) : 4*(v>>8+v&0xff)]
		}
	}
}

// addWeights adds the weights of feature f to scores.
func (m *Model) addWeights(f fh, scores []float32) {
	ents := m.weights(f)
	for i := 0; i+4 <= len(ents); i += 4 {
		e := le.Uint32(ents[i:])
		scores[e>>16] += float32(int16(uint16(e))) * m.scale
	}
}

// inVocab reports whether the word hash h is a known word.
func (m *Model) inVocab(h uint32) bool {
	lo, hi := 0, len(m.vocab)/4
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch v := le.Uint32(m.vocab[4*mid:]); {
		case v == h:
			return true
		case v < h:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// setVocab stores the known-word hashes (training).
func (m *Model) setVocab(hashes []uint32) {
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	m.vocab = make([]byte, 4*len(hashes))
	for i, h := range hashes {
		le.PutUint32(m.vocab[4*i:], h)
	}
}

// weight is one non-zero weight of a feature (training).
type weight struct {
	tag uint8
	q   int16
}

// buildTable lays out features (keys distinct and non-zero, in the order
// their weights are to be stored) with their weights (training).
func (m *Model) buildTable(keys []uint32, weights [][]weight) error {
	slots := 1
	for slots < 2*len(keys)+1 {
		slots <<= 1
	}
	if slots > maxSlots {
		return errors.New("too many features")
	}
	m.table, m.mask = make([]byte, slotBytes*slots), uint32(slots-1)
	var ents []byte
	for i, k := range keys {
		ws := weights[i]
		start := len(ents) / 4
		if k == 0 || len(ws) == 0 || len(ws) > maxPerFeat || start+len(ws) > maxEnts {
			return fmt.Errorf("feature %#x: bad key or weight count", k)
		}
		for _, w := range ws {
			ents = le.AppendUint32(ents, uint32(w.tag)<<16|uint32(uint16(w.q)))
		}
		s := k & m.mask
		for ; le.Uint32(m.table[slotBytes*int(s):]) != 0; s = (s + 1) & m.mask {
			if le.Uint32(m.table[slotBytes*int(s):]) == k {
				return errors.New("duplicate feature key")
			}
		}
		le.PutUint32(m.table[slotBytes*int(s):], k)
		le.PutUint32(m.table[slotBytes*int(s)+4:], uint32(start)<<8|uint32(len(ws)))
	}
	m.ents = ents
	return nil
}

// Stats describes a model's size.
func (m *Model) Stats() (features, weights, vocab int) {
	for s := 0; s < len(m.table); s += slotBytes {
		if le.Uint32(m.table[s:]) != 0 {
			features++
		}
	}
	return features, len(m.ents) / 4, len(m.vocab) / 4
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.err = io.ErrUnexpectedEOF
		d.b = nil
		return nil
	}
	v := d.b[:n:n]
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

func (d *decoder) u32() uint32 {
	b := d.bytes(4)
	if b == nil {
		return 0
	}
	return le.Uint32(b)
}
