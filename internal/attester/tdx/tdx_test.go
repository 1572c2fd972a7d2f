package tdx

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-configfs-tsm/configfs/configfsi"
	"github.com/google/go-configfs-tsm/configfs/faketsm"
	"github.com/google/go-tdx-guest/testing/testdata"
)

// reportDataOffset is where REPORTDATA sits in a v4 quote (48-byte header +
// 520 bytes into the TD report body).
const reportDataOffset = 48 + 520

// fakeTDX serves a real TD quote from configfs-tsm with the caller's inblob
// placed in REPORTDATA, as the TDX quoting path would.
func fakeTDX(quote []byte) configfsi.Client {
	sub := faketsm.Report611(0)
	base := sub.ReadAttr
	sub.ReadAttr = func(e *faketsm.ReportEntry, attr string) ([]byte, error) {
		switch attr {
		case "provider":
			return []byte("tdx_guest\n"), nil
		case "outblob":
			in := e.InAttrs["inblob"]
			if in == nil || len(in.Value) == 0 {
				return nil, syscall.EINVAL
			}
			q := bytes.Clone(quote)
			copy(q[reportDataOffset:reportDataOffset+64], in.Value)
			return q, nil
		}
		return base(e, attr)
	}
	return &faketsm.Client{Subsystems: map[string]configfsi.Client{"report": sub}}
}

func TestEvidence(t *testing.T) {
	ccel := filepath.Join(t.TempDir(), "CCEL")
	if err := os.WriteFile(ccel, []byte("event-log-table"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		ccel     string
		wantCCEL bool
	}{
		{"with event log", ccel, true},
		{"without event log", filepath.Join(t.TempDir(), "absent"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Attester{TSM: fakeTDX(testdata.RawQuote), CCEL: tc.ccel}
			rd := bytes.Repeat([]byte{0x5A}, 48)
			out, err := a.Evidence(context.Background(), rd)
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			if err := json.Unmarshal(out, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"cc_eventlog", "quote", "aa_eventlog"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("evidence lacks %q: %s", k, out)
				}
			}
			var ev Evidence
			if err := json.Unmarshal(out, &ev); err != nil {
				t.Fatal(err)
			}
			q, err := base64.StdEncoding.DecodeString(ev.Quote)
			if err != nil {
				t.Fatalf("quote is not standard base64: %v", err)
			}
			body, err := QuoteBody(q)
			if err != nil {
				t.Fatal(err)
			}
			want := append(bytes.Clone(rd), make([]byte, 16)...)
			if !bytes.Equal(body.GetReportData(), want) {
				t.Fatalf("REPORTDATA = %x, want %x", body.GetReportData(), want)
			}
			if (ev.CCEventlog != nil) != tc.wantCCEL {
				t.Fatalf("cc_eventlog = %v, want present=%v", ev.CCEventlog, tc.wantCCEL)
			}
		})
	}
}

func TestBoundInitData(t *testing.T) {
	a := &Attester{TSM: fakeTDX(testdata.RawQuote)}
	got, err := a.BoundInitData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := testdata.RawQuote[48+184 : 48+184+48]
	if len(got) != 48 || !bytes.Equal(got, want) {
		t.Fatalf("MRCONFIGID = %x, want %x", got, want)
	}
}

func TestWrongProviderRefused(t *testing.T) {
	sub := faketsm.Report611(0) // provider "fake"
	a := &Attester{TSM: &faketsm.Client{Subsystems: map[string]configfsi.Client{"report": sub}}}
	if _, err := a.Evidence(context.Background(), []byte("x")); err == nil {
		t.Fatal("evidence from a non-TDX provider accepted")
	}
}
