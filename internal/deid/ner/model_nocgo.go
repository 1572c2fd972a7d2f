//go:build !cgo

package ner

import (
	"errors"

	"github.com/trustgate/trustgate/internal/deid"
)

// LibraryEnv names the environment variable with the path of libonnxruntime.so.
const LibraryEnv = "TRUSTGATE_ONNXRUNTIME_LIB"

// RecognizerName is the recognizer name on the spans the model finds.
const RecognizerName = "ner"

// ErrNoCgo: this binary was built with CGO_ENABLED=0, so it cannot load ONNX
// Runtime (a C library); the rules and the tagger still run.
var ErrNoCgo = errors.New("ner: this deid binary was built without cgo (CGO_ENABLED=0); the ONNX model needs a cgo build on a glibc base image (docs/deid-model.md)")

// Load reports ErrNoCgo: the model path is not in this build.
func Load(string) (deid.Recognizer, error) { return nil, ErrNoCgo }
