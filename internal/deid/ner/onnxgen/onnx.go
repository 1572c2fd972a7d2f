// Package onnxgen writes small ONNX models and the tokenizer and config files
// that go with them, so that the NER path can be tested and benchmarked in CI
// without the real obi/deid_roberta_i2b2 weights (which cannot be downloaded on
// our machines). It encodes the ONNX ModelProto by hand with protowire: the
// handful of messages a graph of standard operators needs is small, and a
// generated onnx Go package would be a new dependency for test-only code.
package onnxgen

import (
	"encoding/binary"
	"io"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX TensorProto.DataType values used here.
const (
	dtFloat = 1
	dtInt64 = 7
)

// ONNX AttributeProto.AttributeType values used here.
const (
	attrFloat = 1
	attrInt   = 2
	attrInts  = 7
)

// Graph is an ONNX graph under construction. Node order must be topological,
// which the builders here guarantee by appending in evaluation order.
type Graph struct {
	// ext, when set, receives large initializers as ONNX external data
	// (the file beside model.onnx), so multi-gigabyte models are streamed
	// rather than held in one protobuf.
	ext          io.Writer
	extLocation  string
	extOffset    int64
	extErr       error
	name         string
	nodes        [][]byte
	initializers [][]byte
	inputs       [][]byte
	outputs      [][]byte
	counter      int
}

// NewGraph returns an empty graph.
func NewGraph(name string) *Graph { return &Graph{name: name} }

// Attr is one node attribute.
type Attr struct {
	Name string
	kind int
	i    int64
	f    float32
	ints []int64
}

// IntAttr, FloatAttr and IntsAttr build node attributes.
func IntAttr(name string, v int64) Attr     { return Attr{Name: name, kind: attrInt, i: v} }
func FloatAttr(name string, v float32) Attr { return Attr{Name: name, kind: attrFloat, f: v} }
func IntsAttr(name string, v ...int64) Attr { return Attr{Name: name, kind: attrInts, ints: v} }
func (g *Graph) fresh(prefix string) string {
	g.counter++
	return prefix + "_" + strconv.Itoa(g.counter)
}
func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// Op appends a node with one output and returns the output's name.
func (g *Graph) Op(opType string, inputs []string, attrs ...Attr) string {
	out := g.fresh(opType)
	g.OpTo(opType, inputs, []string{out}, attrs...)
	return out
}

// OpTo appends a node whose outputs have the given names.
func (g *Graph) OpTo(opType string, inputs, outputs []string, attrs ...Attr) {
	var n []byte
	for _, in := range inputs { // NodeProto.input = 1
		n = appendString(n, 1, in)
	}
	for _, out := range outputs { // NodeProto.output = 2
		n = appendString(n, 2, out)
	}
	n = appendString(n, 3, g.fresh("node_"+opType)) // name
	n = appendString(n, 4, opType)                  // op_type
	for _, a := range attrs {                       // attribute = 5
		var ab []byte
		ab = appendString(ab, 1, a.Name)
		switch a.kind {
		case attrFloat:
			ab = protowire.AppendTag(ab, 2, protowire.Fixed32Type)
			ab = protowire.AppendFixed32(ab, math.Float32bits(a.f))
		case attrInt:
			ab = appendVarint(ab, 3, uint64(a.i))
		case attrInts:
			var packed []byte
			for _, v := range a.ints {
				packed = protowire.AppendVarint(packed, uint64(v))
			}
			ab = appendBytes(ab, 8, packed)
		}
		ab = appendVarint(ab, 20, uint64(a.kind)) // type
		n = appendBytes(n, 5, ab)
	}
	g.nodes = append(g.nodes, n)
}

// SetExternalData sends float initializers of 1 MiB or more to w, which the
// caller stores as location next to model.onnx.
func (g *Graph) SetExternalData(w io.Writer, location string) {
	g.ext, g.extLocation = w, location
}

// Err reports the first error writing external data.
func (g *Graph) Err() error { return g.extErr }

// FloatInit adds a float32 initializer (a weight) and returns its name.
func (g *Graph) FloatInit(name string, dims []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if g.ext == nil || len(raw) < 1<<20 {
		g.initializers = append(g.initializers, tensorProto(name, dtFloat, dims, raw))
		return name
	}
	// Align each tensor to 4 KiB so ONNX Runtime can map it directly.
	if pad := (4096 - g.extOffset%4096) % 4096; pad > 0 && g.extErr == nil {
		_, g.extErr = g.ext.Write(make([]byte, pad))
		g.extOffset += pad
	}
	if g.extErr == nil {
		_, g.extErr = g.ext.Write(raw)
	}
	var t []byte
	for _, d := range dims {
		t = appendVarint(t, 1, uint64(d))
	}
	t = appendVarint(t, 2, dtFloat)
	t = appendString(t, 8, name)
	for _, kv := range [][2]string{{"location", g.extLocation}, {"offset", strconv.FormatInt(g.extOffset, 10)}, {"length", strconv.Itoa(len(raw))}} {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		t = appendBytes(t, 13, e) // external_data
	}
	t = appendVarint(t, 14, 1) // data_location = EXTERNAL
	g.extOffset += int64(len(raw))
	g.initializers = append(g.initializers, t)
	return name
}

// Int64Init adds an int64 initializer (shapes, axes) and returns its name.
func (g *Graph) Int64Init(name string, dims []int64, data []int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	g.initializers = append(g.initializers, tensorProto(name, dtInt64, dims, raw))
	return name
}

func tensorProto(name string, dt int, dims []int64, raw []byte) []byte {
	var t []byte
	for _, d := range dims { // dims = 1 (unpacked is always accepted)
		t = appendVarint(t, 1, uint64(d))
	}
	t = appendVarint(t, 2, uint64(dt)) // data_type
	t = appendString(t, 8, name)       // name
	t = appendBytes(t, 9, raw)         // raw_data (little endian)
	return t
}

// Dim is one dimension of a graph input or output: a fixed size, or a
// symbolic name such as "batch" when Param is set.
type Dim struct {
	Value int64
	Param string
}

func valueInfo(name string, elemType int, dims []Dim) []byte {
	var shape []byte
	for _, d := range dims {
		var db []byte
		if d.Param != "" {
			db = appendString(db, 2, d.Param)
		} else {
			db = appendVarint(db, 1, uint64(d.Value))
		}
		shape = appendBytes(shape, 1, db)
	}
	var tt []byte
	tt = appendVarint(tt, 1, uint64(elemType))
	tt = appendBytes(tt, 2, shape)
	var typ []byte
	typ = appendBytes(typ, 1, tt) // TypeProto.tensor_type
	var vi []byte
	vi = appendString(vi, 1, name)
	vi = appendBytes(vi, 2, typ)
	return vi
}

// Int64Input declares a graph input of int64 elements.
func (g *Graph) Int64Input(name string, dims ...Dim) string {
	g.inputs = append(g.inputs, valueInfo(name, dtInt64, dims))
	return name
}

// FloatOutput declares a graph output of float32 elements.
func (g *Graph) FloatOutput(name string, dims ...Dim) {
	g.outputs = append(g.outputs, valueInfo(name, dtFloat, dims))
}

// Marshal encodes the graph as an ONNX ModelProto (IR version 8, default
// opset 17, which has LayerNormalization).
func (g *Graph) Marshal() []byte {
	var gb []byte
	for _, n := range g.nodes {
		gb = appendBytes(gb, 1, n)
	}
	gb = appendString(gb, 2, g.name)
	for _, t := range g.initializers {
		gb = appendBytes(gb, 5, t)
	}
	for _, in := range g.inputs {
		gb = appendBytes(gb, 11, in)
	}
	for _, out := range g.outputs {
		gb = appendBytes(gb, 12, out)
	}
	var m []byte
	m = appendVarint(m, 1, 8) // ir_version
	m = appendString(m, 2, "trustgate-onnxgen")
	m = appendBytes(m, 7, gb) // graph
	var opset []byte
	opset = appendString(opset, 1, "")
	opset = appendVarint(opset, 2, 17)
	m = appendBytes(m, 8, opset) // opset_import
	return m
}
