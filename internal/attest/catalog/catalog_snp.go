package catalog

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/snp"
)

// collateralGetter returns the shared KDS/PCS getter for opts, or nil when
// neither a cache nor an HTTP client is configured (evidence must then carry
// its certificates).
func collateralGetter(opts Options) *collateral.Getter {
	if opts.Cache == nil && opts.HTTPClient == nil {
		return nil
	}
	return &collateral.Getter{Cache: opts.Cache, Client: opts.HTTPClient, Now: opts.Now, Logger: opts.Logger}
}

func snpConfig(opts Options) snp.Config {
	// Online, the ASK is also checked against AMD's CRL (cached like any
	// collateral); offline there may be no CRL to check against.
	cfg := snp.Config{Now: opts.Now, CheckRevocations: opts.HTTPClient != nil}
	if g := collateralGetter(opts); g != nil { // no typed nil in the interface
		cfg.Getter = g
	}
	return cfg
}

func init() {
	Register(attest.TeeSNP, func(opts Options) (attest.Verifier, error) {
		return snp.New(snpConfig(opts))
	})
}
