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

// snpConfig is the configuration of the snp verifier (az-snp-vtpm and
// snp-emulated start from it). With a collateral source (the cache, i.e.
// imported bundles, or AMD KDS) AMD's CRL is required and checked, offline
// too; without one (trustee verify with no --collateral) there is no CRL to
// check against.
func snpConfig(opts Options) snp.Config {
	cfg := snp.Config{Now: opts.Now, MinimumTCBByLine: opts.SNPMinimumTCB}
	if g := collateralGetter(opts); g != nil { // no typed nil in the interface
		cfg.Getter, cfg.CheckRevocations = g, true
	}
	return cfg
}

func init() {
	Register(attest.TeeSNP, func(opts Options) (attest.Verifier, error) {
		return snp.New(snpConfig(opts))
	})
}
