package aztdx

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/azvtpm/azvtpmtest"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

func load(t testing.TB) (*azvtpm.Evidence, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors.Dir("trustee/az-tdx-vtpm"), "evidence-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := azvtpm.ParseEvidence(data)
	if err != nil {
		t.Fatal(err)
	}
	return ev, data
}

func clock(t testing.TB, quote []byte) func() time.Time {
	q, err := abi.QuoteToProto(quote)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return chain.PCKCertificate.NotBefore.Add(24 * time.Hour) }
}

func nonce(t testing.TB, ev *azvtpm.Evidence) []byte {
	n, err := azvtpmtest.QuoteNonce(ev)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVerifyVector(t *testing.T) {
	ev, data := load(t)
	v := New(Config{Now: clock(t, ev.TDQuote)})
	ctx := context.Background()
	n := nonce(t, ev)
	claims, err := v.Verify(ctx, data, attest.Expected{ReportData: n})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if claims[ClaimTPM] == nil || claims["quote"] == nil {
		t.Fatalf("claims: %v", claims)
	}
	if _, err := v.Verify(ctx, data, attest.Expected{ReportData: []byte("x")}); attest.FailedCheck(err) != azvtpm.CheckNonce {
		t.Fatalf("wrong nonce: %v", err)
	}
	if _, err := v.Verify(ctx, data, attest.Expected{ReportData: n, InitDataDigest: []byte{1}}); attest.FailedCheck(err) != azvtpm.CheckInitData {
		t.Fatalf("wrong initdata: %v", err)
	}
}

// unverifiable reports whether HCL byte i lies in a part of the TD report
// that only the TDX module can check (MAC, hashes, reserved); every other
// byte is bound to the signed TD quote or the TPM quote.
func unverifiable(i int) bool {
	o := i - 0x20
	return o >= 0 && o < 128 || o >= 192 && o < 264 || o >= 384 && o < 512 || o >= 912 && o < 1024
}

func TestBitFlips(t *testing.T) {
	ev, data := load(t)
	v := New(Config{Now: clock(t, ev.TDQuote)})
	n := nonce(t, ev)
	// Warm the verified-chain cache so flips exercise the fast path too.
	if _, err := v.Verify(context.Background(), data, attest.Expected{ReportData: n}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(42))
	total := (len(ev.TDQuote) + len(ev.HCLReport) + len(ev.Quote.Message) + len(ev.Quote.Signature)) * 8
	for i := 0; i < 1000; {
		pos := rng.Intn(total)
		e := *ev
		e.TDQuote = append([]byte(nil), ev.TDQuote...)
		e.HCLReport = append([]byte(nil), ev.HCLReport...)
		e.Quote.Message = append([]byte(nil), ev.Quote.Message...)
		e.Quote.Signature = append([]byte(nil), ev.Quote.Signature...)
		skip := false
		for k, p := range [][]byte{e.TDQuote, e.HCLReport, e.Quote.Message, e.Quote.Signature} {
			if pos < len(p)*8 {
				skip = k == 1 && unverifiable(pos/8)
				p[pos/8] ^= 1 << (pos % 8)
				break
			}
			pos -= len(p) * 8
		}
		if skip {
			continue
		}
		i++
		js, _ := azvtpmtest.MarshalEvidence(&e)
		if _, err := v.Verify(context.Background(), js, attest.Expected{ReportData: n}); err == nil {
			t.Fatalf("flip %d accepted", i)
		}
	}
}

// FuzzVerify is seeded with real Azure TDX evidence: a mutation fails with
// a named check or verifies to the genuine claims (e.g. base64 spelling
// differences).
func FuzzVerify(f *testing.F) {
	ev, data := load(f)
	f.Add(data)
	f.Add([]byte(`{"version":1,"tpm_quote":{"signature":"00","message":"00","pcrs":[]},"hcl_report":"SENMQQ==","td_quote":"BAA="}`))
	n, err := azvtpmtest.QuoteNonce(ev)
	if err != nil {
		f.Fatal(err)
	}
	want := attest.Expected{ReportData: n}
	v := New(Config{Now: clock(f, ev.TDQuote)})
	genuine, err := v.Verify(context.Background(), data, want)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := v.Verify(context.Background(), data, want)
		vectors.CheckVerified(t, claims, err, genuine)
	})
}
