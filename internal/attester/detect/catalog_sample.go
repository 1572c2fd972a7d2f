package detect

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/sample"
)

// sample is the software fallback: no probe, used when nothing is detected
// or when named.
func init() {
	Register(Entry{Tee: attest.TeeSample, New: func(opts Options) (attester.Attester, error) {
		return &sample.Attester{InitDataDigest: opts.SoftwareInitDataDigest}, nil
	}})
}
