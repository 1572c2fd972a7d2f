package onnxgen

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Transformer describes a RoBERTa-style encoder with a token-classification
// head and random weights: the right shapes and the right amount of work,
// for benchmarking the ONNX path without the real weights.
type Transformer struct {
	Vocab, Hidden, Layers, Heads, FFN, MaxPositions int
	Seed                                            uint64
}

// RobertaLarge has the shapes of roberta-large, the base of obi/deid_roberta_i2b2.
var RobertaLarge = Transformer{Vocab: 50265, Hidden: 1024, Layers: 24, Heads: 16, FFN: 4096, MaxPositions: 514}

// WriteTransformer writes model.onnx (graph), model.onnx.data (weights),
// config.json and a byte-level tokenizer.json (the 256 byte symbols and
// specials; ids beyond them exist in the embedding but are never produced).
func WriteTransformer(dir string, spec Transformer) (err error) {
	if spec.Hidden%spec.Heads != 0 {
		return fmt.Errorf("onnxgen: hidden %d not divisible by heads %d", spec.Hidden, spec.Heads)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	if err := WriteTiny(dir, Tiny{MaxPositions: spec.MaxPositions}); err != nil { // tokenizer.json, config.json
		return err
	}
	f, err := os.Create(filepath.Join(dir, "model.onnx.data"))
	if err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("onnxgen: %w", cerr)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	g := NewGraph("random-roberta")
	g.SetExternalData(bw, "model.onnx.data")
	rng := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	randn := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(rng.NormFloat64() * 0.02)
		}
		return out
	}
	fill := func(n int, v float32) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	h, k := int64(spec.Hidden), int64(len(Labels()))
	dh := h / int64(spec.Heads)
	weight := func(name string, in, out int64) (string, string) {
		return g.FloatInit(name+".weight", []int64{in, out}, randn(int(in*out))),
			g.FloatInit(name+".bias", []int64{out}, fill(int(out), 0))
	}
	lnParams := func(name string) (string, string) {
		return g.FloatInit(name+".gamma", []int64{h}, fill(int(h), 1)), g.FloatInit(name+".beta", []int64{h}, fill(int(h), 0))
	}
	layerNorm := func(x, name string) string {
		gm, bt := lnParams(name)
		return g.Op("LayerNormalization", []string{x, gm, bt}, IntAttr("axis", -1), FloatAttr("epsilon", 1e-5))
	}
	linear := func(x, name string, in, out int64) string {
		w, b := weight(name, in, out)
		return g.Op("Add", []string{g.Op("MatMul", []string{x, w}), b})
	}

	batch, seq := Dim{Param: "batch"}, Dim{Param: "sequence"}
	ids := g.Int64Input("input_ids", batch, seq)
	mask := g.Int64Input("attention_mask", batch, seq)
	word := g.Op("Gather", []string{g.FloatInit("embeddings.word", []int64{int64(spec.Vocab), h}, randn(spec.Vocab*int(h))), ids})
	// RoBERTa's positions start at padding_idx+1 = 2.
	seqLen := g.Op("Gather", []string{g.Op("Shape", []string{ids}), g.Int64Init("one", nil, []int64{1})})
	two := g.Int64Init("two", nil, []int64{2})
	posIDs := g.Op("Range", []string{two, g.Op("Add", []string{seqLen, two}), g.Int64Init("step", nil, []int64{1})})
	pos := g.Op("Gather", []string{g.FloatInit("embeddings.position", []int64{int64(spec.MaxPositions), h}, randn(spec.MaxPositions*int(h))), posIDs})
	typ := g.FloatInit("embeddings.token_type", []int64{h}, randn(int(h)))
	x := layerNorm(g.Op("Add", []string{g.Op("Add", []string{word, pos}), typ}), "embeddings.ln")

	maskF := g.Op("Cast", []string{mask}, IntAttr("to", dtFloat))
	negInf := g.FloatInit("mask_scale", nil, []float32{-1e4})
	oneF := g.FloatInit("one_f", nil, []float32{1})
	bias := g.Op("Mul", []string{g.Op("Sub", []string{oneF, maskF}), negInf})
	bias = g.Op("Unsqueeze", []string{bias, g.Int64Init("axes_12", []int64{2}, []int64{1, 2})}) // [B,1,1,S]
	headShape := g.Int64Init("head_shape", []int64{4}, []int64{0, 0, int64(spec.Heads), dh})
	flatShape := g.Int64Init("flat_shape", []int64{3}, []int64{0, 0, h})
	scale := g.FloatInit("attn_scale", nil, []float32{float32(1 / math.Sqrt(float64(dh)))})
	sqrtHalf := g.FloatInit("inv_sqrt2", nil, []float32{float32(1 / math.Sqrt2)})
	half := g.FloatInit("half", nil, []float32{0.5})
	heads := func(t string, perm ...int64) string {
		return g.Op("Transpose", []string{g.Op("Reshape", []string{t, headShape})}, IntsAttr("perm", perm...))
	}
	for l := 0; l < spec.Layers; l++ {
		p := fmt.Sprintf("layer%d.", l)
		q := heads(linear(x, p+"q", h, h), 0, 2, 1, 3)
		kk := heads(linear(x, p+"k", h, h), 0, 2, 3, 1)
		v := heads(linear(x, p+"v", h, h), 0, 2, 1, 3)
		scores := g.Op("Add", []string{g.Op("Mul", []string{g.Op("MatMul", []string{q, kk}), scale}), bias})
		probs := g.Op("Softmax", []string{scores}, IntAttr("axis", -1))
		ctx := g.Op("Reshape", []string{g.Op("Transpose", []string{g.Op("MatMul", []string{probs, v})}, IntsAttr("perm", 0, 2, 1, 3)), flatShape})
		x = layerNorm(g.Op("Add", []string{x, linear(ctx, p+"o", h, h)}), p+"ln1")
		ff := linear(x, p+"ffn1", h, int64(spec.FFN))
		// GELU as in BERT: x·½·(1+erf(x/√2)).
		gelu := g.Op("Mul", []string{g.Op("Mul", []string{ff, half}), g.Op("Add", []string{oneF, g.Op("Erf", []string{g.Op("Mul", []string{ff, sqrtHalf})})})})
		x = layerNorm(g.Op("Add", []string{x, linear(gelu, p+"ffn2", int64(spec.FFN), h)}), p+"ln2")
	}
	w, b := weight("classifier", h, k)
	g.OpTo("Add", []string{g.Op("MatMul", []string{x, w}), b}, []string{"logits"})
	g.FloatOutput("logits", batch, seq, Dim{Value: k})
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	if err := g.Err(); err != nil {
		return fmt.Errorf("onnxgen: write weights: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), g.Marshal(), 0o644); err != nil {
		return fmt.Errorf("onnxgen: %w", err)
	}
	return nil
}
