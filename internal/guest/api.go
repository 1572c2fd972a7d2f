package guest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// Version is reported by GET /info.
const Version = "trustgate-guest/0.1.0"

// maxRuntimeData bounds /aa/evidence's runtime_data: every TEE's report-data
// field is at most 64 bytes.
const maxRuntimeData = 64

// API is the local REST API of upstream's API Server REST: the same paths,
// bodies and status codes, so that upstream workloads and sidecars work
// unchanged. It answers only loopback callers.
type API struct {
	Hub      *Hub
	KBS      KBS
	Attester attester.Attester
	Log      *slog.Logger
	// ImagePolicyURI is cdh.toml's [image] image_security_policy_uri, which
	// `guest image` reads at ImageConfigPath when given no policy of its own.
	ImagePolicyURI string
	// Identity gets workload certificates from Trustee (IdentityPath);
	// nil answers 500 "no KBS configured".
	Identity IdentityIssuer
	// InitDataAlgorithm and InitDataDigest (lower-case hex) describe the
	// initdata verified against the hardware at start ("" when none), for
	// AttestationPath.
	InitDataAlgorithm, InitDataDigest string
}

// AttestationPath is a trustgate extension of the local API: a read-only
// summary of where the workload runs, for a page that tells its users
// (the de-identification review page): the TEE, the initdata digest bound
// at launch, and the last attestation to Trustee with its EAR status. It
// carries no token, key or secret.
const AttestationPath = localapi.AttestationPath

// AttestationResponse is the body of GET AttestationPath; its one
// definition is the client's (internal/guest/localapi).
type AttestationResponse = localapi.Attestation

// AttestationState is what a KBS client reports of its last attestation.
type AttestationState struct {
	Time      time.Time
	EARStatus string
}

// AttestationReporter is implemented by a KBS that tracks its last
// successful attestation (kbsclient.go).
type AttestationReporter interface {
	LastAttestation() (AttestationState, bool)
}

// ImageConfigPath is a trustgate extension of the local API: it reports the
// daemon's image settings as ImageConfigResponse. Upstream's image-rs runs
// inside the data hub and reads them from its own config; ours runs in the
// `guest image` command, which asks the daemon, so that both use the same
// verified initdata.
const ImageConfigPath = localapi.ImageConfigPath

// ImageConfigResponse is the body of GET ImageConfigPath. An empty URI means
// no image policy is configured.
type ImageConfigResponse = localapi.ImageConfig

// Upstream's bodies for the plain-text answers.
const (
	bodyBadRequest = "BAD REQUEST"
	bodyForbidden  = "Forbidden"
	bodyNotFound   = "URL NOT FOUND"
	bodyNotAllowed = "Method Not Allowed"
)

type info struct {
	Version string `json:"version"`
	Tee     string `json:"tee,omitempty"`
	Feature string `json:"feature"`
}

type tokenResponse = localapi.KBSToken

func (a *API) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// ServeHTTP routes one request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		a.log().Warn("local API refused a non-loopback caller", "remote", r.RemoteAddr, "path", r.URL.Path)
		plain(w, http.StatusForbidden, bodyForbidden)
		return
	}
	path := r.URL.Path
	if path == "/info" || path == ImageConfigPath || path == AttestationPath || path == "/aa/token" || path == "/aa/evidence" || strings.HasPrefix(path, "/cdh/resource/") {
		if r.Method != http.MethodGet {
			plain(w, http.StatusMethodNotAllowed, bodyNotAllowed)
			return
		}
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		plain(w, http.StatusBadRequest, bodyBadRequest)
		return
	}
	switch {
	case path == "/info":
		tee := ""
		if a.Attester != nil {
			tee = a.Attester.Tee()
		}
		writeJSON(w, info{Version: Version, Tee: tee, Feature: "attestation,resource"})
	case path == ImageConfigPath:
		writeJSON(w, ImageConfigResponse{ImageSecurityPolicyURI: a.ImagePolicyURI})
	case path == AttestationPath:
		writeJSON(w, a.attestation())
	case path == "/aa/token":
		a.token(w, r.Context(), params)
	case path == "/aa/evidence":
		a.evidence(w, r.Context(), params)
	case strings.HasPrefix(path, "/cdh/resource/"):
		a.resource(w, r.Context(), strings.TrimPrefix(path, "/cdh/resource/"))
	case path == IdentityPath:
		a.identityCSR(w, r)
	default:
		plain(w, http.StatusNotFound, bodyNotFound)
	}
}

func (a *API) attestation() AttestationResponse {
	out := AttestationResponse{InitDataAlgorithm: a.InitDataAlgorithm, InitDataDigest: a.InitDataDigest}
	if a.Attester != nil {
		out.Tee = a.Attester.Tee()
	}
	if r, ok := a.KBS.(AttestationReporter); ok {
		if st, ok := r.LastAttestation(); ok {
			t := st.Time.UTC()
			out.Attested, out.LastAttestation, out.EARStatus = true, &t, st.EARStatus
		}
	}
	return out
}

func (a *API) token(w http.ResponseWriter, ctx context.Context, params url.Values) {
	tt, ok := params["token_type"]
	if !ok || len(tt) != 1 {
		plain(w, http.StatusBadRequest, bodyBadRequest)
		return
	}
	if tt[0] != "kbs" {
		plain(w, http.StatusBadRequest, "unsupported token type "+strconvQuote(tt[0])+" (only kbs)")
		return
	}
	if a.KBS == nil {
		plain(w, http.StatusInternalServerError, ErrNoKBS.Error())
		return
	}
	tok, key, err := a.KBS.Token(ctx)
	if err != nil {
		a.log().Warn("token request failed", "err", err)
		plain(w, http.StatusInternalServerError, "get kbs token: "+err.Error())
		return
	}
	writeJSON(w, tokenResponse{Token: tok, TeeKeypair: string(key)})
}

// decodeRuntimeData follows upstream: the raw query value, or its standard
// base64 decoding with encoding=base64.
func decodeRuntimeData(params url.Values) ([]byte, bool) {
	rd, ok := params["runtime_data"]
	if !ok || len(rd) != 1 {
		return nil, false
	}
	var out []byte
	switch enc := params.Get("encoding"); enc {
	case "", "raw", "string":
		out = []byte(rd[0])
	case "base64":
		b, err := base64.StdEncoding.DecodeString(rd[0])
		if err != nil {
			b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(rd[0], "="))
			if err != nil {
				return nil, false
			}
		}
		out = b
	default:
		return nil, false
	}
	if len(out) > maxRuntimeData {
		return nil, false
	}
	return out, true
}

func (a *API) evidence(w http.ResponseWriter, ctx context.Context, params url.Values) {
	rd, ok := decodeRuntimeData(params)
	if !ok {
		plain(w, http.StatusBadRequest, bodyBadRequest)
		return
	}
	if a.Attester == nil {
		plain(w, http.StatusNotFound, "Attestation Feature Not Enabled")
		return
	}
	ev, err := a.Attester.Evidence(ctx, rd)
	if err != nil {
		a.log().Warn("evidence request failed", "err", err)
		plain(w, http.StatusInternalServerError, "get evidence: "+err.Error())
		return
	}
	octets(w, ev)
}

func (a *API) resource(w http.ResponseWriter, ctx context.Context, p string) {
	if a.Hub == nil {
		plain(w, http.StatusNotFound, "Resource Feature Not Enabled")
		return
	}
	if _, err := ResourcePath(p); err != nil {
		plain(w, http.StatusNotFound, bodyNotFound)
		return
	}
	b, err := a.Hub.GetResource(ctx, p)
	if err != nil {
		// Upstream answers 500 with the error text; the text names the
		// resource and the KBS's reason, never a value.
		a.log().Warn("resource request failed", "resource", "kbs:///"+p, "err", err)
		status := http.StatusInternalServerError
		if errors.Is(err, ErrBadResourceURI) {
			status = http.StatusNotFound
		}
		plain(w, status, err.Error())
		return
	}
	a.log().Info("resource released to local caller", "resource", "kbs:///"+p, "bytes", len(b))
	octets(w, b)
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func octets(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		plain(w, http.StatusInternalServerError, "encode response")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func strconvQuote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
