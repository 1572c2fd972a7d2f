package onnxgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/trustgate/trustgate/internal/deid/ner/bytelevel"
)

// Labels returns the 45 BILOU labels of obi/deid_roberta_i2b2's i2b2 2014
// entities: "O" first, then B-, I-, L-, U- of each entity.
func Labels() []string {
	out := []string{"O"}
	for _, e := range []string{"AGE", "DATE", "EMAIL", "HOSP", "ID", "LOC", "OTHERPHI", "PATIENT", "PATORG", "PHONE", "STAFF"} {
		for _, p := range "BILU" {
			out = append(out, string(p)+"-"+e)
		}
	}
	return out
}

// Tiny describes a tiny token-classification model whose random weights carry
// a planted answer: every token in Tokens is classified as its label, every
// other token as O. A test can therefore say exactly which spans must come
// out, and the test fails if tokenization, offsets or decoding are wrong.
type Tiny struct {
	// Tokens maps text pieces as they appear in a note (" John", "é", "😀")
	// to a label such as "U-PATIENT". Each becomes one vocabulary entry built
	// from its bytes by merges; a leading space becomes GPT-2's "Ġ".
	Tokens map[string]string
	// Pieces are extra vocabulary entries labelled O.
	Pieces []string
	// Seed makes the random weights reproducible.
	Seed uint64
	// MaxPositions is written as max_position_embeddings (0: 514).
	MaxPositions int
	// TokenTypeIDs adds a BERT-style token_type_ids input (added to the
	// hidden state after a cast, so a wrong value changes the logits).
	TokenTypeIDs bool
}

// Symbols spells text in GPT-2's byte-level alphabet (a space is "Ġ").
func Symbols(text string) string { return bytelevel.Spell(text) }

// WriteTiny writes model.onnx, tokenizer.json and config.json into dir.
func WriteTiny(dir string, spec Tiny) error {
	labels := Labels()
	labelID := map[string]int{}
	for i, l := range labels {
		labelID[l] = i
	}
	// Vocabulary: RoBERTa's four specials, the 256 byte symbols, then one
	// entry per planted piece, reached by left-to-right merges of its bytes.
	vocab := map[string]int64{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
	next := int64(4)
	add := func(sym string) int64 {
		if id, ok := vocab[sym]; ok {
			return id
		}
		vocab[sym] = next
		next++
		return next - 1
	}
	for _, s := range bytelevel.Alphabet() {
		add(s)
	}
	pieces := append([]string(nil), spec.Pieces...)
	for p := range spec.Tokens {
		pieces = append(pieces, p)
	}
	sort.Strings(pieces)
	var merges []string
	seenMerge := map[string]bool{}
	tokenLabel := map[int64]int{}
	for _, p := range pieces {
		if p == "" {
			return fmt.Errorf("onnxgen: empty piece")
		}
		syms := make([]string, 0, len(p))
		for i := 0; i < len(p); i++ {
			syms = append(syms, Symbols(p[i:i+1]))
		}
		acc := syms[0]
		for _, s := range syms[1:] {
			m := acc + " " + s
			if !seenMerge[m] {
				seenMerge[m] = true
				merges = append(merges, m)
			}
			acc += s
			add(acc)
		}
		id := add(acc)
		if l, ok := spec.Tokens[p]; ok {
			li, ok := labelID[l]
			if !ok {
				return fmt.Errorf("onnxgen: unknown label %q", l)
			}
			tokenLabel[id] = li
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	if err := writeTokenizer(dir, vocab, merges); err != nil {
		return err
	}
	maxPos := spec.MaxPositions
	if maxPos == 0 {
		maxPos = 514
	}
	if err := writeConfig(dir, labels, map[string]any{"max_position_embeddings": maxPos, "model_type": "roberta"}); err != nil {
		return err
	}

	v, k := int(next), len(labels)
	h := k + 8
	rng := rand.New(rand.NewPCG(spec.Seed, 0x7a11))
	emb := make([]float32, v*h)
	for t := 0; t < v; t++ {
		row := emb[t*h : (t+1)*h]
		for j := range row {
			row[j] = float32(rng.NormFloat64()) * 0.3
		}
		row[tokenLabel[int64(t)]] = 6 // unlabelled tokens: 0, which is "O"
	}
	w := make([]float32, h*k)
	for i := 0; i < h; i++ {
		for j := 0; j < k; j++ {
			w[i*k+j] = float32(rng.NormFloat64()) * 0.05
		}
		if i < k {
			w[i*k+i] = 1
		}
	}
	bias := make([]float32, k)
	for j := range bias {
		bias[j] = float32(rng.NormFloat64()) * 0.05
	}

	g := NewGraph("tiny-deid")
	batch, seq := Dim{Param: "batch"}, Dim{Param: "sequence"}
	ids := g.Int64Input("input_ids", batch, seq)
	mask := g.Int64Input("attention_mask", batch, seq)
	E := g.FloatInit("embeddings", []int64{int64(v), int64(h)}, emb)
	W := g.FloatInit("classifier.weight", []int64{int64(h), int64(k)}, w)
	B := g.FloatInit("classifier.bias", []int64{int64(k)}, bias)
	axes := g.Int64Init("axes_last", []int64{1}, []int64{-1})
	hidden := g.Op("Gather", []string{E, ids})
	maskF := g.Op("Cast", []string{mask}, IntAttr("to", dtFloat))
	hidden = g.Op("Mul", []string{hidden, g.Op("Unsqueeze", []string{maskF, axes})})
	if spec.TokenTypeIDs {
		types := g.Int64Input("token_type_ids", batch, seq)
		typesF := g.Op("Cast", []string{types}, IntAttr("to", dtFloat))
		hidden = g.Op("Add", []string{hidden, g.Op("Mul", []string{g.Op("Unsqueeze", []string{typesF, axes}), g.FloatInit("type_scale", nil, []float32{100})})})
	}
	g.OpTo("Add", []string{g.Op("MatMul", []string{hidden, W}), B}, []string{"logits"})
	g.FloatOutput("logits", batch, seq, Dim{Value: int64(k)})
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), g.Marshal(), 0o644); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	return nil
}

func writeTokenizer(dir string, vocab map[string]int64, merges []string) error {
	type added struct {
		ID      int64  `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	}
	tj := map[string]any{
		"version":    "1.0",
		"truncation": nil,
		"padding":    nil,
		"added_tokens": []added{
			{0, "<s>", true}, {1, "<pad>", true}, {2, "</s>", true}, {3, "<unk>", true},
		},
		"normalizer":     nil,
		"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
		"post_processor": map[string]any{"type": "RobertaProcessing", "sep": []any{"</s>", 2}, "cls": []any{"<s>", 0}, "trim_offsets": true, "add_prefix_space": false},
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{
			"type": "BPE", "dropout": nil, "unk_token": "<unk>", "continuing_subword_prefix": "",
			"end_of_word_suffix": "", "fuse_unk": false, "vocab": vocab, "merges": merges,
		},
	}
	return writeJSON(filepath.Join(dir, "tokenizer.json"), tj)
}

func writeConfig(dir string, labels []string, extra map[string]any) error {
	id2label := map[string]string{}
	label2id := map[string]int{}
	for i, l := range labels {
		id2label[strconv.Itoa(i)] = l
		label2id[l] = i
	}
	cfg := map[string]any{"architectures": []string{"RobertaForTokenClassification"}, "id2label": id2label, "label2id": label2id}
	for k, v := range extra {
		cfg[k] = v
	}
	return writeJSON(filepath.Join(dir, "config.json"), cfg)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	return nil
}
