// Package agentpolicy generates the Kata agent policy (Rego, package
// agent_policy) that cocofy puts into a pod's initdata. The host that runs a
// confidential pod is untrusted, and the Kata agent in the guest obeys the
// host's requests unless this policy says no: without it, the host could exec
// into the container, read its logs, or start a different container that
// reads the pod's secrets.
//
// Every request the agent asks about is defined. Two modes:
//   - hardened: denies exec, logs (--allow-logs relaxes it), policy changes
//     and the requests that let the host read or steer the guest (swap,
//     tracing, diagnostics, time, entropy, iptables, memory agent); checks
//     sandbox creation, file copies, routes, interfaces and ARP neighbours as
//     Kata's genpolicy does; allows every CreateContainerRequest.
//   - strict: hardened, and CreateContainerRequest is allowed only for this
//     pod's sandbox and containers, pinned as genpolicy pins them (image by
//     digest and guest-pulled, args, environment, mounts and their sources,
//     storages, user and groups, privileges, sysctls) against the request
//     shape the agent evaluates (input.OCI, input.storages, …), checked on
//     requests captured from real Kata pods (testdata/kata-genpolicy).
//
// The template uses only built-ins that regorus, the agent's engine, offers.
package agentpolicy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
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
	// Volume names the pod volume; the runtime shares or copies its files
	// into the guest as <bundle>-<16 random>-<Share>.
	Volume string `json:"volume"`
	// Share is a regular expression for the last path element of the
	// volume on the host (the volume name for configMap, secret, emptyDir…;
	// the base name of a hostPath). Empty: the quoted volume name.
	Share string `json:"volume_re"`
	// EmptyDir volumes may instead live in the guest: an encrypted block
	// device, guest memory or the guest's disk.
	EmptyDir bool     `json:"empty_dir"`
	Options  []string `json:"options"`
}

// Container pins one container of the pod.
type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"` // name[:tag]@sha256:… ; empty for the sandbox (pause) container
	// Images lists the names the runtime may report for Image (filled by Generate).
	Images []string `json:"images"`
	// Args is the full process argv the agent receives (command then args).
	Args []string `json:"args"`
	// Env lists exact NAME=VALUE entries (sealed values appear as their
	// sealed.… reference, never as plaintext).
	Env []string `json:"env"`
	// EnvRegex lists regular expressions for NAME=VALUE entries whose value
	// the manifest does not fix (downward API fields).
	EnvRegex        []string `json:"env_regex"`
	Mounts          []Mount  `json:"mounts"`
	EmptyDirs       []string `json:"empty_dirs"` // filled by Generate
	Privileged      bool     `json:"privileged"`
	CapAdd          []string `json:"cap_add"`
	NoNewPrivileges bool     `json:"no_new_privileges"`
	UID             int64    `json:"uid"` // -1: not pinned
	GID             int64    `json:"gid"` // -1: not pinned (then neither are the additional groups)
	// Groups are the additional group IDs allowed when GID is pinned:
	// GID, the pod's supplementalGroups and fsGroup.
	Groups         []int64 `json:"groups"`
	Terminal       bool    `json:"terminal"`
	ReadOnlyRootFS bool    `json:"read_only_root"`
	ContainerType  string  `json:"container_type"`
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
	// Sysctls are the pod's securityContext.sysctls (containerd's defaults
	// are always allowed).
	Sysctls map[string]string
	// Sandbox pins the pause container's user: UID (pod runAsUser, else the
	// pause image's 65535), GID and groups as for containers.
	Sandbox Container
}

// Options select the mode.
type Options struct {
	Mode      string
	AllowLogs bool
	// SharePID allows CreateSandboxRequest with a shared PID namespace
	// (the pod sets shareProcessNamespace).
	SharePID bool
}

// DefaultCaps is the capability set containerd grants an unprivileged container.
var DefaultCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

// DefaultSysctls are the sysctls containerd sets in every pod.
var DefaultSysctls = map[string]string{
	"net.ipv4.ip_unprivileged_port_start": "0",
	"net.ipv4.ping_group_range":           "0 2147483647",
}

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
const PauseImage = `^(registry\.k8s\.io|k8s\.gcr\.io|mcr\.microsoft\.com/oss/kubernetes|registry\.redhat\.io/[a-z0-9-]+|quay\.io/[a-z0-9-]+)/pause(:[0-9.]+)?(@sha256:[0-9a-f]{64})?$`

type defaultMount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type_"`
	Source      string   `json:"source"`        // exact source, or
	SharedFile  string   `json:"shared_suffix"` // regex: source is <shared>/<bundle>-<16>-<this>
	Options     []string `json:"options"`
}

var (
	kernelOpts = []string{"nosuid", "noexec", "nodev"}
	bindOpts   = []string{"rbind", "rprivate", "rw", "ro", "nosuid", "nodev", "noexec"}
)

// Mounts containerd and Kata give every container, with the options they may carry.
var defaultMounts = []defaultMount{
	{"/proc", "proc", "proc", "", kernelOpts},
	{"/dev", "tmpfs", "tmpfs", "", []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
	{"/dev/pts", "devpts", "devpts", "", []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
	{"/dev/shm", "bind", "/run/kata-containers/sandbox/shm", "", []string{"rbind"}},
	{"/dev/mqueue", "mqueue", "mqueue", "", kernelOpts},
	{"/sys", "sysfs", "sysfs", "", append([]string{"ro"}, kernelOpts...)},
	{"/sys/fs/cgroup", "cgroup", "cgroup", "", append([]string{"ro", "relatime", "nsdelegate", "memory_recursiveprot"}, kernelOpts...)},
	{"/etc/hosts", "bind", "", "hosts", bindOpts},
	{"/etc/hostname", "bind", "", "hostname", bindOpts},
	{"/etc/resolv.conf", "bind", "", `resolv\.conf`, bindOpts},
	{"/dev/termination-log", "bind", "", "termination-log", bindOpts},
	{"/var/run/secrets/kubernetes.io/serviceaccount", "bind", "", "serviceaccount", []string{"rbind", "rprivate", "ro"}},
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
	if err := tmpl.Execute(&buf, map[string]any{"Mode": mode, "AllowLogs": opts.AllowLogs, "SharePID": opts.SharePID, "Data": data}); err != nil {
		return "", fmt.Errorf("agent policy: %w", err)
	}
	return buf.String(), nil
}

// ImageNames returns the names the container runtime may report for a
// digest-pinned image: as written, without its tag (containerd drops the tag
// when a digest is present), and with a short Docker Hub name expanded to
// docker.io/library/…. Every form keeps the digest.
func ImageNames(image string) []string {
	at := strings.LastIndex(image, "@")
	if at < 0 {
		return []string{image}
	}
	repo, digest := image[:at], image[at:]
	names := []string{repo}
	if slash, colon := strings.LastIndex(repo, "/"), strings.LastIndex(repo, ":"); colon > slash {
		names = append(names, repo[:colon])
	}
	for _, n := range append([]string{}, names...) {
		first, rest, found := strings.Cut(n, "/")
		switch {
		case !found:
			names = append(names, "docker.io/library/"+n)
		case !strings.ContainsAny(first, ".:") && first != "localhost":
			names = append(names, "docker.io/"+n)
		case first == "docker.io" && !strings.Contains(rest, "/"):
			names = append(names, "docker.io/library/"+rest)
		}
	}
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n+digest)
		}
	}
	sort.Strings(out)
	return out
}

func policyData(pod *Pod) (string, error) {
	if pod == nil || len(pod.Containers) == 0 {
		return "", fmt.Errorf("agent policy: strict mode needs the pod's containers")
	}
	if _, err := regexp.Compile(pod.SandboxName); err != nil || pod.SandboxName == "" {
		return "", fmt.Errorf("agent policy: bad sandbox name pattern %q", pod.SandboxName)
	}
	sb := pod.Sandbox
	if sb.GID >= 0 && !slices.Contains(sb.Groups, sb.GID) {
		sb.Groups = append(slices.Clone(sb.Groups), sb.GID)
	}
	sandbox := Container{
		ContainerType: "sandbox", Args: []string{"/pause"}, UID: sb.UID, GID: sb.GID, Groups: nonNilInts(sb.Groups),
		Env: []string{}, EnvRegex: []string{}, Mounts: []Mount{}, CapAdd: []string{}, Images: []string{}, EmptyDirs: []string{},
	}
	containers := []Container{sandbox}
	for _, c := range pod.Containers {
		if !IsDigestRef(c.Image) {
			return "", fmt.Errorf("agent policy: container %q image %q is not pinned by digest (name@sha256:…); resolve it first (--resolve-digests)", c.Name, c.Image)
		}
		if len(c.Args) == 0 {
			return "", fmt.Errorf("agent policy: container %q has no command: set command/args in the manifest, or let --resolve-digests read the image's entrypoint, so the policy can pin the process", c.Name)
		}
		c.ContainerType = "container"
		c.Images = ImageNames(c.Image)
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
		c.Groups = nonNilInts(c.Groups)
		if c.GID >= 0 && !slices.Contains(c.Groups, c.GID) {
			c.Groups = append(c.Groups, c.GID)
		}
		mounts := make([]Mount, 0, len(c.Mounts))
		emptyDirs := map[string]bool{}
		for _, m := range c.Mounts {
			if m.Share == "" {
				m.Share = regexp.QuoteMeta(m.Volume)
			}
			if _, err := regexp.Compile(m.Share); err != nil {
				return "", fmt.Errorf("agent policy: container %q mount %s: bad share pattern %q: %w", c.Name, m.Destination, m.Share, err)
			}
			m.Options = []string{"rbind", "rprivate", "rw"}
			if m.ReadOnly {
				m.Options[2] = "ro"
			}
			if m.EmptyDir {
				emptyDirs[m.Volume] = true
			}
			mounts = append(mounts, m)
		}
		sort.Slice(mounts, func(i, j int) bool { return mounts[i].Destination < mounts[j].Destination })
		c.Mounts = mounts
		c.EmptyDirs = make([]string, 0, len(emptyDirs))
		for v := range emptyDirs {
			c.EmptyDirs = append(c.EmptyDirs, v)
		}
		sort.Strings(c.EmptyDirs)
		containers = append(containers, c)
	}
	envRegex := append(append([]string{}, RuntimeEnvRegex...), pod.EnvRegex...)
	for _, r := range envRegex {
		if _, err := regexp.Compile(r); err != nil {
			return "", fmt.Errorf("agent policy: bad env regex %q: %w", r, err)
		}
	}
	sysctls := map[string]string{}
	for k, v := range DefaultSysctls {
		sysctls[k] = v
	}
	for k, v := range pod.Sysctls {
		sysctls[k] = v
	}
	data := map[string]any{
		"containers":     containers,
		"sandbox_name":   pod.SandboxName,
		"namespace":      pod.Namespace,
		"pause_image":    PauseImage,
		"env_regex":      envRegex,
		"default_caps":   DefaultCaps,
		"default_mounts": defaultMounts,
		"sysctls":        sysctls,
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

func nonNilInts(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	out := append([]int64{}, s...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
