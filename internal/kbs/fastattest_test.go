package kbs

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// slowAttestation is the encoding/json path alone.
func slowAttestation(body []byte) (*Attestation, error) {
	var a Attestation
	if err := decodeStrict(body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// realAttestBody wraps upstream's captured SNP evidence (guest
// components' attestation agent) in an /attest body, as a guest sends it.
func realAttestBody(t testing.TB) []byte {
	ev, err := os.ReadFile("../attest/vectors/testdata/trustee/snp-aa-evidence/evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"runtime-data":{"nonce":"abc","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"xx","y":"yy"}},"tee-evidence":{"primary_evidence":` +
		string(bytes.TrimSpace(ev)) + `,"additional_evidence":""}}`)
}

// FuzzDecodeAttestationFast: the fast path decodes every body exactly as
// encoding/json does (same value, same error or none), and whenever it
// applies, it found the evidence encoding/json finds.
func FuzzDecodeAttestationFast(f *testing.F) {
	f.Add(realAttestBody(f))
	for _, s := range []string{
		`{"runtime-data":{"nonce":"a"},"tee-evidence":{"primary_evidence":{"a":[1,2.5e3,-0,true,null,"\u00e9\n"]},"additional_evidence":""}}`,
		`{"tee-evidence":{"primary_evidence":1,"Primary_Evidence":2}}`,
		`{"tee-evidence":{"primary_evidence":1},"TEE-evidence":{"additional_evidence":"x"}}`,
		`{"tee-evidence":{"primary_evidence":1},"tee-evidence":{"primary_evidence":2}}`,
		`{"tee-evidence":{"primary\u005fevidence":1}}`,
		`{"tee-evidence":{"primary_evidence":[01]}}`,
		`{"tee-evidence":{"primary_evidence":"x"}} }`,
		`{"tee-evidence":{"primary_evidence":"x"}}}`,
		`{"tee-evidence":{"primary_evidence":"\x01"}}`,
		`{"tee-evidence":{"primary_evidence":{}}, "runtime-data": 5}`,
		`{"tee-evidence":null}`,
		` {"tee-evidence":{"primary_evidence": [ ] }} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gerr := decodeAttestationJSON(b)
		want, werr := slowAttestation(b)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("fast %v, encoding/json %v", gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("fast %+v\nencoding/json %+v", got, want)
		}
	})
}

// TestFastAttestationApplies: the fast path is taken for a real body and
// for the plain shapes, and refused where encoding/json could read the
// keys otherwise.
func TestFastAttestationApplies(t *testing.T) {
	body := realAttestBody(t)
	rest, ev, ok := fastAttestation(body)
	if !ok || !json.Valid(ev) || !bytes.Contains(rest, []byte(`"primary_evidence":null`)) || len(ev) < 1000 {
		t.Fatalf("real body: ok %v, evidence %d bytes", ok, len(ev))
	}
	for _, s := range []string{
		`{"tee-evidence":{"primary_evidence":1,"Primary_Evidence":2}}`,
		`{"tee-evidence":{"primary_evidence":1},"tee-evidence":{"primary_evidence":2}}`,
		`{"tee-evidence":{"primary\u005fevidence":1}}`,
		`{"tee-evidence":{"primary_evidence":1}} x`,
		`{"tee-evidence":{"primary_evidence":` + strings.Repeat("[", maxFastDepth) + strings.Repeat("]", maxFastDepth) + `}}`,
		"{\"tee-evidence\":{\"primary_evidence\":1},\"tee-evidence\u212a\":2}",
	} {
		if _, _, ok := fastAttestation([]byte(s)); ok {
			t.Errorf("fast path taken for %.80s", s)
		}
	}
}

func BenchmarkDecodeAttestation(b *testing.B) {
	body := realAttestBody(b)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeAttestationJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := slowAttestation(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
