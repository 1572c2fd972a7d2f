// Package examples embeds the example workloads so that `trustgate up` runs
// on embedded defaults from any directory.
package examples

import "embed"

// Hospital holds the de-identification app's plain manifests
// (hospital/*.yaml), the input cocofy hardens.
//
//go:embed hospital/*.yaml
var Hospital embed.FS
