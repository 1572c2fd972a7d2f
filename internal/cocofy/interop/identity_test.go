package interop

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

// identityCA is Trustee's real workload-identity CA over a real (SQLite)
// store, for tests that run the hardened manifest's sidecar without an
// attestation: what Trustee's plugin would sign for the workload the
// initdata names.
func identityCA(t *testing.T) *identity.CA {
	t.Helper()
	st := storetest.Open(t)
	ca, err := identity.LoadOrCreate(context.Background(), st, "")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// serveIdentity answers the guest's POST /trustgate/identity/csr as the
// guest does after a successful attestation: the CSR's key stands in for
// the attested TEE key, the workload is the identity.toml of initdataRaw.
// It reports whether r was such a request.
func serveIdentity(t *testing.T, ca *identity.CA, initdataRaw []byte, w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != guest.IdentityPath || r.Method != http.MethodPost {
		return false
	}
	var req struct {
		CSR      string   `json:"csr"`
		DNSNames []string `json:"dns_names"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	csr, err := identity.ParseCSR([]byte(req.CSR))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	tee, err := csr.PublicKey.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	id, err := initdata.Parse(initdataRaw)
	if err != nil {
		t.Error(err)
		http.Error(w, "initdata", http.StatusInternalServerError)
		return true
	}
	wl, err := identity.WorkloadFromInitData(id.Data[identity.InitDataEntry])
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return true
	}
	iss, err := ca.Issue(identity.Request{CSR: csr, TeeKey: tee, Workload: wl, DNSNames: req.DNSNames})
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return true
	}
	json.NewEncoder(w).Encode(map[string]any{"certificate_chain": string(ca.ChainPEM(iss)), "spiffe_id": iss.SPIFFEID,
		"not_after": iss.NotAfter.Format(time.RFC3339)})
	return true
}
