package cocofy

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/sealed"
)

// Upload is a resource cocofy puts into Trustee. Value is secret material:
// never log or print it.
type Upload struct {
	Path  string // repo/type/tag
	Value []byte
	What  string // human description, safe to print
}

// ReferenceValue is an RVPS reference value cocofy registers.
type ReferenceValue struct {
	Name   string
	Values []string
	// TEE names the TEE an init_data digest is for when it is not sha256
	// (Trustee checks that TEE binds it in full; a sha256 digest fits every
	// hardware TEE and carries no TEE).
	TEE string `json:"tee,omitempty"`
}

// Change is one line of `cocofy explain`.
type Change struct {
	Object string // Kind/namespace/name
	What   string
	Why    string
}

// Result is what Transform produces.
type Result struct {
	Manifests       []byte
	Uploads         []Upload
	ReferenceValues []ReferenceValue
	Changes         []Change
	// InitData maps each workload (Kind/namespace/name) to its raw initdata TOML.
	InitData map[string][]byte
	// Warnings are problems cocofy did not fix (Pod Security "restricted"
	// without --fix-pod-security); the CLI prints them to stderr.
	Warnings []string
}

// workloadKinds maps a kind to the path of its pod template spec's parent
// (the object holding metadata and spec of the pod).
var workloadKinds = map[string][]string{
	"Pod":         nil,
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// sandboxNamePattern returns the regular expression of the pod names a
// controller of this kind generates, for the agent policy.
func sandboxNamePattern(kind, name string) string {
	q := regexp.QuoteMeta(name)
	switch kind {
	case "Pod":
		return "^" + q + "$"
	case "Deployment":
		return "^" + q + "-[a-z0-9]{1,10}-[a-z0-9]{5}$"
	case "StatefulSet":
		return "^" + q + "-[0-9]+$"
	case "CronJob":
		return "^" + q + "-[0-9]+-[a-z0-9]{5}$"
	case "generateName":
		return "^" + q + "[a-z0-9]+$"
	default:
		return "^" + q + "-[a-z0-9]{5}$"
	}
}

type secretInfo struct {
	namespace, name string
	sealedName      string
	values          map[string]string // key -> sealed string
}

type transformer struct {
	opts     *Options
	keys     *keyDir
	signKey  *ecdsa.PrivateKey
	kid      string
	res      *Result
	secrets  map[string]*secretInfo // ns/name (original and sealed names) -> info
	configs  map[string]map[string]string
	uploaded map[string]bool
	// imageConfigs holds the configs --resolve-digests read, by pinned reference.
	imageConfigs map[string]*ImageConfig
	// targets are the pods whose app port a tls-sidecar fronts.
	targets []sidecarTarget
}

func objID(n *yaml.RNode, ns string) string {
	return n.GetKind() + "/" + ns + "/" + n.GetName()
}

func (t *transformer) namespaceOf(n *yaml.RNode) string {
	if ns := n.GetNamespace(); ns != "" {
		return ns
	}
	if t.opts.Namespace != "" {
		return t.opts.Namespace
	}
	return "default"
}

func (t *transformer) change(obj, what, why string) {
	t.res.Changes = append(t.res.Changes, Change{Object: obj, What: what, Why: why})
}

func (t *transformer) upload(path string, value []byte, what string) {
	if t.uploaded[path] {
		return
	}
	t.uploaded[path] = true
	t.res.Uploads = append(t.res.Uploads, Upload{Path: path, Value: value, What: what})
}

// Transform hardens the multi-document YAML input. It reads and, on first
// use, creates key material in opts.KeyDir, but contacts nobody.
func Transform(opts Options, input []byte) (*Result, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	kd, err := openKeyDir(opts.KeyDir)
	if err != nil {
		return nil, err
	}
	signKey, err := kd.signingKey()
	if err != nil {
		return nil, err
	}
	t := &transformer{
		opts: &opts, keys: kd, signKey: signKey, kid: signingKID(&signKey.PublicKey),
		res:      &Result{InitData: map[string][]byte{}},
		secrets:  map[string]*secretInfo{},
		configs:  map[string]map[string]string{},
		uploaded: map[string]bool{},

		imageConfigs: map[string]*ImageConfig{},
	}
	docs, err := readDocuments(input)
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	jwk, err := sealed.MarshalPublicJWK(&signKey.PublicKey)
	if err != nil {
		return nil, err
	}
	kidURI, _ := sealed.ParseResourceURI(t.kid)
	t.upload(kidURI.Path(), jwk, "sealed-secret verification key (public JWK)")

	// Pass 1: Secrets and ConfigMaps, so references can be resolved.
	var out []document
	for _, d := range docs {
		n := d.node
		switch n.GetKind() {
		case "Secret":
			sn, err := t.sealSecret(n)
			if err != nil {
				return nil, err
			}
			out = append(out, document{node: sn, seqIndent: d.seqIndent})
		case "ConfigMap":
			t.configs[t.namespaceOf(n)+"/"+n.GetName()] = n.GetDataMap()
			out = append(out, d)
		default:
			out = append(out, d)
		}
	}
	// Pass 2: workloads. Services cocofy generated earlier are dropped and
	// regenerated right after their workload, so reruns are stable.
	var final []document
	for _, d := range out {
		n := d.node
		if (n.GetKind() == "Service" || n.GetKind() == "NetworkPolicy") && n.GetAnnotations()[HardenedAnnotation] != "" {
			continue
		}
		final = append(final, d)
		path, ok := workloadKinds[n.GetKind()]
		if !ok {
			continue
		}
		extra, err := t.hardenWorkload(n, path)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.GetKind(), n.GetName(), err)
		}
		for _, e := range extra {
			final = append(final, document{node: e, seqIndent: d.seqIndent})
		}
	}
	final, err = t.dropPlaintextServices(final)
	if err != nil {
		return nil, err
	}
	manifests, err := writeDocuments(final)
	if err != nil {
		return nil, err
	}
	t.res.Manifests = manifests
	sort.Slice(t.res.Uploads, func(i, j int) bool { return t.res.Uploads[i].Path < t.res.Uploads[j].Path })
	return t.res, nil
}

// sealSecret replaces a plaintext Secret by <name>-sealed holding signed
// sealed references, queuing the values for upload. A Secret whose values
// are all sealed already (cocofy's own output, also an empty one) passes
// through unchanged.
func (t *transformer) sealSecret(n *yaml.RNode) (*yaml.RNode, error) {
	ns, name := t.namespaceOf(n), n.GetName()
	if name == "" {
		// Kubernetes refuses it too; sealed, it would become "-sealed",
		// and that again "-sealed-sealed"
		return nil, fmt.Errorf("a Secret in namespace %q has no metadata.name", ns)
	}
	id := "Secret/" + ns + "/" + name
	values, err := secretValues(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	// An empty Secret is cocofy's own output when it carries the sealed-from
	// annotation (a Secret with no values seals to one with none).
	allSealed := len(values) > 0 || n.GetAnnotations()[SealedFromAnnotation] != ""
	anySealed := false
	for _, v := range values {
		if sealed.IsSealed(string(v)) {
			anySealed = true
		} else {
			allSealed = false
		}
	}
	if allSealed {
		info := &secretInfo{namespace: ns, name: name, sealedName: name, values: map[string]string{}}
		for k, v := range values {
			p, err := sealed.Parse(string(v))
			if err != nil {
				return nil, fmt.Errorf("%s key %q: %w", id, k, err)
			}
			if err := p.Verify(&t.signKey.PublicKey); err != nil {
				return nil, fmt.Errorf("%s key %q: not signed by this cocofy key directory: %w", id, k, err)
			}
			info.values[k] = string(v)
		}
		t.secrets[ns+"/"+name] = info
		return n, nil
	}
	if anySealed {
		return nil, fmt.Errorf("%s mixes sealed and plaintext values; seal all or none", id)
	}
	sealedName := name + SealedSuffix
	info := &secretInfo{namespace: ns, name: name, sealedName: sealedName, values: map[string]string{}}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := map[string]string{}
	for _, k := range keys {
		tag := resourceTag(k)
		if other, dup := tags[tag]; dup {
			return nil, fmt.Errorf("%s keys %q and %q map to the same Trustee resource %q; rename one", id, other, k, tag)
		}
		tags[tag] = k
		uri := "kbs:///" + ns + "/" + name + "/" + tag
		ru, err := sealed.ParseResourceURI(uri)
		if err != nil {
			return nil, fmt.Errorf("%s key %q cannot be a Trustee resource name (letters, digits, _ - . only): %w", id, k, err)
		}
		s, err := sealed.Sign(t.signKey, t.kid, sealed.NewVault(uri))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		info.values[k] = s
		t.upload(ru.Path(), values[k], "value of "+id+" key "+k)
	}
	t.secrets[ns+"/"+name] = info
	t.secrets[ns+"/"+sealedName] = info
	t.change(id, "replaced by Secret "+sealedName+" holding signed sealed references (kbs:///"+ns+"/"+name+"/<key>)",
		"the plaintext values go to Trustee only; the guest fetches them after attestation")
	return t.sealedSecretNode(n, sealedName, info.values)
}

// secretValues returns the decoded values of data and stringData.
func secretValues(n *yaml.RNode) (map[string][]byte, error) {
	out := map[string][]byte{}
	for k, v := range n.GetDataMap() {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
		if err != nil {
			return nil, fmt.Errorf("data key %q is not base64", k)
		}
		out[k] = b
	}
	if sd, err := n.Pipe(yaml.Lookup("stringData")); err == nil && sd != nil {
		err := sd.VisitFields(func(f *yaml.MapNode) error {
			out[f.Key.YNode().Value] = []byte(f.Value.YNode().Value)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *transformer) sealedSecretNode(orig *yaml.RNode, name string, values map[string]string) (*yaml.RNode, error) {
	n := yaml.NewMapRNode(nil)
	if err := n.PipeE(yaml.SetField("apiVersion", yaml.NewStringRNode("v1"))); err != nil {
		return nil, err
	}
	if err := n.PipeE(yaml.SetField("kind", yaml.NewStringRNode("Secret"))); err != nil {
		return nil, err
	}
	md, err := n.Pipe(yaml.LookupCreate(yaml.MappingNode, "metadata"))
	if err != nil {
		return nil, err
	}
	if err := md.PipeE(yaml.SetField("name", yaml.NewStringRNode(name))); err != nil {
		return nil, err
	}
	if ns := orig.GetNamespace(); ns != "" {
		if err := md.PipeE(yaml.SetField("namespace", yaml.NewStringRNode(ns))); err != nil {
			return nil, err
		}
	}
	if labels := orig.GetLabels(); len(labels) > 0 {
		if err := n.SetLabels(labels); err != nil {
			return nil, err
		}
	}
	if err := setAnnotation(n, HardenedAnnotation, toolVersion); err != nil {
		return nil, err
	}
	if err := setAnnotation(n, SealedFromAnnotation, orig.GetName()); err != nil {
		return nil, err
	}
	if typ, _ := orig.GetString("type"); typ != "" {
		// The API server validates typed Secrets' contents (a
		// dockerconfigjson must be JSON); sealed references are not, so
		// typed Secrets become Opaque and keep their type in an annotation.
		if typ != "Opaque" {
			if err := setAnnotation(n, SealedTypeAnnotation, typ); err != nil {
				return nil, err
			}
			typ = "Opaque"
		}
		if err := n.PipeE(yaml.SetField("type", yaml.NewStringRNode(typ))); err != nil {
			return nil, err
		}
	}
	sd, err := n.Pipe(yaml.LookupCreate(yaml.MappingNode, "stringData"))
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := sd.PipeE(yaml.SetField(k, yaml.NewStringRNode(values[k]))); err != nil {
			return nil, err
		}
	}
	// Keep the comments above the original document.
	n.YNode().HeadComment = orig.YNode().HeadComment
	if d := orig.Document(); d.Kind == yaml.DocumentNode && d.HeadComment != "" {
		n.YNode().HeadComment = strings.TrimSpace(d.HeadComment + "\n" + n.YNode().HeadComment)
	}
	if c := orig.YNode().Content; len(c) > 0 && c[0].HeadComment != "" {
		n.YNode().Content[0].HeadComment = c[0].HeadComment
	}
	return n, nil
}

// podSpec decodes the pod spec at template (typed, read-only view).
func podSpec(template *yaml.RNode) (*corev1.PodSpec, error) {
	spec, err := template.Pipe(yaml.Lookup("spec"))
	if err != nil || spec == nil {
		return nil, fmt.Errorf("no pod spec")
	}
	return podSpecOf(spec)
}

// podSpecOf decodes a pod spec node.
func podSpecOf(spec *yaml.RNode) (*corev1.PodSpec, error) {
	js, err := stringifySysctls(spec).MarshalJSON()
	if err != nil {
		return nil, err
	}
	var ps corev1.PodSpec
	if err := json.Unmarshal(js, &ps); err != nil {
		return nil, fmt.Errorf("decode pod spec: %w", err)
	}
	return &ps, nil
}

func (t *transformer) hardenWorkload(n *yaml.RNode, path []string) ([]*yaml.RNode, error) {
	ns := t.namespaceOf(n)
	id := objID(n, ns)
	app := n.GetName()
	template := n
	if path != nil {
		var err error
		template, err = n.Pipe(yaml.Lookup(path...))
		if err != nil || template == nil {
			return nil, fmt.Errorf("no pod template at %s", strings.Join(path, "."))
		}
	}
	spec, err := template.Pipe(yaml.Lookup("spec"))
	if err != nil || spec == nil {
		return nil, fmt.Errorf("no pod spec")
	}
	if cur, _ := spec.GetString("runtimeClassName"); cur != t.opts.RuntimeClass {
		if err := spec.PipeE(yaml.SetField("runtimeClassName", yaml.NewStringRNode(t.opts.RuntimeClass))); err != nil {
			return nil, err
		}
		t.change(id, "runtimeClassName: "+t.opts.RuntimeClass, "the pod runs in a confidential VM (Kata / peer pod), not on the untrusted node")
	}
	if err := t.rewriteSecretRefs(id, ns, spec); err != nil {
		return nil, err
	}
	var extra []*yaml.RNode
	// Sidecars run forever, so they go only into long-running workloads: a
	// Job's pod would never complete.
	longRunning := n.GetKind() != "Job" && n.GetKind() != "CronJob"
	if t.opts.Sidecar && longRunning {
		objs, err := t.injectSidecar(id, n, ns, template, spec)
		if err != nil {
			return nil, err
		}
		extra = append(extra, objs...)
	}
	if t.opts.Beacon != "" && longRunning {
		if err := t.injectBeacon(id, ns, app, spec); err != nil {
			return nil, err
		}
	}
	if err := t.podSecurity(id, spec); err != nil {
		return nil, err
	}
	if t.opts.ResolveDigests {
		if err := t.resolveImages(id, spec); err != nil {
			return nil, err
		}
	}
	ps, err := podSpec(template)
	if err != nil {
		return nil, err
	}
	kind := n.GetKind()
	if app == "" {
		// A Pod with metadata.generateName: the API server appends 5 characters.
		if gen, _ := n.Pipe(yaml.Lookup("metadata", "generateName")); gen != nil {
			app, kind = yaml.GetValue(gen), "generateName"
		}
	}
	policy, err := t.agentPolicy(id, kind, app, n.GetNamespace(), template.GetLabels(), ps)
	if err != nil {
		return nil, err
	}
	entries := map[string]string{
		initdata.KeyAA:     t.aaTOML(),
		initdata.KeyCDH:    t.cdhTOML(),
		initdata.KeyPolicy: policy,
	}
	if t.opts.identity() {
		sa := ps.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		w := identity.Workload{Namespace: ns, ServiceAccount: sa}
		if !w.Valid() {
			t.warn(id, fmt.Sprintf("namespace %q or service account %q is not a DNS-1123 label: Trustee's identity CA will refuse to certify the tls-sidecar (rename it)", ns, sa))
		}
		entries[identity.InitDataEntry] = w.InitDataTOML()
	}
	raw, err := initdata.Build(t.opts.Algorithm, entries)
	if err != nil {
		return nil, err
	}
	ann, err := initdata.EncodeAnnotation(raw)
	if err != nil {
		return nil, err
	}
	digest, _ := initdata.Digest(t.opts.Algorithm, raw)
	t.res.InitData[id] = raw
	rvTEE := ""
	if t.opts.Algorithm != "" && t.opts.Algorithm != "sha256" {
		if rvTEE, err = t.opts.tee(); err != nil {
			return nil, err
		}
	}
	t.res.ReferenceValues = appendRV(t.res.ReferenceValues, ReferenceValueName, rvTEE, hex.EncodeToString(digest))
	if template.GetAnnotations()[initdata.AnnotationKey] != ann {
		t.change(id, fmt.Sprintf("annotation %s (initdata, %s %x)", initdata.AnnotationKey, t.opts.Algorithm, digest),
			"aa.toml/cdh.toml point the guest at Trustee "+t.opts.TrusteeURL+"; the agent policy ("+t.opts.PolicyMode+") stops the host from exec, "+logsWord(t.opts.AllowLogs)+" and policy changes; the digest is bound into the hardware report and registered as reference value "+ReferenceValueName)
	}
	if err := setAnnotation(template, initdata.AnnotationKey, ann); err != nil {
		return nil, err
	}
	if t.opts.MachineType != "" {
		if err := setAnnotation(template, MachineTypeAnnotation, t.opts.MachineType); err != nil {
			return nil, err
		}
		t.change(id, "annotation "+MachineTypeAnnotation+": "+t.opts.MachineType, "peer pods: the confidential VM size")
	}
	if err := setAnnotation(template, HardenedAnnotation, toolVersion); err != nil {
		return nil, err
	}
	return extra, nil
}

func logsWord(allow bool) string {
	if allow {
		return "(logs ALLOWED by --allow-logs)"
	}
	return "log reading"
}

func appendRV(rvs []ReferenceValue, name, tee, value string) []ReferenceValue {
	for i := range rvs {
		if rvs[i].Name == name && rvs[i].TEE == tee {
			for _, v := range rvs[i].Values {
				if v == value {
					return rvs
				}
			}
			rvs[i].Values = append(rvs[i].Values, value)
			return rvs
		}
	}
	return append(rvs, ReferenceValue{Name: name, TEE: tee, Values: []string{value}})
}

// rewriteSecretRefs points every Secret reference at the sealed Secret.
func (t *transformer) rewriteSecretRefs(id, ns string, spec *yaml.RNode) error {
	rename := func(field *yaml.RNode, key, where string) error {
		if field == nil {
			return nil
		}
		cur, _ := field.GetString(key)
		if cur == "" {
			return nil
		}
		info, ok := t.secrets[ns+"/"+cur]
		if !ok {
			return fmt.Errorf("%s references Secret %q (%s) which is not in the input: cocofy needs its values to seal and upload them", id, cur, where)
		}
		if cur == info.sealedName {
			return nil
		}
		t.change(id, where+": Secret "+cur+" -> "+info.sealedName, "reference the sealed Secret; the plaintext one is not deployed")
		return field.PipeE(yaml.SetField(key, yaml.NewStringRNode(info.sealedName)))
	}
	{
		elems, err := containerNodes(spec)
		if err != nil {
			return err
		}
		for _, c := range elems {
			cname, _ := c.GetString("name")
			if env, _ := c.Pipe(yaml.Lookup("env")); env != nil {
				items, _ := env.Elements()
				for _, e := range items {
					ref, _ := e.Pipe(yaml.Lookup("valueFrom", "secretKeyRef"))
					ename, _ := e.GetString("name")
					if err := rename(ref, "name", "container "+cname+" env "+ename); err != nil {
						return err
					}
				}
			}
			if envFrom, _ := c.Pipe(yaml.Lookup("envFrom")); envFrom != nil {
				items, _ := envFrom.Elements()
				for _, e := range items {
					ref, _ := e.Pipe(yaml.Lookup("secretRef"))
					if err := rename(ref, "name", "container "+cname+" envFrom"); err != nil {
						return err
					}
				}
			}
		}
	}
	if vols, _ := spec.Pipe(yaml.Lookup("volumes")); vols != nil {
		items, _ := vols.Elements()
		for _, v := range items {
			vname, _ := v.GetString("name")
			sec, _ := v.Pipe(yaml.Lookup("secret"))
			if err := rename(sec, "secretName", "volume "+vname); err != nil {
				return err
			}
			srcs, _ := v.Pipe(yaml.Lookup("projected", "sources"))
			if srcs != nil {
				ps, _ := srcs.Elements()
				for _, s := range ps {
					sec, _ := s.Pipe(yaml.Lookup("secret"))
					if err := rename(sec, "name", "projected volume "+vname); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// setAnnotation sets metadata.annotations[key] as a plain scalar where YAML
// allows it (kyaml quotes every annotation by default).
func setAnnotation(n *yaml.RNode, key, value string) error {
	if err := n.PipeE(yaml.SetAnnotation(key, value)); err != nil {
		return err
	}
	v, err := n.Pipe(yaml.Lookup("metadata", "annotations", key))
	if err != nil || v == nil {
		return err
	}
	v.YNode().Style = 0
	v.YNode().Tag = "!!str"
	return nil
}

// containerNodes returns the init containers and containers of a pod spec.
func containerNodes(spec *yaml.RNode) ([]*yaml.RNode, error) {
	var out []*yaml.RNode
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := spec.Pipe(yaml.Lookup(list))
		if cs == nil {
			continue
		}
		elems, err := cs.Elements()
		if err != nil {
			return nil, err
		}
		out = append(out, elems...)
	}
	return out, nil
}

// resourceTag turns a Secret key into a KBS path segment
// (^[a-zA-Z0-9_-]+[a-zA-Z0-9_.-]*$): leading dots are dropped
// (".dockerconfigjson" → "dockerconfigjson") and other characters become "-".
func resourceTag(key string) string {
	var b strings.Builder
	for _, r := range strings.TrimLeft(key, ".") {
		if r < 0x80 && (r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}
