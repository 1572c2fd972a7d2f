package deid

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

func TestDbg(t *testing.T) {
	for _, txt := range strings.Split(os.Getenv("DBG"), "|") {
		spans, _ := New().Detect(context.Background(), txt)
		r := []rune(txt)
		for _, s := range spans {
			fmt.Printf("%q %s %s\n", string(r[s.Start:s.End]), s.Type, s.Recognizer)
		}
	}
	for _, w := range strings.Fields(os.Getenv("DBGW")) {
		fmt.Printf("%s flags=%b\n", w, lexicon.Vocab().Lookup(w))
	}
}
