package beacon

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// FuzzSignRoundTrip: any payload signs to a heartbeat whose signature
// verifies with the TEE key and gives the payload back unchanged, and no
// change to a byte of the signed part verifies.
func FuzzSignRoundTrip(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("deid-0", "hospital", "sha256:00", "snp", "image-rejected", "unsigned image <b>", uint64(1), 0)
	f.Add("", "", "", "", "", "", uint64(0), 7)
	f.Fuzz(func(t *testing.T, pod, ns, digest, tee, kind, msg string, seq uint64, flip int) {
		p := Payload{Workload: Workload{Pod: pod, Namespace: ns, ImageDigest: digest, TEE: tee},
			ID: "x", SentAt: time.Unix(1700000000, 0).UTC(), Seq: seq}
		if kind != "" || msg != "" {
			p.Incident = &Incident{Kind: kind, Message: msg}
		}
		hb, err := Sign("token", key, p)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		jws, err := jose.ParseSignedCompact(hb.Signed, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatalf("parse own heartbeat: %v", err)
		}
		raw, err := jws.Verify(&key.PublicKey)
		if err != nil {
			t.Fatalf("own heartbeat does not verify: %v", err)
		}
		var back Payload
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		// JSON carries strings as valid UTF-8: compare what survives it.
		want := p
		wb, _ := json.Marshal(want)
		_ = json.Unmarshal(wb, &want)
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip changed the payload: %+v → %+v", want, back)
		}
		parts := strings.Split(hb.Signed, ".")
		b := []byte(parts[1])
		if len(b) == 0 {
			return
		}
		i := (flip%len(b) + len(b)) % len(b)
		b[i] ^= 0x01
		mutated := parts[0] + "." + string(b) + "." + parts[2]
		if m, err := jose.ParseSignedCompact(mutated, []jose.SignatureAlgorithm{jose.ES256}); err == nil {
			if out, err := m.Verify(&key.PublicKey); err == nil && string(out) != string(raw) {
				t.Fatalf("a changed payload verified: %q", out)
			}
		}
	})
}
