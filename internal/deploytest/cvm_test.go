package deploytest

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const roleDir = "deploy/ansible/roles/trustgate_cvm"

// unit is a parsed systemd / Quadlet unit file: section -> key -> values
// (keys may repeat, as ExecStartPre= does).
type unit map[string]map[string][]string

func (u unit) get(section, key string) []string { return u[section][key] }

// words returns every whitespace-separated word of every value of key
// (Requires=a b, After=c).
func (u unit) words(section, key string) []string {
	var out []string
	for _, v := range u.get(section, key) {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// parseUnit reads the INI dialect of systemd units: [Section] headers,
// Key=Value lines, # and ; comments, backslash continuations.
func parseUnit(text string) (unit, error) {
	u := unit{}
	section := ""
	text = strings.ReplaceAll(squashJinja(text), "\\\n", " ")
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, fmt.Errorf("line %d: bad section header %q", i+1, line)
			}
			section = line[1 : len(line)-1]
			if u[section] != nil {
				return nil, fmt.Errorf("line %d: section [%s] repeated", i+1, section)
			}
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.TrimSpace(k) == "" || strings.ContainsAny(strings.TrimSpace(k), " \t") {
				return nil, fmt.Errorf("line %d: not Key=Value inside a section: %q", i+1, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u, nil
}

func TestParseUnitRefusesGarbage(t *testing.T) {
	for _, s := range []string{"Key=Value\n", "[Unit]\nnot a pair\n", "[Unit\nA=b\n", "[Unit]\nA=b\n[Unit]\nC=d\n"} {
		if _, err := parseUnit(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	u, err := parseUnit("[Service]\nExecStartPre=a \\\n  b\nExecStartPre=c\n")
	if err != nil || len(u.get("Service", "ExecStartPre")) != 2 || !strings.HasPrefix(u.get("Service", "ExecStartPre")[0], "a ") {
		t.Fatalf("%v %v", u, err)
	}
}

// roleDefaults reads defaults/main.yml as a string map.
func roleDefaults(t *testing.T) map[string]string {
	t.Helper()
	nodes, err := parseDocs(readRepo(t, roleDir+"/defaults/main.yml"))
	if err != nil || len(nodes) != 1 {
		t.Fatalf("defaults/main.yml: %v", err)
	}
	m := map[string]string{}
	err = nodes[0].VisitFields(func(n *yaml.MapNode) error {
		m[yaml.GetValue(n.Key)] = yaml.GetValue(n.Value)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// render substitutes {{var}} with the role's default (enough for the plain
// variable references the units use).
func render(s string, defaults map[string]string) string {
	return regexp.MustCompile(`\{\{([a-z_]+)\}\}`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := defaults[m[2:len(m)-2]]; ok {
			return v
		}
		return m
	})
}

func loadUnits(t *testing.T) map[string]unit {
	t.Helper()
	units := map[string]unit{}
	for _, f := range repoFiles(t, roleDir+"/templates", ".service.j2", ".container.j2") {
		u, err := parseUnit(string(readRepo(t, f)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		units[strings.TrimSuffix(path.Base(f), ".j2")] = u
	}
	return units
}

// TestCVMUnits checks the order and the gates of the CVM units: the guest
// daemon starts first, every workload container requires it and verifies
// its own image with `guest image verify --policy` in ExecStartPre before
// Podman starts it, and the LUKS key goes from `guest get-resource` through
// a pipe into cryptsetup, never into a file.
func TestCVMUnits(t *testing.T) {
	units := loadUnits(t)
	defs := roleDefaults(t)
	const guestSvc = "trustgate-guest.service"
	g, ok := units[guestSvc]
	if !ok {
		t.Fatalf("no %s template", guestSvc)
	}
	start := g.get("Service", "ExecStart")
	if len(start) != 1 || !strings.HasPrefix(start[0], "{{trustgate_guest_bin}} serve") {
		t.Errorf("%s: ExecStart %q, want guest serve", guestSvc, start)
	}
	if len(g.get("Service", "ExecStartPost")) == 0 {
		t.Errorf("%s: no readiness wait (ExecStartPost): units ordered after it could find no API", guestSvc)
	}
	var containers int
	for file, u := range units {
		if !strings.HasSuffix(file, ".container") {
			continue
		}
		containers++
		for _, k := range []string{"Requires", "After"} {
			if !containsStr(u.words("Unit", k), guestSvc) {
				t.Errorf("%s: [Unit] %s= lacks %s", file, k, guestSvc)
			}
		}
		img := u.get("Container", "Image")
		if len(img) != 1 {
			t.Errorf("%s: want one Image=", file)
			continue
		}
		if p := imageProblem(render(img[0], defs)); p != "" {
			t.Errorf("%s: %s", file, p)
		}
		pre := u.get("Service", "ExecStartPre")
		if len(pre) == 0 {
			t.Errorf("%s: no ExecStartPre: Gate 1 does not run", file)
		}
		var gated bool
		for _, p := range pre {
			w, err := shellWords(p)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if len(w) >= 4 && binaryOf(w[0]) == "guest" && w[1] == "image" && w[2] == "verify" && containsStr(w, "--policy") && w[len(w)-1] == img[0] {
				gated = true
			}
			if containsStr(w, "--insecure-accept-anything") {
				t.Errorf("%s: ExecStartPre accepts unsigned images", file)
			}
		}
		if !gated {
			t.Errorf("%s: ExecStartPre does not run `guest image verify --policy … %s`", file, img[0])
		}
		for k, want := range map[string]string{"ReadOnly": "true", "NoNewPrivileges": "true", "DropCapability": "ALL", "Network": "host"} {
			if got := u.get("Container", k); len(got) != 1 || got[0] != want {
				t.Errorf("%s: %s=%v, want %s", file, k, got, want)
			}
		}
		if user := render(strings.Join(u.get("Container", "User"), ""), defs); user == "" || user == "0" || user == "root" || strings.HasPrefix(user, "0:") {
			t.Errorf("%s: User=%q must be a non-root user", file, user)
		}
		if len(u.get("Install", "WantedBy")) == 0 {
			t.Errorf("%s: not started at boot ([Install] WantedBy=)", file)
		}
	}
	if containers < 3 {
		t.Errorf("want the deid, tls-sidecar and beacon containers, found %d", containers)
	}
	if !containsStr(units["trustgate-deid.container"].words("Unit", "Requires"), "trustgate-data.service") {
		t.Error("trustgate-deid.container must require the data disk")
	}

	data, ok := units["trustgate-data.service"]
	if !ok {
		t.Fatal("no trustgate-data.service template")
	}
	for _, k := range []string{"Requires", "After"} {
		if !containsStr(data.words("Unit", k), guestSvc) {
			t.Errorf("trustgate-data.service: [Unit] %s= lacks %s", k, guestSvc)
		}
	}
	checkLUKSPipe(t, "trustgate-data.service ExecStart", strings.Join(data.get("Service", "ExecStart"), "\n"), "open")
	if defs["trustgate_luks_key_resource"] != "kbs:///default/disk/luks" {
		t.Errorf("trustgate_luks_key_resource = %q", defs["trustgate_luks_key_resource"])
	}
}

// checkLUKSPipe: the script must pipe `guest get-resource KEY` straight into
// `cryptsetup <op> --key-file=-`, with pipefail, and write nothing to a file.
func checkLUKSPipe(t *testing.T, where, script, op string) {
	t.Helper()
	if strings.Contains(script, ">") || regexp.MustCompile(`\btee\b`).MatchString(script) {
		t.Errorf("%s: redirects output: the key must not reach a file", where)
	}
	if !strings.Contains(script, "pipefail") {
		t.Errorf("%s: without pipefail a failed key fetch would pass an empty key on", where)
	}
	cmds, err := commands(script)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for i, c := range cmds {
		if binaryOf(c[0]) == "guest" && len(c) >= 3 && c[1] == "get-resource" && c[2] == "{{trustgate_luks_key_resource}}" {
			if i+1 >= len(cmds) {
				break
			}
			next := cmds[i+1]
			if path.Base(next[0]) == "cryptsetup" && containsStr(next, op) && containsStr(next, "--key-file=-") && strings.Contains(script, "| cryptsetup") {
				return
			}
		}
	}
	t.Errorf("%s: does not pipe `guest get-resource {{trustgate_luks_key_resource}}` into `cryptsetup %s --key-file=-`", where, op)
}
