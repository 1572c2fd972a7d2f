// Command trustgate runs the whole hospital flow on one machine:
//
//	trustgate up              # start everything, print URLs; Ctrl-C stops
//	trustgate status          # what is running
//	trustgate down            # stop a running up
//	trustgate demo denials    # show each gate refusing
//
// See docs/trustgate.md.
package main

import (
	"os"

	"github.com/trustgate/trustgate/internal/up"
)

func main() { os.Exit(up.Main(os.Args[1:], os.Stdout, os.Stderr)) }
