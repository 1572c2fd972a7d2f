// Package agentpolicy generates the Kata agent policy (Rego, package
// agent_policy) that cocofy puts into a pod's initdata. The host that runs a
// confidential pod is untrusted, and the Kata agent in the guest obeys the
// host's requests unless this policy says no: without it, the host could exec
// into the container, read its logs, or start a different container that
// reads the pod's secrets.
//
// Two modes:
//   - hardened: denies ExecProcessRequest, ReadStreamRequest (logs; --allow-logs
//     relaxes it) and SetPolicyRequest; everything else as Kata's allow-all policy.
//   - strict: hardened, and CreateContainerRequest is allowed only for this
//     pod's containers, pinned as Kata's genpolicy does (image by digest, args,
//     environment, mounts, privileges) against the request shape the agent
//     evaluates (input.OCI, input.storages, …).
package agentpolicy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// Modes.
const (
	Hardened = "hardened"
	Strict   = "strict"
)

//go:embed policy.rego.tmpl
var policyTemplate string

var tmpl = template.Must(template.New("policy").Parse(policyTemplate))

// Mount is a pod volume mount the policy allows.
type Mount struct {
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"read_only"`
}

// Container pins one container of the pod.
type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"` // name@sha256:… ; empty for the sandbox (pause) container
	// Args is the full process argv the agent receives (command then args).
	Args []string `json:"args"`
	// Env lists exact NAME=VALUE entries (sealed values appear as their
	// sealed.… reference, never as plaintext).
	Env []string `json:"env"`
	// EnvRegex lists regular expressions for NAME=VALUE entries whose value
	// the manifest does not fix (downward API fields).
	EnvRegex        []string `json:"env_regex"`
	Mounts          []Mount  `json:"mounts"`
	Privileged      bool     `json:"privileged"`
	CapAdd          []string `json:"cap_add"`
	NoNewPrivileges bool     `json:"no_new_privileges"`
	UID             int64    `json:"uid"` // -1: not pinned
	ReadOnlyRootFS  bool     `json:"read_only_root"`
	ContainerType   string   `json:"container_type"`
}

// Pod describes what strict mode pins.
type Pod struct {
	// SandboxName is a regular expression for the pod name (Deployments
	// generate names, so it is usually "^app-[a-z0-9]+-[a-z0-9]+$").
	SandboxName string
	Namespace   string // "" allows any namespace
	Containers  []Container
	// EnvRegex lists extra regular expressions for NAME=VALUE entries the
	// runtime adds (service links, HOSTNAME).
	EnvRegex []string
}

// Options select the mode.
type Options struct {
	Mode      string
	AllowLogs bool
}

// DefaultCaps is the capability set containerd grants an unprivileged container.
var DefaultCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

// RuntimeEnvRegex matches the variables Kubernetes and containerd add to
// every container: HOSTNAME, service links, and the default PATH.
var RuntimeEnvRegex = []string{
	`^HOSTNAME=[a-zA-Z0-9.-]+$`,
	`^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$`,
	`^[A-Z0-9_]+_SERVICE_HOST=[0-9a-fA-F.:]+$`,
	`^[A-Z0-9_]+_SERVICE_PORT(_[A-Z0-9_]+)?=[0-9]+$`,
	`^[A-Z0-9_]+_PORT=(tcp|udp|sctp)://[0-9a-fA-F.:\[\]]+:[0-9]+$`,
	`^[A-Z0-9_]+_PORT_[0-9]+_(TCP|UDP|SCTP)=(tcp|udp|sctp)://[0-9a-fA-F.:\[\]]+:[0-9]+$`,
	`^[A-Z0-9_]+_PORT_[0-9]+_(TCP|UDP|SCTP)_(PROTO=(tcp|udp|sctp)|PORT=[0-9]+|ADDR=[0-9a-fA-F.:]+)$`,
}

// PauseImage matches the sandbox (pause) image names of common distributions.
const PauseImage = `^(registry\.k8s\.io|k8s\.gcr\.io|mcr\.microsoft\.com/oss/kubernetes|registry\.redhat\.io/[a-z0-9-]+|quay\.io/[a-z0-9-]+)/pause(:[0-9.]+|@sha256:[0-9a-f]{64})?$`

type defaultMount struct {
	Destination string `json:"destination"`
	Type        string `json:"type_"`
	Source      string `json:"source"`
}

// Mounts containerd and Kata give every container; sources are regular expressions.
var defaultMounts = []defaultMount{
	{"/proc", "proc", "^proc$"},
	{"/dev", "tmpfs", "^tmpfs$"},
	{"/dev/pts", "devpts", "^devpts$"},
	{"/dev/shm", "bind", "^/run/kata-containers/sandbox/shm$"},
	{"/dev/mqueue", "mqueue", "^mqueue$"},
	{"/sys", "sysfs", "^sysfs$"},
	{"/sys/fs/cgroup", "cgroup", "^cgroup$"},
	{"/etc/hosts", "bind", `^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-hosts$`},
	{"/etc/hostname", "bind", `^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-hostname$`},
	{"/etc/resolv.conf", "bind", `^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-resolv\.conf$`},
	{"/dev/termination-log", "bind", `^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-termination-log$`},
	{"/var/run/secrets/kubernetes.io/serviceaccount", "bind", `^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-serviceaccount$`},
}

var digestRef = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_.-]+)?@sha256:[0-9a-f]{64}$`)

// IsDigestRef reports whether image names its content by sha256 digest.
func IsDigestRef(image string) bool { return digestRef.MatchString(image) }

// Generate renders the policy.
func Generate(opts Options, pod *Pod) (string, error) {
	mode := opts.Mode
	if mode == "" {
		mode = Strict
	}
	if mode != Hardened && mode != Strict {
		return "", fmt.Errorf("agent policy: unknown mode %q (want hardened or strict)", mode)
	}
	var data string
	if mode == Strict {
		d, err := policyData(pod)
		if err != nil {
			return "", err
		}
		data = d
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, map[string]any{"Mode": mode, "AllowLogs": opts.AllowLogs, "Data": data}); err != nil {
		return "", fmt.Errorf("agent policy: %w", err)
	}
	return buf.String(), nil
}

func policyData(pod *Pod) (string, error) {
	if pod == nil || len(pod.Containers) == 0 {
		return "", fmt.Errorf("agent policy: strict mode needs the pod's containers")
	}
	if _, err := regexp.Compile(pod.SandboxName); err != nil || pod.SandboxName == "" {
		return "", fmt.Errorf("agent policy: bad sandbox name pattern %q", pod.SandboxName)
	}
	containers := []Container{{
		ContainerType: "sandbox", Args: []string{"/pause"}, UID: -1, Env: []string{}, EnvRegex: []string{},
		Mounts: []Mount{}, CapAdd: []string{},
	}}
	for _, c := range pod.Containers {
		if !IsDigestRef(c.Image) {
			return "", fmt.Errorf("agent policy: container %q image %q is not pinned by digest (name@sha256:…); resolve it first (--resolve-digests)", c.Name, c.Image)
		}
		if len(c.Args) == 0 {
			return "", fmt.Errorf("agent policy: container %q has no command: set command/args in the manifest, or let --resolve-digests read the image's entrypoint, so the policy can pin the process", c.Name)
		}
		c.ContainerType = "container"
		c.Env = nonNil(c.Env)
		sort.Strings(c.Env)
		c.EnvRegex = nonNil(c.EnvRegex)
		for _, r := range c.EnvRegex {
			if _, err := regexp.Compile(r); err != nil {
				return "", fmt.Errorf("agent policy: container %q: bad env regex %q: %w", c.Name, r, err)
			}
		}
		c.CapAdd = nonNil(c.CapAdd)
		for i, cp := range c.CapAdd {
			if !strings.HasPrefix(cp, "CAP_") {
				c.CapAdd[i] = "CAP_" + cp
			}
		}
		sort.Strings(c.CapAdd)
		if c.Mounts == nil {
			c.Mounts = []Mount{}
		}
		sort.Slice(c.Mounts, func(i, j int) bool { return c.Mounts[i].Destination < c.Mounts[j].Destination })
		containers = append(containers, c)
	}
	envRegex := append(append([]string{}, RuntimeEnvRegex...), pod.EnvRegex...)
	for _, r := range envRegex {
		if _, err := regexp.Compile(r); err != nil {
			return "", fmt.Errorf("agent policy: bad env regex %q: %w", r, err)
		}
	}
	data := map[string]any{
		"containers":     containers,
		"sandbox_name":   pod.SandboxName,
		"namespace":      pod.Namespace,
		"pause_image":    PauseImage,
		"env_regex":      envRegex,
		"default_caps":   DefaultCaps,
		"default_mounts": defaultMounts,
	}
	out, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return "", fmt.Errorf("agent policy: %w", err)
	}
	return string(out), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}
