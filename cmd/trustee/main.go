// Command trustee is the attestation-gated secret release server (KBS +
// attestation service + reference values in one binary) and its admin
// client. All logic lives in internal/trustee; `trustee verify` is
// internal/attest/verifycli.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/trustee"
)

func main() {
	os.Exit(trustee.Main(os.Args[1:], os.Stdout, os.Stderr))
}
