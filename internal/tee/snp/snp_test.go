package snp

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/vectors"
)

func TestParseByteArray(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{`[]`, []byte{}, true},
		{` [ 1 , 2,255 ] `, []byte{1, 2, 255}, true},
		{`[256]`, nil, false},
		{`[1.5]`, nil, false},
		{`[-1]`, nil, false},
		{`[0001]`, nil, false},
		{`"AQI="`, nil, false},
	} {
		got, ok := parseByteArray([]byte(tc.in))
		if ok != tc.ok || (ok && string(got) != string(tc.want)) {
			t.Errorf("parseByteArray(%s) = %v, %v", tc.in, got, ok)
		}
		var b ByteArray
		err := json.Unmarshal([]byte(tc.in), &b)
		if tc.ok && (err != nil || string(b) != string(tc.want)) {
			t.Errorf("Unmarshal(%s) = %v, %v", tc.in, b, err)
		}
		if tc.in == `[256]` || tc.in == `[-1]` || tc.in == `"AQI="` {
			if err == nil {
				t.Errorf("Unmarshal(%s) accepted", tc.in)
			}
		}
	}
}

// TestUpstreamEvidenceRoundTrip: upstream's captured attestation-agent
// evidence decodes to a report whose ABI bytes encode back to upstream's
// JSON byte for byte (both directions of the one codec on real input).
func TestUpstreamEvidenceRoundTrip(t *testing.T) {
	want := vectors.Read(t, "trustee/snp-aa-evidence/evidence.json")
	ev, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ev.AttestationReport.Raw()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Encode(raw, ev.CertChain)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		t.Fatalf("evidence differs from upstream's\n got %.300s\nwant %.300s", got, compact.Bytes())
	}
	if _, err := Decode(append([]byte(`{"x":"`), make([]byte, MaxEvidenceSize)...)); err == nil {
		t.Fatal("oversized evidence accepted")
	}
	if _, err := Decode([]byte(`{"cert_chain":[]}`)); err == nil {
		t.Fatal("evidence without a report accepted")
	}
}
