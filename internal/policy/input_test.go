package policy

import (
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// TestToValueMatchesOPA: toValue builds the value OPA's rego.EvalInput
// builds (util.RoundTripFast, then ast.InterfaceToValue) for the real
// inputs of the tests and for every Go type shape claims take.
func TestToValueMatchesOPA(t *testing.T) {
	type pair struct{ A int }
	var nilMap map[string]any
	var nilSlice []any
	inputs := []any{
		nil, sampleInput(), claims("snp", "affirming"), claims("sample", "warning"),
		map[string]any{"n": 1, "f": 1.5, "big": uint64(1) << 63, "neg": int64(-3), "num": json.Number("12.50")},
		map[string]any{"ss": []string{"a", "b"}, "ms": map[string]string{"k": "v"}, "st": pair{A: 2}, "p": &pair{A: 3}},
		map[string]any{"nilmap": nilMap, "nilslice": nilSlice, "nested": []any{nil, true, "x", []any{map[string]any{}}}},
		nilMap, nilSlice, "s", true, 7, []byte("bytes"),
	}
	for i, in := range inputs {
		y := in
		if err := util.RoundTripFast(&y); err != nil {
			t.Fatal(err)
		}
		want, err := ast.InterfaceToValue(y)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := toValue(in, 0)
		if err != nil || !ok {
			t.Fatalf("input %d: toValue declined: %v", i, err)
		}
		if got.Compare(want) != 0 {
			t.Errorf("input %d: toValue = %v, OPA builds %v", i, got, want)
		}
	}
	deep := any("leaf")
	for range maxInputDepth + 2 {
		deep = []any{deep}
	}
	if _, ok, _ := toValue(deep, 0); ok {
		t.Error("toValue converted an input deeper than its bound")
	}
}
