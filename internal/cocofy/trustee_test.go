package cocofy

import (
	"testing"

	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// The bundle cocofy writes is one Trustee accepts, with the TEE of a
// non-sha256 init_data digest (without it Trustee refuses a digest that
// not every hardware TEE binds in full). The sha256 digest carries none.
func TestBundleTrusteeAccepts(t *testing.T) {
	for _, tt := range []struct{ alg, tee, wantTEE string }{
		{"sha256", "", ""},
		{"sha384", "tdx", "tdx"},
	} {
		opts := testOptions(t)
		opts.Algorithm, opts.TEE = tt.alg, tt.tee
		res, err := Transform(opts, readInput(t, "deid.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		data, err := MakeBundle(res, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, values, err := kbsadmin.ParseBundle(data, nil)
		if err != nil {
			t.Fatalf("%s: trustee refuses the bundle: %v", tt.alg, err)
		}
		if len(values) != len(res.Uploads) || len(b.ReferenceValues) != 1 {
			t.Fatalf("%s: %d resources of %d, %d reference values", tt.alg, len(values), len(res.Uploads), len(b.ReferenceValues))
		}
		for _, u := range res.Uploads {
			if string(values[u.Path]) != string(u.Value) {
				t.Errorf("%s: resource %s differs", tt.alg, u.Path)
			}
		}
		if rv := b.ReferenceValues[0]; rv.Name != ReferenceValueName || rv.TEE != tt.wantTEE {
			t.Errorf("%s: reference value %s tee %q, want %s tee %q", tt.alg, rv.Name, rv.TEE, ReferenceValueName, tt.wantTEE)
		}
	}
}
