package cocofy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// MaxInputSize bounds the manifests cocofy reads.
const MaxInputSize = 16 << 20

// document is one YAML document with the sequence indent style it was written in.
type document struct {
	node      *yaml.RNode
	seqIndent string
}

var separator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// readDocuments splits multi-document YAML and parses each document with
// kyaml (comments and field order kept). Empty documents are dropped.
func readDocuments(input []byte) ([]document, error) {
	if len(input) > MaxInputSize {
		return nil, fmt.Errorf("manifests too large (%d bytes, limit %d)", len(input), MaxInputSize)
	}
	text := strings.ReplaceAll(string(input), "\r\n", "\n")
	locs := separator.FindAllStringIndex(text, -1)
	var parts []string
	prev := 0
	for _, l := range locs {
		parts = append(parts, text[prev:l[0]])
		prev = l[1]
	}
	parts = append(parts, text[prev:])
	var docs []document
	for i, p := range parts {
		dec := yaml.NewDecoder(strings.NewReader(p))
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("document %d: unexpected content after the document", i+1)
		}
		rn := yaml.NewRNode(&n)
		if rn.YNode().Kind != yaml.MappingNode {
			return nil, fmt.Errorf("document %d: want a Kubernetes object (a mapping)", i+1)
		}
		if err := checkShape(rn); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		docs = append(docs, document{node: rn, seqIndent: yaml.DeriveSeqIndentStyle(p)})
	}
	return docs, nil
}

// writeDocuments writes the documents separated by ---, each in its own
// sequence indent style.
func writeDocuments(docs []document) ([]byte, error) {
	var buf bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoderWithOptions(&buf, &yaml.EncoderOptions{SeqIndent: yaml.SequenceIndentStyle(d.seqIndent)})
		if err := enc.Encode(d.node.Document()); err != nil {
			return nil, fmt.Errorf("write %s %s: %w", d.node.GetKind(), d.node.GetName(), err)
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// checkShape decodes the document into its k8s.io/api type (leniently:
// unknown fields pass, wrong types do not), so that the YAML edits that
// follow only ever see well-formed objects. Errors name the object.
func checkShape(rn *yaml.RNode) error {
	js, err := stringifySysctls(rn).MarshalJSON()
	if err != nil {
		return err
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
		} `json:"metadata"`
		Spec struct {
			Template    json.RawMessage `json:"template"`
			JobTemplate json.RawMessage `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(js, &tm); err != nil || tm.Kind == "" {
		return errors.New("not a Kubernetes object (no kind)")
	}
	what := tm.Kind
	if tm.Metadata.Name != "" {
		what += " " + tm.Metadata.Name
	}
	switch {
	case tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List"):
		return fmt.Errorf("%s: cocofy does not expand lists; write each item as its own document (separated by ---)", what)
	case tm.APIVersion == "":
		return fmt.Errorf("%s: no apiVersion", what)
	case tm.Metadata.Name == "" && !(tm.Kind == "Pod" && tm.Metadata.GenerateName != ""):
		return fmt.Errorf("%s: no metadata.name", what)
	}
	into := TypedObject(tm.Kind)
	if _, generic := into.(*GenericObject); generic && (len(tm.Spec.Template) > 0 || len(tm.Spec.JobTemplate) > 0) {
		return fmt.Errorf("%s: kind %s holds a pod template cocofy does not harden (its pods would run outside a confidential VM); use a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod", what, tm.Kind)
	}
	if err := json.Unmarshal(js, into); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, workload := workloadKinds[tm.Kind]; workload {
		if err := checkPodShape(rn, tm.Kind); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// checkPodShape refuses a workload whose pod has no containers, or a
// container without a name or image.
func checkPodShape(rn *yaml.RNode, kind string) error {
	tmpl := rn
	if path := workloadKinds[kind]; path != nil {
		t, err := rn.Pipe(yaml.Lookup(path...))
		if err != nil || t == nil {
			return fmt.Errorf("no pod template at %s", strings.Join(path, "."))
		}
		tmpl = t
	}
	spec, _ := tmpl.Pipe(yaml.Lookup("spec"))
	if spec == nil {
		return errors.New("no pod spec")
	}
	ps, err := podSpecOf(spec)
	if err != nil {
		return err
	}
	if len(ps.Containers) == 0 {
		return errors.New("the pod has no containers")
	}
	for _, c := range append(append([]corev1.Container{}, ps.InitContainers...), ps.Containers...) {
		if c.Name == "" {
			return errors.New("a container has no name")
		}
		if c.Image == "" {
			return fmt.Errorf("container %s has no image", c.Name)
		}
	}
	return nil
}

// TypedObject returns a new k8s.io/api value for kind; for kinds cocofy does
// not edit, a struct holding only the metadata it reads.
func TypedObject(kind string) any {
	switch kind {
	case "Pod":
		return &corev1.Pod{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "Job":
		return &batchv1.Job{}
	case "CronJob":
		return &batchv1.CronJob{}
	case "Secret":
		return &corev1.Secret{}
	case "ConfigMap":
		return &corev1.ConfigMap{}
	case "Service":
		return &corev1.Service{}
	case "NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	}
	return &GenericObject{}
}

// GenericObject is the metadata cocofy reads from objects it does not edit.
type GenericObject struct {
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// stringifySysctls returns a copy of n in which every sysctl value is a
// string: the API types hold strings, and YAML users often write numbers
// (value: 1), which the API server and genpolicy accept.
func stringifySysctls(n *yaml.RNode) *yaml.RNode {
	c := n.Copy()
	var walk func(y *yaml.Node)
	walk = func(y *yaml.Node) {
		if y.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(y.Content); i += 2 {
				if y.Content[i].Value == "sysctls" && y.Content[i+1].Kind == yaml.SequenceNode {
					for _, it := range y.Content[i+1].Content {
						if v, _ := yaml.NewRNode(it).Pipe(yaml.Lookup("value")); v != nil && v.YNode().Kind == yaml.ScalarNode {
							v.YNode().Tag = "!!str"
						}
					}
				}
			}
		}
		for _, ch := range y.Content {
			walk(ch)
		}
	}
	walk(c.YNode())
	return c
}
