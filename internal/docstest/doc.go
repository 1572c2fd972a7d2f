// Package docstest keeps the documentation true to the binaries: its tests
// read every shell code block of README.md and docs/*.md, check each
// trustgate command line in them against the real command's flags and
// subcommands, and run the blocks marked runnable (info string
// "sh runnable"). It has no code of its own.
package docstest
