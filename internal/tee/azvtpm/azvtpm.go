// Package azvtpm is the wire format of Azure confidential VMs (az-snp-vtpm,
// az-tdx-vtpm) shared by the guest's attester (internal/attester/azvtpm)
// and trustee's verifiers (internal/attest/azvtpm, azsnp, aztdx): the HCL
// (paravisor) report layout, upstream's evidence JSON, and the PCR 8
// initdata binding.
package azvtpm

import (
	"crypto/sha256"
	"encoding/binary"

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
