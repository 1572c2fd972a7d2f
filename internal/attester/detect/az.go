package detect

import (
	"sync"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/azvtpm"
)

// azDetect reads the HCL report once: both Azure probes need the same answer.
var azDetect = sync.OnceValue(azvtpm.Detect)

func detectAzTDX() bool { return azDetect() == attest.TeeAzTDXvTPM }
func detectAzSNP() bool { return azDetect() == attest.TeeAzSNPvTPM }

func newAz(tee string) (attester.Attester, error) {
	if tee == attest.TeeAzTDXvTPM {
		return azvtpm.NewTDX(), nil
	}
	return azvtpm.NewSNP(), nil
}
