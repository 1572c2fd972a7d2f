// Package azvtpmtest holds helpers for tests of Azure vTPM evidence:
// reading the nonce a captured quote actually carries, and writing parsed
// evidence back in upstream's layout. Production code never needs either
// (verifiers compare the quote's nonce with the session's digest; the
// attester writes evidence with internal/tee/azvtpm's encoders).
package azvtpmtest

import (
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
)

// MarshalEvidence writes ev in upstream's v1/v2 layout with the
// attester's encoder (teeaz.Evidence.Encode; version 0 is written as 1).
func MarshalEvidence(ev *azvtpm.Evidence) ([]byte, error) { return ev.Encode() }

// QuoteNonce returns the nonce an evidence's TPM quote carries, after
// checking the quote's signature with the attestation key from the HCL
// report's runtime data. Tests use it to bind captured evidence
// to what it actually says; verifiers compare the nonce with the session's
// digest instead.
func QuoteNonce(ev *azvtpm.Evidence) ([]byte, error) {
	h, err := azvtpm.ParseHCLReport(ev.HCLReport)
	if err != nil {
		return nil, err
	}
	rd, err := azvtpm.ParseRuntimeData(h.RuntimeData)
	if err != nil {
		return nil, err
	}
	vq, _, err := azvtpm.VerifyQuote(&ev.Quote, rd.AK)
	if err != nil {
		return nil, err
	}
	return vq.Nonce, nil
}
