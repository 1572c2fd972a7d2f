// Command dashboard is the security administrator's fleet view: workloads
// and their attestation status from beacons, Trustee's audit feed, alerts.
// See docs/dashboard.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/dashboard"
)

func main() { os.Exit(dashboard.Main(os.Args[1:], os.Stdout, os.Stderr)) }
