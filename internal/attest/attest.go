// Package attest defines how trustee appraises hardware evidence: the Verifier
// interface that every TEE package implements, the claims it produces, and the
// typed error that names the failing check.
//
// Each TEE lives in its own package under internal/attest/<tee> (the SPIRE
// pattern: a server plugin here, its agent-side twin under internal/attester,
// the wire format both share under internal/tee/<tee>), registered in
// internal/attest/catalog.
// Verification follows go-sev-guest's split: parse (bytes to structs, no
// trust), verify (signatures and certificate chains to the vendor root), then
// validate (bindings and policy on fields that were already verified).
package attest

import (
	"context"
	"errors"
	"fmt"
)

// Well-known TEE names, as spelled on the KBS wire (wire-compat §1).
const (
	TeeSample      = "sample"
	TeeSNP         = "snp"
	TeeTDX         = "tdx"
	TeeAzSNPvTPM   = "az-snp-vtpm"
	TeeAzTDXvTPM   = "az-tdx-vtpm"
	TeeSNPEmulated = "snp-emulated"
)

// Expected holds what the caller requires the evidence to be bound to.
type Expected struct {
	// ReportData is the runtime-data digest (SHA-384 of the JCS of nonce,
	// tee-pubkey and additional-evidence). Each TEE compares it with its own
	// report field (zero-padded or truncated to the field's size).
	ReportData []byte
	// InitDataDigest is the hash of the raw initdata TOML the guest sent, or
	// nil when no initdata was sent. When non-nil the verifier checks it
	// against the hardware-bound value (HOST_DATA, MRCONFIGID, PCR 8).
	InitDataDigest []byte
}

// Claims are the TEE-specific claims under upstream's names (for example
// "measurement", "reported_tcb_snp" for SNP). The attestation service nests
// them under the TEE name ("snp": {...}) in the token.
type Claims map[string]any

// Verifier appraises evidence of one TEE.
type Verifier interface {
	// Verify parses the TEE-specific evidence JSON (the "primary_evidence"
	// object of the attest request), verifies it to the vendor's root and
	// checks the bindings in want. It returns the claims, or an error that
	// wraps an *Error naming the failed check.
	Verify(ctx context.Context, evidence []byte, want Expected) (Claims, error)
}

// RawVerifier is implemented by a verifier that also takes its TEE's raw
// hardware evidence instead of the evidence JSON (trustee verify: an SNP
// report with its VCEK or VLEK, a TDX quote).
type RawVerifier interface {
	// VerifyRaw verifies raw hardware evidence; endorsement is the
	// certificate that signed it (DER) when the raw form does not carry it.
	VerifyRaw(ctx context.Context, raw, endorsement []byte, want Expected) (Claims, error)
}

// Error names the check that failed, so that operators can read why evidence
// was refused in the audit log without patching code.
type Error struct {
	Tee   string // TEE name
	Check string // short, stable name of the failed check, e.g. "report_data", "vcek_signature"
	Err   error  // detail; never holds secret values
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s evidence: %s check failed", e.Tee, e.Check)
	}
	return fmt.Sprintf("%s evidence: %s check failed: %v", e.Tee, e.Check, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Fail returns an *Error for tee and check wrapping err.
func Fail(tee, check string, err error) error { return &Error{Tee: tee, Check: check, Err: err} }

// FailedCheck returns the check named by the first *Error in err's chain, or
// "" when there is none.
func FailedCheck(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Check
	}
	return ""
}

// ErrUnknownTee is returned when no verifier is registered for a TEE name.
var ErrUnknownTee = errors.New("unknown TEE")

// Cache stores collateral (certificates, CRLs, TCB info) that verifiers fetch
// from vendor services, so that a fleet of replicas shares one copy and
// air-gapped sites can import it. Trustee's store implements it.
type Cache interface {
	// Get returns the value under key; ok is false when absent.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	// Put stores val under key, replacing any previous value.
	Put(ctx context.Context, key string, val []byte) error
}
