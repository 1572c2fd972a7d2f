package guest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustgate/trustgate/internal/imagesig/imagesigtest"
	"github.com/trustgate/trustgate/internal/initdata"
)

// TestImageFlags: `guest image` parses its own --api with the flag package
// wherever it appears (--api v, --api=v, -api v, after IMAGE, or
// TRUSTGATE_GUEST_API), and asks the daemon for its configured policy only
// when neither --policy nor --policy-uri is given (flag or variable).
func TestImageFlags(t *testing.T) {
	var mu sync.Mutex
	lookups := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ImageConfigPath {
			mu.Lock()
			lookups++
			mu.Unlock()
			_ = json.NewEncoder(w).Encode(ImageConfigResponse{})
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	img := "127.0.0.1:1/org/app:v1"
	missing := filepath.Join(t.TempDir(), "none.json")
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		lookup bool
	}{
		{"--api after image", []string{"verify", img, "--api", srv.URL}, nil, 1, true},
		{"--api=v before image", []string{"pull", "--api=" + srv.URL, img, "--dest", t.TempDir()}, nil, 1, true},
		{"-api v", []string{"verify", "-api", srv.URL, img}, nil, 1, true},
		{"api from the environment", []string{"verify", img}, map[string]string{APIEnv: srv.URL}, 1, true},
		{"--policy given", []string{"verify", "--policy", missing, img, "--api", srv.URL}, nil, 1, false},
		{"-policy=v after image", []string{"verify", img, "-policy=" + missing, "--api", srv.URL}, nil, 1, false},
		{"--policy-uri given", []string{"verify", "--policy-uri=kbs:///a/b/c", img, "--api", srv.URL}, nil, 1, false},
		{"policy from the environment", []string{"verify", img, "--api", srv.URL}, map[string]string{EnvName("policy-uri"): "kbs:///a/b/c"}, 1, false},
		{"empty --policy is none", []string{"verify", "--policy=", img, "--api", srv.URL}, nil, 1, true},
		{"help", []string{"verify", "-h", "--api", srv.URL}, nil, 0, false},
		{"no image is a usage error", []string{"verify", "--api", srv.URL}, nil, 2, false},
		{"unknown flag", []string{"verify", img, "--api", srv.URL, "--nope"}, nil, 2, false},
		{"--api needs a value", []string{"verify", img, "--api"}, nil, 2, false},
		{"other command", []string{"sign", img}, nil, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{APIEnv, EnvName("policy"), EnvName("policy-uri")} {
				t.Setenv(k, tc.env[k])
			}
			mu.Lock()
			lookups = 0
			mu.Unlock()
			var out bytes.Buffer
			code := imageMain(tc.args, &out, &out)
			mu.Lock()
			looked := lookups > 0
			mu.Unlock()
			if code != tc.code || looked != tc.lookup {
				t.Fatalf("exit %d, looked up the configured policy %v; want %d, %v: %s", code, looked, tc.code, tc.lookup, out.String())
			}
		})
	}
}

// TestImageConfiguredPolicy runs `guest image` against the real local API
// handler (over an in-process KBS stand-in) and go-containerregistry's
// in-memory registry: given no --policy, the daemon's configured
// image_security_policy_uri decides; with none configured, it refuses.
func TestImageConfiguredPolicy(t *testing.T) {
	t.Setenv(EnvName("policy"), "")
	t.Setenv(EnvName("policy-uri"), "")
	t.Setenv(APIEnv, "")
	reg := imagesigtest.NewRegistry(t)
	priv, pub := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	otherPriv, _ := imagesigtest.NewKeyPair(t, imagesigtest.ECDSAP256)
	signed := imagesigtest.PushSignedImage(t, reg+"/org/app:v1", priv)
	imagesigtest.PushRandomImage(t, reg+"/org/unsigned:v1")
	imagesigtest.PushSignedImage(t, reg+"/org/other:v1", otherPriv)

	kbs := newFake(t)
	kbs.resources["default/cosign-public-key/1"] = pub
	kbs.resources["default/image-policy/1"] = imagesigtest.Policy(reg+"/org", "kbs:///default/cosign-public-key/1")
	kbs.deny["default/image-policy/denied"] = true
	serve := func(uri string) string {
		srv := httptest.NewServer(&API{Hub: NewHub(kbs, &Config{}), KBS: kbs, ImagePolicyURI: uri})
		t.Cleanup(srv.Close)
		return srv.URL
	}
	configured := serve("kbs:///default/image-policy/1")
	unconfigured := serve("")
	denied := serve("kbs:///default/image-policy/denied")
	down := httptest.NewServer(nil)
	down.Close() // nothing listens there any more

	dir := t.TempDir()
	rejectFile := filepath.Join(dir, "reject.json")
	if err := os.WriteFile(rejectFile, []byte(`{"default":[{"type":"reject"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	keyDataFile := filepath.Join(dir, "keydata.json")
	if err := os.WriteFile(keyDataFile, imagesigtest.PolicyKeyData(reg+"/org", pub), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"configured: signed by the trusted key", []string{"verify", reg + "/org/app:v1", "--api", configured}, 0, "allowed: " + signed.String(), "using the configured image policy kbs:///default/image-policy/1"},
		{"configured: unsigned", []string{"verify", reg + "/org/unsigned:v1", "--api", configured}, 1, "", "no signatures found"},
		{"configured: signed by another key", []string{"verify", reg + "/org/other:v1", "--api", configured}, 1, "", "denied:"},
		{"configured policy is not an opt-out", []string{"verify", "--insecure-accept-anything", reg + "/org/unsigned:v1", "--api", configured}, 1, "", "no signatures found"},
		{"--policy overrides the configured policy", []string{"verify", "--policy", rejectFile, reg + "/org/app:v1", "--api", configured}, 1, "", "reject"},
		{"--policy needs no daemon", []string{"verify", "--policy", keyDataFile, reg + "/org/app:v1", "--api", down.URL}, 0, "allowed: " + signed.String(), ""},
		{"nothing configured", []string{"verify", reg + "/org/app:v1", "--api", unconfigured}, 1, "", "no image policy configured"},
		{"nothing configured: explicit opt-out", []string{"verify", "--insecure-accept-anything", reg + "/org/unsigned:v1", "--api", unconfigured}, 0, "allowed:", "insecure-accept-anything"},
		{"daemon unreachable", []string{"verify", "--insecure-accept-anything", reg + "/org/app:v1", "--api", down.URL}, 1, "", "configured image policy could not be read"},
		{"configured policy not released", []string{"verify", reg + "/org/app:v1", "--api", denied}, 1, "", "PolicyDeny"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"image"}, tc.args...), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}

	t.Run("nothing configured says where to configure it", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		Main([]string{"image", "verify", reg + "/org/app:v1", "--api", unconfigured}, &stdout, &stderr)
		if !strings.Contains(stderr.String(), "image_security_policy_uri") {
			t.Fatalf("stderr: %s", stderr.String())
		}
	})
	t.Run("pull with the configured policy", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "rootfs")
		var stdout, stderr bytes.Buffer
		if code := Main([]string{"image", "pull", reg + "/org/app:v1", "--dest", dest, "--api", configured}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if ents, err := os.ReadDir(dest); err != nil || len(ents) == 0 {
			t.Fatalf("nothing unpacked: %v %v", ents, err)
		}
		dest = filepath.Join(t.TempDir(), "rootfs")
		if code := Main([]string{"image", "pull", reg + "/org/unsigned:v1", "--dest", dest, "--api", configured}, &stdout, &stderr); code != 1 {
			t.Fatalf("unsigned pull: exit %d", code)
		}
		if _, err := os.Stat(dest); !os.IsNotExist(err) {
			t.Fatalf("unsigned pull created %s: %v", dest, err)
		}
	})
}

func TestAPIImageConfig(t *testing.T) {
	for _, uri := range []string{"", "kbs:///default/image-policy/1"} {
		r := httptest.NewRequest("GET", ImageConfigPath, nil)
		r.RemoteAddr = "127.0.0.1:1"
		w := httptest.NewRecorder()
		(&API{ImagePolicyURI: uri}).ServeHTTP(w, r)
		var got ImageConfigResponse
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil || got.ImageSecurityPolicyURI != uri {
			t.Fatalf("%q: %d %s", uri, w.Code, w.Body.String())
		}
		for _, c := range []struct{ method, remote string }{{"POST", "127.0.0.1:1"}, {"GET", "10.0.0.8:1"}} {
			r := httptest.NewRequest(c.method, ImageConfigPath, nil)
			r.RemoteAddr = c.remote
			w := httptest.NewRecorder()
			(&API{ImagePolicyURI: uri}).ServeHTTP(w, r)
			if w.Code == 200 {
				t.Fatalf("%s from %s answered 200", c.method, c.remote)
			}
		}
	}
}

func TestApplyInitDataImagePolicy(t *testing.T) {
	raw, err := initdata.Build("sha256", map[string]string{"cdh.toml": "[image]\nimage_security_policy_uri = \"kbs:///default/image-policy/1\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := ParseInitData(raw)
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	if err := c.ApplyInitData(id); err != nil || c.Image.ImageSecurityPolicyURI != "kbs:///default/image-policy/1" {
		t.Fatalf("%q %v", c.Image.ImageSecurityPolicyURI, err)
	}
	c = Config{Image: ImageConfig{ImageSecurityPolicyURI: "kbs:///flag/wins/1"}}
	if err := c.ApplyInitData(id); err != nil || c.Image.ImageSecurityPolicyURI != "kbs:///flag/wins/1" {
		t.Fatalf("flag lost: %q %v", c.Image.ImageSecurityPolicyURI, err)
	}
}
