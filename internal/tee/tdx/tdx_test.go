package tdx

import (
	"bytes"
	"testing"

	tdxtest "github.com/google/go-tdx-guest/testing/testdata"
)

// TestEncodeDecode: go-tdx-guest's production quote goes through
// upstream's evidence JSON unchanged, with aa_eventlog null as upstream's
// agent writes it when it keeps no runtime log.
func TestEncodeDecode(t *testing.T) {
	ccel := []byte("event log")
	js, err := Encode(tdxtest.RawQuote, ccel)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(js, []byte(`,"aa_eventlog":null}`)) || !bytes.HasPrefix(js, []byte(`{"cc_eventlog":"`)) {
		t.Fatalf("layout differs from upstream's TdxEvidence: %.80s…", js)
	}
	q, el, err := Decode(js)
	if err != nil || !bytes.Equal(q, tdxtest.RawQuote) || !bytes.Equal(el, ccel) {
		t.Fatalf("round trip: %v", err)
	}
	if js, _ := Encode(tdxtest.RawQuote, nil); !bytes.HasPrefix(js, []byte(`{"cc_eventlog":null,`)) {
		t.Fatalf("no event log: %.40s", js)
	}
	for _, bad := range []string{`{}`, `{"quote":"***"}`, `{"quote":"AA==","cc_eventlog":"***"}`, `[`} {
		if _, _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s) accepted", bad)
		}
	}
}

// FuzzDecode: whatever decodes encodes back to evidence that decodes to
// the same quote and event log (round trip), and nothing panics.
func FuzzDecode(f *testing.F) {
	js, _ := Encode(tdxtest.RawQuote, []byte{1, 2, 3})
	f.Add(js)
	f.Add([]byte(`{"cc_eventlog":null,"quote":"AAAA","aa_eventlog":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, el, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Encode(q, el)
		if err != nil {
			t.Fatal(err)
		}
		q2, el2, err := Decode(again)
		if err != nil || !bytes.Equal(q, q2) || !bytes.Equal(el, el2) {
			t.Fatalf("round trip changed the evidence: %v", err)
		}
	})
}
