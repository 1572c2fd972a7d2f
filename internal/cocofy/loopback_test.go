package cocofy

import (
	"strings"
	"testing"
)

func TestLoopbackRewrite(t *testing.T) {
	for _, tt := range []struct {
		in, out string
		found   bool
	}{
		{"--addr=:8080", "--addr=127.0.0.1:8080", true},
		{"--listen=0.0.0.0:8080", "--listen=127.0.0.1:8080", true},
		{"-http=[::]:8080", "-http=127.0.0.1:8080", true},
		{":8080", "127.0.0.1:8080", true},
		{"0.0.0.0:8080", "127.0.0.1:8080", true},
		{"--addr=127.0.0.1:8080", "--addr=127.0.0.1:8080", true},
		{"localhost:8080", "localhost:8080", true},
		{"--addr=:9090", "--addr=:9090", false},
		{"--upstream=db.internal:8080", "--upstream=db.internal:8080", false},
		{"http://0.0.0.0:8080", "http://0.0.0.0:8080", false},
		{"8080", "8080", false},
	} {
		out, found := loopbackRewrite(tt.in, 8080)
		if out != tt.out || found != tt.found {
			t.Errorf("%q: got %q %v, want %q %v", tt.in, out, found, tt.out, tt.found)
		}
	}
}

const loopbackPod = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: hospital
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ghcr.io/hospital/web@sha256:1111111111111111111111111111111111111111111111111111111111111111
        command: ["/web"]
        ARGS
        ports:
        - {containerPort: 8080, name: http}
        - {containerPort: 9090, name: metrics}
        PROBE
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: hospital
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: 9090}
---
apiVersion: v1
kind: Service
metadata:
  name: web-direct
  namespace: hospital
spec:
  selector: {app: web}
  ports:
  - {port: 8080}
`

func TestSidecarLoopback(t *testing.T) {
	harden := func(args, probe string) (string, error) {
		in := strings.Replace(strings.Replace(loopbackPod, "ARGS", args, 1), "PROBE", probe, 1)
		opts := testOptions(t)
		opts.Sidecar, opts.SidecarImage = true, sidecarImage
		res, err := Transform(opts, []byte(in))
		if err != nil {
			return "", err
		}
		again, err := Transform(opts, res.Manifests)
		if err != nil || string(again.Manifests) != string(res.Manifests) {
			t.Fatalf("not idempotent: %v", err)
		}
		return string(res.Manifests), nil
	}
	out, err := harden(`env: [{name: LISTEN_ADDR, value: "0.0.0.0:8080"}]`, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "value: \"127.0.0.1:8080\"") && !strings.Contains(out, "value: 127.0.0.1:8080") {
		t.Errorf("env listen address not rewritten:\n%s", out)
	}
	// The http port of Service web is dropped, metrics stays; web-direct
	// reached only the app's port and is removed.
	if strings.Contains(out, "name: web-direct") || strings.Contains(out, "targetPort: http") || !strings.Contains(out, "targetPort: 9090") {
		t.Errorf("plaintext Services not removed:\n%s", out)
	}
	if !strings.Contains(out, "kind: NetworkPolicy") {
		t.Error("no NetworkPolicy")
	}
	for name, tt := range map[string]struct{ args, probe, want string }{
		"no listen address":     {`args: ["--verbose"]`, "", "cannot see where the app listens on port 8080"},
		"specific address":      {`args: ["--addr=10.1.2.3:8080"]`, "", "cannot see where the app listens"},
		"probe on the app port": {`args: ["--addr=:8080"]`, "readinessProbe: {httpGet: {path: /healthz, port: http}}", "readinessProbe reaches port 8080"},
	} {
		if _, err := harden(tt.args, tt.probe); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
}
