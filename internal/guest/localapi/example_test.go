package localapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// A workload fetches a resource the guest released after attestation; a
// refusal comes back as an *Error with the status and the guest's reason.
func ExampleClient_GetResource() {
	guest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == localapi.ResourcePrefix+"default/azure/connection-string" {
			w.Write([]byte("DefaultEndpointsProtocol=https;…"))
			return
		}
		http.Error(w, "get resource kbs:///default/azure/other: kbs: PolicyDeny", http.StatusInternalServerError)
	}))
	defer guest.Close()

	c, err := localapi.New(guest.URL) // localapi.DefaultURL inside the VM
	if err != nil {
		panic(err)
	}
	conn, err := c.GetResource(context.Background(), "kbs:///default/azure/connection-string")
	fmt.Println(len(conn) > 0, err)

	_, err = c.GetResource(context.Background(), "kbs:///default/azure/other")
	fmt.Println(localapi.StatusOf(err), localapi.KindOf(err))
	fmt.Println(err)
	// Output:
	// true <nil>
	// 500 status
	// guest local API: resource kbs:///default/azure/other: HTTP 500: get resource kbs:///default/azure/other: kbs: PolicyDeny
}
