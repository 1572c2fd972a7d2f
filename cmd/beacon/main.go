// Command beacon posts signed heartbeats carrying the workload's
// attestation token to the dashboard. See docs/dashboard.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/beacon"
)

func main() { os.Exit(beacon.Main(os.Args[1:], os.Stdout, os.Stderr)) }
