package refvalue

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func msg(payload string) []byte {
	return []byte(`{"version":"0.1.0","type":"sample","payload":"` + base64.StdEncoding.EncodeToString([]byte(payload)) + `"}`)
}

func TestParseMessage(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good, exp, err := ParseMessage(msg(`{"launch_digest":["measurement-a","measurement-b"],"svn":1}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(good["launch_digest"], []any{"measurement-a", "measurement-b"}) || !reflect.DeepEqual(good["svn"], []any{1.0}) {
		t.Fatalf("%v", good)
	}
	if !exp.Equal(now.Add(DefaultExpiry)) {
		t.Fatalf("default expiry %v", exp)
	}
	for name, in := range map[string]string{
		"not json":        `{`,
		"trailing":        string(msg(`{"a":[1]}`)) + `{}`,
		"wrong version":   `{"version":"0.2.0","type":"sample","payload":""}`,
		"wrong type":      `{"version":"0.1.0","type":"in-toto","payload":""}`,
		"bad base64":      `{"version":"0.1.0","type":"sample","payload":"!!"}`,
		"payload array":   string(msg(`[1]`)),
		"empty payload":   string(msg(`{}`)),
		"bad name":        string(msg(`{"a b":[1]}`)),
		"past expiration": `{"version":"0.1.0","type":"sample","payload":"eyJhIjpbMV19","expiration":"2020-01-01T00:00:00Z"}`,
		"bad expiration":  `{"version":"0.1.0","type":"sample","payload":"eyJhIjpbMV19","expiration":"tomorrow"}`,
	} {
		if _, _, err := ParseMessage([]byte(in), now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestNewMessageRoundTrip(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour).Truncate(time.Second)
	b, err := NewMessage(Values{"k": {"v1", "v2"}}, exp)
	if err != nil {
		t.Fatal(err)
	}
	v, e, err := ParseMessage(b, now)
	if err != nil || !e.Equal(exp) || !reflect.DeepEqual(v["k"], []any{"v1", "v2"}) {
		t.Fatal(v, e, err)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add(msg(`{"a":["b"]}`))
	f.Add([]byte(`{"version":"0.1.0","type":"sample","payload":"e30=","expiration":"2099-01-01T00:00:00Z"}`))
	f.Add([]byte(`{`))
	now := time.Now()
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := ParseMessage(b, now)
		if err == nil && len(v) == 0 {
			t.Fatal("accepted a message with no values")
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error not marked invalid: %v", err)
		}
	})
}

func TestValidateValue(t *testing.T) {
	m48 := strings.Repeat("ab", 48)
	for _, tc := range []struct {
		name string
		vals []any
		want string // "" = accepted
	}{
		{"snp_launch_measurement", []any{m48}, ""},
		{"snp_launch_measurement", []any{strings.ToUpper(m48)}, "lower-case hex"},
		{"snp_launch_measurement", []any{"aa"}, "48 bytes, not 1"},
		{"snp_bootloader", []any{"3"}, ""},
		{"snp_bootloader", []any{3.0}, `is a number; the verifiers emit strings, so the SNP TCB bootloader SVN must be a string: register "3"`},
		{"snp_bootloader", []any{"03"}, "leading zeros"},
		{"snp_bootloader", []any{"256"}, "0..255"},
		{"snp_smt_enabled", []any{"1", "0"}, ""},
		{"snp_smt_enabled", []any{true}, `register "1" (true) or "0" (false)`},
		{"snp_smt_enabled", []any{"true"}, `"0" or "1"`},
		{"init_data", []any{strings.Repeat("0d", 32), strings.Repeat("0d", 48), strings.Repeat("0d", 64)}, ""},
		{"init_data", []any{"sha256:0d0d"}, "lower-case hex"},
		{"init_data", []any{strings.Repeat("0d", 20)}, "32 or 48 or 64 bytes, not 20"},
		{"xfam", []any{"e702060000000000"}, ""},
		{"launch_digest", []any{1.0, "x", true}, ""}, // not read by the default policy: free form
	} {
		err := ValidateValue(tc.name, tc.vals)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s %v: err = %v, want %q", tc.name, tc.vals, err, tc.want)
		}
	}
	// A registration message in the wrong format is refused whole.
	vals, _, err := ParseMessage(msg(`{"snp_bootloader":[3],"svn":1}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateValues(vals); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "snp_bootloader") {
		t.Errorf("numeric snp_bootloader accepted: %v", err)
	}
}

func TestValidateInitDataDigest(t *testing.T) {
	s256, s384, s512 := strings.Repeat("0d", 32), strings.Repeat("0d", 48), strings.Repeat("0d", 64)
	for _, tc := range []struct {
		tee, digest string
		ok          bool
	}{
		{"snp", s256, true}, {"snp", s384, false}, {"snp", s512, false},
		{"az-snp-vtpm", s256, true}, {"az-snp-vtpm", s384, false},
		{"az-tdx-vtpm", s384, false},
		{"tdx", s256, true}, {"tdx", s384, true}, {"tdx", s512, false},
		{"snp", "zz", false},
		// Without a TEE the digest must bind on every hardware TEE.
		{"", s256, true}, {"", s384, false}, {"", s512, false},
		{"snp-emulated", s384, false}, {"sample", s512, true},
	} {
		err := ValidateInitDataDigest(tc.tee, tc.digest)
		if tc.ok != (err == nil) {
			t.Errorf("%s %d bytes: err = %v", tc.tee, len(tc.digest)/2, err)
		}
		if err != nil && len(tc.digest) > 2 && !errors.Is(err, ErrInitDataNotBindable) {
			t.Errorf("%s: error %v does not wrap ErrInitDataNotBindable", tc.tee, err)
		}
	}
	err := ValidateInitDataDigest("snp", s384)
	if err == nil || !strings.Contains(err.Error(), `snp binds 32 bytes of initdata digest (HOST_DATA), this digest has 48 (sha384): set algorithm = "sha256"`) {
		t.Errorf("message: %v", err)
	}
	if err := ValidateInitDataDigest("sgx", s256); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `unknown TEE "sgx"`) {
		t.Errorf("unknown TEE: %v", err)
	}
}

func TestValidateValuesFor(t *testing.T) {
	s256, s384 := strings.Repeat("ab", 32), strings.Repeat("ab", 48)
	for _, tc := range []struct {
		tee  string
		vals Values
		want error
	}{
		{"", Values{InitDataName: {s256}, "mr_td": {s384}}, nil},
		{"", Values{InitDataName: {s256, s384}}, ErrInitDataNotBindable},
		{"tdx", Values{InitDataName: {s256, s384}}, nil},
		{"snp", Values{InitDataName: {s384}}, ErrInitDataNotBindable},
		{"snp", Values{"mr_td": {s256}}, ErrInvalid},
		{"tdx", Values{"snp_launch_measurement": {s384}}, nil},
	} {
		err := ValidateValuesFor(tc.tee, tc.vals)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%q %v: err = %v, want %v", tc.tee, tc.vals, err, tc.want)
		}
	}
	if err := ValidateValueFor("", InitDataName, []any{s384}); !errors.Is(err, ErrInitDataNotBindable) || !strings.Contains(err.Error(), "init_data[0]") {
		t.Errorf("ValidateValueFor: %v", err)
	}
	if err := ValidateValueFor("tdx", InitDataName, []any{s384}); err != nil {
		t.Errorf("ValidateValueFor tdx sha384: %v", err)
	}
}
