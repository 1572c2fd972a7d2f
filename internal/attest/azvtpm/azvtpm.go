// Package azvtpm holds what the Azure confidential VM verifiers (az-snp-vtpm
// and az-tdx-vtpm) share: the HCL (paravisor) attestation report that wraps
// the hardware report and the runtime data whose hash the hardware report
// binds, and the vTPM quote signed by the HCL attestation key (AK) that binds
// the session nonce and the PCRs, including PCR 8 for initdata.
package azvtpm

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/google/go-tpm/tpm2"

	"github.com/trustgate/trustgate/internal/attest"
	teeaz "github.com/trustgate/trustgate/internal/tee/azvtpm"
)

// Names of the checks shared by both Azure verifiers.
const (
	CheckParse       = "parse"
	CheckHCLReport   = "hcl_report"
	CheckRuntimeData = "runtime_data"  // runtime-data hash not bound in the hardware report
	CheckAK          = "ak"            // attestation key missing or malformed
	CheckTPMQuote    = "tpm_signature" // quote not signed by the HCL AK
	CheckPCRDigest   = "pcr_digest"    // PCR values do not match the quote's digest
	CheckNonce       = "nonce"         // quote nonce != runtime-data digest
	CheckUserData    = "user_data"     // HCL user-data != report data (evidence v2)
	CheckInitData    = "init_data"     // PCR 8 != sha256(0^32 || initdata digest)
)

// The evidence JSON is internal/tee/azvtpm's, shared with the attester.
type (
	Quote    = teeaz.Quote
	Evidence = teeaz.Evidence
)

// MaxEvidenceSize bounds Azure evidence JSON.
const MaxEvidenceSize = teeaz.MaxEvidenceSize

// ParseEvidence parses Azure vTPM evidence JSON in any of upstream's
// versions (teeaz.ParseEvidence).
func ParseEvidence(data []byte) (*Evidence, error) { return teeaz.ParseEvidence(data) }

// HCL report layout: internal/tee/azvtpm's, shared with the attester.
const (
	hclHeaderSize = teeaz.HCLHeaderSize
	hwReportSize  = teeaz.HWReportSize
	hclDataOffset = teeaz.HCLDataOffset
	hclDataHeader = teeaz.HCLDataHeaderSize

	// ReportTypeSNP and ReportTypeTDX are the HCL report types.
	ReportTypeSNP = teeaz.ReportTypeSNP
	ReportTypeTDX = teeaz.ReportTypeTDX
)

// HCLReport is a parsed HCL report.
type HCLReport struct {
	Raw         []byte
	Type        uint32
	HWReport    []byte // SNP report (1184 bytes) or TD report (first 1024 bytes)
	RuntimeData []byte // the variable data (JSON) whose hash the hardware report binds
	HashType    uint32
}

// ParseHCLReport parses and structurally checks an HCL report: header,
// sizes, and that every byte after the runtime data is zero so that no byte
// escapes verification.
func ParseHCLReport(raw []byte) (*HCLReport, error) {
	if len(raw) < hclDataOffset+hclDataHeader {
		return nil, fmt.Errorf("HCL report has %d bytes, want at least %d", len(raw), hclDataOffset+hclDataHeader)
	}
	le := binary.LittleEndian
	if string(raw[:4]) != teeaz.HCLSignature {
		return nil, errors.New("HCL report signature is not HCLA")
	}
	if v := le.Uint32(raw[4:]); v < 1 || v > 2 {
		return nil, fmt.Errorf("HCL report header version %d unsupported", v)
	}
	size := le.Uint32(raw[8:])
	if req := le.Uint32(raw[12:]); req != 2 {
		return nil, fmt.Errorf("HCL report request type %d unsupported", req)
	}
	if !allZero(raw[16:hclHeaderSize]) {
		return nil, errors.New("HCL report status/reserved fields are not zero")
	}
	dataSize := le.Uint32(raw[hclDataOffset:])
	if v := le.Uint32(raw[hclDataOffset+4:]); v != 1 {
		return nil, fmt.Errorf("HCL data version %d unsupported", v)
	}
	typ := le.Uint32(raw[hclDataOffset+8:])
	hashType := le.Uint32(raw[hclDataOffset+12:])
	varSize := le.Uint32(raw[hclDataOffset+16:])
	end := uint64(hclDataOffset) + hclDataHeader + uint64(varSize)
	switch {
	case uint64(dataSize) != hclDataHeader+uint64(varSize):
		return nil, errors.New("HCL data size does not match its variable data size")
	case uint64(size) != end:
		return nil, errors.New("HCL report size does not match its content")
	case end > uint64(len(raw)):
		return nil, errors.New("HCL variable data runs past the report")
	case !allZero(raw[end:]):
		return nil, errors.New("non-zero bytes after the HCL report")
	}
	if typ != ReportTypeSNP && typ != ReportTypeTDX {
		return nil, fmt.Errorf("HCL hardware report type %d unsupported", typ)
	}
	if hashType < 1 || hashType > 3 {
		return nil, fmt.Errorf("HCL report-data hash type %d unsupported", hashType)
	}
	hw := raw[hclHeaderSize:hclDataOffset]
	if typ == ReportTypeTDX {
		if !allZero(hw[teeaz.TDReportSize:]) {
			return nil, errors.New("non-zero bytes after the TD report")
		}
		hw = hw[:teeaz.TDReportSize]
	}
	return &HCLReport{Raw: raw, Type: typ, HWReport: hw, RuntimeData: raw[hclDataOffset+hclDataHeader : end], HashType: hashType}, nil
}

// RuntimeDataDigest is the hash of the runtime data that the hardware
// report's REPORT_DATA must start with.
func (h *HCLReport) RuntimeDataDigest() []byte {
	switch h.HashType {
	case 2:
		d := sha512.Sum384(h.RuntimeData)
		return d[:]
	case 3:
		d := sha512.Sum512(h.RuntimeData)
		return d[:]
	default:
		d := sha256.Sum256(h.RuntimeData)
		return d[:]
	}
}

// RuntimeData is the parsed HCL variable data.
type RuntimeData struct {
	AK       *rsa.PublicKey
	UserData []byte
}

type jwk struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// ParseRuntimeData extracts the HCL attestation key and user-data.
func ParseRuntimeData(data []byte) (*RuntimeData, error) {
	var rd struct {
		Keys     []jwk  `json:"keys"`
		UserData string `json:"user-data"`
	}
	if err := json.Unmarshal(data, &rd); err != nil {
		return nil, fmt.Errorf("runtime data: %w", err)
	}
	out := &RuntimeData{}
	for _, k := range rd.Keys {
		if k.Kid != "HCLAkPub" {
			continue
		}
		if k.Kty != "RSA" {
			return nil, fmt.Errorf("HCLAkPub has key type %q, want RSA", k.Kty)
		}
		n, err1 := teeaz.DecodeBase64(k.N)
		e, err2 := teeaz.DecodeBase64(k.E)
		if err1 != nil || err2 != nil || len(n) < 256 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("HCLAkPub is malformed")
		}
		out.AK = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if out.AK == nil {
		return nil, errors.New("runtime data has no HCLAkPub")
	}
	if rd.UserData != "" {
		ud, err := hex.DecodeString(rd.UserData)
		if err != nil {
			return nil, fmt.Errorf("runtime data user-data: %w", err)
		}
		out.UserData = ud
	}
	return out, nil
}

// Bind checks what binds the evidence to the session and the workload once
// the hardware report and the quote are verified: the quote nonce is the
// runtime-data digest, evidence v2 also carries it as HCL user-data, and
// PCR 8 holds the initdata digest.
func Bind(version int, rd *RuntimeData, vq *VerifiedQuote, reportData, initData []byte) (string, error) {
	if reportData != nil {
		if subtle.ConstantTimeCompare(vq.Nonce, reportData) != 1 {
			return CheckNonce, errors.New("vTPM quote nonce does not match the session's runtime-data digest")
		}
		if version >= 2 {
			if subtle.ConstantTimeCompare(rd.UserData, teeaz.UserData(reportData)) != 1 {
				return CheckUserData, errors.New("HCL user-data does not match the session's runtime-data digest")
			}
		}
	}
	if initData != nil {
		pcr8, ok := vq.PCRs[teeaz.InitDataPCR]
		if !ok {
			return CheckInitData, errors.New("vTPM quote does not cover PCR 8")
		}
		if subtle.ConstantTimeCompare(pcr8, teeaz.PCR8(initData)) != 1 {
			return CheckInitData, errors.New("PCR 8 does not match the initdata digest")
		}
	}
	return "", nil
}

// VerifiedQuote is what a checked quote vouches for.
type VerifiedQuote struct {
	Nonce []byte
	// PCRs maps each PCR index covered by the quote's digest to its value.
	PCRs map[int][]byte
}

// VerifyQuote checks the quote's signature with ak, parses the attested
// structure, and checks that the SHA-256 PCR values hash to its PCR digest.
// It returns the name of the failed check with the error.
func VerifyQuote(q *Quote, ak *rsa.PublicKey) (*VerifiedQuote, string, error) {
	digest := sha256.Sum256(q.Message)
	if len(q.Signature) != ak.Size() {
		return nil, CheckTPMQuote, fmt.Errorf("quote signature has %d bytes, AK modulus %d", len(q.Signature), ak.Size())
	}
	if err := rsa.VerifyPKCS1v15(ak, crypto.SHA256, digest[:], q.Signature); err != nil {
		return nil, CheckTPMQuote, fmt.Errorf("vTPM quote is not signed by the HCL AK: %w", err)
	}
	att, err := tpm2.Unmarshal[tpm2.TPMSAttest](q.Message)
	if err != nil {
		return nil, CheckTPMQuote, fmt.Errorf("parse TPMS_ATTEST: %w", err)
	}
	if !bytes.Equal(tpm2.Marshal(att), q.Message) {
		return nil, CheckTPMQuote, errors.New("TPMS_ATTEST has trailing bytes")
	}
	if att.Magic != tpm2.TPMGeneratedValue || att.Type != tpm2.TPMSTAttestQuote {
		return nil, CheckTPMQuote, errors.New("attested structure is not a TPM-generated quote")
	}
	info, err := att.Attested.Quote()
	if err != nil {
		return nil, CheckTPMQuote, err
	}
	h := sha256.New()
	covered := map[int][]byte{}
	for _, sel := range info.PCRSelect.PCRSelections {
		if sel.Hash != tpm2.TPMAlgSHA256 {
			return nil, CheckPCRDigest, fmt.Errorf("quote selects PCR bank %v, want SHA-256", sel.Hash)
		}
		for i := 0; i < len(sel.PCRSelect)*8; i++ {
			if sel.PCRSelect[i/8]&(1<<(i%8)) == 0 {
				continue
			}
			if i >= len(q.PCRs) {
				return nil, CheckPCRDigest, fmt.Errorf("quote covers PCR %d but evidence has %d PCR values", i, len(q.PCRs))
			}
			h.Write(q.PCRs[i])
			covered[i] = q.PCRs[i]
		}
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), info.PCRDigest.Buffer) != 1 {
		return nil, CheckPCRDigest, errors.New("PCR values do not hash to the quote's PCR digest")
	}
	return &VerifiedQuote{Nonce: att.ExtraData.Buffer, PCRs: covered}, "", nil
}

// TPMClaims maps the covered PCRs to upstream's "tpm" claim
// ({"pcr00": hex, …}).
func TPMClaims(v *VerifiedQuote) map[string]any {
	out := map[string]any{}
	for i, p := range v.PCRs {
		out[fmt.Sprintf("pcr%02d", i)] = hex.EncodeToString(p)
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// VerifyVTPM checks the vTPM side of verified HCL evidence: the runtime
// data's attestation key signed the quote, the PCRs match it, and it binds
// the session (nonce, v2 user-data) and initdata (PCR 8). Errors are
// *attest.Error for tee.
func VerifyVTPM(tee string, ev *Evidence, h *HCLReport, want attest.Expected) (*VerifiedQuote, error) {
	rd, err := ParseRuntimeData(h.RuntimeData)
	if err != nil {
		return nil, attest.Fail(tee, CheckAK, err)
	}
	vq, check, err := VerifyQuote(&ev.Quote, rd.AK)
	if err != nil {
		return nil, attest.Fail(tee, check, err)
	}
	if check, err := Bind(ev.Version, rd, vq, want.ReportData, want.InitDataDigest); err != nil {
		return nil, attest.Fail(tee, check, err)
	}
	return vq, nil
}
