package cocofy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/sealed"
)

type goldenCase struct {
	name, input string
	opts        func(*Options)
}

var goldenCases = []goldenCase{
	{name: "deid.yaml", input: "deid.yaml"},
	{name: "deid-sidecar.yaml", input: "deid.yaml", opts: func(o *Options) {
		o.Sidecar, o.SidecarImage, o.SANs = true, sidecarImage, []string{"deid.hospital.example"}
		o.Beacon, o.BeaconImage = "https://dashboard.hospital.example", beaconImage
		o.MachineType = "Standard_DC4as_v5"
	}},
	{name: "deid-allow-logs.yaml", input: "deid.yaml", opts: func(o *Options) { o.AllowLogs = true }},
	{name: "kinds.yaml", input: "kinds.yaml", opts: func(o *Options) {
		o.PolicyMode, o.RuntimeClass, o.Namespace = agentpolicy.Hardened, "kata-cc", "apps"
	}},
}

func (c goldenCase) options(t *testing.T) Options {
	o := testOptions(t)
	if c.opts != nil {
		c.opts(&o)
	}
	return o
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Transform(c.options(t), readInput(t, c.input))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", c.name)
			if *update {
				if err := os.WriteFile(golden, res.Manifests, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(res.Manifests, want) {
				t.Fatalf("output differs from %s (run go test -update after reviewing):\n%s", golden, res.Manifests)
			}
			// Comments of the input survive.
			if c.input == "deid.yaml" {
				for _, comment := range []string{"# De-identification service for clinical notes.", "# two replicas for availability", "# The web app and NER model.", "# Exports metrics.", "# nightly"} {
					if !bytes.Contains(res.Manifests, []byte(comment)) {
						t.Errorf("comment %q lost", comment)
					}
				}
			}
		})
	}
}

// Applying cocofy to its own output changes nothing, and two runs on the
// same input are byte-identical.
func TestIdempotentAndDeterministic(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.options(t)
			in := readInput(t, c.input)
			first, err := Transform(opts, in)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Transform(opts, in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Manifests, again.Manifests) {
				t.Fatal("two runs differ")
			}
			second, err := Transform(opts, first.Manifests)
			if err != nil {
				t.Fatalf("cocofy on its own output: %v", err)
			}
			if !bytes.Equal(first.Manifests, second.Manifests) {
				t.Fatalf("not idempotent:\n--- first\n%s\n--- second\n%s", first.Manifests, second.Manifests)
			}
		})
	}
}

func TestApplyTwiceByteIdentical(t *testing.T) {
	opts := testOptions(t)
	opts.Sidecar, opts.SidecarImage = true, sidecarImage
	in := readInput(t, "deid.yaml")
	base := t.TempDir()
	var outs [2][]byte
	var bundles [2][]byte
	for i := range 2 {
		dir := filepath.Join(base, "out"+string(rune('a'+i)))
		ar, err := Apply(context.Background(), opts, in, "testdata/in/deid.yaml", dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		outs[i], _ = os.ReadFile(filepath.Join(dir, "deid.yaml"))
		bundles[i], _ = os.ReadFile(ar.BundlePath)
	}
	if len(outs[0]) == 0 || !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("apply twice: output differs")
	}
	if !bytes.Equal(bundles[0], bundles[1]) {
		t.Fatal("apply twice: bundle differs")
	}
}

// Every output document decodes strictly into its k8s.io/api type.
func TestOutputDecodesStrictly(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Transform(c.options(t), readInput(t, c.input))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := readDocuments(res.Manifests)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				into := TypedObject(d.node.GetKind())
				if _, generic := into.(*GenericObject); generic {
					t.Fatalf("unexpected kind %s", d.node.GetKind())
				}
				if err := strictDecode(docJSON(t, d.node), into); err != nil {
					t.Errorf("%s %s: %v", d.node.GetKind(), d.node.GetName(), err)
				}
			}
		})
	}
}

// No plaintext secret value (nor its base64) appears anywhere in the
// output directory; the bundle, outside it, holds them.
func TestNoSecretValueInOutputDir(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			in := readInput(t, c.input)
			secrets := plaintextSecrets(t, in)
			if len(secrets) == 0 {
				t.Fatal("fixture has no secrets")
			}
			out := filepath.Join(t.TempDir(), "out")
			ar, err := Apply(context.Background(), c.options(t), in, c.input, out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if inside, _ := isInside(ar.BundlePath, out); inside {
				t.Fatalf("bundle %s inside output dir", ar.BundlePath)
			}
			var files int
			err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				for name, v := range secrets {
					forms := []string{v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))}
					if hit := containsAny(string(b), forms...); hit != "" {
						t.Errorf("%s: value of %s found in the output", p, name)
					}
				}
				return nil
			})
			if err != nil || files == 0 {
				t.Fatalf("walk: %v, %d files", err, files)
			}
			bundle, err := os.ReadFile(ar.BundlePath)
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := kbsadmin.ParseBundle(bundle, nil) // as trustee reads it
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range b.Resources {
				v, _ := base64.StdEncoding.DecodeString(r.Value)
				got[r.Path] = string(v)
			}
			for name, v := range secrets {
				secret, key, _ := strings.Cut(name, "/")
				ns := "default"
				if c.input == "deid.yaml" {
					ns = "hospital"
				} else if c.name == "kinds.yaml" {
					ns = "apps"
				}
				if got[ns+"/"+secret+"/"+key] != v {
					t.Errorf("bundle lacks %s/%s", ns, name)
				}
			}
		})
	}
}

func TestBundleInsideOutputRefused(t *testing.T) {
	opts := testOptions(t)
	out := t.TempDir()
	for _, b := range []string{filepath.Join(out, "bundle.json"), filepath.Join(out, "sub", "..", "x.json"), out} {
		opts.BundlePath = b
		if _, err := Apply(context.Background(), opts, readInput(t, "deid.yaml"), "deid.yaml", out, nil); err == nil || !strings.Contains(err.Error(), "inside the output directory") {
			t.Errorf("bundle %s: err = %v", b, err)
		}
	}
	// Through a symbolic link too.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(out, link); err != nil {
		t.Fatal(err)
	}
	opts.BundlePath = filepath.Join(link, "b.json")
	if _, err := Apply(context.Background(), opts, readInput(t, "deid.yaml"), "deid.yaml", out, nil); err == nil {
		t.Error("bundle through symlink into output accepted")
	}
}

// Sealed secrets cocofy writes verify with internal/sealed against the key
// directory's public key (as published to Trustee), name the uploaded
// resource, and fail with any one byte changed.
func TestSealedSecretsVerify(t *testing.T) {
	opts := testOptions(t)
	res, err := Transform(opts, readInput(t, "deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	uploads := map[string][]byte{}
	for _, u := range res.Uploads {
		uploads[u.Path] = u.Value
	}
	// The verification key is published as a public JWK at the kid resource.
	var n int
	for _, obj := range objects(t, res.Manifests) {
		if obj["kind"] != "Secret" {
			continue
		}
		for key, v := range obj["stringData"].(map[string]any) {
			s := v.(string)
			p, err := sealed.Parse(s)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			kidURI, err := sealed.ParseResourceURI(p.Header.Kid)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := sealed.ParsePublicKey(uploads[kidURI.Path()])
			if err != nil {
				t.Fatalf("published key: %v", err)
			}
			sec, err := openSealed(s, pub)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			ru, _ := sealed.ParseResourceURI(sec.Name)
			if _, ok := uploads[ru.Path()]; !ok {
				t.Errorf("%s names %s, which is not uploaded", key, sec.Name)
			}
			for i := len(sealed.Prefix); i < len(s); i += 7 {
				b := []byte(s)
				if b[i] == '.' {
					continue
				}
				b[i] ^= 1
				if _, err := openSealed(string(b), pub); err == nil {
					t.Fatalf("%s with byte %d changed verified", key, i)
				}
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("checked %d sealed values, want 4", n)
	}
}

// The digest cocofy registers is the digest of the annotation it wrote.
func TestRegisteredDigestMatchesAnnotation(t *testing.T) {
	res, err := Transform(testOptions(t), readInput(t, "deid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, obj := range objects(t, res.Manifests) {
		tmpl := podTemplate(obj)
		if tmpl == nil {
			continue
		}
		ann := tmpl["metadata"].(map[string]any)["annotations"].(map[string]any)[initdata.AnnotationKey].(string)
		d, err := initdata.ParseAnnotation(ann)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, hex.EncodeToString(d.Digest()))
		if !strings.Contains(d.Data[initdata.KeyAA], testTrusteeURL) || !strings.Contains(d.Data[initdata.KeyCDH], "image_security_policy_uri") {
			t.Errorf("aa.toml/cdh.toml do not point at Trustee:\n%s\n%s", d.Data[initdata.KeyAA], d.Data[initdata.KeyCDH])
		}
		if !strings.Contains(d.Data[initdata.KeyAA], "BEGIN CERTIFICATE") {
			t.Error("aa.toml lacks the Trustee certificate")
		}
	}
	if len(res.ReferenceValues) != 1 || res.ReferenceValues[0].Name != ReferenceValueName {
		t.Fatalf("reference values %+v", res.ReferenceValues)
	}
	want := res.ReferenceValues[0].Values
	if len(got) != 2 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("annotation digests %v, registered %v", got, want)
	}
}

func podTemplate(obj map[string]any) map[string]any {
	get := func(m map[string]any, path ...string) map[string]any {
		for _, p := range path {
			next, ok := m[p].(map[string]any)
			if !ok {
				return nil
			}
			m = next
		}
		return m
	}
	switch obj["kind"] {
	case "Pod":
		return obj
	case "CronJob":
		return get(obj, "spec", "jobTemplate", "spec", "template")
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		return get(obj, "spec", "template")
	}
	return nil
}

func TestSidecarPKI(t *testing.T) {
	for _, keyType := range []string{KeyECDSAP256, KeyRSA4096} {
		t.Run(keyType, func(t *testing.T) {
			if keyType == KeyRSA4096 && testing.Short() {
				t.Skip("RSA-4096 key generation is slow")
			}
			opts := testOptions(t)
			// The deprecated --uploaded-server-key: cocofy makes the server
			// certificate too (the default, identity mode, in identity_test.go).
			opts.Sidecar, opts.SidecarImage, opts.SANs, opts.KeyType = true, sidecarImage, []string{"deid.hospital.example"}, keyType
			opts.UploadedServerKey = true
			res, err := Transform(opts, readInput(t, "deid.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			up := map[string][]byte{}
			for _, u := range res.Uploads {
				up[u.Path] = u.Value
			}
			certPEM, keyPEM, caPEM := up["hospital/sidecar-tls-deid/server-cert"], up["hospital/sidecar-tls-deid/server-key"], up["hospital/sidecar-tls-deid/client-ca"]
			if certPEM == nil || keyPEM == nil || caPEM == nil {
				t.Fatalf("sidecar material not uploaded: %v", res.Uploads)
			}
			cert, err := parseCertPEM(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			for _, san := range []string{"deid-tls", "deid-tls.hospital.svc", "deid-tls.hospital.svc.cluster.local", "deid.hospital.example"} {
				if err := cert.VerifyHostname(san); err != nil {
					t.Errorf("server cert: %v", err)
				}
			}
			ca, _ := parseCertPEM(caPEM)
			pool := x509.NewCertPool()
			pool.AddCert(ca)
			dir := filepath.Join(opts.KeyDir, "sidecar", "hospital", "deid")
			clientPEM, _ := os.ReadFile(filepath.Join(dir, "client.pem"))
			client, err := parseCertPEM(clientPEM)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Fatalf("client cert not from the client CA: %v", err)
			}
			p12, _ := os.ReadFile(filepath.Join(dir, "client.p12"))
			pw, _ := os.ReadFile(filepath.Join(dir, "client.p12.password"))
			key, c, _, err := pkcs12.DecodeChain(p12, strings.TrimSpace(string(pw)))
			if err != nil || !c.Equal(client) || key == nil {
				t.Fatalf("p12: %v", err)
			}
			wantAlg := x509.ECDSA
			if keyType == KeyRSA4096 {
				wantAlg = x509.RSA
			}
			if client.PublicKeyAlgorithm != wantAlg || cert.PublicKeyAlgorithm != wantAlg {
				t.Fatalf("key type %v, want %v", client.PublicKeyAlgorithm, wantAlg)
			}
			if fi, _ := os.Stat(filepath.Join(dir, "client-key.pem")); fi.Mode().Perm() != 0o600 {
				t.Errorf("client key mode %v", fi.Mode())
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
		opts              func(*Options)
	}{
		{"missing secret", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x@sha256:" + strings.Repeat("a", 64) + "\n    command: [x]\n    env:\n    - name: A\n      valueFrom: {secretKeyRef: {name: nope, key: k}}\n", "not in the input", nil},
		{"tag in strict mode", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    command: [nginx]\n", "--resolve-digests", nil},
		{"no command in strict mode", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x@sha256:" + strings.Repeat("a", 64) + "\n", "no command", nil},
		{"mixed secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: 'sealed.x.y.z', b: plain}\n", "mixes", nil},
		{"colliding secret keys", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {'a b': v, 'a-b': w}\n", "same Trustee resource", nil},
		{"empty secret key", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {'.': v}\n", "resource name", nil},
		{"not yaml", "kind: [", "read manifests", nil},
		{"no trustee url", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "--trustee-url", func(o *Options) { o.TrusteeURL = "" }},
		{"online without admin key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "--admin-key", func(o *Options) { o.Offline = false }},
		{"list", "apiVersion: v1\nkind: List\nitems: []\n", "does not expand lists", nil},
		{"deployment list", "apiVersion: apps/v1\nkind: DeploymentList\nmetadata: {name: x}\nitems: []\n", "DeploymentList x: cocofy does not expand lists", nil},
		{"no apiVersion", "kind: ConfigMap\nmetadata: {name: c}\n", "ConfigMap c: no apiVersion", nil},
		{"no name", "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n", "ConfigMap: no metadata.name", nil},
		{"no containers", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n", "Deployment d: the pod has no containers", nil},
		{"container without image", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n", "Pod p: container c has no image", nil},
		{"no pod template", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec: {schedule: '* * * * *'}\n", "CronJob j:", nil},
		{"unknown workload kind", "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n", "ReplicationController rc: kind ReplicationController holds a pod template", nil},
		{"second document wrong", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 3}\n", "document 2: Pod p:", nil},
		{"huge", strings.Repeat("#", MaxInputSize+1), "too large", nil},
		{"foreign sealed secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: '" + foreignSealed(t) + "'}\n", "not signed by this cocofy key", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			_, err := Transform(opts, []byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

// An input cocofy refuses leaves the output directory as it was: no file,
// no half-written manifest.
func TestRefusedInputWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	good := readInput(t, "deid.yaml")
	if _, err := Apply(context.Background(), testOptions(t), good, "app.yaml", out, nil); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(out, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := append(append([]byte{}, good...), []byte("\n---\napiVersion: v1\nkind: List\nitems: []\n")...)
	if _, err := Apply(context.Background(), testOptions(t), bad, "app.yaml", out, nil); err == nil {
		t.Fatal("list accepted")
	}
	after, _ := os.ReadFile(filepath.Join(out, "app.yaml"))
	entries, _ := os.ReadDir(out)
	if string(after) != string(before) || len(entries) != 1 {
		t.Fatalf("refused input changed the output directory: %v", entries)
	}
}

func foreignSealed(t *testing.T) string {
	k, _ := sealed.GenerateKey()
	s, err := sealed.Sign(k, "kbs:///default/sealed-secret/other", sealed.NewVault("kbs:///default/s/a"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func FuzzTransform(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: x}\n"))
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: eA==}\n---\nkind: Deployment\n"))
	f.Add([]byte("---\n---\nkind: CronJob\nspec: {jobTemplate: 3}\n"))
	// Real inputs: the pods of Kata's captures and cocofy's own fixtures.
	seeds, _ := filepath.Glob(filepath.Join(kataCaptures, "*", "pod.yaml"))
	more, _ := filepath.Glob(filepath.Join(kataCaptures, "*", "*", "pod.yaml"))
	fixtures, _ := filepath.Glob("testdata/in/*.yaml")
	for _, p := range append(append(seeds, more...), fixtures...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	dir := f.TempDir()
	key, _ := os.ReadFile("testdata/keys/sealed-signing-key.pem")
	os.WriteFile(filepath.Join(dir, signingKeyFile), key, 0o600)
	f.Fuzz(func(t *testing.T, in []byte) {
		opts := Options{TrusteeURL: testTrusteeURL, Offline: true, KeyDir: dir, PolicyMode: agentpolicy.Hardened,
			Sidecar: true, SidecarImage: sidecarImage}
		res, err := Transform(opts, in)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("refused without a reason")
			}
			return
		}
		// Whatever is accepted is a fixed point: a second pass changes nothing.
		again, err := Transform(opts, res.Manifests)
		if err != nil {
			t.Fatalf("output of an accepted input is rejected: %v\ninput: %q", err, in)
		}
		if !bytes.Equal(again.Manifests, res.Manifests) {
			t.Fatalf("second pass changed the output\ninput: %q", in)
		}
	})
}

func BenchmarkTransform(b *testing.B) {
	dir := b.TempDir()
	key, _ := os.ReadFile("testdata/keys/sealed-signing-key.pem")
	os.WriteFile(filepath.Join(dir, signingKeyFile), key, 0o600)
	in, _ := os.ReadFile("testdata/in/deid.yaml")
	opts := Options{TrusteeURL: testTrusteeURL, Offline: true, KeyDir: dir}
	for b.Loop() {
		if _, err := Transform(opts, in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDockerConfigSecret(t *testing.T) {
	in := "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: apps}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"ghcr.io\":{\"auth\":\"dXNlcjpwYXNz\"}}}'\n"
	res, err := Transform(testOptions(t), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, u := range res.Uploads {
		if u.Path == "apps/regcred/dockerconfigjson" {
			found = true
		}
	}
	if !found || !strings.Contains(string(res.Manifests), "trustgate.dev/sealed-type: kubernetes.io/dockerconfigjson") || !strings.Contains(string(res.Manifests), "type: Opaque") || strings.Contains(string(res.Manifests), "dXNlcjpwYXNz") {
		t.Fatalf("dockerconfigjson not sealed properly:\n%s", res.Manifests)
	}
}

// Concurrent runs on a fresh key directory agree on one signing key.
func TestKeyDirConcurrentCreation(t *testing.T) {
	dir := t.TempDir()
	opts := Options{TrusteeURL: testTrusteeURL, Offline: true, KeyDir: dir}
	in := readInput(t, "deid.yaml")
	outs := make([][]byte, 4)
	errs := make(chan error, len(outs))
	for i := range outs {
		go func() {
			res, err := Transform(opts, in)
			if err == nil {
				outs[i] = res.Manifests
			}
			errs <- err
		}()
	}
	for range outs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	final, err := Transform(opts, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		if !bytes.Equal(o, final.Manifests) {
			t.Fatalf("run %d used another key", i)
		}
	}
}

// openSealed parses s and verifies it against pub, as the guest does.
func openSealed(s string, pub *ecdsa.PublicKey) (sealed.Secret, error) {
	p, err := sealed.Parse(s)
	if err != nil {
		return sealed.Secret{}, err
	}
	if err := p.Verify(pub); err != nil {
		return sealed.Secret{}, err
	}
	return p.Secret, nil
}

// A Secret without a name is refused (found by FuzzTransform: it was sealed
// to "-sealed", and that again to "-sealed-sealed").
func TestSecretWithoutNameRefused(t *testing.T) {
	for _, in := range []string{
		"apiVersion: v1\nkind: Secret\nmetaData: {name: s}\nstringData: {a: b}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {namespace: apps}\n",
	} {
		_, err := Transform(testOptions(t), []byte(in))
		if err == nil || !strings.Contains(err.Error(), "no metadata.name") {
			t.Errorf("%q: got %v, want a refusal naming metadata.name", in, err)
		}
	}
}
