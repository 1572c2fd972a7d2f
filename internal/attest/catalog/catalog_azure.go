package catalog

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azsnp"
	"github.com/trustgate/trustgate/internal/attest/aztdx"
)

func init() {
	Register(attest.TeeAzSNPvTPM, func(opts Options) (attest.Verifier, error) {
		// Checked like snp: CRL from the collateral source, per-line
		// minimum TCB.
		s := snpConfig(opts)
		return azsnp.New(azsnp.Config{Now: s.Now, Getter: s.Getter, CheckRevocations: s.CheckRevocations, MinimumTCBByLine: s.MinimumTCBByLine})
	})
	Register(attest.TeeAzTDXvTPM, func(opts Options) (attest.Verifier, error) {
		return aztdx.New(aztdx.Config{Now: opts.Now, Collateral: collateralGetter(opts)}), nil
	})
}
