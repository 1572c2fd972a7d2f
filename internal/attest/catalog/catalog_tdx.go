package catalog

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/tdx"
)

func init() {
	Register(attest.TeeTDX, func(opts Options) (attest.Verifier, error) {
		// With a cache or HTTP client, TCB info, QE identity and CRLs are
		// required (from the cache, i.e. an imported bundle, or Intel PCS).
		return tdx.New(tdx.Config{Now: opts.Now, Collateral: collateralGetter(opts), AllowDebug: opts.AllowDebug}), nil
	})
}
