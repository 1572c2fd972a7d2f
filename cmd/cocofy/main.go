// Command cocofy hardens Kubernetes workloads into confidential ones. The
// same binary is the kubectl plugin kubectl-coco (`kubectl coco apply …`).
// See docs/cocofy.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/imagesig"
)

func main() {
	os.Exit(cocofy.Main(cocofy.ProgramName(os.Args[0]), os.Args[1:], os.Stdout, os.Stderr, map[string]cocofy.Subcommand{
		"sign":  imagesig.CocofySignMain,
		"image": imagesig.CocofyImageMain,
	}))
}
