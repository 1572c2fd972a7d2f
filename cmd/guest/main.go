// Command guest is trustgate's confidential-VM daemon: attestation agent,
// confidential data hub and upstream's local REST API in one binary. See
// docs/guest.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/guest"
)

func main() { os.Exit(guest.Main(os.Args[1:], os.Stdout, os.Stderr)) }
