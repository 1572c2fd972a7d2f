// Command tls-sidecar terminates mTLS in front of a confidential pod's app,
// with keys it gets from the guest API only after attestation. See
// docs/tls-sidecar.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/tlssidecar"
)

func main() { os.Exit(tlssidecar.Main(os.Args[1:], os.Stdout, os.Stderr)) }
