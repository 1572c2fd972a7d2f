package cocofy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/trustgate/trustgate/internal/agentpolicy"
)

// agentPolicy renders the agent policy for one pod. In strict mode every
// container is pinned; anything cocofy cannot pin is an error, not a gap.
func (t *transformer) agentPolicy(id, kind, app, namespace string, ps *corev1.PodSpec) (string, error) {
	opts := agentpolicy.Options{Mode: t.opts.PolicyMode, AllowLogs: t.opts.AllowLogs}
	if t.opts.PolicyMode != agentpolicy.Strict {
		return agentpolicy.Generate(opts, nil)
	}
	ns := namespace
	if ns == "" {
		ns = t.opts.Namespace
	}
	pod := &agentpolicy.Pod{SandboxName: sandboxNamePattern(kind, app), Namespace: ns}
	all := append(append([]corev1.Container{}, ps.InitContainers...), ps.Containers...)
	for _, c := range all {
		pc, err := t.pinContainer(id, t.namespaceOfName(namespace), ps, c)
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

func (t *transformer) namespaceOfName(ns string) string {
	if ns != "" {
		return ns
	}
	if t.opts.Namespace != "" {
		return t.opts.Namespace
	}
	return "default"
}

func (t *transformer) pinContainer(id, ns string, ps *corev1.PodSpec, c corev1.Container) (agentpolicy.Container, error) {
	pc := agentpolicy.Container{Name: c.Name, Image: c.Image, UID: -1}
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
		default:
			// Downward API: the value is the pod's own metadata or resources,
			// known only at run time; pin the name and a single-line value.
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
		pc.Mounts = append(pc.Mounts, agentpolicy.Mount{Destination: m.MountPath, ReadOnly: m.ReadOnly})
	}
	uid := int64(-1)
	if ps.SecurityContext != nil && ps.SecurityContext.RunAsUser != nil {
		uid = *ps.SecurityContext.RunAsUser
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = *sc.RunAsUser
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
	pc.UID = uid
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
