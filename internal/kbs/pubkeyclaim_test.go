package kbs

import (
	"encoding/json"
	"testing"
)

// sameReading fails unless TeePubKeyFromClaim reads v as the reference JSON
// round trip does: the same key, or an error in both.
func sameReading(t *testing.T, v any) {
	t.Helper()
	got, gotErr := TeePubKeyFromClaim(v)
	want, wantErr := teePubKeyFromClaimJSON(v)
	if (gotErr != nil) != (wantErr != nil) || got != want {
		t.Fatalf("TeePubKeyFromClaim(%#v) = %+v, %v; the JSON round trip gives %+v, %v", v, got, gotErr, want, wantErr)
	}
}

func TestTeePubKeyFromClaimDirect(t *testing.T) {
	ec := map[string]any{"kty": "EC", "crv": "P-256", "alg": AlgECDHESA256KW, "x": "AQ", "y": "Ag"}
	rsa := map[string]any{"kty": "RSA", "alg": "RSA-OAEP-256", "n": "AQAB", "e": "AQAB"}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for a, b := range m {
			out[a] = b
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	for name, v := range map[string]any{
		"ec":                 ec,
		"rsa":                rsa,
		"ec with n and e":    with(with(ec, "n", "x"), "e", "y"),
		"no kty":             with(ec, "kty", nil),
		"no alg":             with(ec, "alg", nil),
		"ec without y":       with(ec, "y", nil),
		"rsa without e":      with(rsa, "e", nil),
		"unknown kty":        with(ec, "kty", "OKP"),
		"number member":      with(ec, "x", json.Number("1")),
		"float member":       with(ec, "x", 1.0),
		"null member":        map[string]any{"kty": "EC", "crv": "P-256", "alg": AlgECDHESA256KW, "x": "AQ", "y": "Ag", "d": nil},
		"upper-case member":  with(with(ec, "kty", nil), "KTY", "EC"),
		"extra member":       with(ec, "kid", "k1"),
		"object member":      with(ec, "x", map[string]any{}),
		"empty object":       map[string]any{},
		"nil map":            map[string]any(nil),
		"not an object":      "EC",
		"array":              []any{ec},
		"empty strings":      map[string]any{"kty": "", "alg": ""},
		"invalid utf-8 kty":  with(ec, "kty", "E\xffC"),
		"invalid utf-8 x":    with(ec, "x", "\xff"),
		"escaped characters": with(ec, "x", "<a&b>\u2028"),
	} {
		t.Run(name, func(t *testing.T) { sameReading(t, v) })
	}
}

func FuzzTeePubKeyFromClaim(f *testing.F) {
	f.Add([]byte(`{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"AQ","y":"Ag"}`))
	f.Add([]byte(`{"kty":"RSA","alg":"RSA-OAEP-256","n":"AQAB","e":"AQAB"}`))
	f.Add([]byte(`{"Kty":"EC","alg":"x","x":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		sameReading(t, v)
	})
}
