// Package tdx is the Intel TDX wire format shared by the guest's attester
// (internal/attester/tdx) and trustee's verifier (internal/attest/tdx):
// upstream's TdxEvidence JSON and the fields that bind the session and
// initdata.
package tdx

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-tdx-guest/abi"
	"github.com/trustgate/trustgate/internal/tee"
)

// Sizes of the TD report fields that bind the session and the workload.
const (
	ReportDataSize = 64 // REPORTDATA: the runtime-data digest
	MRConfigIDSize = 48 // MRCONFIGID: the initdata digest
)

// MaxEvidenceSize bounds the evidence JSON (quote plus CC event log).
const MaxEvidenceSize = 8 << 20

// Evidence is upstream's TdxEvidence: base64 (standard, padded) of the CC
// event log ACPI table and of the TD quote; aa_eventlog is the attestation
// agent's own runtime event log, which we do not keep (null).
type Evidence struct {
	CCEventlog *string `json:"cc_eventlog"`
	Quote      string  `json:"quote"`
	AAEventlog *string `json:"aa_eventlog"`
}

// Encode writes upstream's evidence JSON for a raw quote and CC event log
// (nil: cc_eventlog is null).
func Encode(quote, ccel []byte) ([]byte, error) {
	ev := Evidence{Quote: base64.StdEncoding.EncodeToString(quote)}
	if ccel != nil {
		s := base64.StdEncoding.EncodeToString(ccel)
		ev.CCEventlog = &s
	}
	return json.Marshal(ev)
}

// Decode parses {"cc_eventlog": "<b64>"|null, "quote": "<b64>", …}, bounded
// by MaxEvidenceSize; ccel is nil when absent or empty. It checks structure
// only.
func Decode(data []byte) (quote, ccel []byte, err error) {
	if len(data) > MaxEvidenceSize {
		return nil, nil, fmt.Errorf("%d bytes exceeds limit of %d", len(data), MaxEvidenceSize)
	}
	var ev struct { // aa_eventlog is not read: any value is accepted, as before
		CCEventlog *string `json:"cc_eventlog"`
		Quote      string  `json:"quote"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, nil, err
	}
	if ev.Quote == "" {
		return nil, nil, errors.New("empty quote")
	}
	if quote, err = base64.StdEncoding.DecodeString(ev.Quote); err != nil {
		return nil, nil, fmt.Errorf("quote: %w", err)
	}
	if ev.CCEventlog != nil && *ev.CCEventlog != "" {
		if ccel, err = base64.StdEncoding.DecodeString(*ev.CCEventlog); err != nil {
			return nil, nil, fmt.Errorf("cc_eventlog: %w", err)
		}
	}
	return quote, ccel, nil
}

// MRConfigID is the MRCONFIGID the host sets when it binds initdata with
// this digest at launch (zero-padded or truncated to 48 bytes).
func MRConfigID(digest []byte) []byte { return tee.Regularize(digest, MRConfigIDSize) }

// ReportData is the REPORTDATA that binds a runtime-data digest
// (zero-padded or truncated to 64 bytes).
func ReportData(digest []byte) []byte { return tee.Regularize(digest, ReportDataSize) }

// ParseQuote parses a raw TD quote with go-tdx-guest's abi.QuoteToProto,
// turning a panic of that parser into an error. The library indexes into
// the QE authentication data by a length read from the quote without
// checking it against the buffer (go-tdx-guest abi.qeAuthDataToProto; found
// by FuzzVerify), and a quote is untrusted input that must get a typed
// error, never a crash.
func ParseQuote(raw []byte) (q any, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("malformed quote: the parser failed on it (%v)", r)
		}
	}()
	return abi.QuoteToProto(raw)
}
