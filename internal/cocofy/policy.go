package cocofy

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/trustgate/trustgate/internal/agentpolicy"
)

// agentPolicy renders the agent policy for one pod. In strict mode every
// container is pinned; anything cocofy cannot pin is an error, not a gap.
func (t *transformer) agentPolicy(id, kind, app, namespace string, labels map[string]string, ps *corev1.PodSpec) (string, error) {
	opts := agentpolicy.Options{Mode: t.opts.PolicyMode, AllowLogs: t.opts.AllowLogs,
		SharePID: ps.ShareProcessNamespace != nil && *ps.ShareProcessNamespace}
	if t.opts.PolicyMode != agentpolicy.Strict {
		return agentpolicy.Generate(opts, nil)
	}
	ns := namespace
	if ns == "" {
		ns = t.opts.Namespace
	}
	pod := &agentpolicy.Pod{SandboxName: sandboxNamePattern(kind, app), Namespace: ns, Sysctls: map[string]string{}}
	psc := ps.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	for _, sc := range psc.Sysctls {
		pod.Sysctls[sc.Name] = sc.Value
	}
	// The pause container runs as the pod's runAsUser/runAsGroup, else as
	// the pause image's user 65535:65535.
	pod.Sandbox = agentpolicy.Container{UID: 65535, GID: 65535}
	if psc.RunAsUser != nil {
		pod.Sandbox.UID, pod.Sandbox.GID = *psc.RunAsUser, -1
	}
	if psc.RunAsGroup != nil {
		pod.Sandbox.GID = *psc.RunAsGroup
	}
	pod.Sandbox.Groups = podGroups(psc, pod.Sandbox.GID)
	volumes := map[string]corev1.Volume{}
	for _, v := range ps.Volumes {
		volumes[v.Name] = v
	}
	all := append(append([]corev1.Container{}, ps.InitContainers...), ps.Containers...)
	for _, c := range all {
		pc, err := t.pinContainer(id, t.namespaceOfName(namespace), pod.SandboxName, labels, ps, volumes, c)
		if err != nil {
			return "", err
		}
		pod.Containers = append(pod.Containers, pc)
	}
	out, err := agentpolicy.Generate(opts, pod)
	if err != nil {
		return "", fmt.Errorf("%w (or use --policy hardened, which does not pin containers)", err)
	}
	return out, nil
}

// podGroups are the additional groups a container of the pod may carry when
// its group is gid: gid, supplementalGroups and fsGroup.
func podGroups(psc *corev1.PodSecurityContext, gid int64) []int64 {
	if gid < 0 {
		return nil
	}
	groups := []int64{gid}
	seen := map[int64]bool{gid: true}
	add := func(g int64) {
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	for _, g := range psc.SupplementalGroups {
		add(g)
	}
	if psc.FSGroup != nil {
		add(*psc.FSGroup)
	}
	return groups
}

// downwardEnvRegex pins a downward-API variable as tightly as the manifest
// allows: labels by value, the pod name by its pattern, addresses by shape.
func downwardEnvRegex(name, sandboxName, namespace string, labels map[string]string, ref *corev1.ObjectFieldSelector) string {
	q := "^" + regexp.QuoteMeta(name) + "="
	path := ref.FieldPath
	switch {
	case path == "metadata.name":
		return q + strings.TrimPrefix(sandboxName, "^")
	case path == "metadata.namespace" && namespace != "":
		return q + regexp.QuoteMeta(namespace) + "$"
	case strings.HasPrefix(path, "metadata.labels['") && strings.HasSuffix(path, "']"):
		if v, ok := labels[strings.TrimSuffix(strings.TrimPrefix(path, "metadata.labels['"), "']")]; ok {
			return q + regexp.QuoteMeta(v) + "$"
		}
	case path == "status.podIP" || path == "status.hostIP":
		return q + "[0-9a-fA-F.:]+$"
	case path == "status.podIPs" || path == "status.hostIPs":
		return q + "[0-9a-fA-F.:,]+$"
	case path == "metadata.uid":
		return q + "[0-9a-f-]{36}$"
	}
	return q + "[^\n]*$"
}

func (t *transformer) namespaceOfName(ns string) string {
	if ns != "" {
		return ns
	}
	if t.opts.Namespace != "" {
		return t.opts.Namespace
	}
	return "default"
}

func (t *transformer) pinContainer(id, ns, sandboxName string, labels map[string]string, ps *corev1.PodSpec, volumes map[string]corev1.Volume, c corev1.Container) (agentpolicy.Container, error) {
	pc := agentpolicy.Container{Name: c.Name, Image: c.Image, UID: -1, GID: -1, Terminal: c.TTY}
	img := t.imageConfigs[c.Image]
	switch {
	case len(c.Command) > 0:
		pc.Args = append(append([]string{}, c.Command...), c.Args...)
	case img != nil:
		pc.Args = append([]string{}, img.Entrypoint...)
		if len(c.Args) > 0 {
			pc.Args = append(pc.Args, c.Args...)
		} else {
			pc.Args = append(pc.Args, img.Cmd...)
		}
	}
	if img != nil {
		pc.Env = append(pc.Env, img.Env...)
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			pc.Env = append(pc.Env, e.Name+"="+e.Value)
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			v, err := t.sealedValue(ns, ref.Name, ref.Key)
			if err != nil {
				return pc, fmt.Errorf("container %s env %s: %w", c.Name, e.Name, err)
			}
			pc.Env = append(pc.Env, e.Name+"="+v)
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm, ok := t.configs[ns+"/"+ref.Name]
			v, ok2 := cm[ref.Key]
			if !ok || !ok2 {
				return pc, fmt.Errorf("container %s env %s: ConfigMap %s key %s is not in the input; strict policy pins config values, so include the ConfigMap", c.Name, e.Name, ref.Name, ref.Key)
			}
			pc.Env = append(pc.Env, e.Name+"="+v)
		case e.ValueFrom.FieldRef != nil:
			pc.EnvRegex = append(pc.EnvRegex, downwardEnvRegex(e.Name, sandboxName, ns, labels, e.ValueFrom.FieldRef))
		default:
			// Resource fields: known only at run time; pin the name and a
			// single-line value.
			pc.EnvRegex = append(pc.EnvRegex, "^"+regexp.QuoteMeta(e.Name)+"=[^\n]*$")
		}
	}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.SecretRef != nil:
			info, ok := t.secrets[ns+"/"+ef.SecretRef.Name]
			if !ok {
				return pc, fmt.Errorf("container %s envFrom Secret %s is not in the input", c.Name, ef.SecretRef.Name)
			}
			for _, k := range sortedKeys(info.values) {
				pc.Env = append(pc.Env, ef.Prefix+k+"="+info.values[k])
			}
		case ef.ConfigMapRef != nil:
			cm, ok := t.configs[ns+"/"+ef.ConfigMapRef.Name]
			if !ok {
				return pc, fmt.Errorf("container %s envFrom ConfigMap %s is not in the input; strict policy pins config values, so include the ConfigMap", c.Name, ef.ConfigMapRef.Name)
			}
			for _, k := range sortedKeys(cm) {
				pc.Env = append(pc.Env, ef.Prefix+k+"="+cm[k])
			}
		}
	}
	for _, m := range c.VolumeMounts {
		if m.SubPath != "" || m.SubPathExpr != "" {
			return pc, fmt.Errorf("container %s volumeMount %s uses subPath, which the strict policy cannot pin (mount the whole volume)", c.Name, m.MountPath)
		}
		v := volumes[m.Name]
		mount := agentpolicy.Mount{Destination: m.MountPath, ReadOnly: m.ReadOnly, Volume: m.Name, EmptyDir: v.EmptyDir != nil}
		switch {
		case v.HostPath != nil:
			mount.Share = regexp.QuoteMeta(path.Base(v.HostPath.Path))
		case v.PersistentVolumeClaim != nil || v.CSI != nil || v.Ephemeral != nil:
			mount.Share = "[^/]+"
		}
		pc.Mounts = append(pc.Mounts, mount)
	}
	psc := ps.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	uid, gid := int64(-1), int64(-1)
	if psc.RunAsUser != nil {
		uid = *psc.RunAsUser
	}
	if psc.RunAsGroup != nil {
		gid = *psc.RunAsGroup
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = *sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			gid = *sc.RunAsGroup
		}
		pc.Privileged = sc.Privileged != nil && *sc.Privileged
		if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
			pc.NoNewPrivileges = true
		}
		pc.ReadOnlyRootFS = sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
		if sc.Capabilities != nil {
			for _, cp := range sc.Capabilities.Add {
				pc.CapAdd = append(pc.CapAdd, strings.ToUpper(string(cp)))
			}
		}
	}
	pc.UID, pc.GID = uid, gid
	pc.Groups = podGroups(psc, gid)
	return pc, nil
}

func (t *transformer) sealedValue(ns, secret, key string) (string, error) {
	info, ok := t.secrets[ns+"/"+secret]
	if !ok {
		return "", fmt.Errorf("secret %s is not in the input", secret)
	}
	v, ok := info.values[key]
	if !ok {
		return "", fmt.Errorf("secret %s has no key %s", secret, key)
	}
	return v, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
