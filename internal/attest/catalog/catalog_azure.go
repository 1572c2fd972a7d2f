package catalog

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azsnp"
	"github.com/trustgate/trustgate/internal/attest/aztdx"
)

func init() {
	Register(attest.TeeAzSNPvTPM, func(opts Options) (attest.Verifier, error) {
		cfg := azsnp.Config{Now: opts.Now}
		if g := collateralGetter(opts); g != nil { // no typed nil in the interface
			cfg.Getter = g
		}
		return azsnp.New(cfg)
	})
	Register(attest.TeeAzTDXvTPM, func(opts Options) (attest.Verifier, error) {
		return aztdx.New(aztdx.Config{Now: opts.Now, Collateral: collateralGetter(opts)}), nil
	})
}
