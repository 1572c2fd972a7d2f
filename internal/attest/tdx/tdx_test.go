package tdx

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	testcases "github.com/google/go-tdx-guest/testing"
	"github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/testenv"
)

func read(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pckClock returns a time inside the validity of every certificate of the
// quote's PCK chain, so tests never depend on the wall clock.
func pckClock(t testing.TB, raw []byte) time.Time {
	t.Helper()
	q, err := abi.QuoteToProto(raw)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		t.Fatal(err)
	}
	nb := chain.PCKCertificate.NotBefore
	for _, c := range []time.Time{chain.IntermediateCertificate.NotBefore, chain.RootCertificate.NotBefore} {
		if c.After(nb) {
			nb = c
		}
	}
	return nb.Add(24 * time.Hour)
}

type vector struct {
	name  string
	quote []byte
	ccel  []byte
	now   time.Time
}

func quoteVectors(t testing.TB) []vector {
	t.Helper()
	mod := filepath.Join(testenv.ModuleDir(t, "github.com/google/go-tdx-guest"), "testing", "testdata")
	var vs []vector
	add := func(name string, q, ccel []byte) {
		vs = append(vs, vector{name: name, quote: q, ccel: ccel, now: pckClock(t, q)})
	}
	add("go-tdx-guest/tdx_prod_quote_SPR_E4.dat", stripExtra(t, read(t, filepath.Join(mod, "tdx_prod_quote_SPR_E4.dat"))), nil)
	add("go-tdx-guest/ccel/cos-113-tdx-quote.dat", read(t, filepath.Join(mod, "ccel", "cos-113-tdx-quote.dat")), read(t, filepath.Join(mod, "ccel", "ccel_data.dat")))
	dir := vectors.Dir("trustee")
	add("trustee/tdx/tdx_quote_4.dat", read(t, filepath.Join(dir, "tdx", "tdx_quote_4.dat")), nil)
	add("trustee/tdx/tdx_quote_6.dat", read(t, filepath.Join(dir, "tdx", "tdx_quote_6.dat")), nil)
	add("trustee/az-tdx-vtpm/td-quote.bin", read(t, filepath.Join(dir, "az-tdx-vtpm", "td-quote.bin")), nil)
	return vs
}

// stripExtra drops the text go-tdx-guest appends to its sample quote "for
// testing purpose": our verifier refuses unsigned trailing bytes (see
// TestTrailingBytesRefused).
func stripExtra(t testing.TB, raw []byte) []byte {
	t.Helper()
	q, err := abi.QuoteToProto(raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw[:len(raw)-len(q.(*pb.QuoteV4).GetExtraBytes())]
}

func TestTrailingBytesRefused(t *testing.T) {
	mod := filepath.Join(testenv.ModuleDir(t, "github.com/google/go-tdx-guest"), "testing", "testdata")
	raw := read(t, filepath.Join(mod, "tdx_prod_quote_SPR_E4.dat"))
	now := pckClock(t, raw)
	_, err := New(Config{Now: func() time.Time { return now }}).VerifyQuote(context.Background(), raw, nil, attest.Expected{})
	if attest.FailedCheck(err) != CheckParse {
		t.Fatalf("err = %v, want %s", err, CheckParse)
	}
}

func (vc vector) verifier() *Verifier {
	return New(Config{Now: func() time.Time { return vc.now }, AllowDebug: true})
}

func reportData(raw []byte) []byte { return raw[bodyOffset+520 : bodyOffset+584] }

func TestVerifyVectors(t *testing.T) {
	for _, vc := range quoteVectors(t) {
		t.Run(vc.name, func(t *testing.T) {
			ev, _ := MarshalEvidence(Evidence{Quote: vc.quote, CCEventLog: vc.ccel})
			claims, err := vc.verifier().Verify(context.Background(), ev, attest.Expected{ReportData: reportData(vc.quote)})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if vc.ccel != nil {
				if logs, _ := claims[ClaimUEFIEventLogs].([]any); len(logs) == 0 {
					t.Fatal("no uefi_event_logs claim despite a CC event log")
				}
			}
		})
	}
}

// TestEventDetails: the claims of a real quote with its real CC event log
// carry decoded event details that reference-value rules can match.
func TestEventDetails(t *testing.T) {
	vc := quoteVectors(t)[1] // go-tdx-guest's cos-113 quote and CCEL
	claims, err := vc.verifier().VerifyQuote(context.Background(), vc.quote, vc.ccel, attest.Expected{})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(claims[ClaimUEFIEventLogs])
	for _, want := range []string{
		`"details":{"device_paths":["PciRoot(0x0)","Pci(0x4,0x0)","NVMe(0x1,0000000000000000)","HD(12,GPT,58ec8b8f-8e5b-ed42-83a4-0691abb8f3c7,0x3d000,0x10000)","File(\\EFI\\BOOT\\BOOTX64.EFI)"]}`,
		`"details":{"unicode_name":"SecureBoot","variable_name":"8be4df61-93ca-11d2-aa0d-00e098032b8c"}`,
		`"details":{"string":"Calling EFI Application from Boot Option"}`,
		`"details":{"string":"Fv(48DB5E17-707C-472D-91CD-1613E7EF51B0)"}`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("uefi_event_logs lack %s", want)
		}
	}
}

func TestClaimsMatchUpstream(t *testing.T) {
	dir := vectors.Dir("trustee/tdx")
	raw := read(t, filepath.Join(dir, "tdx_quote_4.dat"))
	var want map[string]any
	if err := json.Unmarshal(read(t, filepath.Join(dir, "parse_tdx_claims_expected.json")), &want); err != nil {
		t.Fatal(err)
	}
	got := Claims(raw)
	js, _ := json.Marshal(got)
	var gotJSON map[string]any
	json.Unmarshal(js, &gotJSON)
	for _, k := range []string{ClaimQuote, ClaimTDAttributes, ClaimReportData, ClaimInitData} {
		w, g := want[k], gotJSON[k]
		if k == ClaimInitData { // upstream hoists MRCONFIGID here
			w = want[ClaimQuote].(map[string]any)["body"].(map[string]any)["mr_config_id"]
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("claim %s:\n got %v\nwant %v", k, g, w)
		}
	}
}

// TestOfflineCollateralBundle verifies real quotes with the real Intel
// collateral go-tdx-guest ships, imported as an offline bundle.
func TestOfflineCollateralBundle(t *testing.T) {
	ctx := context.Background()
	bundle := vectors.IntelCollateralBundle(t)
	now := vectors.IntelCollateralTime
	newV := func(g *collateral.Getter, at time.Time) *Verifier {
		return New(Config{Now: func() time.Time { return at }, Collateral: g, AllowDebug: true})
	}
	// trustee's tdx_quote_4 comes from a platform of the bundle's FMSPC
	// whose SVNs match Intel's newest level: UpToDate.
	q4 := vectors.Read(t, "trustee/tdx/tdx_quote_4.dat")
	claims, err := newV(vectors.OfflineGetter(t, bundle), now).VerifyQuote(ctx, q4, nil, attest.Expected{})
	if err != nil {
		t.Fatalf("tdx_quote_4 with offline collateral: %v", err)
	}
	for k, want := range map[string]any{ClaimTCBStatus: "UpToDate", ClaimQETCBStatus: "UpToDate", ClaimCollateralExpirationStatus: "0", ClaimTCBDate: "2023-02-15T00:00:00Z"} {
		if claims[k] != want {
			t.Errorf("claim %s = %v, want %v", k, claims[k], want)
		}
	}
	// go-tdx-guest's production quote has CPU SVNs below every level the
	// TCB info lists: Intel's algorithm finds no level (TCB not supported).
	spr := stripExtra(t, testdata.RawQuote)
	if _, err := newV(vectors.OfflineGetter(t, bundle), now).VerifyQuote(ctx, spr, nil, attest.Expected{}); attest.FailedCheck(err) != CheckTCB {
		t.Errorf("SPR quote: err = %v, want %s", err, CheckTCB)
	}
	// Expired collateral, missing collateral, a tampered bundle: refused.
	if _, err := newV(vectors.OfflineGetter(t, bundle), now.AddDate(0, 2, 0)).VerifyQuote(ctx, q4, nil, attest.Expected{}); attest.FailedCheck(err) != CheckCollateral || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired collateral: err = %v, want %s (expired)", err, CheckCollateral)
	}
	if _, err := newV(&collateral.Getter{Cache: collateral.NewMemCache()}, now).VerifyQuote(ctx, q4, nil, attest.Expected{}); attest.FailedCheck(err) != CheckCollateral {
		t.Errorf("missing collateral: err = %v, want %s", err, CheckCollateral)
	}
	for url := range testcases.TestGetter.Responses {
		b, err := collateral.ParseBundle(bundle)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Fetched time.Time           `json:"fetched"`
			Header  map[string][]string `json:"header"`
			Body    []byte              `json:"body"`
		}
		if err := json.Unmarshal(b.Entries[collateral.Key(url)], &e); err != nil {
			t.Fatal(err)
		}
		e.Body[len(e.Body)/2] ^= 0x01
		g := vectors.OfflineGetter(t, bundle)
		if err := collateral.Put(ctx, g.Cache, url, e.Header, e.Body, e.Fetched); err != nil {
			t.Fatal(err)
		}
		if _, err := newV(g, now).VerifyQuote(ctx, q4, nil, attest.Expected{}); attest.FailedCheck(err) != CheckCollateral {
			t.Errorf("tampered %s: err = %v, want %s", url, err, CheckCollateral)
		}
	}
}

func TestBitFlips(t *testing.T) {
	vs := quoteVectors(t)
	if testing.Short() {
		vs = vs[:1]
	}
	for _, vc := range vs {
		t.Run(vc.name, func(t *testing.T) {
			// Warm: the chain is cached after one good quote, so flips
			// exercise the fast path; cold: go-tdx-guest's full path.
			warm := vc.verifier()
			if _, err := warm.VerifyQuote(context.Background(), vc.quote, nil, attest.Expected{}); err != nil {
				t.Fatal(err)
			}
			for _, v := range []*Verifier{warm, vc.verifier()} {
				flipAll(t, v, vc.quote)
			}
		})
	}
}

// flipAll flips one bit at 1,000 seeded random positions of quote and
// requires every verification to fail.
func flipAll(t *testing.T, v *Verifier, quote []byte) {
	t.Helper()
	rng := rand.New(rand.NewSource(42))
	for i := 0; i < 1000; i++ {
		pos := rng.Intn(len(quote) * 8)
		q := append([]byte(nil), quote...)
		q[pos/8] ^= 1 << (pos % 8)
		if _, err := v.VerifyQuote(context.Background(), q, nil, attest.Expected{}); err == nil {
			t.Fatalf("bit %d (byte %d) flipped: verification succeeded", pos, pos/8)
		}
	}
}

func TestFastPath(t *testing.T) {
	vc := quoteVectors(t)[2] // trustee tdx_quote_4
	ctx := context.Background()
	v := vc.verifier()
	if _, err := v.VerifyQuote(ctx, vc.quote, nil, attest.Expected{}); err != nil {
		t.Fatal(err)
	}
	anyQ, _ := abi.QuoteToProto(vc.quote)
	if v.chains.lookup(anyQ.(*pb.QuoteV4), vc.now) == nil {
		t.Fatal("verified chain not cached")
	}
	// A body change under the same chain fails the quote signature.
	q := append([]byte(nil), vc.quote...)
	q[bodyOffset+136] ^= 1 // MRTD
	if _, err := v.VerifyQuote(ctx, q, nil, attest.Expected{}); attest.FailedCheck(err) != CheckQuoteSignature {
		t.Fatalf("tampered body: err = %v", err)
	}
	// Outside the chain's validity the cache is not used and the full path fails.
	v.cfg.Now = func() time.Time { return vc.now.AddDate(40, 0, 0) }
	if _, err := v.VerifyQuote(ctx, vc.quote, nil, attest.Expected{}); attest.FailedCheck(err) != CheckQuoteSignature {
		t.Fatalf("expired chain with warm cache: err = %v", err)
	}
}

func TestRejects(t *testing.T) {
	vs := quoteVectors(t)
	vc := vs[0]
	ctx := context.Background()
	v5 := append([]byte(nil), vc.quote...)
	binary.LittleEndian.PutUint16(v5, 5)
	_, err := vc.verifier().VerifyQuote(ctx, v5, nil, attest.Expected{})
	if attest.FailedCheck(err) != CheckQuoteVersion || !strings.Contains(err.Error(), "unsupported quote version") {
		t.Fatalf("v5: err = %v", err)
	}
	if _, err := vc.verifier().VerifyQuote(ctx, vc.quote, nil, attest.Expected{ReportData: []byte("x")}); attest.FailedCheck(err) != CheckReportData {
		t.Fatalf("report data: err = %v", err)
	}
	if _, err := vc.verifier().VerifyQuote(ctx, vc.quote, nil, attest.Expected{InitDataDigest: []byte("x")}); attest.FailedCheck(err) != CheckInitData {
		t.Fatalf("init data: err = %v", err)
	}
	// A later-than-validity clock fails the PCK chain.
	late := New(Config{Now: func() time.Time { return vc.now.AddDate(40, 0, 0) }, AllowDebug: true})
	if _, err := late.VerifyQuote(ctx, vc.quote, nil, attest.Expected{}); attest.FailedCheck(err) != CheckQuoteSignature {
		t.Fatalf("expired chain: err = %v", err)
	}
}

func TestDebugRefused(t *testing.T) {
	dir := vectors.Dir("trustee/tdx")
	raw := read(t, filepath.Join(dir, "tdx_quote_4.dat"))
	now := pckClock(t, raw)
	_, err := New(Config{Now: func() time.Time { return now }}).VerifyQuote(context.Background(), raw, nil, attest.Expected{})
	if attest.FailedCheck(err) != CheckDebug {
		t.Fatalf("err = %v, want %s", err, CheckDebug)
	}
}

func TestEventLogTamper(t *testing.T) {
	for _, vc := range quoteVectors(t) {
		if vc.ccel == nil {
			continue
		}
		events, err := ParseEventLog(vc.ccel)
		if err != nil {
			t.Fatal(err)
		}
		// Change one digest of an extended event: replay must no longer match.
		for i, e := range events {
			if e.Index >= 1 && e.Index <= 4 && e.Type != 3 {
				d := events[i].SHA384()
				d[0] ^= 1
				_, err := vc.verifier().ReplayEventLog(vc.quote, vc.ccel)
				if attest.FailedCheck(err) != CheckEventLog {
					t.Fatalf("tampered digest: err = %v", err)
				}
				d[0] ^= 1
				break
			}
		}
	}
}

// FuzzParseEventLog is seeded with a real CC event log and its quote: a
// mutated log either fails to parse or replay (event_log), or replays to
// the quote's RTMRs only with the very digests the genuine log extends.
func FuzzParseEventLog(f *testing.F) {
	vc := quoteVectors(f)[1] // cos-113 quote with its CCEL
	f.Add(vc.ccel)
	f.Add([]byte{})
	v := vc.verifier()
	want, err := ParseEventLog(vc.ccel)
	if err != nil {
		f.Fatal(err)
	}
	extended := func(evs []Event) [][]byte {
		var out [][]byte
		for _, e := range evs {
			if e.Index >= 1 && e.Index <= 4 && e.Type != 3 {
				out = append(out, append([]byte{byte(e.Index)}, e.SHA384()...))
			}
		}
		return out
	}
	genuine := extended(want)
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := v.ReplayEventLog(vc.quote, data)
		if err != nil {
			if attest.FailedCheck(err) != CheckEventLog {
				t.Fatalf("error does not name the event_log check: %v", err)
			}
			return
		}
		for _, e := range events {
			_ = Details(e)
		}
		if !reflect.DeepEqual(extended(events), genuine) {
			t.Fatal("a log with other extended digests replayed to the quote's RTMRs")
		}
	})
}

// FuzzVerify is seeded with real quotes: a mutation fails with a named
// check or verifies to the claims of a genuine quote (zero padding after a
// quote is allowed and changes nothing).
func FuzzVerify(f *testing.F) {
	vs := quoteVectors(f)
	vc := vs[3] // trustee tdx_quote_6
	v := vc.verifier()
	var genuine []map[string]any
	for _, q := range vs {
		ev, _ := MarshalEvidence(Evidence{Quote: q.quote})
		f.Add(ev)
		if c, err := v.Verify(context.Background(), ev, attest.Expected{}); err == nil {
			genuine = append(genuine, c)
		}
	}
	if len(genuine) == 0 {
		f.Fatal("no seed verifies")
	}
	f.Add([]byte(`{"quote":"BAACAIEAAAA=","cc_eventlog":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := v.Verify(context.Background(), data, attest.Expected{})
		vectors.CheckVerified(t, claims, err, genuine...)
	})
}

// TestCheckQEIdentity compares a real QE report with Intel's real QE
// identity (the path taken when the TD's TCB level is not UpToDate and
// go-tdx-guest stops before its own QE comparison).
func TestCheckQEIdentity(t *testing.T) {
	anyQ, err := abi.QuoteToProto(vectors.Read(t, "trustee/tdx/tdx_quote_4.dat"))
	if err != nil {
		t.Fatal(err)
	}
	q := anyQ.(*pb.QuoteV4)
	if err := checkQEIdentity(q, testdata.QeIdentityBody); err != nil {
		t.Fatalf("genuine QE report: %v", err)
	}
	rep := q.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport()
	rep.MrSigner[0] ^= 1
	if err := checkQEIdentity(q, testdata.QeIdentityBody); err == nil || !strings.Contains(err.Error(), "MRSIGNER") {
		t.Fatalf("other MRSIGNER: %v", err)
	}
	rep.MrSigner[0] ^= 1
	rep.IsvProdId++
	if err := checkQEIdentity(q, testdata.QeIdentityBody); err == nil {
		t.Fatal("other ISVPRODID accepted")
	}
	if err := checkQEIdentity(q, nil); err == nil {
		t.Fatal("missing QE identity accepted")
	}
}
