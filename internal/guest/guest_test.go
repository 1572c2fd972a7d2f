package guest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/attester/sample"
	attsnp "github.com/trustgate/trustgate/internal/attester/snp"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/sealed"
)

// fakeKBS is an in-process stand-in for the KBS client: resources by path,
// a denial list, and a token.
type fakeKBS struct {
	mu        sync.Mutex
	resources map[string][]byte
	deny      map[string]bool
	key       *ecdsa.PrivateKey
	gets      int
}

var errDenied = errors.New("kbs: PolicyDeny: resource policy denied the request")

func (f *fakeKBS) GetResource(_ context.Context, p string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if f.deny[p] {
		return nil, errDenied
	}
	b, ok := f.resources[p]
	if !ok {
		return nil, fmt.Errorf("kbs: resource %s not found", p)
	}
	return bytes.Clone(b), nil
}

func (f *fakeKBS) Token(context.Context) (string, []byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(f.key)
	if err != nil {
		return "", nil, err
	}
	return "eyJhbGciOiJFUzI1NiJ9.e30.sig", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// signer makes signed sealed secrets and publishes its key as a resource.
type signer struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newSigner(t testing.TB, kbs *fakeKBS) *signer {
	t.Helper()
	priv, err := sealed.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := sealed.MarshalPublicJWK(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	kbs.resources["default/sealed-secret-key/1"] = jwk
	return &signer{priv: priv, kid: "kbs:///default/sealed-secret-key/1"}
}

func (s *signer) seal(t testing.TB, resource string) string {
	t.Helper()
	v, err := sealed.Sign(s.priv, s.kid, sealed.NewVault(resource))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const canary = "CANARY-7f3a9c-do-not-log"

func newFake(t testing.TB) *fakeKBS {
	t.Helper()
	key, err := ecdsa.GenerateKey(sealedCurve(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeKBS{
		resources: map[string][]byte{
			"default/azure/conn": []byte(canary),
			"default/db/pw":      []byte("db-" + canary),
		},
		deny: map[string]bool{"default/denied/x": true},
		key:  key,
	}
}

// capture returns a logger writing into a buffer, to grep for secrets.
func capture() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestAPI(t *testing.T) {
	kbs := newFake(t)
	log, logs := capture()
	cfg := &Config{Logger: log}
	api := &API{Hub: NewHub(kbs, cfg), KBS: kbs, Attester: &sample.Attester{}, Log: log}
	tests := []struct {
		name, method, target, remote string
		status                       int
		body                         string // substring expected
	}{
		{"resource", "GET", "/cdh/resource/default/azure/conn", "127.0.0.1:5000", 200, canary},
		{"resource ipv6 loopback", "GET", "/cdh/resource/default/azure/conn", "[::1]:5000", 200, canary},
		{"non-loopback caller", "GET", "/cdh/resource/default/azure/conn", "10.0.0.8:5000", 403, "Forbidden"},
		{"denied", "GET", "/cdh/resource/default/denied/x", "127.0.0.1:1", 500, "PolicyDeny"},
		{"missing", "GET", "/cdh/resource/default/nope/x", "127.0.0.1:1", 500, "not found"},
		{"bad path", "GET", "/cdh/resource/default/azure", "127.0.0.1:1", 404, ""},
		{"bad segment", "GET", "/cdh/resource/default/a%20b/c", "127.0.0.1:1", 404, ""},
		{"post", "POST", "/cdh/resource/default/azure/conn", "127.0.0.1:1", 405, ""},
		{"token", "GET", "/aa/token?token_type=kbs", "127.0.0.1:1", 200, "tee_keypair"},
		{"token no type", "GET", "/aa/token", "127.0.0.1:1", 400, ""},
		{"token other type", "GET", "/aa/token?token_type=coco_as", "127.0.0.1:1", 400, ""},
		{"evidence", "GET", "/aa/evidence?runtime_data=hello", "127.0.0.1:1", 200, `"report_data":"aGVsbG8="`},
		{"evidence base64", "GET", "/aa/evidence?runtime_data=aGVsbG8%3D&encoding=base64", "127.0.0.1:1", 200, `"report_data":"aGVsbG8="`},
		{"evidence bad base64", "GET", "/aa/evidence?runtime_data=%%%&encoding=base64", "127.0.0.1:1", 400, ""},
		{"evidence too long", "GET", "/aa/evidence?runtime_data=" + strings.Repeat("a", 65), "127.0.0.1:1", 400, ""},
		{"evidence missing", "GET", "/aa/evidence", "127.0.0.1:1", 400, ""},
		{"info", "GET", "/info", "127.0.0.1:1", 200, `"tee":"sample"`},
		// The fake KBS reports no attestation: the honest state.
		{"attestation", "GET", AttestationPath, "127.0.0.1:1", 200, `{"tee":"sample","attested":false}`},
		{"attestation post", "POST", AttestationPath, "127.0.0.1:1", 405, ""},
		{"attestation non-loopback", "GET", AttestationPath, "10.0.0.8:5000", 403, "Forbidden"},
		{"unknown", "GET", "/nope", "127.0.0.1:1", 404, "URL NOT FOUND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.RemoteAddr = tc.remote
			w := httptest.NewRecorder()
			api.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (body %q)", w.Code, tc.status, w.Body.String())
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Fatalf("body %q lacks %q", w.Body.String(), tc.body)
			}
			if tc.status != 200 && strings.Contains(w.Body.String(), canary) {
				t.Fatal("an error response carries the secret")
			}
		})
	}
	var tok tokenResponse
	r := httptest.NewRequest("GET", "/aa/token?token_type=kbs", nil)
	r.RemoteAddr = "127.0.0.1:1"
	w := httptest.NewRecorder()
	api.ServeHTTP(w, r)
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.Token == "" || !strings.Contains(tok.TeeKeypair, "BEGIN PRIVATE KEY") {
		t.Fatalf("token body %q: %v", w.Body.String(), err)
	}
	if strings.Contains(logs.String(), canary) {
		t.Fatalf("logs contain the secret:\n%s", logs)
	}
}

func TestUnseal(t *testing.T) {
	kbs := newFake(t)
	s := newSigner(t, kbs)
	other, err := sealed.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := sealed.Sign(other, s.kid, sealed.NewVault("kbs:///default/azure/conn"))
	if err != nil {
		t.Fatal(err)
	}
	good := s.seal(t, "kbs:///default/azure/conn")
	parts := strings.Split(good, ".")
	sig := []byte(parts[3])
	sig[5] ^= 1
	if sig[5] == '.' {
		sig[5] = 'A'
	}
	tampered := strings.Join(append(parts[:3], string(sig)), ".")
	unsigned, err := sealed.Unsigned(sealed.NewVault("kbs:///default/azure/conn"))
	if err != nil {
		t.Fatal(err)
	}
	localKeyDir := t.TempDir()
	pem, err := sealed.MarshalPublicKeyPEM(&s.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(localKeyDir, "signing.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	localKid, err := sealed.Sign(s.priv, "signing.pem", sealed.NewVault("kbs:///default/db/pw"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     Config
		in      string
		want    string
		wantErr string
	}{
		{"signed vault", Config{}, good, canary, ""},
		{"local key directory", Config{SealedSecretKey: localKeyDir}, localKid, "db-" + canary, ""},
		{"local key without config", Config{}, localKid, "", "no local key"},
		{"wrong key", Config{}, wrongKey, "", "does not verify"},
		{"tampered signature", Config{}, tampered, "", "unseal"},
		{"unsigned refused", Config{}, unsigned, "", "unsigned"},
		{"unsigned with skip", Config{SkipSealedSecretVerification: true}, unsigned, canary, ""},
		{"unknown resource", Config{}, s.seal(t, "kbs:///default/nope/x"), "", "not found"},
		{"denied resource", Config{}, s.seal(t, "kbs:///default/denied/x"), "", "PolicyDeny"},
		{"garbage", Config{}, "sealed.x.y", "", "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHub(kbs, &tc.cfg)
			got, err := h.Unseal(context.Background(), tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), canary) {
					t.Fatal("error carries the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEnvelope(t *testing.T) {
	kbs := newFake(t)
	s := newSigner(t, kbs)
	kek := bytes.Repeat([]byte{0x11}, 32)
	kbs.resources["default/kek/1"] = kek
	sec, err := SealEnvelope(kek, "kbs:///default/kek/1", []byte(canary))
	if err != nil {
		t.Fatal(err)
	}
	env, err := sealed.Sign(s.priv, s.kid, sec)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHub(kbs, &Config{})
	got, err := h.Unseal(context.Background(), env)
	if err != nil || string(got) != canary {
		t.Fatalf("envelope: %q, %v", got, err)
	}
	kbs.resources["default/kek/1"] = bytes.Repeat([]byte{0x22}, 32)
	if _, err := h.Unseal(context.Background(), env); err == nil {
		t.Fatal("envelope opened with the wrong key-encryption key")
	}
}

func TestRunCommand(t *testing.T) {
	kbs := newFake(t)
	s := newSigner(t, kbs)
	log, logs := capture()
	cfg := &Config{Logger: log}
	hub := NewHub(kbs, cfg)
	dir := t.TempDir()
	// A Kubernetes secret volume: key -> ..data/key -> ..2025_x/key.
	ts := filepath.Join(dir, "..2025_01_01")
	if err := os.Mkdir(ts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ts, "conn"), []byte(s.seal(t, "kbs:///default/azure/conn")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ts, "plain"), []byte("not sealed"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("..2025_01_01", filepath.Join(dir, "..data")))
	must(t, os.Symlink("..data/conn", filepath.Join(dir, "conn")))
	must(t, os.Symlink("..data/plain", filepath.Join(dir, "plain")))

	var gotArgv, gotEnv []string
	execFn := func(argv0 string, argv, env []string) error {
		gotArgv, gotEnv = argv, env
		return nil
	}
	environ := []string{"PATH=" + os.Getenv("PATH"), "DB=" + s.seal(t, "kbs:///default/db/pw"), "PLAIN=hello"}
	if err := RunCommand(context.Background(), hub, []string{"true", "x"}, environ, []string{dir}, cfg, execFn); err != nil {
		t.Fatal(err)
	}
	if len(gotArgv) != 2 || gotArgv[1] != "x" {
		t.Fatalf("argv = %v", gotArgv)
	}
	if !contains(gotEnv, "DB=db-"+canary) || !contains(gotEnv, "PLAIN=hello") {
		t.Fatalf("env not unsealed: %d entries", len(gotEnv))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "conn")); string(b) != canary {
		t.Fatalf("file not unsealed: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "plain")); string(b) != "not sealed" {
		t.Fatalf("plain file changed: %q", b)
	}

	other, _ := sealed.GenerateKey()
	wrongKey, _ := sealed.Sign(other, s.kid, sealed.NewVault("kbs:///default/azure/conn"))
	failures := []struct {
		name, env, want string
	}{
		{"wrong key", "API_KEY=" + wrongKey, "environment variable API_KEY"},
		{"unknown resource", "MISSING=" + s.seal(t, "kbs:///default/nope/x"), "environment variable MISSING"},
		{"tampered", "TAMPERED=" + s.seal(t, "kbs:///default/azure/conn") + "x", "environment variable TAMPERED"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			called := false
			err := RunCommand(context.Background(), hub, []string{"true"}, []string{f.env}, nil, cfg, func(string, []string, []string) error {
				called = true
				return nil
			})
			if err == nil || called {
				t.Fatalf("run went ahead: err=%v exec=%v", err, called)
			}
			if !strings.Contains(err.Error(), f.want) {
				t.Fatalf("error %q does not name %q", err, f.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Fatal("error carries the secret")
			}
		})
	}
	if strings.Contains(logs.String(), canary) {
		t.Fatalf("logs contain the secret:\n%s", logs)
	}
}

func TestInitDataBinding(t *testing.T) {
	dir := t.TempDir()
	rawA, err := initdata.Build("sha256", map[string]string{"cdh.toml": "[kbc]\nname = \"cc_kbc\"\nurl = \"http://127.0.0.1:1\"\n\n[[credentials]]\nresource_uri = \"kbs:///default/azure/conn\"\npath = \"/run/creds/conn\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	rawB := append(bytes.Clone(rawA), []byte("# changed\n")...)
	pathA := filepath.Join(dir, "a.toml")
	must(t, os.WriteFile(pathA, rawA, 0o600))
	ann, err := initdata.EncodeAnnotation(rawA)
	if err != nil {
		t.Fatal(err)
	}
	pathAnn := filepath.Join(dir, "ann")
	must(t, os.WriteFile(pathAnn, []byte(ann+"\n"), 0o600))
	pathB := filepath.Join(dir, "b.toml")
	must(t, os.WriteFile(pathB, rawB, 0o600))
	idA, _ := initdata.Parse(rawA)

	tests := []struct {
		name    string
		path    string
		bound   []byte
		wantErr string
	}{
		{"raw toml matches", pathA, idA.Digest(), ""},
		{"annotation form matches", pathAnn, idA.Digest(), ""},
		{"self-bound software tee", pathB, nil, ""},
		{"changed initdata refused", pathB, idA.Digest(), "does not match"},
		{"missing file", filepath.Join(dir, "absent"), nil, "read initdata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &Config{Tee: "sample", InitDataPath: tc.path, Logger: slog.New(slog.DiscardHandler)}
			rt, err := Prepare(context.Background(), cfg, detect.Options{SoftwareInitDataDigest: tc.bound})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rt.InitData == nil || len(cfg.Credentials) != 1 || cfg.Credentials[0].Path != "/run/creds/conn" {
				t.Fatalf("cdh.toml not applied: %+v", cfg.Credentials)
			}
		})
	}
}

// TestExpectedBinding: each attester binds initdata its hardware's way,
// and refuses a digest its field would truncate.
func TestExpectedBinding(t *testing.T) {
	d := bytes.Repeat([]byte{1}, 32)
	pcr := sha256.Sum256(append(make([]byte, 32), d...)) // extending a zero PCR 8
	for _, tc := range []struct {
		tee  string
		want []byte
		size int
	}{
		{"snp", d, 32},
		{"tdx", append(bytes.Clone(d), make([]byte, 16)...), 48},
		{"az-snp-vtpm", pcr[:], 32},
		{"az-tdx-vtpm", pcr[:], 32},
		{"sample", append(bytes.Clone(d), 0), 0},
	} {
		a, err := detect.New(tc.tee, detect.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := ExpectedBinding(a, d, 33); !bytes.Equal(got, tc.want) {
			t.Errorf("%s: %x, want %x", tc.tee, got, tc.want)
		}
		if got := initDataSize(a); got != tc.size {
			t.Errorf("%s: binds %d bytes, want %d", tc.tee, got, tc.size)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// FuzzAPIQuery feeds arbitrary paths and queries to the local API: it must
// never panic and never answer 5xx for a request it could parse, since the
// fake KBS below always succeeds.
func FuzzAPIQuery(f *testing.F) {
	for _, s := range []string{"/aa/evidence?runtime_data=abc&encoding=base64", "/aa/token?token_type=kbs", "/cdh/resource/a/b/c", "/info", ImageConfigPath + "?x=1", AttestationPath, "/cdh/resource/%2e%2e/b/c", "/aa/evidence?runtime_data=%ZZ"} {
		f.Add(s)
	}
	kbs := &fakeKBS{resources: map[string][]byte{"a/b/c": []byte("x")}}
	key, _ := ecdsa.GenerateKey(sealedCurve(), rand.Reader)
	kbs.key = key
	api := &API{Hub: NewHub(kbs, &Config{Logger: slog.New(slog.DiscardHandler)}), KBS: kbs, Attester: &sample.Attester{}, Log: slog.New(slog.DiscardHandler), ImagePolicyURI: "kbs:///a/b/c"}
	f.Fuzz(func(t *testing.T, target string) {
		r, err := http.NewRequest("GET", "http://127.0.0.1:8006"+target, nil)
		if err != nil || r.URL.Path == "" {
			return
		}
		r.RemoteAddr = "127.0.0.1:9"
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		if w.Code >= 500 && !strings.HasPrefix(r.URL.Path, "/cdh/resource/") {
			t.Fatalf("%q: status %d %q", target, w.Code, w.Body.String())
		}
	})
}

func sealedCurve() elliptic.Curve { return elliptic.P256() }

// snpLike is a sample attester that names itself "snp" and binds initdata
// as the snp attester does, holding the truncated sha384 digest a host
// would write into HOST_DATA.
type snpLike struct{ sample.Attester }

func (*snpLike) Tee() string       { return "snp" }
func (*snpLike) InitDataSize() int { return new(attsnp.Attester).InitDataSize() }
func (*snpLike) ExpectedInitData(digest []byte) []byte {
	return new(attsnp.Attester).ExpectedInitData(digest)
}

// TestInitDataAlgorithmRefused: a sha384 initdata on SNP binds only a
// 32-byte prefix in HOST_DATA; the guest refuses it even when that prefix
// matches, instead of starting with initdata nobody can pin.
func TestInitDataAlgorithmRefused(t *testing.T) {
	raw, err := initdata.Build("sha384", map[string]string{"aa.toml": ""})
	if err != nil {
		t.Fatal(err)
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	a := &snpLike{sample.Attester{InitDataDigest: id.Digest()[:32]}}
	if err := CheckInitData(context.Background(), a, id); !errors.Is(err, initdata.ErrNotBindable) {
		t.Fatalf("err = %v, want ErrNotBindable", err)
	}
}
