package detect

import (
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/tdx"
)

// tdx is probed first, as upstream does.
func init() {
	Register(Entry{Tee: attest.TeeTDX, Probe: tdx.Detect, Order: 10,
		New: func(Options) (attester.Attester, error) { return tdx.New(), nil }})
}
