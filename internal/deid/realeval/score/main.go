// Command score runs a detector over a realstyle gold file and prints the
// evaluation table, the PHI it missed and its false alarms.
//
//	go run ./internal/deid/realeval/score -gold internal/deid/testdata/realstyle/dev.jsonl -detector rules
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/trustgate/trustgate/internal/deid/realeval"
)

func main() {
	gold := flag.String("gold", "internal/deid/testdata/realstyle/dev.jsonl", "gold JSON Lines file")
	det := flag.String("detector", "rules", "rules, tagger or both")
	misses := flag.Bool("misses", true, "list missed PHI and false alarms")
	flag.Parse()
	if err := run(*gold, *det, *misses); err != nil {
		slog.Error("score", "err", err)
		os.Exit(1)
	}
}

func run(gold, det string, misses bool) error {
	notes, err := realeval.LoadJSONL(gold)
	if err != nil {
		return err
	}
	d, err := realeval.NewDetector(det)
	if err != nil {
		return err
	}
	ev, missed, alarms, err := realeval.Score(context.Background(), notes, d)
	if err != nil {
		return err
	}
	fmt.Printf("%s, detector %s\n", gold, det)
	if err := ev.WriteTable(os.Stdout); err != nil {
		return err
	}
	if misses {
		realeval.WriteMisses(os.Stdout, "missed", missed)
		realeval.WriteMisses(os.Stdout, "false alarms", alarms)
	}
	return nil
}
