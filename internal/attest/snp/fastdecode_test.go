package snp

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// fastDecodeSeeds are upstream's captured AA evidence and the trustee
// vectors re-encoded as evidence JSON.
func fastDecodeSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{readFile(t, filepath.Join(vectors.Dir("trustee/snp-aa-evidence"), "evidence.json"))}
	for _, vc := range trusteeVectors(t) {
		js, err := teesnp.Encode(vc.report, vc.certs.Chain())
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, js)
	}
	return seeds
}

// TestDecodeFast: upstream's evidence takes the fast path and decodes to
// exactly what encoding/json gives.
func TestDecodeFast(t *testing.T) {
	for i, data := range fastDecodeSeeds(t) {
		got, ok := decodeFast(data)
		if !ok {
			t.Fatalf("seed %d: fast path refused upstream's evidence", i)
		}
		want, err := teesnp.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: fast decode differs from encoding/json:\n%+v\n%+v", i, got, want)
		}
	}
	// Inputs the fast path must leave to encoding/json (which decides).
	for _, in := range []string{
		`{"attestation_report":{"Version":2}}`,             // case-folded key
		`{"attestation_report":{"version":2,"version":3}}`, // duplicate key
		`{"attestation_report":{"version":2.0}}`,
		`{"attestation_report":{"version":-1}}`,
		`{"attestation_report":{"version":02}}`,
		`{"attestation_report":{"vmpl":4294967296}}`,
		`{"attestation_report":{"family_id":[256]}}`,
		`{"attestation_report":{"family_id":"AAEC"}}`,
		`{"attestation_report":{"family_id":null}}`,
		`{"attestation_report":{"extra":1}}`,
		`{"attestation_report":{}} x`,
		`{"attestation_report":null}`,
		`{"cert_chain":[{"cert_type":"V\u0043EK","data":[1]}],"attestation_report":{}}`,
	} {
		if _, ok := decodeFast([]byte(in)); ok {
			t.Errorf("fast path accepted %s", in)
		}
	}
}

// TestDecodeFastMutations runs FuzzDecodeFast's invariant over seeded
// random byte mutations of the seeds, so that it holds in every `go test`.
func TestDecodeFastMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	alphabet := []byte("0123456789[]{},:\" nul-.e\\")
	for _, seed := range fastDecodeSeeds(t) {
		for range 300 {
			data := bytes.Clone(seed)
			for range 1 + rng.IntN(3) {
				data[rng.IntN(len(data))] = alphabet[rng.IntN(len(alphabet))]
			}
			checkDecodeFast(t, data)
		}
	}
}

func checkDecodeFast(t *testing.T, data []byte) {
	t.Helper()
	got, ok := decodeFast(data)
	if !ok {
		return
	}
	var want teesnp.Evidence
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, data)
	}
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("fast decode differs from encoding/json for %q:\n%+v\n%+v", data, got, &want)
	}
}

// FuzzDecodeFast: whatever the fast path accepts, encoding/json accepts
// too and decodes to the same value.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range fastDecodeSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"attestation_report":{"cpuid_fam_id":null,"current_tcb":{"fmc":7}},"cert_chain":[{"cert_type":{"OTHER":"x"},"data":[]}]}`))
	f.Fuzz(checkDecodeFast)
}

// TestDecodeFastSpanCache: a certificate array read again is answered from
// the span cache with equal bytes the caller owns, and one changed digit in
// it misses the cache and decodes to what encoding/json gives.
func TestDecodeFastSpanCache(t *testing.T) {
	tested := 0
	for i, seed := range fastDecodeSeeds(t) {
		first, ok := decodeFast(seed)
		if !ok {
			t.Fatalf("seed %d refused", i)
		}
		certs, err := first.Certs()
		if err != nil || len(certs.VCEK)+len(certs.VLEK) == 0 {
			continue // no endorsement key in this seed
		}
		if !hasSpan(t, seed) {
			t.Fatalf("seed %d: no array cached after decoding", i)
		}
		again, _ := decodeFast(seed)
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("seed %d: cached decode differs", i)
		}
		c2, _ := again.Certs()
		ek := c2.VCEK
		if len(ek) == 0 {
			ek = c2.VLEK
		}
		ek[0] ^= 0xff // the caller's copy, not the cache's
		third, _ := decodeFast(seed)
		if !reflect.DeepEqual(first, third) {
			t.Fatalf("seed %d: a caller's change reached the cache", i)
		}

		// Change one number inside the longest array.
		at := bytes.Index(seed, []byte(`"data":[`))
		if at < 0 {
			t.Fatalf("seed %d: no data array", i)
		}
		at += len(`"data":[`)
		mut := bytes.Clone(seed)
		if mut[at] == '1' {
			mut[at] = '2'
		} else {
			mut[at] = '1'
		}
		checkDecodeFast(t, mut)
		if got, ok := decodeFast(mut); ok && reflect.DeepEqual(got, first) {
			t.Fatalf("seed %d: a changed array decoded to the cached bytes", i)
		}
		tested++
	}
	if tested == 0 {
		t.Fatal("no seed carries an endorsement key")
	}
}

func hasSpan(t *testing.T, data []byte) bool {
	t.Helper()
	byteSpans.mu.Lock()
	defer byteSpans.mu.Unlock()
	for k := range byteSpans.m {
		if bytes.Contains(data, []byte(k)) {
			return true
		}
	}
	return false
}
