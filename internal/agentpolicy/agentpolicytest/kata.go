// Package agentpolicytest models the requests the Kata agent checks against
// its policy (CreateContainerRequest with its mounts, as genpolicy's tests
// send them) and evaluates a generated policy on them with OPA, the agent's
// policy engine. Only tests use it, so that cocofy does not link OPA.
package agentpolicytest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"
)

// Evaluate runs the policy's rule for request (e.g. "CreateContainerRequest")
// against input with OPA, as the Kata agent does with its policy engine, and
// returns whether the request is allowed. It lets cocofy's users and tests
// check a generated policy before a pod ever starts.
func Evaluate(ctx context.Context, policy, request string, input any) (bool, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return false, err
	}
	var in any
	if err := json.Unmarshal(raw, &in); err != nil {
		return false, err
	}
	rs, err := rego.New(rego.Query("data.agent_policy."+request), rego.Module("policy.rego", policy), rego.Input(in)).Eval(ctx)
	if err != nil {
		return false, fmt.Errorf("evaluate %s: %w", request, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return false, nil
	}
	switch v := rs[0].Expressions[0].Value.(type) {
	case bool:
		return v, nil
	case map[string]any: // newer Kata rules return {"allowed": …, "ops": …}
		b, _ := v["allowed"].(bool)
		return b, nil
	}
	return false, nil
}

// ContainerRequest describes a container the way containerd and the Kata
// shim present it to the agent; CreateContainerInput turns it into the
// CreateContainerRequest input the agent's policy sees.
type ContainerRequest struct {
	// ContainerID is the 64-hex container (bundle) ID; default "aaaa…".
	// Mount sources of shared files carry it (DefaultMountRequests(ContainerID)).
	ContainerID            string
	SandboxName, Namespace string
	Type                   string // "sandbox" or "container"
	Name, Image            string
	Args, Env              []string // Env as the runtime passes it (with runtime-added variables)
	Mounts                 []MountRequest
	UID                    int64
	NoNewPrivileges        bool
	ReadOnlyRoot           bool
	GID                    int64
	Capabilities           []string
}

// MountRequest is one OCI mount.
type MountRequest struct {
	Destination, Source, Type string
	Options                   []string
}

// KataSharedPrefix is where the Kata shim shares per-container files in the guest.
const KataSharedPrefix = "/run/kata-containers/shared/containers/"

// DefaultMountRequests are the mounts containerd and Kata add to every container.
func DefaultMountRequests(containerID string) []MountRequest {
	sf := KataSharedPrefix + containerID + "-" + containerID[:16] + "-"
	return []MountRequest{
		{"/proc", "proc", "proc", []string{"nosuid", "noexec", "nodev"}},
		{"/dev", "tmpfs", "tmpfs", []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{"/dev/pts", "devpts", "devpts", []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{"/dev/shm", "/run/kata-containers/sandbox/shm", "bind", []string{"rbind"}},
		{"/dev/mqueue", "mqueue", "mqueue", []string{"nosuid", "noexec", "nodev"}},
		{"/sys", "sysfs", "sysfs", []string{"nosuid", "noexec", "nodev", "ro"}},
		{"/sys/fs/cgroup", "cgroup", "cgroup", []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		{"/etc/hosts", sf + "hosts", "bind", []string{"rbind", "rprivate", "rw"}},
		{"/dev/termination-log", sf + "termination-log", "bind", []string{"rbind", "rprivate", "rw"}},
		{"/etc/hostname", sf + "hostname", "bind", []string{"rbind", "rprivate", "rw"}},
		{"/etc/resolv.conf", sf + "resolv.conf", "bind", []string{"rbind", "rprivate", "rw"}},
		{"/var/run/secrets/kubernetes.io/serviceaccount", sf + "serviceaccount", "bind", []string{"rbind", "rprivate", "ro"}},
	}
}

// CreateContainerInput builds the policy input of a CreateContainerRequest
// in the shape kata-agent passes it (the shape of the requests captured from
// real pods in testdata/kata-genpolicy: guest-pulled image, rootfs under
// /run/kata-containers/<id>/rootfs, read-only pause root) (OCI spec fields capitalised as in the
// agent's Rust types, mounts with type_, storages, devices).
func CreateContainerInput(r ContainerRequest) map[string]any {
	containerID := r.ContainerID
	if containerID == "" {
		containerID = strings.Repeat("a", 64)
	}
	ann := map[string]any{
		"io.kubernetes.cri.container-type":      r.Type,
		"io.kubernetes.cri.sandbox-name":        r.SandboxName,
		"io.kubernetes.cri.sandbox-namespace":   r.Namespace,
		"io.kubernetes.cri.sandbox-id":          strings.Repeat("b", 64),
		"io.kubernetes.cri.image-name":          r.Image,
		"io.katacontainers.pkg.oci.bundle_path": "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + containerID,
		"io.katacontainers.pkg.oci.container_type": map[string]string{
			"sandbox": "pod_sandbox", "container": "pod_container"}[r.Type],
	}
	if r.Type == "container" {
		ann["io.kubernetes.cri.container-name"] = r.Name
	}
	var mounts []any
	for _, m := range r.Mounts {
		mounts = append(mounts, map[string]any{"destination": m.Destination, "source": m.Source, "type_": m.Type, "options": m.Options})
	}
	caps := r.Capabilities
	if caps == nil {
		caps = []string{}
	}
	storages := []any{}
	if r.Type == "container" {
		storages = append(storages, map[string]any{"driver": "image_guest_pull", "driver_options": []string{}, "source": r.Image,
			"fstype": "overlay", "options": []string{}, "mount_point": "/run/kata-containers/" + containerID + "/rootfs", "fs_group": nil})
	}
	return map[string]any{
		"container_id":  containerID,
		"exec_id":       containerID,
		"sandbox_pidns": false,
		"shared_mounts": []any{},
		"string_user":   nil,
		"devices":       []any{},
		"storages":      storages,
		"OCI": map[string]any{
			"Version": "1.1.0",
			"Process": map[string]any{
				"Terminal":        false,
				"User":            map[string]any{"UID": r.UID, "GID": r.GID, "AdditionalGids": []int64{r.GID}, "Username": ""},
				"Args":            r.Args,
				"Env":             r.Env,
				"Cwd":             "/",
				"Capabilities":    map[string]any{"Ambient": []string{}, "Bounding": caps, "Effective": caps, "Inheritable": []string{}, "Permitted": caps},
				"NoNewPrivileges": r.NoNewPrivileges,
			},
			"Root":        map[string]any{"Path": "/run/kata-containers/" + containerID + "/rootfs", "Readonly": r.ReadOnlyRoot || r.Type == "sandbox"},
			"Mounts":      mounts,
			"Hooks":       nil,
			"Annotations": ann,
			"Linux": map[string]any{
				"Namespaces": []any{map[string]any{"Type": "ipc", "Path": ""}, map[string]any{"Type": "uts", "Path": ""}, map[string]any{"Type": "mount", "Path": ""}},
				"Resources":  map[string]any{"Devices": []any{}},
			},
		},
	}
}
