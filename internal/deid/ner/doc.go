// Package ner runs a token-classification transformer exported to ONNX (the
// reference is obi/deid_roberta_i2b2) as a deid.Recognizer, so the engine
// merges what the model finds with what the rules find.
//
// A model directory holds model.onnx, tokenizer.json (RoBERTa byte-level BPE)
// and config.json (id2label with the 45 BILOU labels). The ONNX Runtime shared
// library comes from TRUSTGATE_ONNXRUNTIME_LIB (the CPU build shipped inside
// the npm package onnxruntime-node). Long notes are cut into overlapping
// windows; each token keeps the scores of the window where it sits furthest
// from an edge, and the whole note is decoded at once under strict BILOU.
//
// The ONNX path needs cgo (github.com/yalue/onnxruntime_go); a binary built
// with CGO_ENABLED=0 still has the rules and the tagger, and Load answers
// ErrNoCgo (model_nocgo.go).
package ner
