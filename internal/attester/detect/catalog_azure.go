package detect

import (
	"sync"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/azvtpm"
)

// azDetect reads the HCL report once: both Azure probes need the same answer.
var azDetect = sync.OnceValue(azvtpm.Detect)

// The Azure vTPM TEEs are probed after tdx and before bare snp, as
// upstream does.
func init() {
	Register(Entry{Tee: attest.TeeAzTDXvTPM, Order: 20,
		Probe: func() bool { return azDetect() == attest.TeeAzTDXvTPM },
		New:   func(Options) (attester.Attester, error) { return azvtpm.NewTDX(), nil }})
	Register(Entry{Tee: attest.TeeAzSNPvTPM, Order: 30,
		Probe: func() bool { return azDetect() == attest.TeeAzSNPvTPM },
		New:   func(Options) (attester.Attester, error) { return azvtpm.NewSNP(), nil }})
}
