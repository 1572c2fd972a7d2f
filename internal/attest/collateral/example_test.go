package collateral_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/trustgate/trustgate/internal/attest/collateral"
)

// Moving collateral to an air-gapped trustee: export from the connected
// store, import into the offline one, and serve it without network access.
func Example() {
	ctx := context.Background()
	online := collateral.NewMemCache()
	url := "https://kdsintf.amd.com/vcek/v1/Milan/0a0b?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"
	_ = collateral.Put(ctx, online, url, nil, []byte("vcek DER"), time.Now())

	var bundle bytes.Buffer
	n, _ := collateral.Export(ctx, online, &bundle)
	offline := collateral.NewMemCache()
	m, _ := collateral.Import(ctx, offline, &bundle)

	g := &collateral.Getter{Cache: offline} // no Client: never touches the network
	body, err := g.Get(url)
	fmt.Println(n, m, string(body), err)
	// Output: 1 1 vcek DER <nil>
}
