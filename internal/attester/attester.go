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

// InitDataBinder is implemented by an attester whose hardware binds the
// initdata digest at launch in its own way. The guest uses it to refuse
// initdata that does not match; each TEE's rule lives with its attester (and
// its wire package, internal/tee/<tee>), not in the guest. An attester
// without it (the software sample TEE) reports the digest itself, compared
// zero-padded or truncated to the size of what it reports.
type InitDataBinder interface {
	// InitDataSize is how many bytes of the digest the hardware holds in
	// full (32 for SNP HOST_DATA and vTPM PCR 8, 48 for TDX MRCONFIGID): a
	// longer digest would be truncated, so the guest refuses it.
	InitDataSize() int
	// ExpectedInitData is the value BoundInitData returns when initdata
	// with this digest was bound at launch.
	ExpectedInitData(digest []byte) []byte
}
