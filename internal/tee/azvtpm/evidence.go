package azvtpm

// Upstream's evidence JSON, both ways: the attester writes it with
// NewTPMQuote and EncodeSNP/EncodeTDX (the v1/v2 layout); the verifiers
// read every version upstream has written with ParseEvidence into
// Evidence. Evidence.Encode writes parsed evidence back with the encoder.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// MaxEvidenceSize bounds Azure evidence JSON.
const MaxEvidenceSize = 1 << 20

// TPMQuote is upstream's tpm_quote: hex RSA signature, hex TPMS_ATTEST and
// the 24 SHA-256 PCR values in hex (evidence v1, v2).
type TPMQuote struct {
	Signature string   `json:"signature"`
	Message   string   `json:"message"`
	PCRs      []string `json:"pcrs"`
}

// NewTPMQuote writes a quote's raw parts in upstream's hex form.
func NewTPMQuote(signature, message []byte, pcrs [][]byte) TPMQuote {
	q := TPMQuote{Signature: hex.EncodeToString(signature), Message: hex.EncodeToString(message)}
	for _, p := range pcrs {
		q.PCRs = append(q.PCRs, hex.EncodeToString(p))
	}
	return q
}

// SNPEvidence is upstream's az-snp-vtpm evidence (version 2: the report
// data was written to the HCL's user-data before the report was read).
type SNPEvidence struct {
	Version   int      `json:"version"`
	TPMQuote  TPMQuote `json:"tpm_quote"`
	HCLReport string   `json:"hcl_report"` // base64url, padded
	VCEK      string   `json:"vcek"`       // base64url, padded, DER
}

// TDXEvidence is upstream's az-tdx-vtpm evidence (version 1).
type TDXEvidence struct {
	Version   int      `json:"version"`
	TPMQuote  TPMQuote `json:"tpm_quote"`
	HCLReport string   `json:"hcl_report"` // base64url, padded
	TDQuote   string   `json:"td_quote"`   // base64url, padded
}

var b64url = base64.URLEncoding.EncodeToString

// EncodeSNP writes az-snp-vtpm evidence.
func EncodeSNP(version int, q TPMQuote, hcl, vcek []byte) ([]byte, error) {
	return json.Marshal(SNPEvidence{Version: version, TPMQuote: q, HCLReport: b64url(hcl), VCEK: b64url(vcek)})
}

// EncodeTDX writes az-tdx-vtpm evidence.
func EncodeTDX(version int, q TPMQuote, hcl, tdQuote []byte) ([]byte, error) {
	return json.Marshal(TDXEvidence{Version: version, TPMQuote: q, HCLReport: b64url(hcl), TDQuote: b64url(tdQuote)})
}

// DecodeBase64 decodes standard or URL-safe base64, padded or not
// (upstream writes URL-safe with padding; older agents wrote standard).
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// Quote is the vTPM quote as upstream's evidence carries it.
type Quote struct {
	Signature []byte   // raw RSASSA-PKCS1v1_5 SHA-256 signature
	Message   []byte   // TPMS_ATTEST
	PCRs      [][]byte // the 24 SHA-256 PCR values
}

type quoteJSON struct {
	Signature flexBytes   `json:"signature"`
	Message   flexBytes   `json:"message"`
	PCRs      []flexBytes `json:"pcrs"`
}

// UnmarshalJSON decodes the fields, written as hex strings (evidence v1,
// v2) or as arrays of numbers (v0).
func (q *Quote) UnmarshalJSON(data []byte) error {
	var qj quoteJSON
	if err := json.Unmarshal(data, &qj); err != nil {
		return fmt.Errorf("tpm_quote: %w", err)
	}
	if len(qj.PCRs) > 24 {
		return fmt.Errorf("tpm_quote.pcrs has %d entries, want at most 24", len(qj.PCRs))
	}
	q.Signature, q.Message = qj.Signature, qj.Message
	q.PCRs = make([][]byte, len(qj.PCRs))
	for i, p := range qj.PCRs {
		if len(p) != sha256.Size {
			return fmt.Errorf("tpm_quote.pcrs[%d] is not a SHA-256 value", i)
		}
		q.PCRs[i] = p
	}
	return nil
}

// flexBytes decodes a hex string or a JSON array of numbers.
type flexBytes []byte

func (f *flexBytes) UnmarshalJSON(data []byte) error {
	b, err := stringOrNumbers(data, hex.DecodeString)
	if err != nil {
		return err
	}
	*f = b
	return nil
}

// stringOrNumbers decodes a JSON byte string: a string token through
// decode, or an array of numbers 0..255.
func stringOrNumbers(data []byte, decode func(string) ([]byte, error)) ([]byte, error) {
	if len(data) > 0 && data[0] == '"' {
		s, err := jsonString(data)
		if err != nil {
			return nil, err
		}
		return decode(s)
	}
	var nums []uint8
	if err := json.Unmarshal(data, &nums); err != nil {
		return nil, err
	}
	return nums, nil
}

// Evidence is Azure vTPM evidence in any of upstream's versions:
// v0 {"quote":{arrays},"report":[…],"vcek":"PEM"},
// v1/v2 {"version":N,"tpm_quote":{hex},"hcl_report":"b64url","vcek":"b64url DER"}
// and, for TDX, {"version":1,"tpm_quote":…,"hcl_report":…,"td_quote":"b64url"}.
type Evidence struct {
	Version   int
	Quote     Quote
	HCLReport []byte
	VCEK      []byte // az-snp-vtpm: DER
	TDQuote   []byte // az-tdx-vtpm
}

// blob is a byte string written as base64 (std or URL-safe) or as an array
// of numbers.
type blob []byte

func (b *blob) UnmarshalJSON(data []byte) error {
	d, err := stringOrNumbers(data, func(s string) ([]byte, error) {
		if strings.HasPrefix(s, "-----BEGIN") {
			return []byte(s), nil
		}
		return DecodeBase64(s)
	})
	if err != nil {
		return err
	}
	*b = d
	return nil
}

// jsonString decodes a JSON string token; the common case (base64 or hex,
// no escapes) skips a second validation pass over large values.
func jsonString(data []byte) (string, error) {
	if len(data) >= 2 && data[len(data)-1] == '"' && !bytes.ContainsAny(data[1:len(data)-1], "\\\"") {
		return string(data[1 : len(data)-1]), nil
	}
	var s string
	err := json.Unmarshal(data, &s)
	return s, err
}

// ParseEvidence parses Azure vTPM evidence JSON.
func ParseEvidence(data []byte) (*Evidence, error) {
	if len(data) > MaxEvidenceSize {
		return nil, fmt.Errorf("parse azure evidence: %d bytes exceeds limit of %d", len(data), MaxEvidenceSize)
	}
	var ej struct {
		Version   *int   `json:"version"`
		TPMQuote  *Quote `json:"tpm_quote"`
		Quote     *Quote `json:"quote"`
		HCLReport blob   `json:"hcl_report"`
		Report    blob   `json:"report"`
		VCEK      blob   `json:"vcek"`
		TDQuote   blob   `json:"td_quote"`
	}
	if err := json.Unmarshal(data, &ej); err != nil {
		return nil, fmt.Errorf("parse azure evidence: %w", err)
	}
	ev := &Evidence{VCEK: ej.VCEK, TDQuote: ej.TDQuote}
	if ej.Version != nil {
		ev.Version = *ej.Version
		if ev.Version < 1 || ev.Version > 2 {
			return nil, fmt.Errorf("parse azure evidence: version %d unsupported", ev.Version)
		}
		if ej.TPMQuote == nil || len(ej.HCLReport) == 0 {
			return nil, errors.New("parse azure evidence: missing tpm_quote or hcl_report")
		}
		ev.Quote, ev.HCLReport = *ej.TPMQuote, ej.HCLReport
	} else {
		q, rep := ej.Quote, ej.Report
		if q == nil {
			q = ej.TPMQuote
		}
		if len(rep) == 0 {
			rep = ej.HCLReport
		}
		if q == nil || len(rep) == 0 {
			return nil, errors.New("parse azure evidence: missing quote or report")
		}
		ev.Quote, ev.HCLReport = *q, rep
	}
	if bytes.HasPrefix(ev.VCEK, []byte("-----BEGIN")) {
		blk, _ := pem.Decode(ev.VCEK)
		if blk == nil {
			return nil, errors.New("parse azure evidence: vcek PEM does not decode")
		}
		ev.VCEK = blk.Bytes
	}
	return ev, nil
}

// Encode writes ev in upstream's v1/v2 layout with EncodeTDX when it has a
// TD quote, else EncodeSNP (version 0, the old layout, is written as 1).
// ParseEvidence of the result gives ev back.
func (ev *Evidence) Encode() ([]byte, error) {
	v := ev.Version
	if v == 0 {
		v = 1
	}
	q := NewTPMQuote(ev.Quote.Signature, ev.Quote.Message, ev.Quote.PCRs)
	if len(ev.TDQuote) > 0 {
		return EncodeTDX(v, q, ev.HCLReport, ev.TDQuote)
	}
	return EncodeSNP(v, q, ev.HCLReport, ev.VCEK)
}
