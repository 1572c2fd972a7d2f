package detect

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/snp"
)

// snp is the last hardware probe, as upstream orders it.
func init() {
	Register(Entry{Tee: attest.TeeSNP, Probe: snp.Detect, Order: 40,
		New: func(Options) (attester.Attester, error) { return snp.New(), nil }})
}
