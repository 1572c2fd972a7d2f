package catalog

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snpemu"
)

func init() {
	// snp-emulated exists only when the operator hands trustee a development
	// root; without it the factory reports the TEE disabled.
	Register(attest.TeeSNPEmulated, func(opts Options) (attest.Verifier, error) {
		if opts.DevEmulatedSNPRoot == nil {
			return nil, Disabled("snp-emulated needs --dev-emulated-snp-root")
		}
		return snpemu.New(snpemu.Config{Root: opts.DevEmulatedSNPRoot, Now: opts.Now, Logger: opts.Logger, AllowDebug: opts.AllowDebug})
	})
}
