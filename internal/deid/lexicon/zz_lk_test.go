package lexicon

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestLK(t *testing.T) {
	for _, w := range strings.Fields(os.Getenv("LK")) {
		fmt.Printf("%s %#x\n", w, Vocab().Lookup(w))
	}
}
