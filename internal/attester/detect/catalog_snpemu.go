package detect

import (
	"errors"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/snpemu"
)

// snp-emulated is a development TEE: no probe, used only when named.
func init() {
	Register(Entry{Tee: attest.TeeSNPEmulated, New: func(opts Options) (attester.Attester, error) {
		if opts.EmulatedDir == "" {
			return nil, errors.New("tee snp-emulated needs the emulated chain directory (--emulated-dir)")
		}
		a, err := snpemu.New(snpemu.Config{Dir: opts.EmulatedDir, Measurement: opts.EmulatedMeasurement, InitDataDigest: opts.SoftwareInitDataDigest})
		if err != nil {
			return nil, err
		}
		return a, nil
	}})
}
