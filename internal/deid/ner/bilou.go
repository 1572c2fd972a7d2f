package ner

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid"
)

// label is one model output class: "O", or a BILOU prefix and an entity
// such as B-PATIENT.
type label struct {
	prefix byte // 'O', 'B', 'I', 'L', 'U'
	entity string
}

// entityTypes maps the i2b2 2014 entity names obi/deid_roberta_i2b2 predicts
// to our span types.
var entityTypes = map[string]deid.Type{
	"PATIENT":  deid.TypeName,
	"STAFF":    deid.TypeName,
	"HOSP":     deid.TypeLocation,
	"LOC":      deid.TypeLocation,
	"PATORG":   deid.TypeLocation,
	"AGE":      deid.TypeAge,
	"DATE":     deid.TypeDate,
	"EMAIL":    deid.TypeEmail,
	"PHONE":    deid.TypePhone,
	"ID":       deid.TypeID,
	"OTHERPHI": deid.TypeOther,
}

// Entities lists the i2b2 entity names in the order the generated test
// models use (O, then B/I/L/U for each).
var Entities = []string{"AGE", "DATE", "EMAIL", "HOSP", "ID", "LOC", "OTHERPHI", "PATIENT", "PATORG", "PHONE", "STAFF"}

// Labels returns the 45 BILOU labels of the i2b2 entities: "O" first, then
// B-, I-, L-, U- of each entity in the order of Entities.
func Labels() []string {
	out := []string{"O"}
	for _, e := range Entities {
		for _, p := range "BILU" {
			out = append(out, string(p)+"-"+e)
		}
	}
	return out
}

// typeOf maps an entity name to a span type; an entity this table does not
// know is still PHI, so it becomes OTHER rather than being dropped.
func typeOf(entity string) deid.Type {
	if t, ok := entityTypes[strings.ToUpper(entity)]; ok {
		return t
	}
	return deid.TypeOther
}

// parseLabels reads id2label from a Hugging Face config.json. Ids must be
// 0..n-1 and every label "O" or a BILOU prefix, so decoding can be strict.
func parseLabels(configJSON []byte) ([]label, error) {
	var cfg struct {
		ID2Label map[string]string `json:"id2label"`
	}
	if err := json.Unmarshal(configJSON, &cfg); err != nil {
		return nil, fmt.Errorf("parse config.json: %w", err)
	}
	n := len(cfg.ID2Label)
	if n == 0 {
		return nil, fmt.Errorf("parse config.json: no id2label")
	}
	out := make([]label, n)
	seen := make([]bool, n)
	for k, v := range cfg.ID2Label {
		id, err := strconv.Atoi(k)
		if err != nil || id < 0 || id >= n || seen[id] {
			return nil, fmt.Errorf("parse config.json: id2label key %q is not a unique id in 0..%d", k, n-1)
		}
		seen[id] = true
		l, err := parseLabel(v)
		if err != nil {
			return nil, fmt.Errorf("parse config.json: %w", err)
		}
		out[id] = l
	}
	return out, nil
}

func parseLabel(s string) (label, error) {
	if s == "O" {
		return label{prefix: 'O'}, nil
	}
	if len(s) > 2 && s[1] == '-' && strings.IndexByte("BILU", s[0]) >= 0 {
		return label{prefix: s[0], entity: s[2:]}, nil
	}
	return label{}, fmt.Errorf("label %q is neither O nor B-/I-/L-/U-<entity>", s)
}

// allowed reports whether label b may follow label a under strict BILOU: an
// entity that was opened (B, I) must continue with I or close with L of the
// same entity; otherwise only O, B or U may come.
func allowed(a, b label) bool {
	open := a.prefix == 'B' || a.prefix == 'I'
	if open {
		return (b.prefix == 'I' || b.prefix == 'L') && b.entity == a.entity
	}
	return b.prefix == 'O' || b.prefix == 'B' || b.prefix == 'U'
}

// decode returns the most likely label sequence that is valid strict BILOU
// (Viterbi over log-softmax scores with forbidden transitions). Taking the
// argmax per token and dropping broken fragments would lose PHI whenever the
// model hesitates inside a name; constrained decoding keeps it.
// scores holds len(scores)/k rows of k logits.
func decode(scores []float32, labels []label) []int {
	k := len(labels)
	n := len(scores) / k
	if n == 0 {
		return nil
	}
	logp := make([]float64, len(scores))
	for t := 0; t < n; t++ {
		row := scores[t*k : (t+1)*k]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		for j, v := range row {
			logp[t*k+j] = float64(v) - lse
		}
	}
	// preds[b] lists the labels allowed before b: two for I/L (B or I of
	// the same entity), the closed labels for O/B/U. Walking only those keeps
	// decoding linear in the number of valid transitions, not k².
	preds := make([][]int32, k)
	for a := range labels {
		for b := range labels {
			if allowed(labels[a], labels[b]) {
				preds[b] = append(preds[b], int32(a))
			}
		}
	}
	start := label{prefix: 'O'}
	neg := math.Inf(-1)
	prev := make([]float64, k)
	cur := make([]float64, k)
	back := make([]int32, n*k)
	for j, l := range labels {
		prev[j] = neg
		if allowed(start, l) {
			prev[j] = logp[j]
		}
	}
	for t := 1; t < n; t++ {
		for b := 0; b < k; b++ {
			best, arg := neg, int32(-1)
			for _, a := range preds[b] {
				if prev[a] > best {
					best, arg = prev[a], a
				}
			}
			cur[b] = best + logp[t*k+b]
			back[t*k+b] = arg
		}
		prev, cur = cur, prev
	}
	best, arg := neg, -1
	for j, l := range labels {
		closed := l.prefix == 'O' || l.prefix == 'L' || l.prefix == 'U'
		if closed && prev[j] > best {
			best, arg = prev[j], j
		}
	}
	if arg < 0 { // no label can end a sequence (no O, L or U in the set): take label 0
		arg = 0
	}
	path := make([]int, n)
	path[n-1] = arg
	for t := n - 1; t > 0; t-- {
		path[t-1] = int(back[t*k+path[t]])
		if path[t-1] < 0 {
			path[t-1] = 0
		}
	}
	return path
}

// spansFromLabels turns a decoded label sequence over tokens into spans over
// the text, trimming whitespace the tokens carry (RoBERTa's leading "Ġ").
func spansFromLabels(text []rune, toks []Token, path []int, labels []label, recognizer string) []deid.Span {
	var out []deid.Span
	begin := -1
	for i, li := range path {
		l := labels[li]
		switch l.prefix {
		case 'U':
			out = appendSpan(out, text, toks[i].Start, toks[i].End, l.entity, recognizer)
			begin = -1
		case 'B':
			begin = i
		case 'L':
			if begin >= 0 {
				out = appendSpan(out, text, toks[begin].Start, toks[i].End, l.entity, recognizer)
			}
			begin = -1
		case 'O':
			begin = -1
		}
	}
	return out
}

func appendSpan(out []deid.Span, text []rune, start, end int, entity, recognizer string) []deid.Span {
	for start < end && unicode.IsSpace(text[start]) {
		start++
	}
	for end > start && unicode.IsSpace(text[end-1]) {
		end--
	}
	if start >= end {
		return out
	}
	// Consecutive tokens of one word can come out as two adjacent entities
	// of the same type (U-DATE U-DATE); one span per mention reads better.
	t := typeOf(entity)
	if n := len(out); n > 0 && out[n-1].Type == t && out[n-1].End == start {
		out[n-1].End = end
		return out
	}
	return append(out, deid.Span{Start: start, End: end, Type: t, Recognizer: recognizer})
}
