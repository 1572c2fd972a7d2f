package deploytest

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/trustgate/trustgate/internal/trustee"
)

// k8sDirs hold plain Kubernetes objects (kustomizations and Argo CD kinds
// are checked by their own tests).
var k8sDirs = []string{"deploy/kubernetes", "manifests"}

// typedObject returns the k8s.io/api type for apiVersion/kind, or nil.
func typedObject(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}
	case "v1 Service":
		return &corev1.Service{}
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Secret":
		return &corev1.Secret{}
	case "v1 Namespace":
		return &corev1.Namespace{}
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	}
	return nil
}

// nonCoreKinds are checked structurally by other tests (no Go types in go.mod).
var nonCoreKinds = map[string]bool{
	"kustomize.config.k8s.io/v1beta1 Kustomization": true,
	"argoproj.io/v1alpha1 AppProject":               true,
	"argoproj.io/v1alpha1 Application":              true,
}

// objects are the decoded Kubernetes objects under deploy/kubernetes and manifests.
type objects struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	configMaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	pdbs        []*policyv1.PodDisruptionBudget
	netpols     []*networkingv1.NetworkPolicy
	accounts    []*corev1.ServiceAccount
	where       map[any]string
}

// decodeAll decodes every document strictly; it fails on unknown kinds.
func decodeAll(t *testing.T, docs []doc) *objects {
	t.Helper()
	o := &objects{where: map[any]string{}}
	for _, d := range docs {
		av, kind := str(d.node, "apiVersion"), d.node.GetKind()
		if nonCoreKinds[av+" "+kind] {
			continue
		}
		v := typedObject(av, kind)
		if v == nil {
			t.Errorf("%s: no k8s.io/api type for %s %s", d.file, av, kind)
			continue
		}
		if err := strictDecode(d.node, v); err != nil {
			t.Errorf("%s: strict decode %s %s: %v", d.file, kind, d.node.GetName(), err)
			continue
		}
		o.where[v] = d.String()
		switch x := v.(type) {
		case *appsv1.Deployment:
			o.deployments = append(o.deployments, x)
		case *corev1.Service:
			o.services = append(o.services, x)
		case *corev1.ConfigMap:
			o.configMaps = append(o.configMaps, x)
		case *corev1.Secret:
			o.secrets = append(o.secrets, x)
		case *policyv1.PodDisruptionBudget:
			o.pdbs = append(o.pdbs, x)
		case *networkingv1.NetworkPolicy:
			o.netpols = append(o.netpols, x)
		case *corev1.ServiceAccount:
			o.accounts = append(o.accounts, x)
		}
	}
	return o
}

func loadK8s(t *testing.T) *objects {
	t.Helper()
	var files []string
	for _, d := range k8sDirs {
		files = append(files, repoFiles(t, d, ".yaml", ".yml")...)
	}
	return decodeAll(t, loadDocs(t, files))
}

// TestStrictDecodeCatchesTypos proves the decoder refuses a misspelt field.
func TestStrictDecodeCatchesTypos(t *testing.T) {
	nodes, err := parseDocs([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: a\n          imagePullPolicy: Always\n          readOnlyRootFileSystem: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := strictDecode(nodes[0], &appsv1.Deployment{}); err == nil || !strings.Contains(err.Error(), "readOnlyRootFileSystem") {
		t.Fatalf("strict decode of a misspelt field: %v", err)
	}
}

var (
	digestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	// placeholderDigest is the documented "fill in the real digest" value
	// (docs/deploy.md); the Ansible role refuses to run with it.
	placeholderDigest = "@sha256:" + strings.Repeat("0", 64)
)

// imageProblem says why an image reference is not acceptable ("" if it is).
func imageProblem(image string) string {
	if !digestRE.MatchString(image) {
		return "image " + image + " is not pinned by digest"
	}
	return ""
}

// podProblems checks the restricted security profile of a pod spec.
func podProblems(spec *corev1.PodSpec) []string {
	var bad []string
	psc := spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		bad = append(bad, "uses host namespaces")
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		bad = append(bad, "mounts a service account token")
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			bad = append(bad, "volume "+v.Name+" is a hostPath")
		}
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		p := func(s string) { bad = append(bad, "container "+c.Name+": "+s) }
		if s := imageProblem(c.Image); s != "" {
			p(s)
		}
		sc := c.SecurityContext
		if sc == nil {
			p("no securityContext")
			continue
		}
		nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)
		if !nonRoot {
			p("runAsNonRoot is not true")
		}
		if (sc.RunAsUser != nil && *sc.RunAsUser == 0) || (sc.RunAsUser == nil && psc.RunAsUser != nil && *psc.RunAsUser == 0) {
			p("runs as UID 0")
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			p("root file system is writable")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			p("allowPrivilegeEscalation is not false")
		}
		if sc.Privileged != nil && *sc.Privileged {
			p("privileged")
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Add) > 0 || !containsStr(capNames(sc.Capabilities.Drop), "ALL") {
			p("capabilities must drop ALL and add none")
		}
		seccomp := sc.SeccompProfile
		if seccomp == nil {
			seccomp = psc.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
			p("seccomp profile is not RuntimeDefault")
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() ||
			c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			p("cpu/memory requests and limits must be set")
		}
		for _, e := range c.Env {
			if e.Value != "" && secretLooking(e.Name) {
				p("env " + e.Name + " holds a literal value: take it from a Secret (valueFrom)")
			}
		}
	}
	return bad
}

func capNames(cs []corev1.Capability) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var secretNameRE = regexp.MustCompile(`(?i)(PASSWORD|SECRET|TOKEN|KEK|PRIVATE|CREDENTIAL|CONNECTION_STRING|STORE|DSN|_KEY$)`)

func secretLooking(name string) bool { return secretNameRE.MatchString(name) }

// secretProblems: a Secret in git may hold only sealed references
// (cocofy output) or REPLACE placeholders, never a value.
func secretProblems(s *corev1.Secret) []string {
	var bad []string
	check := func(k, v string) {
		if strings.HasPrefix(v, "sealed.") || strings.Contains(v, "REPLACE") {
			return
		}
		bad = append(bad, fmt.Sprintf("Secret %s key %s holds a plaintext value", s.Name, k))
	}
	for k, v := range s.StringData {
		check(k, v)
	}
	for k, v := range s.Data {
		check(k, string(v))
	}
	return bad
}

// TestSecurityCheckersCatchViolations feeds the checkers bad objects, so the
// invariant tests below can fail.
func TestSecurityCheckersCatchViolations(t *testing.T) {
	f, tr := false, true
	good := corev1.PodSpec{
		AutomountServiceAccountToken: &f,
		SecurityContext:              &corev1.PodSecurityContext{RunAsNonRoot: &tr, SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Containers: []corev1.Container{{
			Name: "c", Image: "r/x" + placeholderDigest,
			SecurityContext: &corev1.SecurityContext{ReadOnlyRootFilesystem: &tr, AllowPrivilegeEscalation: &f, Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
		}},
	}
	var base []string
	good.Containers[0].Resources = mustResources(t)
	if base = podProblems(&good); len(base) != 0 {
		t.Fatalf("good pod: %v", base)
	}
	mutations := map[string]func(*corev1.PodSpec){
		"tag":        func(p *corev1.PodSpec) { p.Containers[0].Image = "r/x:latest" },
		"rw root":    func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.ReadOnlyRootFilesystem = &f },
		"root":       func(p *corev1.PodSpec) { p.SecurityContext.RunAsNonRoot = nil },
		"escalation": func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil },
		"caps": func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_ADMIN"}
		},
		"seccomp":  func(p *corev1.PodSpec) { p.SecurityContext.SeccompProfile = nil },
		"sa token": func(p *corev1.PodSpec) { p.AutomountServiceAccountToken = nil },
		"literal":  func(p *corev1.PodSpec) { p.Containers[0].Env = []corev1.EnvVar{{Name: "TRUSTEE_KEK", Value: "abc"}} },
		"limits":   func(p *corev1.PodSpec) { p.Containers[0].Resources = corev1.ResourceRequirements{} },
		"hostPath": func(p *corev1.PodSpec) {
			p.Volumes = []corev1.Volume{{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		},
	}
	for name, mut := range mutations {
		p := good.DeepCopy()
		mut(p)
		if len(podProblems(p)) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
	if len(secretProblems(&corev1.Secret{StringData: map[string]string{"conn": "AccountKey=abc"}})) == 0 {
		t.Error("plaintext Secret not caught")
	}
	if len(secretProblems(&corev1.Secret{Data: map[string][]byte{"k": []byte("sealed.a.b.c")}, StringData: map[string]string{"u": "REPLACE_ME"}})) != 0 {
		t.Error("sealed reference or placeholder refused")
	}
}

func mustResources(t *testing.T) corev1.ResourceRequirements {
	t.Helper()
	var c corev1.Container
	nodes, err := parseDocs([]byte("name: c\nresources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 1, memory: 128Mi}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := strictDecode(nodes[0], &c); err != nil {
		t.Fatal(err)
	}
	return c.Resources
}

// TestKubernetesObjects decodes every object strictly and checks the
// security invariants and the references between objects.
func TestKubernetesObjects(t *testing.T) {
	o := loadK8s(t)
	if len(o.deployments) == 0 {
		t.Fatal("no Deployments found")
	}
	docs := string(readRepo(t, "docs/deploy.md"))
	cms := map[string]*corev1.ConfigMap{}
	for _, c := range o.configMaps {
		cms[c.Namespace+"/"+c.Name] = c
	}
	for _, s := range o.secrets {
		for _, p := range secretProblems(s) {
			t.Errorf("%s: %s", o.where[s], p)
		}
	}
	for _, d := range o.deployments {
		where := o.where[d]
		spec := &d.Spec.Template.Spec
		for _, p := range podProblems(spec) {
			t.Errorf("%s: %s", where, p)
		}
		sel, err := metav1LabelSelector(d)
		if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("%s: selector does not match the template labels (%v)", where, err)
		}
		vols := map[string]corev1.Volume{}
		for _, v := range spec.Volumes {
			vols[v.Name] = v
			switch {
			case v.ConfigMap != nil:
				if cms[d.Namespace+"/"+v.ConfigMap.Name] == nil {
					t.Errorf("%s: volume %s names ConfigMap %s, which is not in git", where, v.Name, v.ConfigMap.Name)
				}
			case v.Secret != nil:
				if !strings.Contains(docs, "`"+v.Secret.SecretName+"`") {
					t.Errorf("%s: Secret %s is not documented in docs/deploy.md", where, v.Secret.SecretName)
				}
			}
		}
		for _, c := range spec.Containers {
			ports := map[string]bool{}
			for _, p := range c.Ports {
				ports[p.Name] = true
			}
			for _, m := range c.VolumeMounts {
				if _, ok := vols[m.Name]; !ok {
					t.Errorf("%s: container %s mounts undeclared volume %s", where, c.Name, m.Name)
				}
			}
			for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
				if pr == nil {
					continue
				}
				var port string
				if pr.HTTPGet != nil {
					port = pr.HTTPGet.Port.String()
				} else if pr.TCPSocket != nil {
					port = pr.TCPSocket.Port.String()
				}
				if !ports[port] {
					t.Errorf("%s: probe port %q is not a named port of %s", where, port, c.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !strings.Contains(docs, "`"+e.ValueFrom.SecretKeyRef.Name+"`") {
					t.Errorf("%s: Secret %s is not documented in docs/deploy.md", where, e.ValueFrom.SecretKeyRef.Name)
				}
			}
			// Every file a flag names must lie in a mounted volume, and a
			// ConfigMap-backed file must be a key of that ConfigMap.
			for _, a := range c.Args {
				_, val, ok := strings.Cut(a, "=")
				if !ok || !strings.HasPrefix(val, "/etc/") {
					continue
				}
				if msg := fileProvided(val, c, vols, cms, d.Namespace); msg != "" {
					t.Errorf("%s: %s: %s", where, a, msg)
				}
			}
		}
	}
	// Every Service, PDB and NetworkPolicy selects some Deployment's pods.
	selects := func(sel labels.Selector) bool {
		for _, d := range o.deployments {
			if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				return true
			}
		}
		return false
	}
	for _, s := range o.services {
		if len(s.Spec.Selector) == 0 || !selects(labels.SelectorFromSet(s.Spec.Selector)) {
			t.Errorf("%s: selects no Deployment", o.where[s])
		}
	}
	for _, p := range o.pdbs {
		if p.Spec.Selector == nil || !selects(labels.SelectorFromSet(p.Spec.Selector.MatchLabels)) {
			t.Errorf("%s: selects no Deployment", o.where[p])
		}
	}
	for _, n := range o.netpols {
		if !selects(labels.SelectorFromSet(n.Spec.PodSelector.MatchLabels)) {
			t.Errorf("%s: selects no Deployment", o.where[n])
		}
	}
}

func metav1LabelSelector(d *appsv1.Deployment) (labels.Selector, error) {
	if d.Spec.Selector == nil || len(d.Spec.Selector.MatchLabels) == 0 {
		return nil, fmt.Errorf("no matchLabels")
	}
	return labels.SelectorFromSet(d.Spec.Selector.MatchLabels), nil
}

// fileProvided says why file is not provided by a mount ("" if it is).
func fileProvided(file string, c corev1.Container, vols map[string]corev1.Volume, cms map[string]*corev1.ConfigMap, ns string) string {
	for _, m := range c.VolumeMounts {
		dir := path.Clean(m.MountPath)
		if path.Dir(file) != dir {
			continue
		}
		key := path.Base(file)
		v := vols[m.Name]
		switch {
		case v.ConfigMap != nil:
			cm := cms[ns+"/"+v.ConfigMap.Name]
			if cm == nil {
				return "ConfigMap " + v.ConfigMap.Name + " missing"
			}
			if _, ok := cm.Data[key]; !ok {
				return "ConfigMap " + v.ConfigMap.Name + " has no key " + key
			}
		case v.Secret != nil:
			if len(v.Secret.Items) > 0 {
				for _, it := range v.Secret.Items {
					if it.Path == key {
						return ""
					}
				}
				return "Secret volume " + m.Name + " does not project " + key
			}
		}
		return ""
	}
	return "no volume is mounted at " + path.Dir(file)
}

// container finds a container by Deployment and container name.
func container(t *testing.T, o *objects, deploy, name string) (*appsv1.Deployment, corev1.Container) {
	t.Helper()
	for _, d := range o.deployments {
		if d.Name != deploy {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			if c.Name == name {
				return d, c
			}
		}
	}
	t.Fatalf("no container %s in Deployment %s", name, deploy)
	return nil, corev1.Container{}
}

// TestTrusteeDeployment runs the Deployment's exact arguments and
// environment through trustee's own flag parser and checks the operational
// contract: 3 replicas over PostgreSQL, secrets only from Secrets, probes on
// /readyz and /healthz of the served port, PDB, ingress only to that port.
func TestTrusteeDeployment(t *testing.T) {
	o := loadK8s(t)
	d, c := container(t, o, "trustee", "trustee")
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
		t.Errorf("trustee replicas = %v, want 3", d.Spec.Replicas)
	}
	if len(c.Command) != 1 || path.Base(c.Command[0]) != "trustee" || len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Fatalf("trustee container runs %v %v, want trustee serve", c.Command, c.Args)
	}
	fromSecret := map[string]bool{}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			fromSecret[e.Name] = true
			env[e.Name] = "from-secret-" + e.ValueFrom.SecretKeyRef.Name
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		}
	}
	for _, need := range []string{"TRUSTEE_STORE", "TRUSTEE_KEK"} {
		if !fromSecret[need] {
			t.Errorf("%s must come from a Secret (secretKeyRef)", need)
		}
	}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--store") || strings.HasPrefix(a, "--kek") || strings.Contains(a, "postgres://") {
			t.Errorf("argument %q: the store URL and KEK must not be arguments (visible in ps and the pod spec)", a)
		}
	}
	for name := range env {
		flagName := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, "TRUSTEE_"), "_", "-"))
		if name != "TRUSTEE_KEK" && !flagSets(t)["trustee serve"][flagName] {
			t.Errorf("env %s names no trustee serve flag", name)
		}
	}
	cfg, err := trustee.ParseServeFlags(c.Args[1:], func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("trustee serve rejects the Deployment's arguments: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("trustee config: %v", err)
	}
	if cfg.Store != "from-secret-trustee-store" {
		t.Errorf("store = %q, want the value of Secret trustee-store", cfg.Store)
	}
	if cfg.InsecureHTTP || cfg.DevEmulatedSNPRoot != "" {
		t.Error("production Deployment must serve HTTPS and must not enable the emulated SNP root")
	}
	_, port, _ := strings.Cut(cfg.Listen, ":")
	if len(c.Ports) != 1 || fmt.Sprint(c.Ports[0].ContainerPort) != port {
		t.Fatalf("listen %s does not match containerPort %v", cfg.Listen, c.Ports)
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Scheme != corev1.URISchemeHTTPS {
		t.Error("readiness probe must be HTTPS GET /readyz")
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Scheme != corev1.URISchemeHTTPS {
		t.Error("liveness probe must be HTTPS GET /healthz")
	}
	if len(d.Spec.Template.Spec.TopologySpreadConstraints) == 0 {
		t.Error("no topology spread constraints")
	}
	var pdbOK bool
	for _, p := range o.pdbs {
		if p.Spec.Selector != nil && labels.SelectorFromSet(p.Spec.Selector.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels)) &&
			p.Spec.MinAvailable != nil && p.Spec.MinAvailable.IntValue() >= 2 {
			pdbOK = true
		}
	}
	if !pdbOK {
		t.Error("no PodDisruptionBudget keeping at least 2 trustee replicas")
	}
	var npOK bool
	for _, n := range o.netpols {
		if !labels.SelectorFromSet(n.Spec.PodSelector.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels)) {
			continue
		}
		npOK = containsStr(policyTypes(n), "Ingress")
		for _, in := range n.Spec.Ingress {
			for _, p := range in.Ports {
				if p.Port == nil || p.Port.String() != port {
					t.Errorf("%s: ingress port %v besides the KBS port %s", o.where[n], p.Port, port)
					npOK = false
				}
			}
			if len(in.Ports) == 0 {
				t.Errorf("%s: ingress rule without ports opens every port", o.where[n])
				npOK = false
			}
		}
	}
	if !npOK {
		t.Error("no NetworkPolicy restricting trustee ingress to the KBS port")
	}
	var svcOK bool
	for _, s := range o.services {
		if s.Name == "trustee" && len(s.Spec.Ports) == 1 && s.Spec.Ports[0].TargetPort.String() == c.Ports[0].Name {
			svcOK = true
		}
	}
	if !svcOK {
		t.Error("Service trustee must expose exactly the KBS port")
	}
}

func policyTypes(n *networkingv1.NetworkPolicy) []string {
	var out []string
	for _, p := range n.Spec.PolicyTypes {
		out = append(out, string(p))
	}
	return out
}

// TestDashboardDeployment: the dashboard reads Trustee's token key from the
// ConfigMap `trustee admin token-key` fills, serves TLS (it refuses a
// non-loopback address without it) and follows trustee's Service.
func TestDashboardDeployment(t *testing.T) {
	o := loadK8s(t)
	_, c := container(t, o, "dashboard", "dashboard")
	args := map[string]string{}
	for _, a := range c.Args {
		k, v, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		args[k] = v
	}
	for _, need := range []string{"token-key", "tls-cert", "tls-key", "client-ca", "trustee-url", "admin-key"} {
		if args[need] == "" {
			t.Errorf("dashboard lacks --%s", need)
		}
	}
	if !strings.HasPrefix(args["trustee-url"], "https://trustee.") {
		t.Errorf("--trustee-url %s is not the trustee Service", args["trustee-url"])
	}
	var cmOK bool
	for _, m := range c.VolumeMounts {
		if path.Dir(args["token-key"]) == m.MountPath {
			cmOK = true
		}
	}
	if !cmOK {
		t.Error("--token-key is not in a mounted volume")
	}
}
