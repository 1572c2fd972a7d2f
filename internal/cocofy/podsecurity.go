package cocofy

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/agentpolicy"
)

// Pod Security "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards):
// what cocofy injects always meets it; the user's own containers get a
// warning, and with --fix-pod-security the container-level settings that can
// be added without changing what the app does.

// restrictedIssues lists why container c of a pod with security context
// psc does not meet the restricted profile's container rules.
func restrictedIssues(psc *corev1.PodSecurityContext, c corev1.Container) (fixable, unfixable []string) {
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if sc.Privileged != nil && *sc.Privileged {
		unfixable = append(unfixable, "privileged: true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		fixable = append(fixable, "allowPrivilegeEscalation is not false")
	}
	dropAll := false
	if sc.Capabilities != nil {
		for _, d := range sc.Capabilities.Drop {
			dropAll = dropAll || strings.EqualFold(string(d), "ALL")
		}
		for _, a := range sc.Capabilities.Add {
			if a != "NET_BIND_SERVICE" {
				unfixable = append(unfixable, "capabilities.add "+string(a))
			}
		}
	}
	if !dropAll {
		fixable = append(fixable, "capabilities.drop lacks ALL")
	}
	uid := sc.RunAsUser
	if uid == nil {
		uid = psc.RunAsUser
	}
	nonRoot := sc.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = psc.RunAsNonRoot
	}
	switch {
	case uid != nil && *uid == 0:
		unfixable = append(unfixable, "runAsUser: 0 (root)")
	case nonRoot == nil || !*nonRoot:
		fixable = append(fixable, "runAsNonRoot is not true")
	}
	prof := sc.SeccompProfile
	if prof == nil {
		prof = psc.SeccompProfile
	}
	if prof == nil || (prof.Type != corev1.SeccompProfileTypeRuntimeDefault && prof.Type != corev1.SeccompProfileTypeLocalhost) {
		fixable = append(fixable, "no seccompProfile RuntimeDefault")
	}
	return fixable, unfixable
}

// podSecurity warns about, or with FixPodSecurity fixes, the user's
// containers that Pod Security "restricted" would refuse.
func (t *transformer) podSecurity(id string, spec *yaml.RNode) error {
	ps, err := podSpecOf(spec)
	if err != nil {
		return err
	}
	psc := ps.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if ps.HostNetwork || ps.HostPID || ps.HostIPC {
		t.warn(id, "Pod Security restricted: the pod shares a host namespace (hostNetwork, hostPID or hostIPC)")
	}
	for _, v := range ps.Volumes {
		if v.HostPath != nil {
			t.warn(id, "Pod Security restricted: volume "+v.Name+" is a hostPath")
		}
	}
	elems, err := containerNodes(spec)
	if err != nil {
		return err
	}
	all := append(append([]corev1.Container{}, ps.InitContainers...), ps.Containers...)
	for _, c := range all {
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				t.warn(id, fmt.Sprintf("Pod Security restricted: container %s uses hostPort %d", c.Name, p.HostPort))
			}
		}
		if t.opts.PolicyMode == agentpolicy.Strict {
			var names []string
			for r := range c.Resources.Limits {
				names = append(names, string(r))
			}
			sort.Strings(names)
			for _, r := range names {
				if strings.Contains(r, "/") && !strings.HasPrefix(r, "hugepages-") {
					t.warn(id, "container "+c.Name+" requests "+r+": if that is a device (a GPU), the strict agent policy denies it (devices and CDI annotations are not pinned); use --policy hardened")
				}
			}
		}
		for _, pr := range probes(c) {
			if pr.probe.Exec != nil {
				t.warn(id, "container "+c.Name+" "+pr.kind+" runs a command (exec), which the agent policy denies: the probe always fails; use httpGet or tcpSocket")
			}
		}
	}
	for i, c := range all {
		if c.Name == SidecarName || c.Name == BeaconName {
			continue
		}
		fixable, unfixable := restrictedIssues(psc, c)
		if len(unfixable) > 0 {
			msg := "Pod Security restricted: container " + c.Name + ": " + strings.Join(append(unfixable, fixable...), ", ")
			if t.opts.FixPodSecurity {
				return fmt.Errorf("--fix-pod-security: container %s: %s cannot be fixed without changing what the app does", c.Name, strings.Join(unfixable, ", "))
			}
			t.warn(id, msg)
			continue
		}
		if len(fixable) == 0 {
			continue
		}
		if !t.opts.FixPodSecurity {
			t.warn(id, "Pod Security restricted: container "+c.Name+": "+strings.Join(fixable, ", ")+" (--fix-pod-security sets them)")
			continue
		}
		if err := fixContainerSecurity(elems[i], psc, c); err != nil {
			return err
		}
		t.change(id, "container "+c.Name+" securityContext: "+strings.Join(fixable, ", ")+" fixed (--fix-pod-security)",
			"Pod Security restricted: the pod is admitted where the profile is enforced")
	}
	return nil
}

type namedProbe struct {
	kind  string
	probe *corev1.Probe
}

// probes returns the container's probes in a fixed order.
func probes(c corev1.Container) []namedProbe {
	var out []namedProbe
	for _, p := range []namedProbe{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if p.probe != nil {
			out = append(out, p)
		}
	}
	return out
}

func (t *transformer) warn(id, msg string) {
	t.res.Warnings = append(t.res.Warnings, id+": "+msg)
}

// fixContainerSecurity sets the restricted settings the container lacks.
func fixContainerSecurity(n *yaml.RNode, psc *corev1.PodSecurityContext, c corev1.Container) error {
	sc, err := n.Pipe(yaml.LookupCreate(yaml.MappingNode, "securityContext"))
	if err != nil {
		return err
	}
	set := func(path []string, value *yaml.RNode) error {
		parent, err := sc.Pipe(yaml.LookupCreate(yaml.MappingNode, path[:len(path)-1]...))
		if err != nil {
			return err
		}
		return parent.PipeE(yaml.SetField(path[len(path)-1], value))
	}
	cur := c.SecurityContext
	if cur == nil {
		cur = &corev1.SecurityContext{}
	}
	if cur.AllowPrivilegeEscalation == nil || *cur.AllowPrivilegeEscalation {
		if err := set([]string{"allowPrivilegeEscalation"}, boolNode(false)); err != nil {
			return err
		}
	}
	dropAll := false
	if cur.Capabilities != nil {
		for _, d := range cur.Capabilities.Drop {
			dropAll = dropAll || strings.EqualFold(string(d), "ALL")
		}
	}
	if !dropAll {
		if err := set([]string{"capabilities", "drop"}, yaml.NewListRNode("ALL")); err != nil {
			return err
		}
	}
	nonRoot := cur.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = psc.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		if err := set([]string{"runAsNonRoot"}, boolNode(true)); err != nil {
			return err
		}
	}
	prof := cur.SeccompProfile
	if prof == nil {
		prof = psc.SeccompProfile
	}
	if prof == nil || (prof.Type != corev1.SeccompProfileTypeRuntimeDefault && prof.Type != corev1.SeccompProfileTypeLocalhost) {
		if err := set([]string{"seccompProfile", "type"}, yaml.NewStringRNode("RuntimeDefault")); err != nil {
			return err
		}
	}
	return nil
}

func boolNode(b bool) *yaml.RNode {
	n := yaml.NewScalarRNode(map[bool]string{true: "true", false: "false"}[b])
	n.YNode().Tag = yaml.NodeTagBool
	return n
}
