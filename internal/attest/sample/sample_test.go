package sample_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/catalog"
	"github.com/trustgate/trustgate/internal/attest/sample"
)

func TestVerify(t *testing.T) {
	rd := []byte("0123456789abcdef0123456789abcdef0123456789abcdef")
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name  string
		ev    string
		want  attest.Expected
		check string // "" = accepted
	}{
		{"bound", `{"svn":"1","report_data":"` + b64(rd) + `"}`, attest.Expected{ReportData: rd}, ""},
		{"initdata ignored when absent", `{"svn":"1","report_data":"` + b64(rd) + `"}`, attest.Expected{ReportData: rd, InitDataDigest: []byte{1}}, ""},
		{"initdata matches", `{"svn":"1","report_data":"` + b64(rd) + `","init_data":"AQI="}`, attest.Expected{ReportData: rd, InitDataDigest: []byte{1, 2}}, ""},
		{"initdata differs", `{"svn":"1","report_data":"` + b64(rd) + `","init_data":"AQM="}`, attest.Expected{ReportData: rd, InitDataDigest: []byte{1, 2}}, "init_data"},
		{"initdata not b64", `{"svn":"1","report_data":"` + b64(rd) + `","init_data":"!"}`, attest.Expected{ReportData: rd}, "init_data"},
		{"other report data", `{"svn":"1","report_data":"` + b64(rd[1:]) + `"}`, attest.Expected{ReportData: rd}, "report_data"},
		{"padded report data", `{"svn":"1","report_data":"` + b64(append(append([]byte{}, rd...), make([]byte, 16)...)) + `"}`, attest.Expected{ReportData: rd}, "report_data"},
		{"no expectation", `{"svn":"1","report_data":"` + b64(rd) + `"}`, attest.Expected{}, "report_data"},
		{"missing report data", `{"svn":"1"}`, attest.Expected{ReportData: rd}, "report_data"},
		{"not base64", `{"svn":"1","report_data":"***"}`, attest.Expected{ReportData: rd}, "report_data"},
		{"missing svn", `{"report_data":"` + b64(rd) + `"}`, attest.Expected{ReportData: rd}, "parse"},
		{"not json", `svn=1`, attest.Expected{ReportData: rd}, "parse"},
		{"svn not string", `{"svn":1}`, attest.Expected{ReportData: rd}, "parse"},
	}
	for _, tc := range tests {
		c, err := sample.Verifier{}.Verify(context.Background(), []byte(tc.ev), tc.want)
		if tc.check == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			for _, k := range []string{"svn", "report_data", "launch_digest", "platform_version", "debug", "init_data"} {
				if _, ok := c[k]; !ok {
					t.Errorf("%s: claim %s missing", tc.name, k)
				}
			}
			if c["debug"] != false || c["launch_digest"] != sample.LaunchDigest {
				t.Errorf("%s: claims %v", tc.name, c)
			}
			continue
		}
		if got := attest.FailedCheck(err); got != tc.check {
			t.Errorf("%s: failed check %q (%v), want %q", tc.name, got, err, tc.check)
		}
	}
}

func TestRegistered(t *testing.T) {
	vs, err := catalog.Build(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vs[attest.TeeSample].(sample.Verifier); !ok {
		t.Fatalf("sample verifier not in catalog: %v", catalog.Names())
	}
}

// FuzzParse: errors are typed, and the sample verifier accepts only
// evidence whose report_data is exactly the expected binding.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"svn":"1","report_data":"AQ=="}`))
	f.Add([]byte(`{"svn":"1","report_data":"AAAA","init_data":"AQI="}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := sample.Parse(b); err != nil && attest.FailedCheck(err) == "" {
			t.Fatalf("untyped parse error: %v", err)
		}
		claims, err := sample.Verifier{}.Verify(context.Background(), b, attest.Expected{ReportData: []byte{1}})
		if err != nil {
			if attest.FailedCheck(err) == "" {
				t.Fatalf("untyped verify error: %v", err)
			}
			return
		}
		e, perr := sample.Parse(b)
		if perr != nil {
			t.Fatalf("verified evidence does not parse: %v", perr)
		}
		if rd, _ := base64.StdEncoding.DecodeString(e.ReportData); !bytes.Equal(rd, []byte{1}) {
			t.Fatalf("accepted report_data %q, claims %v", e.ReportData, claims)
		}
	})
}
