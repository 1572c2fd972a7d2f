package jwe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/kbs"
)

// The AAD vector of wire-compat §1.
func TestAADVector(t *testing.T) {
	got := string(AAD([]byte(`{"alg":"fakealg","enc":"fakeenc"}`)))
	if got != "eyJhbGciOiJmYWtlYWxnIiwiZW5jIjoiZmFrZWVuYyJ9" {
		t.Fatalf("AAD = %s", got)
	}
}

type keyCase struct {
	name string
	priv any // key handed to go-jose
	pub  kbs.TeePubKey
	alg  jose.KeyAlgorithm
	// header is a regexp the decoded protected header must match exactly.
	header string
}

func keyCases(t testing.TB) []keyCase {
	t.Helper()
	var out []keyCase
	for _, c := range []struct {
		curve elliptic.Curve
		name  string
		n     int
	}{{elliptic.P256(), "P-256", 43}, {elliptic.P521(), "P-521", 88}} {
		k, err := ecdsa.GenerateKey(c.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ek, _ := k.PublicKey.ECDH()
		pub, err := kbs.NewTeePubKey(ek)
		if err != nil {
			t.Fatal(err)
		}
		b64 := `[A-Za-z0-9_-]{` + itoa(c.n) + `}`
		out = append(out, keyCase{c.name, k, pub, jose.ECDH_ES_A256KW,
			`^\{"alg":"ECDH-ES\+A256KW","enc":"A256GCM","epk":\{"crv":"` + c.name + `","kty":"EC","x":"` + b64 + `","y":"` + b64 + `"\}\}$`})
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kbs.NewTeePubKey(&rk.PublicKey)
	out = append(out, keyCase{"RSA-OAEP-256", rk, pub, jose.RSA_OAEP_256, `^\{"alg":"RSA-OAEP-256","enc":"A256GCM"\}$`})
	pub15 := pub
	pub15.Alg = kbs.AlgRSA15
	out = append(out, keyCase{"RSA1_5", rk, pub15, jose.RSA1_5, `^\{"alg":"RSA1_5","enc":"A256GCM"\}$`})
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestEncryptDecodedByGoJose(t *testing.T) {
	for _, kc := range keyCases(t) {
		t.Run(kc.name, func(t *testing.T) {
			for _, msg := range [][]byte{[]byte("secret value"), {}, bytes.Repeat([]byte{0xA5}, 70000)} {
				out, err := Encrypt(kc.pub, msg)
				if err != nil {
					t.Fatal(err)
				}
				// Exact member set, no aad.
				var members map[string]any
				if err := json.Unmarshal(out, &members); err != nil {
					t.Fatal(err)
				}
				for _, m := range []string{"protected", "encrypted_key", "iv", "ciphertext", "tag"} {
					s, ok := members[m].(string)
					if !ok || strings.ContainsAny(s, "=+/") {
						t.Fatalf("member %s = %v", m, members[m])
					}
				}
				if len(members) != 5 {
					t.Fatalf("members: %v", members)
				}
				// Header byte order as upstream.
				var r Response
				_ = json.Unmarshal(out, &r)
				hj, _ := base64.RawURLEncoding.DecodeString(r.Protected)
				if !regexp.MustCompile(kc.header).Match(hj) {
					t.Fatalf("header %s does not match %s", hj, kc.header)
				}
				iv, _ := base64.RawURLEncoding.DecodeString(r.IV)
				tag, _ := base64.RawURLEncoding.DecodeString(r.Tag)
				if len(iv) != 12 || len(tag) != 16 {
					t.Fatalf("iv %d tag %d", len(iv), len(tag))
				}
				// Independent decoder.
				obj, err := jose.ParseEncryptedJSON(string(out), []jose.KeyAlgorithm{kc.alg}, []jose.ContentEncryption{jose.A256GCM})
				if err != nil {
					t.Fatalf("go-jose parse: %v", err)
				}
				pt, err := obj.Decrypt(kc.priv)
				if err != nil {
					t.Fatalf("go-jose decrypt: %v", err)
				}
				if !bytes.Equal(pt, msg) {
					t.Fatal("go-jose plaintext differs")
				}
				// Our decoder (RSA1_5 is never decrypted by our guest).
				if kc.alg == jose.RSA1_5 {
					continue
				}
				pt, err = Decrypt(kc.priv, out)
				if err != nil || !bytes.Equal(pt, msg) {
					t.Fatalf("Decrypt: %v", err)
				}
			}
		})
	}
}

// Our Decrypt opens what go-jose produces (ECDH-ES+A256KW, RSA-OAEP-256).
func TestDecryptGoJoseOutput(t *testing.T) {
	for _, kc := range keyCases(t) {
		if kc.alg == jose.RSA1_5 {
			continue
		}
		t.Run(kc.name, func(t *testing.T) {
			var pub any
			switch k := kc.priv.(type) {
			case *ecdsa.PrivateKey:
				pub = &k.PublicKey
			case *rsa.PrivateKey:
				pub = &k.PublicKey
			}
			enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: kc.alg, Key: pub}, nil)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := enc.Encrypt([]byte("from go-jose"))
			if err != nil {
				t.Fatal(err)
			}
			pt, err := Decrypt(kc.priv, []byte(obj.FullSerialize()))
			if err != nil || string(pt) != "from go-jose" {
				t.Fatalf("Decrypt: %q %v", pt, err)
			}
			ek, _ := kc.priv.(*ecdsa.PrivateKey)
			if ek != nil {
				eck, _ := ek.ECDH()
				if pt, err := Decrypt(eck, []byte(obj.FullSerialize())); err != nil || string(pt) != "from go-jose" {
					t.Fatalf("Decrypt with *ecdh.PrivateKey: %v", err)
				}
			}
		})
	}
}

func TestDecryptRejects(t *testing.T) {
	priv, pub, err := GenerateKey(KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := GenerateKey(KeyP256)
	out, err := Encrypt(pub, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	var r Response
	_ = json.Unmarshal(out, &r)
	flip := func(s string) string {
		b, _ := base64.RawURLEncoding.DecodeString(s)
		b[0] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	enc := func(r Response) []byte { b, _ := json.Marshal(r); return b }
	mod := func(f func(*Response)) []byte { c := r; f(&c); return enc(c) }
	rsaPriv, _, _ := GenerateKey(KeyRSA)
	tests := map[string]struct {
		key  any
		body []byte
	}{
		"wrong key":      {other, out},
		"rsa key for ec": {rsaPriv, out},
		"flipped ct":     {priv, mod(func(r *Response) { r.Ciphertext = flip(r.Ciphertext) })},
		"flipped tag":    {priv, mod(func(r *Response) { r.Tag = flip(r.Tag) })},
		"flipped key":    {priv, mod(func(r *Response) { r.EncryptedKey = flip(r.EncryptedKey) })},
		"flipped iv":     {priv, mod(func(r *Response) { r.IV = flip(r.IV) })},
		"header changed": {priv, mod(func(r *Response) {
			h, _ := base64.RawURLEncoding.DecodeString(r.Protected)
			h = bytes.Replace(h, []byte(`"enc":"A256GCM"`), []byte(`"enc":"A256GCM","x":1`), 1)
			r.Protected = base64.RawURLEncoding.EncodeToString(h)
		})},
		"short iv":   {priv, mod(func(r *Response) { r.IV = "AAAA" })},
		"not base64": {priv, mod(func(r *Response) { r.Tag = "!!" })},
		"not json":   {priv, []byte("{")},
		"alg dir": {priv, mod(func(r *Response) {
			r.Protected = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM"}`))
		})},
		"enc cbc": {priv, mod(func(r *Response) {
			r.Protected = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ECDH-ES+A256KW","enc":"A128CBC-HS256"}`))
		})},
		"no epk": {priv, mod(func(r *Response) {
			r.Protected = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ECDH-ES+A256KW","enc":"A256GCM"}`))
		})},
		"too large":       {priv, make([]byte, MaxSize+1)},
		"unsupported key": {"key", out},
	}
	for name, tc := range tests {
		if pt, err := Decrypt(tc.key, tc.body); err == nil {
			t.Errorf("%s: decrypted %q", name, pt)
		}
	}
}

func TestEncryptRejectsBadKeys(t *testing.T) {
	for _, k := range []kbs.TeePubKey{
		{Kty: "EC", Crv: "P-384", Alg: kbs.AlgECDHESA256KW, X: "AA", Y: "AA"},
		{Kty: "RSA", Alg: "RSA-OAEP", N: "AQAB", E: "AQAB"},
		{},
	} {
		if _, err := Encrypt(k, []byte("x")); err == nil {
			t.Errorf("%+v: accepted", k)
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	priv, pub, err := GenerateKey(KeyP256)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := Encrypt(pub, []byte("seed"))
	f.Add(good)
	f.Add([]byte(`{"protected":"eyJhbGciOiJmYWtlYWxnIiwiZW5jIjoiZmFrZWVuYyJ9","encrypted_key":"","iv":"","ciphertext":"","tag":""}`))
	f.Add([]byte(`{}`))
	// Only a ciphertext made for priv decrypts, and the fuzzer cannot make
	// one (AES-GCM authenticates header, key and content): whatever
	// decrypts is the seed's plaintext, re-encoded at most.
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := Decrypt(priv, b)
		if err == nil && string(pt) != "seed" {
			t.Fatalf("decrypted a mutated JWE to %q", pt)
		}
	})
}

func BenchmarkEncryptP256(b *testing.B) { benchEncrypt(b, KeyP256) }
func BenchmarkEncryptP521(b *testing.B) { benchEncrypt(b, KeyP521) }
func BenchmarkEncryptRSA(b *testing.B)  { benchEncrypt(b, KeyRSA) }

// benchEncrypt measures one resource response: parse and check the guest's
// key, ECDH (or RSA-OAEP), Concat KDF, key wrap and AES-GCM of 1 KiB.
func benchEncrypt(b *testing.B, kt KeyType) {
	_, pub, err := GenerateKey(kt)
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encrypt(pub, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptP256(b *testing.B) {
	priv, pub, _ := GenerateKey(KeyP256)
	out, _ := Encrypt(pub, make([]byte, 1024))
	for b.Loop() {
		if _, err := Decrypt(priv, out); err != nil {
			b.Fatal(err)
		}
	}
}
