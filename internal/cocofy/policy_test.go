package cocofy

import (
	"context"
	"github.com/trustgate/trustgate/internal/agentpolicy/agentpolicytest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/initdata"
)

// kubeletView plays kubelet + containerd: it turns a container of the
// hardened output into the CreateContainerRequest the Kata agent receives,
// resolving env from the output's Secrets (sealed strings) and ConfigMaps.
type kubeletView struct {
	secrets, configs map[string]map[string]string
}

func newKubeletView(t *testing.T, manifests []byte) *kubeletView {
	k := &kubeletView{secrets: map[string]map[string]string{}, configs: map[string]map[string]string{}}
	docs, err := readDocuments(manifests)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		switch d.node.GetKind() {
		case "Secret":
			vals, _ := secretValues(d.node)
			m := map[string]string{}
			for key, v := range vals {
				m[key] = string(v)
			}
			k.secrets[d.node.GetName()] = m
		case "ConfigMap":
			k.configs[d.node.GetName()] = d.node.GetDataMap()
		}
	}
	return k
}

func (k *kubeletView) request(sandbox, ns string, ps *corev1.PodSpec, c corev1.Container) agentpolicytest.ContainerRequest {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=" + sandbox,
		"KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
		"KUBERNETES_PORT=tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443",
		"KUBERNETES_PORT_443_TCP_PROTO=tcp", "KUBERNETES_PORT_443_TCP_PORT=443", "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1"}
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil {
			for key, v := range k.secrets[ef.SecretRef.Name] {
				env = append(env, ef.Prefix+key+"="+v)
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.SecretKeyRef != nil:
			env = append(env, e.Name+"="+k.secrets[e.ValueFrom.SecretKeyRef.Name][e.ValueFrom.SecretKeyRef.Key])
		case e.ValueFrom.ConfigMapKeyRef != nil:
			env = append(env, e.Name+"="+k.configs[e.ValueFrom.ConfigMapKeyRef.Name][e.ValueFrom.ConfigMapKeyRef.Key])
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			env = append(env, e.Name+"="+ns)
		case e.ValueFrom.FieldRef != nil:
			env = append(env, e.Name+"="+sandbox)
		}
	}
	id := strings.Repeat("c", 64)
	mounts := agentpolicytest.DefaultMountRequests(id)
	for _, m := range c.VolumeMounts {
		opts := []string{"rbind", "rprivate", "rw"}
		if m.ReadOnly {
			opts = []string{"rbind", "rprivate", "ro"}
		}
		mounts = append(mounts, agentpolicytest.MountRequest{Destination: m.MountPath, Source: agentpolicytest.KataSharedPrefix + id + "-" + id[:16] + "-" + m.Name, Type: "bind", Options: opts})
	}
	uid := int64(0)
	if ps.SecurityContext != nil && ps.SecurityContext.RunAsUser != nil {
		uid = *ps.SecurityContext.RunAsUser
	}
	nnp, ro := false, false
	caps := append([]string{}, agentpolicy.DefaultCaps...)
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = *sc.RunAsUser
		}
		nnp = sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
		ro = sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
		if sc.Capabilities != nil && len(sc.Capabilities.Drop) == 1 && sc.Capabilities.Drop[0] == "ALL" {
			caps = []string{}
		}
	}
	gid := int64(0)
	if ps.SecurityContext != nil && ps.SecurityContext.RunAsGroup != nil {
		gid = *ps.SecurityContext.RunAsGroup
	}
	if sc := c.SecurityContext; sc != nil && sc.RunAsGroup != nil {
		gid = *sc.RunAsGroup
	}
	return agentpolicytest.ContainerRequest{ContainerID: id, GID: gid, SandboxName: sandbox, Namespace: ns, Type: "container", Name: c.Name, Image: c.Image,
		Args: append(append([]string{}, c.Command...), c.Args...), Env: env, Mounts: mounts, UID: uid, NoNewPrivileges: nnp,
		Capabilities: caps, ReadOnlyRoot: ro}
}

// The policy cocofy embeds, evaluated with OPA against requests shaped as
// the Kata agent receives them for the pods of the hardened output.
func TestGeneratedPolicyAgainstAgentRequests(t *testing.T) {
	for _, c := range []goldenCase{goldenCases[0], goldenCases[1]} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Transform(c.options(t), readInput(t, c.input))
			if err != nil {
				t.Fatal(err)
			}
			kv := newKubeletView(t, res.Manifests)
			docs, _ := readDocuments(res.Manifests)
			pods := map[string]string{"Deployment": "deid-7d9c8b6f5-x2k4q", "CronJob": "deid-purge-29012345-h8k2p"}
			var checked int
			for _, d := range docs {
				sandbox, ok := pods[d.node.GetKind()]
				if !ok {
					continue
				}
				tmpl, _ := d.node.Pipe(yaml.Lookup(workloadKinds[d.node.GetKind()]...))
				ps, err := podSpec(tmpl)
				if err != nil {
					t.Fatal(err)
				}
				id, err := initdata.ParseAnnotation(tmpl.GetAnnotations()[initdata.AnnotationKey])
				if err != nil {
					t.Fatal(err)
				}
				policy := id.Data[initdata.KeyPolicy]
				eval := func(req string, in any) bool {
					ok, err := agentpolicytest.Evaluate(context.Background(), policy, req, in)
					if err != nil {
						t.Fatal(err)
					}
					return ok
				}
				for _, r := range []string{"ExecProcessRequest", "ReadStreamRequest", "SetPolicyRequest"} {
					if eval(r, map[string]any{"process": map[string]any{"Args": []string{"sh"}}}) {
						t.Errorf("%s allowed", r)
					}
				}
				pause := agentpolicytest.ContainerRequest{ContainerID: strings.Repeat("d", 64), GID: 65535, SandboxName: sandbox, Namespace: "hospital", Type: "sandbox",
					Image: "registry.k8s.io/pause:3.10", Args: []string{"/pause"}, Mounts: agentpolicytest.DefaultMountRequests(strings.Repeat("d", 64))[:7],
					Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, UID: 65535, NoNewPrivileges: true}
				if !eval("CreateContainerRequest", agentpolicytest.CreateContainerInput(pause)) {
					t.Errorf("%s: pause container denied", d.node.GetName())
				}
				for _, ctr := range ps.Containers {
					req := kv.request(sandbox, "hospital", ps, ctr)
					if !eval("CreateContainerRequest", agentpolicytest.CreateContainerInput(req)) {
						t.Errorf("%s container %s denied", d.node.GetName(), ctr.Name)
						continue
					}
					checked++
					tampered := map[string]func(r *agentpolicytest.ContainerRequest){
						"another image digest": func(r *agentpolicytest.ContainerRequest) {
							r.Image = r.Image[:len(r.Image)-8] + "00000000"
						},
						"another command":  func(r *agentpolicytest.ContainerRequest) { r.Args = []string{"/bin/sh", "-c", "env"} },
						"added env var":    func(r *agentpolicytest.ContainerRequest) { r.Env = append(r.Env, "LD_PRELOAD=/tmp/x.so") },
						"plaintext secret": func(r *agentpolicytest.ContainerRequest) { replaceSealed(r.Env) },
						"other pod":        func(r *agentpolicytest.ContainerRequest) { r.SandboxName = "debug-pod" },
						"other namespace":  func(r *agentpolicytest.ContainerRequest) { r.Namespace = "default" },
						"added host mount": func(r *agentpolicytest.ContainerRequest) {
							r.Mounts = append(r.Mounts, agentpolicytest.MountRequest{Destination: "/host", Source: "/", Type: "bind", Options: []string{"rbind", "rw"}})
						},
						"writable root": func(r *agentpolicytest.ContainerRequest) { r.ReadOnlyRoot = false },
						"privileged": func(r *agentpolicytest.ContainerRequest) {
							r.Capabilities = append(r.Capabilities, "CAP_SYS_ADMIN")
						},
					}
					for name, mut := range tampered {
						r := req
						r.Env = append([]string{}, req.Env...)
						r.Mounts = append([]agentpolicytest.MountRequest{}, req.Mounts...)
						r.Capabilities = append([]string{}, req.Capabilities...)
						mut(&r)
						if (name == "plaintext secret" && strings.Join(r.Env, "") == strings.Join(req.Env, "")) ||
							(name == "writable root" && !req.ReadOnlyRoot) {
							continue // nothing to tamper with in this container
						}
						if eval("CreateContainerRequest", agentpolicytest.CreateContainerInput(r)) {
							t.Errorf("%s container %s: %s allowed", d.node.GetName(), ctr.Name, name)
						}
					}
				}
			}
			want := 3
			if c.name == "deid-sidecar.yaml" {
				want = 5
			}
			if checked != want {
				t.Fatalf("checked %d containers, want %d", checked, want)
			}
		})
	}
}

func replaceSealed(env []string) {
	for i, e := range env {
		if k, v, _ := strings.Cut(e, "="); strings.HasPrefix(v, "sealed.") {
			env[i] = k + "=plaintext"
		}
	}
}
