package guest

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/sealed"
)

// FuzzParseInitData covers the raw-TOML / annotation-form detection in front
// of the initdata parser: never a panic, and an accepted document's Raw is
// what gets hashed.
func FuzzParseInitData(f *testing.F) {
	raw, _ := initdata.Build("sha256", map[string]string{"cdh.toml": "[kbc]\nurl = \"http://x\"\n"})
	ann, _ := initdata.EncodeAnnotation(raw)
	f.Add(raw)
	f.Add([]byte(ann))
	f.Add([]byte("H4sI!!"))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := ParseInitData(data)
		if err != nil {
			return
		}
		if len(id.Raw) == 0 || id.Digest() == nil {
			t.Fatal("accepted initdata without raw bytes or digest")
		}
		cfg := &Config{}
		_ = cfg.ApplyInitData(id)
	})
}

// FuzzUnseal feeds arbitrary sealed-secret strings to the data hub with
// verification on: never a panic, never a value without a valid signature.
func FuzzUnseal(f *testing.F) {
	kbs := &fakeKBS{resources: map[string][]byte{"default/azure/conn": []byte("v")}}
	priv, _ := sealed.GenerateKey()
	jwk, _ := sealed.MarshalPublicJWK(&priv.PublicKey)
	kbs.resources["default/k/1"] = jwk
	good, _ := sealed.Sign(priv, "kbs:///default/k/1", sealed.NewVault("kbs:///default/azure/conn"))
	unsigned, _ := sealed.Unsigned(sealed.NewVault("kbs:///default/azure/conn"))
	f.Add(good)
	f.Add(unsigned)
	f.Add("sealed.a.b.c")
	h := NewHub(kbs, &Config{Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, s string) {
		v, err := h.Unseal(context.Background(), s)
		if err == nil && s != good && !bytes.Equal(v, []byte("v")) {
			t.Fatalf("unsealed %q to unexpected %q", s, v)
		}
		if s == unsigned && err == nil {
			t.Fatal("unsigned secret accepted with verification on")
		}
	})
}

// FuzzOpenEnvelope: arbitrary envelope fields never panic or open without
// the key.
// FuzzOpenEnvelope: an envelope opens under the KEK only with its genuine
// fields (AES-GCM authenticates them); anything else is an error.
func FuzzOpenEnvelope(f *testing.F) {
	kek := bytes.Repeat([]byte{1}, 32)
	sec, _ := SealEnvelope(kek, "kbs:///default/kek/1", []byte("x"))
	f.Add(sec.EncryptedKey, sec.EncryptedData, sec.IV)
	f.Fuzz(func(t *testing.T, ek, ed, iv string) {
		s := sec
		s.EncryptedKey, s.EncryptedData, s.IV = ek, ed, iv
		pt, err := OpenEnvelope(kek, s)
		if err == nil && !bytes.Equal(pt, []byte("x")) {
			t.Fatalf("a forged envelope opened to %q", pt)
		}
	})
}
