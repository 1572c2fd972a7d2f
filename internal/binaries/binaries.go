// Package binaries wires every trustgate command line as cmd/<name>/main.go
// does, so that tests (the docs test, the deployment-artifact test) can run
// the real flag sets in process. No binary imports it.
package binaries

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

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

// captureMu serialises the swaps of os.Stdout and os.Stderr in Run.
var captureMu sync.Mutex

// Run runs bin's Main in this process with args and returns its exit code
// and everything it printed, also what a flag set printed straight to
// os.Stdout or os.Stderr rather than to the writers it was given.
func Run(bin string, args []string) (int, string, error) {
	main, ok := Mains[bin]
	if !ok {
		return -1, "", fmt.Errorf("no binary %q", bin)
	}
	captureMu.Lock()
	defer captureMu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		return -1, "", err
	}
	var piped bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&piped, r); close(done) }()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	var buf bytes.Buffer
	code := main(args, &buf, &buf)
	os.Stdout, os.Stderr = oldOut, oldErr
	w.Close()
	<-done
	r.Close()
	return code, buf.String() + piped.String(), nil
}

var (
	// defaultsFlagRE finds the "  -name" lines of flag.PrintDefaults.
	defaultsFlagRE = regexp.MustCompile(`(?m)^\s+-([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	// anyFlagRE also finds "--name" anywhere (usage lines of subcommands
	// such as trustee admin's).
	anyFlagRE = regexp.MustCompile(`(?m)(?:^\s+-|--)([A-Za-z0-9][A-Za-z0-9_.-]*)`)
)

// HelpFlags returns the flag names that `bin sub... -h` lists: those of
// flag.PrintDefaults, and with inUsage also every "--name" in the text.
func HelpFlags(bin string, sub []string, inUsage bool) (map[string]bool, error) {
	_, out, err := Run(bin, append(append([]string{}, sub...), "-h"))
	if err != nil {
		return nil, err
	}
	re := defaultsFlagRE
	if inUsage {
		re = anyFlagRE
	}
	set := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		set[m[1]] = true
	}
	return set, nil
}
