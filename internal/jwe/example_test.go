package jwe_test

import (
	"fmt"

	"github.com/trustgate/trustgate/internal/jwe"
)

// A guest makes a key per session and sends its public half in the
// attestation; trustee encrypts the resource to it; the guest opens it.
func Example() {
	priv, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		panic(err)
	}
	msg, err := jwe.Encrypt(pub, []byte("connection string"))
	if err != nil {
		panic(err)
	}
	plain, err := jwe.Decrypt(priv, msg)
	fmt.Println(string(plain), err)
	// Output: connection string <nil>
}
