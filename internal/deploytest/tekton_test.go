package deploytest

import (
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// tektonTask is what a Pipeline may reference of a Task.
type tektonTask struct {
	params     map[string]bool // name -> has a default
	results    map[string]bool
	workspaces map[string]bool // name -> optional
}

var refRE = regexp.MustCompile(`\$\(([a-zA-Z]+)\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?(?:\.([A-Za-z0-9_-]+))?\)`)

// refProblems checks every $(...) reference in text against the names a
// Task or Pipeline declares.
func refProblems(where, text string, params, workspaces, results map[string]bool, tasks map[string]tektonTask, pipelineTasks map[string]string) []string {
	var bad []string
	for _, m := range refRE.FindAllStringSubmatch(text, -1) {
		switch m[1] {
		case "params":
			if _, ok := params[m[2]]; !ok {
				bad = append(bad, where+": "+m[0]+": no such param")
			}
		case "workspaces":
			if _, ok := workspaces[m[2]]; !ok || (m[3] != "path" && m[3] != "bound" && m[3] != "claim" && m[3] != "volume") {
				bad = append(bad, where+": "+m[0]+": no such workspace")
			}
		case "results":
			if _, ok := results[m[2]]; !ok || m[3] != "path" {
				bad = append(bad, where+": "+m[0]+": no such result")
			}
		case "tasks":
			taskName, ok := pipelineTasks[m[2]]
			if !ok || m[3] != "results" || !tasks[taskName].results[m[4]] {
				bad = append(bad, where+": "+m[0]+": no such task result")
			}
		case "context":
			if m[2] != "pipelineRun" && m[2] != "taskRun" && m[2] != "pipeline" && m[2] != "task" {
				bad = append(bad, where+": "+m[0]+": unknown context")
			}
		default:
			bad = append(bad, where+": "+m[0]+": unknown reference")
		}
	}
	return bad
}

func names(els []*yaml.RNode) []string {
	var out []string
	for _, e := range els {
		out = append(out, str(e, "name"))
	}
	return out
}

func nameSet(els []*yaml.RNode) map[string]bool {
	m := map[string]bool{}
	for _, n := range names(els) {
		m[n] = true
	}
	return m
}

// tektonDocs loads deploy/tekton and indexes its Tasks.
func tektonDocs(t *testing.T) (tasks map[string]tektonTask, taskDocs, pipelines []doc) {
	t.Helper()
	tasks = map[string]tektonTask{}
	for _, d := range loadDocs(t, repoFiles(t, "deploy/tekton", ".yaml")) {
		if str(d.node, "apiVersion") != "tekton.dev/v1" {
			t.Errorf("%s: apiVersion %s, want tekton.dev/v1", d, str(d.node, "apiVersion"))
		}
		switch d.node.GetKind() {
		case "Task":
			tt := tektonTask{params: map[string]bool{}, results: nameSet(seq(d.node, "spec", "results")), workspaces: map[string]bool{}}
			for _, p := range seq(d.node, "spec", "params") {
				tt.params[str(p, "name")] = p.Field("default") != nil
			}
			for _, w := range seq(d.node, "spec", "workspaces") {
				tt.workspaces[str(w, "name")] = str(w, "optional") == "true"
			}
			if _, dup := tasks[d.node.GetName()]; dup {
				t.Errorf("%s: duplicate Task", d)
			}
			tasks[d.node.GetName()] = tt
			taskDocs = append(taskDocs, d)
		case "Pipeline":
			pipelines = append(pipelines, d)
		default:
			t.Errorf("%s: unexpected kind", d)
		}
	}
	return tasks, taskDocs, pipelines
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Fields of the tekton.dev/v1 types we use (a typo is an unknown field,
// which Tekton's admission webhook would refuse).
var (
	taskSpecFields     = set("description", "params", "results", "workspaces", "steps", "volumes", "sidecars", "stepTemplate")
	stepFields         = set("name", "image", "command", "args", "script", "env", "envFrom", "workingDir", "securityContext", "stdoutConfig", "stderrConfig", "volumeMounts", "computeResources", "onError", "timeout", "imagePullPolicy")
	paramSpecFields    = set("name", "type", "description", "default")
	workspaceFields    = set("name", "description", "readOnly", "optional", "mountPath")
	pipelineSpecFields = set("description", "params", "workspaces", "tasks", "finally", "results")
	pipelineTaskFields = set("name", "taskRef", "params", "workspaces", "runAfter", "when", "retries", "timeout", "matrix")
)

// fieldProblems checks n's fields against allowed.
func fieldProblems(where string, n *yaml.RNode, allowed map[string]bool) []string {
	if msg := checkFields(n, where, allowed); msg != "" {
		return []string{msg}
	}
	return nil
}

// TestTekton checks Tasks and Pipelines: required fields, pinned non-root
// step images, and that every task, param, result and workspace a
// reference names exists and every required param is supplied.
func TestTekton(t *testing.T) {
	tasks, taskDocs, pipelines := tektonDocs(t)
	if len(tasks) == 0 || len(pipelines) == 0 {
		t.Fatalf("want Tasks and a Pipeline, got %d and %d", len(tasks), len(pipelines))
	}
	for _, d := range taskDocs {
		tt := tasks[d.node.GetName()]
		var bad []string
		bad = append(bad, fieldProblems(d.String()+" spec", must(t, d.node, "spec"), taskSpecFields)...)
		for _, p := range seq(d.node, "spec", "params") {
			bad = append(bad, fieldProblems(d.String()+" param", p, paramSpecFields)...)
		}
		for _, w := range seq(d.node, "spec", "workspaces") {
			bad = append(bad, fieldProblems(d.String()+" workspace", w, workspaceFields)...)
		}
		for _, s := range seq(d.node, "spec", "steps") {
			bad = append(bad, fieldProblems(d.String()+" step", s, stepFields)...)
		}
		for _, b := range bad {
			t.Error(b)
		}
		steps := seq(d.node, "spec", "steps")
		if len(steps) == 0 {
			t.Errorf("%s: no steps", d)
		}
		for _, s := range steps {
			where := d.String() + " step " + str(s, "name")
			if str(s, "name") == "" || str(s, "image") == "" {
				t.Errorf("%s: name and image are required", where)
			}
			if p := imageProblem(str(s, "image")); p != "" {
				t.Errorf("%s: %s", where, p)
			}
			if str(s, "securityContext", "runAsNonRoot") != "true" || str(s, "securityContext", "allowPrivilegeEscalation") != "false" ||
				!containsStr(strs(s, "securityContext", "capabilities", "drop"), "ALL") {
				t.Errorf("%s: must run non-root, without privilege escalation, dropping ALL capabilities", where)
			}
			if (str(s, "script") == "") == (s.Field("command") == nil) {
				t.Errorf("%s: needs exactly one of script and command", where)
			}
			for _, e := range seq(s, "env") {
				if e.Field("value") != nil && secretLooking(str(e, "name")) {
					t.Errorf("%s: env %s holds a literal value", where, str(e, "name"))
				}
			}
		}
		text, err := d.node.Pipe(yaml.Lookup("spec", "steps"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range refProblems(d.String(), text.MustString(), boolKeys(tt.params), tt.workspaces, tt.results, nil, nil) {
			t.Error(p)
		}
		// A declared param no step uses is a mistake in the making.
		for p := range tt.params {
			if !strings.Contains(text.MustString(), "$(params."+p+")") {
				t.Errorf("%s: param %s is never used", d, p)
			}
		}
	}
	for _, d := range pipelines {
		for _, b := range fieldProblems(d.String()+" spec", must(t, d.node, "spec"), pipelineSpecFields) {
			t.Error(b)
		}
		for _, pt := range seq(d.node, "spec", "tasks") {
			for _, b := range fieldProblems(d.String()+" task "+str(pt, "name"), pt, pipelineTaskFields) {
				t.Error(b)
			}
		}
		params := nameSet(seq(d.node, "spec", "params"))
		workspaces := nameSet(seq(d.node, "spec", "workspaces"))
		ptasks := map[string]string{}
		for _, pt := range seq(d.node, "spec", "tasks") {
			ptasks[str(pt, "name")] = str(pt, "taskRef", "name")
		}
		usedWS := map[string]bool{}
		for _, pt := range seq(d.node, "spec", "tasks") {
			where := d.String() + " task " + str(pt, "name")
			tt, ok := tasks[str(pt, "taskRef", "name")]
			if !ok {
				t.Errorf("%s: taskRef %q is not a Task in deploy/tekton", where, str(pt, "taskRef", "name"))
				continue
			}
			given := map[string]bool{}
			for _, p := range seq(pt, "params") {
				given[str(p, "name")] = true
				if _, ok := tt.params[str(p, "name")]; !ok {
					t.Errorf("%s: Task has no param %s", where, str(p, "name"))
				}
			}
			for p, hasDefault := range tt.params {
				if !hasDefault && !given[p] {
					t.Errorf("%s: required param %s not supplied", where, p)
				}
			}
			bound := map[string]bool{}
			for _, w := range seq(pt, "workspaces") {
				bound[str(w, "name")] = true
				usedWS[str(w, "workspace")] = true
				if _, ok := tt.workspaces[str(w, "name")]; !ok {
					t.Errorf("%s: Task has no workspace %s", where, str(w, "name"))
				}
				if !workspaces[str(w, "workspace")] {
					t.Errorf("%s: Pipeline has no workspace %s", where, str(w, "workspace"))
				}
			}
			for w, optional := range tt.workspaces {
				if !optional && !bound[w] {
					t.Errorf("%s: required workspace %s not bound", where, w)
				}
			}
			for _, r := range strs(pt, "runAfter") {
				if _, ok := ptasks[r]; !ok {
					t.Errorf("%s: runAfter %s: no such task", where, r)
				}
			}
			text, err := pt.String()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range refProblems(where, text, params, nil, nil, tasks, ptasks) {
				t.Error(p)
			}
		}
		for w := range workspaces {
			if !usedWS[w] {
				t.Errorf("%s: workspace %s is bound to no task", d, w)
			}
		}
	}
}

func boolKeys(m map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// TestTektonRefCheckerCatchesMistakes proves the reference checker fails.
func TestTektonRefCheckerCatchesMistakes(t *testing.T) {
	tasks := map[string]tektonTask{"build": {results: map[string]bool{"image": true}}}
	pt := map[string]string{"b": "build"}
	p := map[string]bool{"repo": true}
	ws := map[string]bool{"source": true}
	res := map[string]bool{"image": true}
	good := "$(params.repo) $(workspaces.source.path) $(results.image.path) $(tasks.b.results.image) $(context.pipelineRun.name)"
	if bad := refProblems("x", good, p, ws, res, tasks, pt); len(bad) != 0 {
		t.Fatalf("good references refused: %v", bad)
	}
	for _, s := range []string{"$(params.repository)", "$(workspaces.src.path)", "$(results.digest.path)", "$(tasks.b.results.digest)", "$(tasks.c.results.image)", "$(inputs.params.x)"} {
		if len(refProblems("x", s, p, ws, res, tasks, pt)) == 0 {
			t.Errorf("%s not caught", s)
		}
	}
}
