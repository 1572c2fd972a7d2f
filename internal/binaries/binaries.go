// Package binaries wires every trustgate command line as cmd/<name>/main.go
// does, so that tests (the docs test, the deployment-artifact test) can run
// the real flag sets in process. No binary imports it.
package binaries

import (
	"io"
	"strings"

	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/dashboard"
	deidcli "github.com/trustgate/trustgate/internal/deid/cli"
	"github.com/trustgate/trustgate/internal/deid/webapp"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/imagesig"
	"github.com/trustgate/trustgate/internal/tlssidecar"
	"github.com/trustgate/trustgate/internal/trustee"
	"github.com/trustgate/trustgate/internal/up"
)

// Main is the shape of every binary's entry point; args exclude the program name.
type Main func(args []string, stdout, stderr io.Writer) int

// Mains are the real command lines by binary name.
var Mains = map[string]Main{
	"trustee": trustee.Main,
	"guest":   guest.Main,
	"cocofy": func(args []string, stdout, stderr io.Writer) int {
		return cocofy.Main("cocofy", args, stdout, stderr, map[string]cocofy.Subcommand{
			"sign":  imagesig.CocofySignMain,
			"image": imagesig.CocofyImageMain,
		})
	},
	"dashboard":   dashboard.Main,
	"beacon":      beacon.Main,
	"tls-sidecar": tlssidecar.Main,
	"trustgate":   up.Main,
	"deid": func(args []string, stdout, stderr io.Writer) int {
		deidcli.Serve = webapp.Main
		return deidcli.Main(args, strings.NewReader(""), stdout, stderr)
	},
}
