package realeval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/trustgate/trustgate/internal/deid"
)

// MarshalJSONL encodes notes one JSON object per line, spans always present.
func MarshalJSONL(notes []deid.GoldNote) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, n := range notes {
		if n.Spans == nil {
			n.Spans = []deid.Span{}
		}
		if err := enc.Encode(n); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// LoadJSONL reads a gold file and checks every note.
func LoadJSONL(path string) ([]deid.GoldNote, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var notes []deid.GoldNote
	err = deid.ReadJSONL(f, func(line int, n deid.GoldNote) error {
		if err := Check(n); err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		notes = append(notes, n)
		return nil
	})
	return notes, err
}

// The generated development set: synth.GenerateRealStyle(DevGenSeed,
// DevGenNotes). The tagger trains on other seeds.
const (
	DevGenSeed  = 20261204
	DevGenNotes = 300
)
