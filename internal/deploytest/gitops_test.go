package deploytest

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/testenv"
)

// TestKustomization: every resource a kustomization lists exists, and every
// YAML file next to it is listed (a file left out would silently not deploy).
func TestKustomization(t *testing.T) {
	for _, f := range repoFiles(t, "deploy/kubernetes", "kustomization.yaml") {
		nodes, err := parseDocs(readRepo(t, f))
		if err != nil || len(nodes) != 1 {
			t.Fatalf("%s: %v (%d documents)", f, err, len(nodes))
		}
		k := nodes[0]
		if str(k, "apiVersion") != "kustomize.config.k8s.io/v1beta1" || k.GetKind() != "Kustomization" {
			t.Fatalf("%s: not a Kustomization", f)
		}
		if err := checkFields(k, "Kustomization", map[string]bool{
			"apiVersion": true, "kind": true, "namespace": true, "labels": true, "resources": true, "images": true,
		}); err != "" {
			t.Error(f + ": " + err)
		}
		dir := path.Dir(f)
		listed := map[string]bool{}
		for _, r := range strs(k, "resources") {
			listed[r] = true
			if _, err := os.Stat(filepath.Join(testenv.RepoRoot(t), dir, r)); err != nil {
				t.Errorf("%s: resource %s: %v", f, r, err)
			}
		}
		ents, err := os.ReadDir(filepath.Join(testenv.RepoRoot(t), dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if n := e.Name(); strings.HasSuffix(n, ".yaml") && n != "kustomization.yaml" && !listed[n] {
				t.Errorf("%s: %s is not listed in resources", f, n)
			}
		}
		ns := str(k, "namespace")
		for _, d := range loadDocs(t, repoFiles(t, dir, ".yaml")) {
			if d.node.GetKind() == "Kustomization" || d.node.GetKind() == "Namespace" {
				continue
			}
			if got := d.node.GetNamespace(); got != ns {
				t.Errorf("%s: namespace %q, kustomization sets %q", d, got, ns)
			}
		}
	}
}

// checkFields reports top-level fields outside allowed ("" when none).
func checkFields(n interface{ Fields() ([]string, error) }, what string, allowed map[string]bool) string {
	fields, err := n.Fields()
	if err != nil {
		return err.Error()
	}
	var bad []string
	for _, f := range fields {
		if !allowed[f] {
			bad = append(bad, f)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return what + " has unknown fields " + strings.Join(bad, ", ")
	}
	return ""
}

// secretBearing reports whether the manifests under dir contain a Secret or
// reference one (env secretKeyRef, secret volumes).
func secretBearing(t *testing.T, dir string) bool {
	t.Helper()
	for _, f := range repoFiles(t, dir, ".yaml", ".yml") {
		b := string(readRepo(t, f))
		if strings.Contains(b, "kind: Secret") || strings.Contains(b, "secretKeyRef:") || strings.Contains(b, "secretName:") {
			return true
		}
	}
	return false
}

// TestArgoCD checks the AppProject and Applications: kinds and required
// fields, that each application belongs to a project that allows its
// repository, destination and (for the repository's manifests) kinds, that
// its path exists, and that applications carrying Secrets never prune.
func TestArgoCD(t *testing.T) {
	docs := loadDocs(t, repoFiles(t, "manifests", ".yaml", ".yml"))
	type project struct {
		repos, dests map[string]bool
		kinds        map[string]bool
	}
	projects := map[string]project{}
	var apps []doc
	for _, d := range docs {
		if str(d.node, "apiVersion") != "argoproj.io/v1alpha1" {
			continue
		}
		switch d.node.GetKind() {
		case "AppProject":
			if msg := checkFields(must(t, d.node, "spec"), d.String()+" spec", set("description", "sourceRepos", "destinations",
				"clusterResourceWhitelist", "namespaceResourceWhitelist", "clusterResourceBlacklist", "namespaceResourceBlacklist", "roles", "syncWindows")); msg != "" {
				t.Error(msg)
			}
			p := project{repos: map[string]bool{}, dests: map[string]bool{}, kinds: map[string]bool{}}
			for _, r := range strs(d.node, "spec", "sourceRepos") {
				p.repos[r] = true
			}
			for _, e := range seq(d.node, "spec", "destinations") {
				p.dests[str(e, "server")+" "+str(e, "namespace")] = true
			}
			for _, list := range []string{"clusterResourceWhitelist", "namespaceResourceWhitelist"} {
				for _, e := range seq(d.node, "spec", list) {
					p.kinds[str(e, "group")+"/"+str(e, "kind")] = true
				}
			}
			if len(p.repos) == 0 || len(p.dests) == 0 {
				t.Errorf("%s: sourceRepos and destinations are required", d)
			}
			projects[d.node.GetName()] = p
		case "Application":
			apps = append(apps, d)
		default:
			t.Errorf("%s: unexpected Argo CD kind", d)
		}
	}
	if len(apps) == 0 || len(projects) == 0 {
		t.Fatalf("want an AppProject and Applications under manifests/, got %d and %d", len(projects), len(apps))
	}
	root := testenv.RepoRoot(t)
	paths := map[string]bool{}
	for _, a := range apps {
		n := a.node
		if err := checkFields(must(t, n, "spec"), "spec", map[string]bool{"project": true, "source": true, "destination": true, "syncPolicy": true}); err != "" {
			t.Errorf("%s: %s", a, err)
		}
		for _, req := range [][]string{{"spec", "project"}, {"spec", "source", "repoURL"}, {"spec", "source", "path"}, {"spec", "source", "targetRevision"}, {"spec", "destination", "server"}, {"spec", "destination", "namespace"}} {
			if str(n, req...) == "" {
				t.Errorf("%s: %s is required", a, strings.Join(req, "."))
			}
		}
		p, ok := projects[str(n, "spec", "project")]
		if !ok {
			t.Errorf("%s: project %q is not defined", a, str(n, "spec", "project"))
			continue
		}
		if !p.repos[str(n, "spec", "source", "repoURL")] {
			t.Errorf("%s: repository not allowed by its project", a)
		}
		if !p.dests[str(n, "spec", "destination", "server")+" "+str(n, "spec", "destination", "namespace")] {
			t.Errorf("%s: destination not allowed by its project", a)
		}
		dir := str(n, "spec", "source", "path")
		paths[dir] = true
		if st, err := os.Stat(filepath.Join(root, dir)); err != nil || !st.IsDir() {
			t.Errorf("%s: path %s is not a directory of this repository", a, dir)
			continue
		}
		for _, d := range loadDocs(t, repoFiles(t, dir, ".yaml", ".yml")) {
			if d.node.GetKind() == "Kustomization" {
				continue
			}
			group, _, _ := strings.Cut(str(d.node, "apiVersion"), "/")
			if !strings.Contains(str(d.node, "apiVersion"), "/") {
				group = ""
			}
			if !p.kinds[group+"/"+d.node.GetKind()] {
				t.Errorf("%s: %s deploys %s/%s, which its project does not allow", a, d, group, d.node.GetKind())
			}
		}
		if str(n, "spec", "syncPolicy", "automated", "prune") == "" && n.Field("spec") != nil {
			// absent: Argo CD's default is false, but say it explicitly.
			t.Errorf("%s: set syncPolicy.automated.prune explicitly", a)
		}
		if secretBearing(t, dir) && str(n, "spec", "syncPolicy", "automated", "prune") != "false" {
			t.Errorf("%s: %s carries Secrets: automated prune must be false (docs/deploy.md)", a, dir)
		}
	}
	for _, want := range []string{"deploy/kubernetes/trustee", "examples/hospital/hardened"} {
		if !paths[want] {
			t.Errorf("no Application syncs %s", want)
		}
	}
	// The hardened workload Argo CD syncs must meet the Secret invariant too.
	for _, d := range decodeAll(t, loadDocs(t, repoFiles(t, "examples/hospital/hardened", ".yaml"))).secrets {
		for _, p := range secretProblems(d) {
			t.Error("examples/hospital/hardened: " + p)
		}
	}
}
