package policy

import (
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// maxInputDepth bounds toValue's recursion; deeper inputs take OPA's own
// conversion (which detects cycles from depth 1000).
const maxInputDepth = 64

// toValue converts a policy input to the ast.Value OPA's rego.EvalInput
// would build from it (util.RoundTripFast, then ast.InterfaceToValue),
// without RoundTripFast's copy of every map and slice: JSON-native values
// (nil, bool, string, json.Number, map[string]any, []any) convert directly,
// anything else goes through the same JSON round trip RoundTripFast gives
// it. ok is false for inputs deeper than maxInputDepth.
func toValue(x any, depth int) (v ast.Value, ok bool, err error) {
	if depth > maxInputDepth {
		return nil, false, nil
	}
	switch x := x.(type) {
	case nil:
		return ast.NullValue, true, nil
	case bool, string, json.Number:
		v, err := ast.InterfaceToValue(x)
		return v, err == nil, err
	case map[string]any:
		if x == nil {
			return ast.NullValue, true, nil // RoundTripFast turns a nil map into nil
		}
		kvs := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			ev, ok, err := toValue(e, depth+1)
			if !ok || err != nil {
				return nil, ok, err
			}
			kvs = append(kvs, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(ev)})
		}
		return ast.NewObject(kvs...), true, nil
	case []any:
		if x == nil {
			return ast.NullValue, true, nil
		}
		ts := make([]*ast.Term, len(x))
		for i, e := range x {
			ev, ok, err := toValue(e, depth+1)
			if !ok || err != nil {
				return nil, ok, err
			}
			ts[i] = ast.NewTerm(ev)
		}
		return ast.NewArray(ts...), true, nil
	default:
		y := any(x)
		if err := util.RoundTrip(&y); err != nil {
			return nil, false, err
		}
		return toValue(y, depth)
	}
}
