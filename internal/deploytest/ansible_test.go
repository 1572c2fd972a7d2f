package deploytest

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/testenv"
)

// taskKeywords are task keys that are not the module.
var taskKeywords = map[string]bool{
	"name": true, "when": true, "register": true, "notify": true, "loop": true, "args": true,
	"no_log": true, "become": true, "changed_when": true, "failed_when": true, "block": true,
	"rescue": true, "always": true, "tags": true, "vars": true, "environment": true, "listen": true,
}

// ansibleTask is one task with its module and the module's arguments.
type ansibleTask struct {
	name, module string
	node         *yaml.RNode
}

func flattenTasks(t *testing.T, file string, list *yaml.RNode) []ansibleTask {
	t.Helper()
	els, err := list.Elements()
	if err != nil {
		t.Fatalf("%s: tasks are not a list: %v", file, err)
	}
	var out []ansibleTask
	for _, e := range els {
		fields, err := e.Fields()
		if err != nil {
			t.Fatalf("%s: task is not a mapping: %v", file, err)
		}
		name := str(e, "name")
		if name == "" {
			t.Errorf("%s: a task has no name", file)
		}
		if b := e.Field("block"); b != nil {
			out = append(out, flattenTasks(t, file, b.Value)...)
			continue
		}
		var mods []string
		for _, f := range fields {
			if !taskKeywords[f] {
				mods = append(mods, f)
			}
		}
		if len(mods) != 1 {
			t.Errorf("%s: task %q: want one module, got %v", file, name, mods)
			continue
		}
		if strings.Count(mods[0], ".") != 2 {
			t.Errorf("%s: task %q: module %s is not fully qualified", file, name, mods[0])
		}
		out = append(out, ansibleTask{name: name, module: mods[0], node: e})
	}
	return out
}

func roleTasks(t *testing.T, file string) []ansibleTask {
	t.Helper()
	nodes, err := parseDocs(readRepo(t, file))
	if err != nil || len(nodes) != 1 {
		t.Fatalf("%s: %v (%d documents)", file, err, len(nodes))
	}
	return flattenTasks(t, file, nodes[0])
}

var varRE = regexp.MustCompile(`\btrustgate_[a-z0-9_]+`)

// TestAnsibleRole parses the role and checks its references: modules fully
// qualified, notified handlers exist, every template a task renders exists
// and every template is used, every trustgate_ variable is defined, and
// every placeholder default is refused by the first task.
func TestAnsibleRole(t *testing.T) {
	tasks := roleTasks(t, roleDir+"/tasks/main.yml")
	handlers := map[string]bool{}
	for _, h := range roleTasks(t, roleDir+"/handlers/main.yml") {
		handlers[h.name] = true
	}
	defs := roleDefaults(t)
	registered := map[string]bool{}
	usedTemplates := map[string]bool{}
	for _, tk := range tasks {
		if r := str(tk.node, "register"); r != "" {
			registered[r] = true
		}
		notify := strs(tk.node, "notify")
		if n := str(tk.node, "notify"); n != "" {
			notify = append(notify, n)
		}
		for _, n := range notify {
			if !handlers[n] {
				t.Errorf("task %q notifies %q: no such handler", tk.name, n)
			}
		}
		if tk.module == "ansible.builtin.template" {
			src := str(tk.node, tk.module, "src")
			var srcs []string
			if strings.Contains(src, "{{ item }}") {
				for _, it := range strs(tk.node, "loop") {
					srcs = append(srcs, strings.ReplaceAll(src, "{{ item }}", it))
				}
			} else {
				srcs = []string{src}
			}
			for _, s := range srcs {
				usedTemplates[s] = true
				if _, err := os.Stat(filepath.Join(testenv.RepoRoot(t), roleDir, "templates", s)); err != nil {
					t.Errorf("task %q: template %s: %v", tk.name, s, err)
				}
			}
		}
	}
	for _, f := range repoFiles(t, roleDir+"/templates", ".j2") {
		if !usedTemplates[path.Base(f)] {
			t.Errorf("%s is rendered by no task", f)
		}
	}
	// Every variable used anywhere in the role is a default or registered.
	files := append(repoFiles(t, roleDir+"/templates", ".j2"), roleDir+"/tasks/main.yml", roleDir+"/handlers/main.yml")
	for _, f := range files {
		for _, v := range varRE.FindAllString(string(readRepo(t, f)), -1) {
			if _, ok := defs[v]; !ok && !registered[v] && v != "trustgate_cvm" {
				t.Errorf("%s uses %s, which is neither a default nor registered", f, v)
			}
		}
	}
	// The first task refuses every placeholder default.
	if len(tasks) == 0 || tasks[0].module != "ansible.builtin.assert" {
		t.Fatal("the first task must assert that the placeholders were replaced")
	}
	that := strings.Join(strs(tasks[0].node, tasks[0].module, "that"), "\n")
	for k, v := range defs {
		if (strings.Contains(v, "REPLACE_") || strings.HasSuffix(v, placeholderDigest)) && !strings.Contains(that, k) {
			t.Errorf("default %s is a placeholder that the first task does not refuse", k)
		}
	}
	// The LUKS steps in tasks pipe the key like the unit does, and log nothing.
	var luks int
	for _, tk := range tasks {
		script := str(tk.node, tk.module)
		if tk.module != "ansible.builtin.shell" || !strings.Contains(script, "get-resource") {
			continue
		}
		luks++
		op := "open"
		if strings.Contains(script, "luksFormat") {
			op = "luksFormat"
		}
		checkLUKSPipe(t, "task "+tk.name, script, op)
		if str(tk.node, "no_log") != "true" {
			t.Errorf("task %q handles the disk key: no_log must be true", tk.name)
		}
	}
	if luks < 2 {
		t.Errorf("want the luksFormat and open tasks, found %d", luks)
	}
}

// TestArtifactFlagsExist: every command line of a trustgate binary in the
// Kubernetes manifests, the example workload (plain and hardened), the
// Tekton steps and scripts, the Ansible units,
// tasks and environment file uses only flags the real binary defines.
func TestArtifactFlagsExist(t *testing.T) {
	sets := flagSets(t)
	var invs []invocation
	// Kubernetes containers and Tekton steps: command + args.
	// The example workload too: Argo CD deploys examples/hospital/hardened.
	files := append(repoFiles(t, "deploy/kubernetes", ".yaml"), repoFiles(t, "deploy/tekton", ".yaml")...)
	files = append(files, repoFiles(t, "examples/hospital", ".yaml")...)
	for _, d := range loadDocs(t, files) {
		var containers []*yaml.RNode
		containers = append(containers, seq(d.node, "spec", "template", "spec", "containers")...)
		containers = append(containers, seq(d.node, "spec", "steps")...)
		for _, c := range containers {
			where := d.String() + " " + str(c, "name")
			argv := append(strs(c, "command"), strs(c, "args")...)
			if len(argv) > 0 {
				if bin := binaryOf(argv[0]); bin != "" {
					invs = append(invs, invocation{where, bin, argv[1:]})
				}
			}
			if s := str(c, "script"); s != "" {
				found, err := invocationsIn(where, s)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				invs = append(invs, found...)
			}
		}
	}
	// Ansible units: Exec*= lines; Quadlet Exec= runs the image's binary.
	for file, u := range loadUnits(t) {
		for _, sec := range u {
			for k, vals := range sec {
				if !strings.HasPrefix(k, "Exec") || k == "Exec" {
					continue
				}
				for _, v := range vals {
					found, err := invocationsIn(file+" "+k, strings.TrimLeft(v, "-@+!:"))
					if err != nil {
						t.Fatalf("%s: %v", file, err)
					}
					invs = append(invs, found...)
				}
			}
		}
		if exec := u.get("Container", "Exec"); len(exec) == 1 {
			image := render(strings.Join(u.get("Container", "Image"), ""), roleDefaults(t))
			repo, _, _ := strings.Cut(image, "@")
			bin := path.Base(repo)
			w, err := shellWords(exec[0])
			if err != nil {
				t.Fatal(err)
			}
			if binaryOf(bin) == "" {
				t.Errorf("%s: Image %s is no trustgate binary image", file, image)
				continue
			}
			invs = append(invs, invocation{file + " Exec", bin, w})
		}
	}
	for _, tk := range roleTasks(t, roleDir+"/tasks/main.yml") {
		if tk.module == "ansible.builtin.shell" {
			found, err := invocationsIn("task "+tk.name, str(tk.node, tk.module))
			if err != nil {
				t.Fatal(err)
			}
			invs = append(invs, found...)
		}
	}
	seen := map[string]bool{}
	for _, inv := range invs {
		seen[inv.bin+" "+strings.Join(inv.argv[:min(len(inv.argv), 1)], "")] = true
		for _, p := range checkInvocation(sets, inv) {
			t.Error(p)
		}
	}
	for _, want := range []string{"trustee serve", "dashboard --listen=0.0.0.0:9443", "cocofy image", "cocofy apply", "guest image", "guest get-resource", "guest serve", "deid serve", "tls-sidecar --listen=:8443", "beacon --guest-url={{trustgate_guest_api}}"} {
		if !seen[want] {
			t.Errorf("no invocation of %q found: the extraction missed it", want)
		}
	}
	// TRUSTGATE_GUEST_<FLAG> in the environment file names a guest flag.
	for _, line := range strings.Split(string(readRepo(t, roleDir+"/templates/guest.env.j2")), "\n") {
		k, _, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(k, "TRUSTGATE_GUEST_") {
			continue
		}
		flag := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "TRUSTGATE_GUEST_"), "_", "-"))
		if !sets["guest serve"][flag] || !sets["guest get-resource"][flag] {
			t.Errorf("guest.env.j2: %s names no flag shared by guest serve and get-resource", k)
		}
	}
}

// The role refuses workload images named by tag: Gate 1 verifies the image
// named in the unit and Podman starts the same reference, which only a
// digest makes the same bytes.
func TestAnsibleRefusesTags(t *testing.T) {
	defs := roleDefaults(t)
	var images []string
	for k := range defs {
		if strings.HasSuffix(k, "_image") {
			images = append(images, k)
		}
	}
	if len(images) < 3 {
		t.Fatalf("image defaults: %v", images)
	}
	for _, tk := range roleTasks(t, roleDir+"/tasks/main.yml") {
		if tk.module != "ansible.builtin.assert" {
			continue
		}
		that := strings.Join(strs(tk.node, tk.module, "that"), "\n")
		loop := strings.Join(strs(tk.node, "loop"), "\n")
		if !strings.Contains(that, "@sha256:[0-9a-f]{64}$") || !strings.Contains(that, "item is match(") {
			continue
		}
		for _, img := range images {
			if !strings.Contains(loop, img) {
				t.Errorf("the tag check does not cover %s", img)
			}
		}
		// The pattern admits no tag: nothing but name components between
		// the registry and the digest.
		pat := that[strings.Index(that, "match('")+len("match('"):]
		re := regexp.MustCompile(pat[:strings.Index(pat, "')")])
		for ref, want := range map[string]bool{
			"ghcr.io/trustgate/deid@sha256:" + strings.Repeat("a", 64):     true,
			"localhost:5000/org/app@sha256:" + strings.Repeat("b", 64):     true,
			"ghcr.io/trustgate/deid:1.0@sha256:" + strings.Repeat("a", 64): false,
			"ghcr.io/trustgate/deid:latest":                                false,
			"ghcr.io/trustgate/deid@sha256:" + strings.Repeat("a", 63):     false,
		} {
			if re.MatchString(ref) != want {
				t.Errorf("tag check on %s: %v, want %v", ref, !want, want)
			}
		}
		return
	}
	t.Fatal("no task refuses images named by tag")
}

// ansible-lint (Debian's package) passes on the role, when it is installed.
func TestAnsibleLint(t *testing.T) {
	bin, err := exec.LookPath("ansible-lint")
	if err != nil {
		if testenv.InCI() {
			t.Fatal("ansible-lint not installed: scripts/test.sh installs it from Debian")
		}
		t.Skip("ansible-lint not installed (apt-get install ansible-lint)")
	}
	cmd := exec.Command(bin, "--nocolor", "roles/trustgate_cvm")
	cmd.Dir = filepath.Join(testenv.RepoRoot(t), "deploy", "ansible")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "ANSIBLE_LOCAL_TEMP="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ansible-lint: %v\n%s", err, out)
	}
}
