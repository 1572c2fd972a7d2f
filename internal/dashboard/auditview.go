package dashboard

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
)

// maxEventField bounds each text field of an audit event the dashboard
// keeps and shows; a longer one is cut and raises an audit-anomaly alert.
const maxEventField = 1024

// sanitizeEvent returns e fit for display and the problems found: text
// fields cut to maxEventField, a missing or future time replaced by now,
// an unknown outcome. Each problem is a stable phrase, the alert's cause.
func sanitizeEvent(e audit.Event, now time.Time) (audit.Event, []string) {
	var problems []string
	v := reflect.ValueOf(&e).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.String || !f.CanSet() {
			continue
		}
		if s := f.String(); len(s) > maxEventField {
			f.SetString(clip(s, maxEventField))
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			problems = append(problems, "oversized audit event field "+name)
		}
	}
	switch {
	case e.Time.IsZero():
		e.Time = now
		problems = append(problems, "audit event without a time")
	case e.Time.After(now.Add(5 * time.Minute)):
		problems = append(problems, "audit event dated in the future")
		e.Time = now
	}
	switch e.Outcome {
	case audit.OutcomeAllow, audit.OutcomeDeny, audit.OutcomeError:
	default:
		problems = append(problems, "audit event with an unknown outcome")
	}
	return e, problems
}

// baseFields are the audit event fields the page shows in their own columns.
var baseFields = map[string]bool{"id": true, "time": true, "kind": true, "tee": true, "outcome": true, "reason": true,
	"policy_id": true, "resource": true, "action": true, "client": true, "claims_digest": true, "workload": true}

type explanation struct {
	workload string // "namespace/pod" or whatever the event names
	check    string // the failing check or policy rule, when the event names it
	detail   string // every other field Trustee added, "name: value; …"
}

// explain reads what an audit event says beyond the fields the dashboard
// knows: the workload it names and any detail (the failing check, the
// claims involved) that newer Trustees add, whatever its field names.
func explain(e audit.Event) explanation {
	b, err := json.Marshal(e)
	if err != nil {
		return explanation{}
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return explanation{}
	}
	var x explanation
	switch w := m["workload"].(type) {
	case string:
		x.workload = clip(w, 200)
	case map[string]any:
		ns, _ := w["namespace"].(string)
		pod, _ := w["pod"].(string)
		if pod == "" {
			pod, _ = w["name"].(string)
		}
		switch {
		case ns != "" && pod != "":
			x.workload = clip(ns+"/"+pod, 200)
		case pod != "":
			x.workload = clip(pod, 200)
		}
	}
	if c, ok := m["check"].(string); ok {
		x.check = clip(c, 200)
	}
	var keys []string
	for k := range m {
		if !baseFields[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		var val string
		switch t := m[k].(type) {
		case string:
			val = t
		case []any:
			var items []string
			for _, it := range t {
				if s, ok := it.(string); ok {
					items = append(items, s)
				} else {
					ib, _ := json.Marshal(it)
					items = append(items, string(ib))
				}
			}
			val = strings.Join(items, ", ")
		default:
			vb, _ := json.Marshal(t)
			val = string(vb)
		}
		if val == "" || val == "null" || val == "{}" || val == "[]" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s", k, clip(val, 300)))
	}
	x.detail = clip(strings.Join(parts, "; "), 1000)
	return x
}
