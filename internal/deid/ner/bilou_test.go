package ner

import (
	"reflect"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

func labelIndex(t *testing.T, labels []label, s string) int {
	t.Helper()
	want, err := parseLabel(s)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range labels {
		if l == want {
			return i
		}
	}
	t.Fatalf("label %s not found", s)
	return -1
}

// TestDecodeStrict feeds hand-made scores: each row names the label with the
// highest logit (10) and optionally a runner-up (8). Invalid argmax
// sequences must be repaired into the best valid one, never dropped.
func TestDecodeStrict(t *testing.T) {
	labels := make([]label, 0, 45)
	for _, s := range Labels() {
		l, _ := parseLabel(s)
		labels = append(labels, l)
	}
	type row struct{ top, second string }
	cases := []struct {
		name string
		rows []row
		want []string
	}{
		{"valid argmax kept", []row{{"O", ""}, {"B-PATIENT", ""}, {"I-PATIENT", ""}, {"L-PATIENT", ""}, {"U-DATE", ""}},
			[]string{"O", "B-PATIENT", "I-PATIENT", "L-PATIENT", "U-DATE"}},
		{"I after O repaired to B..L", []row{{"O", ""}, {"I-STAFF", "B-STAFF"}, {"L-STAFF", ""}},
			[]string{"O", "B-STAFF", "L-STAFF"}},
		{"unclosed B closed by runner-up L", []row{{"B-HOSP", ""}, {"O", "L-HOSP"}},
			[]string{"B-HOSP", "L-HOSP"}},
		{"type switch inside entity", []row{{"B-PATIENT", ""}, {"L-STAFF", "L-PATIENT"}},
			[]string{"B-PATIENT", "L-PATIENT"}},
		{"B at end becomes U", []row{{"O", ""}, {"B-AGE", "U-AGE"}},
			[]string{"O", "U-AGE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := len(labels)
			scores := make([]float32, len(c.rows)*k)
			for i, r := range c.rows {
				scores[i*k+labelIndex(t, labels, r.top)] = 10
				if r.second != "" {
					scores[i*k+labelIndex(t, labels, r.second)] = 8
				}
			}
			var got []string
			for _, li := range decode(scores, labels) {
				l := labels[li]
				if l.prefix == 'O' {
					got = append(got, "O")
				} else {
					got = append(got, string(l.prefix)+"-"+l.entity)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("decode = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	good := `{"id2label":{"0":"O","1":"B-PATIENT","2":"L-PATIENT","3":"U-FOO"}}`
	ls, err := parseLabels([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if ls[3].entity != "FOO" || typeOf(ls[3].entity) != deid.TypeOther || typeOf("patorg") != deid.TypeLocation {
		t.Errorf("labels = %+v", ls)
	}
	for _, bad := range []string{`{}`, `{"id2label":{"0":"O","2":"U-X"}}`, `{"id2label":{"0":"O","1":"S-X"}}`, `{"id2label":{"x":"O"}}`, `[`} {
		if _, err := parseLabels([]byte(bad)); err == nil {
			t.Errorf("parseLabels(%s) accepted", bad)
		}
	}
}

func TestEntityMapping(t *testing.T) {
	want := map[string]deid.Type{
		"PATIENT": deid.TypeName, "STAFF": deid.TypeName, "HOSP": deid.TypeLocation, "LOC": deid.TypeLocation,
		"PATORG": deid.TypeLocation, "AGE": deid.TypeAge, "DATE": deid.TypeDate, "EMAIL": deid.TypeEmail,
		"PHONE": deid.TypePhone, "ID": deid.TypeID, "OTHERPHI": deid.TypeOther,
	}
	if len(Labels()) != 45 {
		t.Fatalf("%d labels, want 45", len(Labels()))
	}
	for e, ty := range want {
		if got := typeOf(e); got != ty {
			t.Errorf("typeOf(%s) = %s, want %s", e, got, ty)
		}
	}
}
