// Package azvtpm is the wire format of Azure confidential VMs (az-snp-vtpm,
// az-tdx-vtpm) shared by the guest's attester (internal/attester/azvtpm)
// and trustee's verifiers (internal/attest/azvtpm, azsnp, aztdx): the HCL
// (paravisor) report layout, upstream's evidence JSON, and the PCR 8
// initdata binding.
package azvtpm

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"github.com/trustgate/trustgate/internal/tee"
)

// HCL report layout (Azure IGVM attestation report): a 32-byte header, the
// hardware report area, then the IGVM request data (size, version, report
// type, hash type, variable-data size) and the variable data (JSON).
const (
	HCLSignature      = "HCLA"
	HCLHeaderSize     = 0x20
	HWReportSize      = 1184 // room for an SNP report; a TD report uses TDReportSize of it
	TDReportSize      = 1024
	HCLDataOffset     = HCLHeaderSize + HWReportSize
	HCLDataHeaderSize = 20
	hclTypeOffset     = HCLDataOffset + 8

	// ReportTypeSNP and ReportTypeTDX are the HCL report types.
	ReportTypeSNP = 2
	ReportTypeTDX = 4
)

// vTPM facts both sides rely on.
const (
	InitDataPCR  = 8  // the PCR initdata is extended into (SHA-256 bank)
	NumPCRs      = 24 // PCRs a quote carries
	UserDataSize = 64 // HCL user-data: the runtime-data digest (evidence v2)
)

// ReportType returns the hardware report type of an HCL report
// (ReportTypeSNP, ReportTypeTDX), or 0 when hcl is not one. It checks only
// the signature and length: enough to detect the platform, nothing is
// trusted.
func ReportType(hcl []byte) uint32 {
	if len(hcl) < hclTypeOffset+4 || string(hcl[:4]) != HCLSignature {
		return 0
	}
	return binary.LittleEndian.Uint32(hcl[hclTypeOffset:])
}

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

var b64 = base64.URLEncoding.EncodeToString

// EncodeSNP writes az-snp-vtpm evidence.
func EncodeSNP(version int, q TPMQuote, hcl, vcek []byte) ([]byte, error) {
	return json.Marshal(SNPEvidence{Version: version, TPMQuote: q, HCLReport: b64(hcl), VCEK: b64(vcek)})
}

// EncodeTDX writes az-tdx-vtpm evidence.
func EncodeTDX(version int, q TPMQuote, hcl, tdQuote []byte) ([]byte, error) {
	return json.Marshal(TDXEvidence{Version: version, TPMQuote: q, HCLReport: b64(hcl), TDQuote: b64(tdQuote)})
}

// PCR8 is the PCR 8 value after extending it once, from zero, with the
// initdata digest (zero-padded or truncated to 32 bytes), as upstream's
// attestation agent binds initdata on a vTPM: sha256(0^32 || digest).
func PCR8(digest []byte) []byte {
	sum := sha256.Sum256(append(make([]byte, sha256.Size), tee.Regularize(digest, sha256.Size)...))
	return sum[:]
}

// UserData is the HCL user-data that binds a runtime-data digest
// (zero-padded or truncated to 64 bytes).
func UserData(reportData []byte) []byte { return tee.Regularize(reportData, UserDataSize) }
