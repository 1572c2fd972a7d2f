// Package attester defines the guest side of attestation: an Attester produces
// TEE evidence bound to report data. One package per TEE lives under
// internal/attester/<tee>, mirroring the verifiers under internal/attest.
package attester

import "context"

// Attester produces evidence for one TEE.
type Attester interface {
	// Tee is the TEE name as sent in the KBS auth request ("snp", "tdx", …).
	Tee() string
	// Evidence returns the TEE-specific evidence JSON (exactly upstream's
	// attestation-agent format for that TEE) whose report data field binds
	// reportData (zero-padded or truncated to the field's size).
	Evidence(ctx context.Context, reportData []byte) ([]byte, error)
	// BoundInitData returns the initdata digest bound into the hardware at
	// launch (SNP HOST_DATA, TDX MRCONFIGID, vTPM PCR 8 as the raw PCR value),
	// so the guest can refuse to start when its initdata does not match.
	BoundInitData(ctx context.Context) ([]byte, error)
}
