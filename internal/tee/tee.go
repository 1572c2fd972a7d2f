// Package tee is the root of the per-TEE wire packages (internal/tee/<tee>):
// evidence types, layout constants, encoders and initdata bindings that the
// guest's attester (internal/attester/<tee>) and trustee's verifier
// (internal/attest/<tee>) share, so that neither side keeps its own copy.
// This package holds the little they all need.
package tee

// Regularize zero-pads or truncates d to n bytes, as upstream does when it
// puts a digest into, or compares it with, a fixed-size report field
// (REPORT_DATA, HOST_DATA, MRCONFIGID).
func Regularize(d []byte, n int) []byte {
	out := make([]byte, n)
	copy(out, d)
	return out
}
