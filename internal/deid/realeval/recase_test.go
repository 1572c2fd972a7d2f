package realeval

import (
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

// TestRecase: a note rewritten in one case keeps its spans over the same
// letters, non-ASCII letters included; an unknown case is an error.
func TestRecase(t *testing.T) {
	n, err := ParseNote("son <<NAME:Hafþór>> from <<LOCATION:Pace>>, seen 3/4")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ mode, text, name string }{
		{"", "son Hafþór from Pace, seen 3/4", "Hafþór"},
		{"upper", "SON HAFÞÓR FROM PACE, SEEN 3/4", "HAFÞÓR"},
		{"lower", "son hafþór from pace, seen 3/4", "hafþór"},
	} {
		out, err := Recase([]deid.GoldNote{n}, tc.mode)
		if err != nil {
			t.Fatalf("%q: %v", tc.mode, err)
		}
		got := out[0]
		if got.Text != tc.text {
			t.Errorf("%q: text %q, want %q", tc.mode, got.Text, tc.text)
		}
		if err := Check(got); err != nil {
			t.Errorf("%q: %v", tc.mode, err)
		}
		if s := got.Spans[0]; string([]rune(got.Text)[s.Start:s.End]) != tc.name {
			t.Errorf("%q: first span %q, want %q", tc.mode, string([]rune(got.Text)[s.Start:s.End]), tc.name)
		}
	}
	if n.Text != "son Hafþór from Pace, seen 3/4" {
		t.Errorf("Recase changed its input: %q", n.Text)
	}
	if _, err := Recase(nil, "title"); err == nil {
		t.Error("Recase(title): no error")
	}
}
