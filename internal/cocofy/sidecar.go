package cocofy

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Key types for the sidecar PKI.
const (
	KeyECDSAP256 = "ecdsa-p256"
	KeyRSA4096   = "rsa4096"
)

// sidecarPaths are the Trustee resources the tls-sidecar fetches.
func sidecarPaths(ns, app string) (cert, key, ca string) {
	base := ns + "/sidecar-tls-" + app + "/"
	return base + "server-cert", base + "server-key", base + "client-ca"
}

func serviceName(app string) string { return app + "-tls" }

// sidecarSANs are the DNS names of the Service plus --san.
func (t *transformer) sidecarSANs(ns, app string) []string {
	svc := serviceName(app)
	sans := []string{svc, svc + "." + ns, svc + "." + ns + ".svc", svc + "." + ns + ".svc.cluster.local"}
	sans = append(sans, t.opts.SANs...)
	sort.Strings(sans)
	return slices.Compact(sans)
}

func (t *transformer) injectSidecar(id string, obj *yaml.RNode, ns string, template, spec *yaml.RNode) ([]*yaml.RNode, error) {
	app := obj.GetName()
	ps, err := podSpec(template)
	if err != nil {
		return nil, err
	}
	port := t.opts.SidecarAppPort
	if port == 0 {
		for _, c := range ps.Containers {
			if c.Name != SidecarName && c.Name != BeaconName && len(c.Ports) > 0 {
				port = int(c.Ports[0].ContainerPort)
				break
			}
		}
	}
	if port == 0 {
		t.change(id, "no tls-sidecar", "the workload declares no containerPort (pass --sidecar-app-port to force one)")
		return nil, nil
	}
	labels := template.GetLabels()
	if len(labels) == 0 {
		return nil, fmt.Errorf("--sidecar needs pod labels to select the pods from its Service")
	}
	if err := t.bindToLoopback(id, spec, ps, port); err != nil {
		return nil, err
	}
	for _, c := range ps.Containers {
		for _, p := range c.Ports {
			if int(p.ContainerPort) != port && c.Name != SidecarName {
				t.warn(id, fmt.Sprintf("container %s port %d is not behind the tls-sidecar: the NetworkPolicy keeps other pods out, not the node; make it listen on 127.0.0.1 unless it may be read in clear", c.Name, p.ContainerPort))
			}
		}
	}
	t.targets = append(t.targets, sidecarTarget{namespace: ns, labels: labels, port: port, names: portNames(ps, port)})
	certPath, keyPath, caPath := sidecarPaths(ns, app)
	pki, err := t.sidecarPKI(ns, app)
	if err != nil {
		return nil, err
	}
	args := []string{
		"--listen=:" + strconv.Itoa(SidecarPort),
		"--upstream=http://127.0.0.1:" + strconv.Itoa(port),
	}
	if t.opts.identity() {
		// The key is born in the sidecar; Trustee certifies it after each
		// attestation. Only the client CA is uploaded.
		args = append(args, "--identity")
		for _, san := range t.sidecarSANs(ns, app) {
			args = append(args, "--dns="+san)
		}
	} else {
		t.upload(certPath, pki.serverCert, "tls-sidecar server certificate for "+id)
		t.upload(keyPath, pki.serverKey, "tls-sidecar server private key for "+id)
		args = append(args, "--cert=kbs:///"+certPath, "--key=kbs:///"+keyPath)
		t.warn(id, "--uploaded-server-key is deprecated: the sidecar's server key was made here and uploaded to Trustee, so it exists outside the TEE "+
			"(this key directory, Trustee's store, any offline bundle); drop the flag to have the key born in the TEE and certified by Trustee's identity CA "+
			"(docs/tls-sidecar.md, \"Migration from uploaded keys\")")
	}
	t.upload(caPath, pki.caCert, "tls-sidecar client CA for "+id)
	args = append(args, "--client-ca=kbs:///"+caPath, "--health-listen=:"+strconv.Itoa(SidecarPort+1))
	c := container{
		Name: SidecarName, Image: t.opts.SidecarImage, Command: []string{"/tls-sidecar"}, Args: args,
		Ports:           []containerPort{{Name: "https", ContainerPort: SidecarPort}, {Name: "sidecar-health", ContainerPort: SidecarPort + 1}},
		ReadinessProbe:  &probe{HTTPGet: httpGet{Path: "/healthz", Port: SidecarPort + 1}},
		SecurityContext: restricted(),
	}
	if err := upsertContainer(spec, c); err != nil {
		return nil, err
	}
	why := "clients need a certificate from the client CA; the server key is generated inside the TEE and Trustee's identity CA certifies it (1 h) after each attestation"
	if !t.opts.identity() {
		why = "clients need a certificate from the client CA; the server key (made by cocofy, --uploaded-server-key) comes from Trustee only after attestation"
	}
	t.change(id, "container "+SidecarName+" (mTLS on :"+strconv.Itoa(SidecarPort)+" -> 127.0.0.1:"+strconv.Itoa(port)+")", why)

	svc := service{APIVersion: "v1", Kind: "Service",
		Metadata: meta{Name: serviceName(app), Namespace: obj.GetNamespace(), Annotations: map[string]string{HardenedAnnotation: toolVersion}},
		Spec: serviceSpec{Type: "ClusterIP", Selector: labels,
			Ports: []servicePort{{Name: "https", Port: SidecarPort, TargetPort: SidecarPort, Protocol: "TCP"}}},
	}
	node, err := nodeFrom(svc)
	if err != nil {
		return nil, err
	}
	t.change("Service/"+ns+"/"+serviceName(app), "added", "exposes the tls-sidecar; SANs "+strings.Join(t.sidecarSANs(ns, app), ", "))
	np := networkPolicy{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy",
		Metadata: meta{Name: app + "-tls-only", Namespace: obj.GetNamespace(), Annotations: map[string]string{HardenedAnnotation: toolVersion}},
		Spec: networkPolicySpec{PodSelector: labelSelector{MatchLabels: labels}, PolicyTypes: []string{"Ingress"},
			Ingress: []networkPolicyIngress{{Ports: []networkPolicyPort{{Protocol: "TCP", Port: SidecarPort}, {Protocol: "TCP", Port: SidecarPort + 1}}}}},
	}
	npNode, err := nodeFrom(np)
	if err != nil {
		return nil, err
	}
	t.change("NetworkPolicy/"+ns+"/"+np.Metadata.Name, "added",
		"admits only the tls-sidecar's ports ("+strconv.Itoa(SidecarPort)+" mTLS, "+strconv.Itoa(SidecarPort+1)+" /healthz) into the pods")
	return []*yaml.RNode{node, npNode}, nil
}

func (t *transformer) injectBeacon(id, ns, app string, spec *yaml.RNode) error {
	args := []string{"--dashboard=" + t.opts.Beacon}
	// The app's image digest lets the dashboard show what runs; the beacon
	// cannot carry the initdata digest, which covers its own arguments.
	if ps, err := podSpecOf(spec); err == nil {
		for _, c := range ps.Containers {
			if c.Name == SidecarName || c.Name == BeaconName {
				continue
			}
			if _, d, ok := strings.Cut(c.Image, "@"); ok {
				args = append(args, "--image-digest="+d)
			}
			break
		}
	}
	c := container{
		Name: BeaconName, Image: t.opts.BeaconImage, Command: []string{"/beacon"}, Args: args,
		Env: []envVar{
			{Name: "POD_NAME", ValueFrom: &envSource{FieldRef: fieldRef{FieldPath: "metadata.name"}}},
			{Name: "POD_NAMESPACE", ValueFrom: &envSource{FieldRef: fieldRef{FieldPath: "metadata.namespace"}}},
		},
		SecurityContext: restricted(),
	}
	if err := upsertContainer(spec, c); err != nil {
		return err
	}
	t.change(id, "container "+BeaconName+" reporting to "+t.opts.Beacon, "the dashboard sees liveness and attestation status, proven with the attestation token")
	return nil
}

// nodeFrom converts a plain value into a YAML node with sorted map keys.
func nodeFrom(v any) (*yaml.RNode, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.Parse(string(b))
}

// upsertContainer replaces the container of the same name or appends it.
func upsertContainer(spec *yaml.RNode, c container) error {
	node, err := nodeFrom(c)
	if err != nil {
		return err
	}
	cs, err := spec.Pipe(yaml.LookupCreate(yaml.SequenceNode, "containers"))
	if err != nil {
		return err
	}
	seq := cs.YNode()
	for i, e := range seq.Content {
		if en := yaml.NewRNode(e); en != nil {
			if name, _ := en.GetString("name"); name == c.Name {
				seq.Content[i] = node.YNode()
				return nil
			}
		}
	}
	seq.Content = append(seq.Content, node.YNode())
	return nil
}

type sidecarPKI struct {
	caCert, serverCert, serverKey, clientCert, clientKey, clientP12 []byte
}

func (t *transformer) sidecarPKI(ns, app string) (*sidecarPKI, error) {
	dir := "sidecar/" + ns + "/" + app + "/"
	keyType := t.opts.KeyType
	caKeyPEM, _, err := t.keys.readOrCreate(dir+"ca-key.pem", func() ([]byte, error) { return newKeyPEM(keyType) })
	if err != nil {
		return nil, err
	}
	caKey, err := parseKeyPEM(caKeyPEM)
	if err != nil {
		return nil, err
	}
	caCertPEM, _, err := t.keys.readOrCreate(dir+"ca.pem", func() ([]byte, error) {
		return issue(caKey, nil, nil, &x509.Certificate{
			Subject: pkix.Name{CommonName: "trustgate tls-sidecar client CA " + ns + "/" + app}, IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}, 10*365*24*time.Hour)
	})
	if err != nil {
		return nil, err
	}
	caCert, err := parseCertPEM(caCertPEM)
	if err != nil {
		return nil, err
	}
	out := &sidecarPKI{caCert: caCertPEM}
	if err := t.serverPKI(out, dir, ns, app, caKey, caCert); err != nil {
		return nil, err
	}
	return t.clientPKI(out, dir, ns, app, caKey, caCert)
}

// serverPKI makes the server key and certificate, only with the deprecated
// --uploaded-server-key: by default the key is born in the TEE.
func (t *transformer) serverPKI(out *sidecarPKI, dir, ns, app string, caKey crypto.Signer, caCert *x509.Certificate) error {
	if t.opts.identity() {
		return nil
	}
	keyType := t.opts.KeyType
	sans := t.sidecarSANs(ns, app)
	// The server certificate is reissued when its SANs or key type change.
	tag := fmt.Sprintf("%s-%x", keyType, sha256.Sum256([]byte(strings.Join(sans, ","))))[:len(keyType)+17]
	var err error
	out.serverKey, _, err = t.keys.readOrCreate(dir+"server-key-"+tag+".pem", func() ([]byte, error) { return newKeyPEM(keyType) })
	if err != nil {
		return err
	}
	serverKey, err := parseKeyPEM(out.serverKey)
	if err != nil {
		return err
	}
	out.serverCert, _, err = t.keys.readOrCreate(dir+"server-"+tag+".pem", func() ([]byte, error) {
		return issue(caKey, caCert, serverKey, &x509.Certificate{
			Subject: pkix.Name{CommonName: serviceName(app)}, DNSNames: sans,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}, 2*365*24*time.Hour)
	})
	return err
}

// clientPKI makes the hospital users' client certificate, key and .p12.
func (t *transformer) clientPKI(out *sidecarPKI, dir, ns, app string, caKey crypto.Signer, caCert *x509.Certificate) (*sidecarPKI, error) {
	keyType := t.opts.KeyType
	var err error
	out.clientKey, _, err = t.keys.readOrCreate(dir+"client-key.pem", func() ([]byte, error) { return newKeyPEM(keyType) })
	if err != nil {
		return nil, err
	}
	clientKey, err := parseKeyPEM(out.clientKey)
	if err != nil {
		return nil, err
	}
	out.clientCert, _, err = t.keys.readOrCreate(dir+"client.pem", func() ([]byte, error) {
		return issue(caKey, caCert, clientKey, &x509.Certificate{
			Subject:  pkix.Name{CommonName: "trustgate client for " + ns + "/" + app},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, 2*365*24*time.Hour)
	})
	if err != nil {
		return nil, err
	}
	clientCert, err := parseCertPEM(out.clientCert)
	if err != nil {
		return nil, err
	}
	password, _, err := t.keys.readOrCreate(dir+"client.p12.password", func() ([]byte, error) {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		return []byte(hex.EncodeToString(b) + "\n"), nil
	})
	if err != nil {
		return nil, err
	}
	out.clientP12, _, err = t.keys.readOrCreate(dir+"client.p12", func() ([]byte, error) {
		return encodeP12(clientKey, clientCert, caCert, strings.TrimSpace(string(password)))
	})
	if err != nil {
		return nil, err
	}
	t.change("Secret material (not in the output)", "client certificate, key and .p12 for "+ns+"/"+app+" in "+t.keys.path(dir),
		"give them to the users' browsers; they never go to git")
	return out, nil
}

func newKeyPEM(keyType string) ([]byte, error) {
	var key crypto.Signer
	var err error
	if keyType == KeyRSA4096 {
		key, err = rsa.GenerateKey(rand.Reader, 4096)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", keyType, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func parseKeyPEM(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("parse key: want a PRIVATE KEY PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("parse key: not a signing key")
	}
	return s, nil
}

func parseCertPEM(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("parse certificate: no CERTIFICATE PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// issue signs tmpl with caKey; a nil parent makes it self-signed (subject key = caKey).
func issue(caKey crypto.Signer, parent *x509.Certificate, subjectKey crypto.Signer, tmpl *x509.Certificate, validity time.Duration) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-5 * time.Minute)
	tmpl.NotAfter = tmpl.NotBefore.Add(validity)
	if parent == nil {
		parent, subjectKey = tmpl, caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, subjectKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("issue certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	var buf bytes.Buffer
	pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	return buf.Bytes(), nil
}

// Ordered shapes of what cocofy injects, so the YAML reads naturally
// (name first); the field names follow k8s.io/api.
type container struct {
	Name            string           `yaml:"name"`
	Image           string           `yaml:"image"`
	Command         []string         `yaml:"command,omitempty"`
	Args            []string         `yaml:"args,omitempty"`
	Env             []envVar         `yaml:"env,omitempty"`
	Ports           []containerPort  `yaml:"ports,omitempty"`
	ReadinessProbe  *probe           `yaml:"readinessProbe,omitempty"`
	SecurityContext *securityContext `yaml:"securityContext,omitempty"`
}

type envVar struct {
	Name      string     `yaml:"name"`
	ValueFrom *envSource `yaml:"valueFrom,omitempty"`
}

type envSource struct {
	FieldRef fieldRef `yaml:"fieldRef"`
}

type fieldRef struct {
	FieldPath string `yaml:"fieldPath"`
}

type containerPort struct {
	Name          string `yaml:"name"`
	ContainerPort int    `yaml:"containerPort"`
}

type probe struct {
	HTTPGet httpGet `yaml:"httpGet"`
}

type httpGet struct {
	Path string `yaml:"path"`
	Port int    `yaml:"port"`
}

type securityContext struct {
	AllowPrivilegeEscalation bool           `yaml:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   bool           `yaml:"readOnlyRootFilesystem"`
	RunAsNonRoot             bool           `yaml:"runAsNonRoot"`
	RunAsUser                int            `yaml:"runAsUser"`
	Capabilities             capabilities   `yaml:"capabilities"`
	SeccompProfile           seccompProfile `yaml:"seccompProfile"`
}

type capabilities struct {
	Drop []string `yaml:"drop"`
}

type seccompProfile struct {
	Type string `yaml:"type"`
}

// restricted is the securityContext of every container cocofy injects: it
// meets Pod Security "restricted".
func restricted() *securityContext {
	return &securityContext{ReadOnlyRootFilesystem: true, RunAsNonRoot: true, RunAsUser: 65532,
		Capabilities: capabilities{Drop: []string{"ALL"}}, SeccompProfile: seccompProfile{Type: "RuntimeDefault"}}
}

type networkPolicy struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Spec       networkPolicySpec `yaml:"spec"`
}

type networkPolicySpec struct {
	PodSelector labelSelector          `yaml:"podSelector"`
	PolicyTypes []string               `yaml:"policyTypes"`
	Ingress     []networkPolicyIngress `yaml:"ingress"`
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type networkPolicyIngress struct {
	Ports []networkPolicyPort `yaml:"ports"`
}

type networkPolicyPort struct {
	Protocol string `yaml:"protocol"`
	Port     int    `yaml:"port"`
}

type service struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   meta        `yaml:"metadata"`
	Spec       serviceSpec `yaml:"spec"`
}

type meta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type serviceSpec struct {
	Type     string            `yaml:"type"`
	Selector map[string]string `yaml:"selector"`
	Ports    []servicePort     `yaml:"ports"`
}

type servicePort struct {
	Name       string `yaml:"name"`
	Port       int    `yaml:"port"`
	TargetPort int    `yaml:"targetPort"`
	Protocol   string `yaml:"protocol"`
}
