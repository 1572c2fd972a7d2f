// Command deid finds and replaces protected health information in clinical
// notes: `deid redact`, `deid detect`, `deid eval`, `deid synth`, `deid serve`.
// See docs/deid.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/deid/cli"
	"github.com/trustgate/trustgate/internal/deid/webapp"
)

func main() {
	cli.Serve = webapp.Main
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
