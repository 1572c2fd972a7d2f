package detect

import (
	"fmt"

	"github.com/trustgate/trustgate/internal/attester"
)

func detectAzTDX() bool { return false }
func detectAzSNP() bool { return false }

func newAz(tee string) (attester.Attester, error) {
	return nil, fmt.Errorf("tee %s: Azure vTPM attester not built in", tee)
}
