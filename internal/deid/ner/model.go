//go:build cgo

package ner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/trustgate/trustgate/internal/deid"
)

// LibraryEnv names the environment variable holding the path of
// libonnxruntime.so.
const LibraryEnv = "TRUSTGATE_ONNXRUNTIME_LIB"

// RecognizerName is the Recognizer value of the spans the model finds.
const RecognizerName = "ner"

// Model is a loaded token-classification model. It is safe for concurrent
// use (ONNX Runtime sessions allow concurrent Run calls).
type Model struct {
	tok       *Tokenizer
	labels    []label
	session   *ort.DynamicAdvancedSession
	window    int // content tokens per window, without <s> and </s>
	overlap   int
	inputMask bool // whether the graph takes attention_mask
	typeIDs   bool // whether the graph takes token_type_ids (BERT-style exports)
	perToken  bool // decode every token (WithTokenLabels) instead of first-of-word
}

var _ deid.Recognizer = (*Model)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	lib             string
	window, overlap int
	perToken        bool
}

// WithLibrary sets the path of libonnxruntime.so (default: $TRUSTGATE_ONNXRUNTIME_LIB).
func WithLibrary(path string) Option { return func(o *options) { o.lib = path } }

// WithWindow sets how many tokens one model run sees and how many of them
// overlap the previous window. The default (510, 128) fits RoBERTa's 512
// positions with <s> and </s>.
func WithWindow(size, overlap int) Option {
	return func(o *options) { o.window, o.overlap = size, overlap }
}

// WithTokenLabels decodes the label of every token, for models trained with
// label_all_tokens on running text. The default follows how robust-deid
// trained obi/deid_roberta_i2b2: words encoded separately with a leading
// space, and only each word's first token carrying a label.
func WithTokenLabels() Option { return func(o *options) { o.perToken = true } }

var (
	envOnce sync.Once
	envErr  error
)

// initRuntime loads the shared library once per process; ONNX Runtime has one
// global environment, so the first path wins.
func initRuntime(lib string) error {
	envOnce.Do(func() {
		if lib == "" {
			envErr = fmt.Errorf("onnx runtime: library path not set (set %s to libonnxruntime.so from the npm package onnxruntime-node)", LibraryEnv)
			return
		}
		if _, err := os.Stat(lib); err != nil {
			envErr = fmt.Errorf("onnx runtime: %w", err)
			return
		}
		if ort.IsInitialized() {
			return
		}
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			envErr = fmt.Errorf("onnx runtime: initialize %s: %w", lib, err)
		}
	})
	return envErr
}

// Load opens the model directory dir with default options; it is what
// `deid --model DIR` calls.
func Load(dir string) (deid.Recognizer, error) {
	m, err := Open(dir)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Open loads model.onnx, tokenizer.json and config.json from dir.
func Open(dir string, opts ...Option) (*Model, error) {
	o := options{lib: os.Getenv(LibraryEnv), window: 510, overlap: 128}
	for _, f := range opts {
		f(&o)
	}
	if o.window < 2 || o.overlap < 0 || o.overlap >= o.window {
		return nil, fmt.Errorf("open model: window %d with overlap %d: need window ≥ 2 and 0 ≤ overlap < window", o.window, o.overlap)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	labels, err := parseLabels(cfg)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", dir, err)
	}
	var shape struct {
		MaxPositions int `json:"max_position_embeddings"`
	}
	_ = json.Unmarshal(cfg, &shape) // already parsed once; a missing field keeps the default
	if shape.MaxPositions > 4 && o.window > shape.MaxPositions-4 {
		// RoBERTa reserves two positions for padding offsets and two for <s></s>.
		o.window = shape.MaxPositions - 4
		o.overlap = min(o.overlap, o.window/2)
	}
	tok, err := LoadTokenizer(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", dir, err)
	}
	if err := initRuntime(o.lib); err != nil {
		return nil, fmt.Errorf("open model %s: %w", dir, err)
	}
	modelPath := filepath.Join(dir, "model.onnx")
	ins, outs, err := ort.GetInputOutputInfo(modelPath)
	if err != nil {
		return nil, fmt.Errorf("open model %s: read graph: %w", dir, err)
	}
	m := &Model{tok: tok, labels: labels, window: o.window, overlap: o.overlap, perToken: o.perToken}
	inputNames := []string{}
	for _, in := range ins {
		switch in.Name {
		case "input_ids":
			inputNames = append(inputNames, in.Name)
		case "attention_mask":
			m.inputMask = true
		case "token_type_ids":
			m.typeIDs = true
		default:
			return nil, fmt.Errorf("open model %s: unexpected graph input %q (want input_ids, attention_mask, token_type_ids)", dir, in.Name)
		}
	}
	if len(inputNames) == 0 {
		return nil, fmt.Errorf("open model %s: graph has no input_ids input", dir)
	}
	if m.inputMask {
		inputNames = append(inputNames, "attention_mask")
	}
	if m.typeIDs {
		inputNames = append(inputNames, "token_type_ids")
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("open model %s: graph has no output", dir)
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", dir, err)
	}
	defer so.Destroy()
	m.session, err = ort.NewDynamicAdvancedSession(modelPath, inputNames, []string{outs[0].Name}, so)
	if err != nil {
		return nil, fmt.Errorf("open model %s: create session: %w", dir, err)
	}
	return m, nil
}

// Close releases the ONNX Runtime session.
func (m *Model) Close() error {
	if m.session == nil {
		return nil
	}
	err := m.session.Destroy()
	m.session = nil
	return err
}

// Name implements deid.Recognizer.
func (m *Model) Name() string { return RecognizerName }

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *Tokenizer { return m.tok }

// Recognize implements deid.Recognizer: tokens → windows → logits → strict
// BILOU over words (or tokens) → spans in code points.
func (m *Model) Recognize(ctx context.Context, text string) ([]deid.Span, error) {
	if m.perToken {
		toks := m.tok.Encode(text)
		if len(toks) == 0 {
			return nil, nil
		}
		scores, err := m.Scores(ctx, toks)
		if err != nil {
			return nil, err
		}
		return spansFromLabels([]rune(text), toks, decode(scores, m.labels), m.labels, RecognizerName), nil
	}
	toks, words := m.tok.EncodeWords(text)
	if len(words) == 0 {
		return nil, nil
	}
	scores, err := m.Scores(ctx, toks)
	if err != nil {
		return nil, err
	}
	// A word's label is its first token's (the others were ignored in
	// training), and its span is the whole word.
	k := len(m.labels)
	wordScores := make([]float32, len(words)*k)
	units := make([]Token, len(words))
	for i, w := range words {
		copy(wordScores[i*k:(i+1)*k], scores[w.First*k:(w.First+1)*k])
		units[i] = Token{Start: w.Start, End: w.End}
	}
	return spansFromLabels([]rune(text), units, decode(wordScores, m.labels), m.labels, RecognizerName), nil
}

// Scores runs the model over toks in overlapping windows and returns one row
// of logits per token (len(toks) × number of labels).
func (m *Model) Scores(ctx context.Context, toks []Token) ([]float32, error) {
	k := len(m.labels)
	scores := make([]float32, len(toks)*k)
	centrality := make([]int, len(toks))
	for i := range centrality {
		centrality[i] = -1
	}
	stride := m.window - m.overlap
	for a := 0; ; a += stride {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := min(a+m.window, len(toks))
		logits, err := m.run(toks[a:b])
		if err != nil {
			return nil, err
		}
		for i := a; i < b; i++ {
			// A token near a window's edge saw little context on one side;
			// keep the window where it sits most centrally. The first and
			// last windows have a hard edge only on one side.
			left, right := i-a, b-1-i
			if a == 0 {
				left = len(toks)
			}
			if b == len(toks) {
				right = len(toks)
			}
			if c := min(left, right); c > centrality[i] {
				centrality[i] = c
				copy(scores[i*k:(i+1)*k], logits[(i-a+1)*k:(i-a+2)*k]) // +1: skip <s>
			}
		}
		if b == len(toks) {
			return scores, nil
		}
	}
}

// run evaluates one window: <s> tokens </s>.
func (m *Model) run(toks []Token) ([]float32, error) {
	n := int64(len(toks) + 2)
	ids := make([]int64, 0, n)
	ids = append(ids, m.tok.BOS)
	for _, t := range toks {
		ids = append(ids, t.ID)
	}
	ids = append(ids, m.tok.EOS)
	shape := ort.NewShape(1, n)
	idT, err := ort.NewTensor(shape, ids)
	if err != nil {
		return nil, fmt.Errorf("ner: input tensor: %w", err)
	}
	defer idT.Destroy()
	inputs := []ort.Value{idT}
	if m.inputMask {
		mask := make([]int64, n)
		for i := range mask {
			mask[i] = 1
		}
		maskT, err := ort.NewTensor(shape, mask)
		if err != nil {
			return nil, fmt.Errorf("ner: mask tensor: %w", err)
		}
		defer maskT.Destroy()
		inputs = append(inputs, maskT)
	}
	if m.typeIDs { // one segment: all zeros
		typeT, err := ort.NewTensor(shape, make([]int64, n))
		if err != nil {
			return nil, fmt.Errorf("ner: token type tensor: %w", err)
		}
		defer typeT.Destroy()
		inputs = append(inputs, typeT)
	}
	k := int64(len(m.labels))
	out, err := ort.NewEmptyTensor[float32](ort.NewShape(1, n, k))
	if err != nil {
		return nil, fmt.Errorf("ner: output tensor: %w", err)
	}
	defer out.Destroy()
	if m.session == nil {
		return nil, errors.New("ner: model is closed")
	}
	if err := m.session.Run(inputs, []ort.Value{out}); err != nil {
		// ONNX Runtime errors name shapes and nodes, never input values.
		return nil, fmt.Errorf("ner: run model: %w", err)
	}
	return append([]float32(nil), out.GetData()...), nil
}
