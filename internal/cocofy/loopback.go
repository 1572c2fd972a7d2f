package cocofy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// With --sidecar the tls-sidecar must be the app's only way in. All
// containers of a pod share one network namespace, so the app listening on
// 127.0.0.1 is what keeps the host and the cluster out: cocofy rewrites the
// listen address it can see in the app's arguments and environment, and
// refuses when it cannot see one.

var (
	// --addr=:8080, --listen=0.0.0.0:8080, -http=[::]:8080
	listenFlag = regexp.MustCompile(`^(-{1,2}[A-Za-z0-9][A-Za-z0-9_.-]*=)(.*):([0-9]+)$`)
	// :8080, 0.0.0.0:8080 as a value of its own (after a flag, or in env)
	listenValue = regexp.MustCompile(`^(.*):([0-9]+)$`)
)

// wildcardHost reports whether host means "every interface".
func wildcardHost(h string) bool {
	switch h {
	case "", "0.0.0.0", "::", "[::]", "*":
		return true
	}
	return false
}

func loopbackHost(h string) bool {
	switch h {
	case "127.0.0.1", "localhost", "[::1]", "::1":
		return true
	}
	return false
}

// loopbackRewrite rewrites one string that names a listen address on port
// on all interfaces ("--addr=:8080", "0.0.0.0:8080") to 127.0.0.1. found
// reports a listen address on port on all interfaces or on loopback; an
// address on another host is someone else's (an upstream), not found.
func loopbackRewrite(s string, port int) (out string, found bool) {
	p := strconv.Itoa(port)
	var prefix, host string
	if m := listenFlag.FindStringSubmatch(s); m != nil && m[3] == p {
		prefix, host = m[1], m[2]
	} else if m := listenValue.FindStringSubmatch(s); m != nil && m[2] == p {
		host = m[1]
	} else {
		return s, false
	}
	switch {
	case loopbackHost(host):
		return s, true
	case wildcardHost(host):
		return prefix + "127.0.0.1:" + p, true
	}
	return s, false
}

// bindToLoopback rewrites the app containers' listen address for port to
// 127.0.0.1, or fails when it finds none (on all interfaces or loopback).
func (t *transformer) bindToLoopback(id string, spec *yaml.RNode, ps *corev1.PodSpec, port int) error {
	elems, err := containerNodes(spec)
	if err != nil {
		return err
	}
	// Candidates: the containers that declare the port, else every app container.
	var cands []*yaml.RNode
	for _, c := range elems {
		name, _ := c.GetString("name")
		if name == SidecarName || name == BeaconName {
			continue
		}
		if declaresPort(ps, name, port) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		for _, c := range elems {
			if name, _ := c.GetString("name"); name != SidecarName && name != BeaconName {
				cands = append(cands, c)
			}
		}
	}
	found := false
	for _, c := range cands {
		cname, _ := c.GetString("name")
		if err := probesReach(ps, cname, port); err != nil {
			return err
		}
		rewrite := func(n *yaml.RNode, where string) {
			v := yaml.GetValue(n)
			out, ok := loopbackRewrite(v, port)
			if !ok {
				return
			}
			found = true
			if out != v {
				n.YNode().Value = out
				t.change(id, "container "+cname+" "+where+": "+v+" -> "+out,
					"with the tls-sidecar the app listens on loopback only: no plaintext way around the sidecar")
			}
		}
		for _, field := range []string{"command", "args"} {
			if seq, _ := c.Pipe(yaml.Lookup(field)); seq != nil {
				items, _ := seq.Elements()
				for _, it := range items {
					rewrite(it, field)
				}
			}
		}
		if env, _ := c.Pipe(yaml.Lookup("env")); env != nil {
			items, _ := env.Elements()
			for _, e := range items {
				if vn, _ := e.Pipe(yaml.Lookup("value")); vn != nil {
					ename, _ := e.GetString("name")
					rewrite(vn, "env "+ename)
				}
			}
		}
	}
	if !found {
		return fmt.Errorf("--sidecar: cannot see where the app listens on port %d (looked for an argument or env value such as --addr=:%d or :%d): "+
			"make it listen on 127.0.0.1:%d and say so in the manifest, so that the tls-sidecar is its only way in", port, port, port, port)
	}
	return nil
}

func declaresPort(ps *corev1.PodSpec, name string, port int) bool {
	for _, c := range append(append([]corev1.Container{}, ps.InitContainers...), ps.Containers...) {
		if c.Name != name {
			continue
		}
		for _, p := range c.Ports {
			if int(p.ContainerPort) == port {
				return true
			}
		}
	}
	return false
}

// portNames are the names the app's containers give port.
func portNames(ps *corev1.PodSpec, port int) map[string]bool {
	names := map[string]bool{}
	for _, c := range ps.Containers {
		for _, p := range c.Ports {
			if int(p.ContainerPort) == port && p.Name != "" {
				names[p.Name] = true
			}
		}
	}
	return names
}

// probesReach refuses probes that reach the app's port from outside the
// pod: after the rewrite they would never succeed.
func probesReach(ps *corev1.PodSpec, name string, port int) error {
	names := portNames(ps, port)
	for _, c := range ps.Containers {
		if c.Name != name {
			continue
		}
		for _, pr := range probes(c) {
			kind, p := pr.kind, pr.probe
			var target *intOrString
			switch {
			case p.HTTPGet != nil:
				target = &intOrString{p.HTTPGet.Port.IntValue(), p.HTTPGet.Port.StrVal}
			case p.TCPSocket != nil:
				target = &intOrString{p.TCPSocket.Port.IntValue(), p.TCPSocket.Port.StrVal}
			}
			if target != nil && (target.i == port || names[target.s]) {
				return fmt.Errorf("container %s %s reaches port %d from outside the pod, which only the tls-sidecar may after hardening: remove it (the sidecar's readiness probe covers the pod)", name, kind, port)
			}
		}
	}
	return nil
}

type intOrString struct {
	i int
	s string
}

// sidecarTarget is a pod whose app port the tls-sidecar fronts: Services
// that reach that port in clear are dropped.
type sidecarTarget struct {
	namespace string
	labels    map[string]string
	port      int
	names     map[string]bool
}

// dropPlaintextServices removes the ports of Services that select a
// sidecar-fronted pod and reach the app's port directly, and the Services
// left with no port.
func (t *transformer) dropPlaintextServices(docs []document) ([]document, error) {
	if len(t.targets) == 0 {
		return docs, nil
	}
	var out []document
	for _, d := range docs {
		n := d.node
		if n.GetKind() != "Service" || n.GetAnnotations()[HardenedAnnotation] != "" {
			out = append(out, d)
			continue
		}
		var svc corev1.Service
		if err := decodeNode(n, &svc); err != nil {
			return nil, err
		}
		ns := t.namespaceOf(n)
		id := "Service/" + ns + "/" + n.GetName()
		var keep []int
		dropped := false
		for i, p := range svc.Spec.Ports {
			if t.reachesApp(ns, svc.Spec.Selector, p) {
				dropped = true
				continue
			}
			keep = append(keep, i)
		}
		if !dropped {
			out = append(out, d)
			continue
		}
		if len(keep) == 0 {
			t.change(id, "removed", "it reached the app's port in clear; with the tls-sidecar the app listens on loopback only: use the <app>-tls Service")
			continue
		}
		ports, err := n.Pipe(yaml.Lookup("spec", "ports"))
		if err != nil {
			return nil, err
		}
		var content []*yaml.Node
		for _, i := range keep {
			content = append(content, ports.YNode().Content[i])
		}
		ports.YNode().Content = content
		t.change(id, "ports to the app's port removed", "they reached the app in clear; use the <app>-tls Service")
		out = append(out, d)
	}
	return out, nil
}

func (t *transformer) reachesApp(ns string, selector map[string]string, p corev1.ServicePort) bool {
	if len(selector) == 0 {
		return false
	}
	for _, tg := range t.targets {
		if tg.namespace != ns {
			continue
		}
		match := true
		for k, v := range selector {
			if tg.labels[k] != v {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		switch {
		case p.TargetPort.StrVal != "":
			if tg.names[p.TargetPort.StrVal] {
				return true
			}
		case p.TargetPort.IntValue() != 0:
			if p.TargetPort.IntValue() == tg.port {
				return true
			}
		case int(p.Port) == tg.port:
			return true
		}
	}
	return false
}

// decodeNode decodes a YAML node into a k8s.io/api value.
func decodeNode(n *yaml.RNode, into any) error {
	js, err := n.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(js, into)
}
