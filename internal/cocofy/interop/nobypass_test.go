package interop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/testenv"
	"github.com/trustgate/trustgate/internal/tlssidecar"
)

// nonLoopbackIP is an address of this machine other hosts could reach.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address to probe from")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var portSuffix = regexp.MustCompile(`:([0-9]+)$`)

// remap replaces the port at the end of each argument (only the number:
// the host cocofy wrote stays as it is) by its free stand-in.
func remap(args []string, ports map[int]int) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = portSuffix.ReplaceAllStringFunc(a, func(m string) string {
			p, _ := strconv.Atoi(m[1:])
			if q, ok := ports[p]; ok {
				return ":" + strconv.Itoa(q)
			}
			return m
		})
	}
	return out
}

// The hardened hospital example, run as its processes (the deid binary with
// exactly the manifest's command and arguments, the tls-sidecar with the
// manifest's listen addresses, as `trustgate up` runs them): seen from
// another host, the app's own port is closed, the sidecar's port speaks
// only mutual TLS, its health port serves /healthz and nothing of the app,
// no Service reaches the app's port, and the NetworkPolicy admits only the
// sidecar's ports.
func TestNoPlaintextWayAroundTheSidecar(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs deid; skipped with -short")
	}
	in, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "hospital", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keys := keyDir(t)
	opts := cocofy.Options{TrusteeURL: "https://trustee.hospital.example:8080", Offline: true, KeyDir: keys,
		Sidecar: true, SidecarImage: "ghcr.io/trustgate/tls-sidecar@sha256:" + strings.Repeat("5e", 32)}
	res, err := cocofy.Transform(opts, in)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*yaml.RNode
	for _, doc := range regexp.MustCompile(`(?m)^---$`).Split(string(res.Manifests), -1) {
		n, err := yaml.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	var dep appsv1.Deployment
	var policies []networkingv1.NetworkPolicy
	var services []corev1.Service
	for _, n := range nodes {
		js, _ := n.MarshalJSON()
		switch n.GetKind() {
		case "Deployment":
			if err := json.Unmarshal(js, &dep); err != nil {
				t.Fatal(err)
			}
		case "NetworkPolicy":
			var np networkingv1.NetworkPolicy
			if err := json.Unmarshal(js, &np); err != nil {
				t.Fatal(err)
			}
			policies = append(policies, np)
		case "Service":
			var s corev1.Service
			if err := json.Unmarshal(js, &s); err != nil {
				t.Fatal(err)
			}
			services = append(services, s)
		}
	}
	var app, sidecar *corev1.Container
	declared := map[int]bool{}
	for i, c := range dep.Spec.Template.Spec.Containers {
		switch c.Name {
		case "deid":
			app = &dep.Spec.Template.Spec.Containers[i]
		case cocofy.SidecarName:
			sidecar = &dep.Spec.Template.Spec.Containers[i]
		}
		for _, p := range c.Ports {
			declared[int(p.ContainerPort)] = true
		}
	}
	if app == nil || sidecar == nil {
		t.Fatal("hardened example lacks the deid or tls-sidecar container")
	}

	// The manifests: only the sidecar's Service selects the pod, and the
	// NetworkPolicy admits only the sidecar's ports.
	for _, s := range services {
		for _, p := range s.Spec.Ports {
			if s.Spec.Selector["app"] == "deid" && p.TargetPort.IntValue() != cocofy.SidecarPort {
				t.Errorf("Service %s reaches the pod on %s, not the sidecar", s.Name, p.TargetPort.String())
			}
		}
	}
	if len(policies) != 1 || len(policies[0].Spec.Ingress) != 1 || policies[0].Spec.PodSelector.MatchLabels["app"] != "deid" {
		t.Fatalf("want one NetworkPolicy for the deid pods: %+v", policies)
	}
	for _, p := range policies[0].Spec.Ingress[0].Ports {
		if v := p.Port.IntValue(); v != cocofy.SidecarPort && v != cocofy.SidecarPort+1 {
			t.Errorf("NetworkPolicy admits port %d", v)
		}
	}
	if len(policies[0].Spec.Ingress[0].From) != 0 || len(policies[0].Spec.Ingress[0].Ports) == 0 {
		t.Error("NetworkPolicy ingress must list the ports")
	}

	// The processes, each port replaced by a free stand-in.
	ports := map[int]int{}
	for p := range declared {
		ports[p] = freePort(t)
	}
	appArgs := modelStandIn(t, remap(append(append([]string{}, app.Command[1:]...), app.Args...), ports))
	bin := filepath.Join(testenv.Build(t, "./cmd/deid"), "deid")
	proc := testenv.Start(t, nil, bin, appArgs...)
	appAddr := proc.WaitFor(t, regexp.MustCompile(`deid serve listening","addr":"([^"]+)"`))

	// cocofy's default: the sidecar's key is born in it and Trustee's
	// identity CA certifies it; only the client CA is uploaded.
	flags := map[string]string{}
	var dns []string
	for _, a := range remap(sidecar.Args, ports) {
		k, v, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if k == "dns" {
			dns = append(dns, v)
			continue
		}
		flags[k] = v
	}
	if _, ok := flags["identity"]; !ok || flags["cert"] != "" || flags["key"] != "" || len(dns) == 0 {
		t.Fatalf("the hardened example's sidecar is not in identity mode: %q", sidecar.Args)
	}
	material := map[string][]byte{}
	for _, u := range res.Uploads {
		material[u.Path] = u.Value
	}
	ca := identityCA(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serveIdentity(t, ca, res.InitData["Deployment/default/deid"], w, r) {
			return
		}
		b, ok := material[strings.TrimPrefix(r.URL.Path, "/cdh/resource/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer api.Close()
	sc, err := tlssidecar.New(tlssidecar.Config{Listen: flags["listen"], HealthListen: flags["health-listen"],
		Upstream: flags["upstream"], API: api.URL, Identity: true, DNSNames: dns, ClientCAURI: flags["client-ca"],
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-sc.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("sidecar did not start")
	}

	host := nonLoopbackIP(t)
	appPort := strconv.Itoa(ports[8080])
	if !strings.HasPrefix(appAddr, "127.0.0.1:") {
		t.Fatalf("deid listens on %s, want loopback", appAddr)
	}
	// The app is up (inside the pod it answers) …
	if resp, err := http.Get("http://" + appAddr + "/"); err != nil {
		t.Fatalf("the app does not answer on loopback: %v", err)
	} else {
		resp.Body.Close()
	}
	// … but from outside the pod its port is closed.
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(host, appPort), 2*time.Second); err == nil {
		c.Close()
		t.Fatalf("the app's port %s answers on %s: the sidecar can be bypassed", appPort, host)
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial the app from outside: %v, want connection refused", err)
	}

	// Plain HTTP to the sidecar's port gets no app content.
	tlsPort := strconv.Itoa(ports[cocofy.SidecarPort])
	resp, err := http.Get("http://" + net.JoinHostPort(host, tlsPort) + "/")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "HTTPS server") {
			t.Fatalf("plain HTTP to the sidecar: %d %q", resp.StatusCode, b)
		}
	}
	// TLS without a client certificate: refused. The server certificate
	// chains to the identity CA's bundle (cocofy's CA signs only clients).
	pki := filepath.Join(keys, "sidecar", "default", "deid")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.BundlePEM())
	client := func(certs []tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: roots, ServerName: "deid-tls.default.svc", Certificates: certs}}}
	}
	if resp, err := client(nil).Get("https://" + net.JoinHostPort(host, tlsPort) + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("the sidecar answered without a client certificate")
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = client([]tls.Certificate{cert}).Get("https://" + net.JoinHostPort(host, tlsPort) + "/")
	if err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	resp.Body.Close()
	if leaf := resp.TLS.PeerCertificates[0]; len(leaf.URIs) != 1 || leaf.URIs[0].String() != "spiffe://"+identity.DefaultTrustDomain+"/ns/default/sa/default" {
		t.Errorf("server certificate names %v, want the workload's SPIFFE ID", leaf.URIs)
	}
	if resp.Header.Get("Strict-Transport-Security") != tlssidecar.HSTS {
		t.Errorf("no HSTS header: %q", resp.Header.Get("Strict-Transport-Security"))
	}

	// The health port serves /healthz only: nothing of the app.
	healthBase := "http://" + net.JoinHostPort(host, strconv.Itoa(ports[cocofy.SidecarPort+1]))
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/": http.StatusNotFound, "/api/notes": http.StatusNotFound} {
		resp, err := http.Get(healthBase + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("health port %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if len(declared) != 3 {
		t.Errorf("the pod declares ports %v; each must be checked here", declared)
	}
}

// modelStandIn points the app's --model (a directory baked into the real
// image) at a tiny generated model when ONNX Runtime is available, and
// drops the flag otherwise (the rules alone still serve).
func modelStandIn(t *testing.T, args []string) []string {
	t.Helper()
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "--model=") {
			out = append(out, a)
			continue
		}
		if os.Getenv(testenv.ONNXRuntime) == "" {
			t.Logf("%s not set: running deid without %s", testenv.ONNXRuntime, a)
			continue
		}
		dir := t.TempDir()
		if err := onnxgen.WriteTiny(dir, onnxgen.Tiny{Tokens: map[string]string{" Quaxley": "U-PATIENT"}, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		out = append(out, "--model="+dir)
	}
	return out
}
