package azvtpm

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestInitDataPCR8(t *testing.T) {
	d := sha256.Sum256([]byte("initdata"))
	// Extending a zero PCR: sha256(0^32 || digest).
	want := sha256.Sum256(append(make([]byte, 32), d[:]...))
	if got := InitDataPCR8(d[:]); !bytes.Equal(got, want[:]) {
		t.Fatalf("InitDataPCR8 = %x", got)
	}
	vq := &VerifiedQuote{Nonce: []byte("n"), PCRs: map[int][]byte{8: want[:]}}
	rd := &RuntimeData{}
	if check, err := Bind(1, rd, vq, []byte("n"), d[:]); err != nil {
		t.Fatalf("Bind = %s %v", check, err)
	}
	other := sha256.Sum256([]byte("other"))
	if check, _ := Bind(1, rd, vq, []byte("n"), other[:]); check != CheckInitData {
		t.Fatalf("wrong initdata: check %q", check)
	}
	if check, _ := Bind(1, rd, &VerifiedQuote{Nonce: []byte("n"), PCRs: map[int][]byte{}}, nil, d[:]); check != CheckInitData {
		t.Fatalf("uncovered PCR 8: check %q", check)
	}
	if check, _ := Bind(1, rd, vq, []byte("x"), nil); check != CheckNonce {
		t.Fatalf("wrong nonce: check %q", check)
	}
	ud := make([]byte, 64)
	copy(ud, "n")
	if check, err := Bind(2, &RuntimeData{UserData: ud}, vq, []byte("n"), nil); err != nil {
		t.Fatalf("v2 user-data: %s %v", check, err)
	}
	if check, _ := Bind(2, &RuntimeData{UserData: make([]byte, 64)}, vq, []byte("n"), nil); check != CheckUserData {
		t.Fatalf("v2 wrong user-data: check %q", check)
	}
}

func FuzzParseEvidence(f *testing.F) {
	f.Add([]byte(`{"version":2,"tpm_quote":{"signature":"00","message":"ff54","pcrs":[]},"hcl_report":"SENMQQ==","vcek":"AA=="}`))
	f.Add([]byte(`{"quote":{"signature":[1],"message":[2],"pcrs":[]},"report":[72,67,76,65],"vcek":"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseEvidence(data)
		if err != nil {
			return
		}
		if h, err := ParseHCLReport(ev.HCLReport); err == nil {
			_, _ = ParseRuntimeData(h.RuntimeData)
		}
	})
}

func FuzzParseHCLReport(f *testing.F) {
	f.Add(append([]byte("HCLA"), make([]byte, 1300)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := ParseHCLReport(data); err == nil {
			_ = h.RuntimeDataDigest()
			_, _ = ParseRuntimeData(h.RuntimeData)
		}
	})
}
