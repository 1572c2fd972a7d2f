// Command guest is trustgate's confidential-VM daemon: attestation agent,
// confidential data hub and upstream's local REST API in one binary. See
// docs/guest.md.
package main

import (
	"fmt"
	"os"

	"github.com/trustgate/trustgate/internal/guest"
)

func main() {
	if len(os.Args) < 2 {
		// The usage that follows lists the commands; say first what is wrong.
		fmt.Fprintln(os.Stderr, "guest: no command given (guest help lists them)")
	}
	os.Exit(guest.Main(os.Args[1:], os.Stdout, os.Stderr))
}
