package kbs_test

import (
	"fmt"

	"github.com/trustgate/trustgate/internal/kbs"
)

// The digest a guest binds into its hardware report, and the verifier
// expects there, for a challenge nonce and the guest's ephemeral key.
func ExampleReportData() {
	key := kbs.TeePubKey{Kty: "EC", Crv: "P-256", Alg: "ECDH-ES+A256KW", X: "xx", Y: "yy"}
	canon, _ := kbs.RuntimeDataJCS("bm9uY2U=", key, "")
	fmt.Println(string(canon))
	fmt.Println(len(kbs.ReportData("bm9uY2U=", key, "")))
	// Output:
	// {"additional-evidence":"","nonce":"bm9uY2U=","tee-pubkey":{"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":"xx","y":"yy"}}
	// 48
}

func ExampleParseResourcePath() {
	for _, p := range []string{"default/key/1", "default/../1", "default%2Fkey/1/x"} {
		rp, err := kbs.ParseResourcePath(p)
		fmt.Println(rp.Segments(), kbs.Status(err))
	}
	// Output:
	// [default key 1] 200
	// [  ] 404
	// [  ] 404
}
