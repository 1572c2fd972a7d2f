package kbs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrorTypePrefix is the URI prefix of every error "type", as upstream.
const ErrorTypePrefix = "https://github.com/confidential-containers/kbs/errors/"

// Variant names an error kind; the wire "type" is ErrorTypePrefix+Variant.
type Variant string

// Upstream variants (trustee kbs/src/error.rs) that our server produces.
const (
	AdminAuth          Variant = "AdminAuth"
	AttestationError   Variant = "AttestationError"
	InvalidRequestPath Variant = "InvalidRequestPath"
	JweError           Variant = "JweError"
	PluginNotFound     Variant = "PluginNotFound"
	PluginInternal     Variant = "PluginInternalError"
	PolicyDeny         Variant = "PolicyDeny"
	PolicyEngineError  Variant = "PolicyEngineError"
	ParsePolicyError   Variant = "ParsePolicyError"
	RvpsError          Variant = "RvpsError"
	SerdeError         Variant = "SerdeError"
	TokenNotFound      Variant = "TokenNotFound"
	TokenVerifierError Variant = "TokenVerifierError"
)

// Trustgate variants for conditions upstream has no variant for; they keep
// the same URI prefix so that clients parse them the same way.
const (
	// PayloadTooLarge: request body over the configured limit (413).
	PayloadTooLarge Variant = "PayloadTooLarge"
	// TooManyRequests: per-client rate limit exceeded (429).
	TooManyRequests Variant = "TooManyRequests"
	// ResourceNotFound: an admin read or delete of a resource that does not
	// exist (404). The attested GET of a missing resource stays 401 with
	// PluginInternalError, as upstream, so the guest's retry logic is unchanged.
	ResourceNotFound Variant = "ResourceNotFound"
	// InternalError: a server fault (store down, …); 500. Upstream would
	// answer 401, but an operator must be able to tell an outage from a denial.
	InternalError Variant = "InternalError"
)

// Error is a protocol error: a variant and an operator-readable detail. The
// detail goes on the wire, so it must never hold a secret, key or token.
type Error struct {
	Variant Variant
	Detail  string
	Err     error // cause, for errors.Is/As; not serialised
}

// Errorf returns an *Error of variant v with a formatted detail. A %w verb
// in format keeps the cause reachable through errors.Is/As.
func Errorf(v Variant, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Variant: v, Detail: err.Error(), Err: errors.Unwrap(err)}
}

// NewError returns an *Error of variant v with detail.
func NewError(v Variant, detail string) *Error { return &Error{Variant: v, Detail: detail} }

func (e *Error) Error() string {
	if e.Detail == "" {
		return string(e.Variant)
	}
	return string(e.Variant) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// Type returns the wire "type" URI.
func (e *Error) Type() string { return ErrorTypePrefix + string(e.Variant) }

// Status is the one mapping from protocol errors to HTTP status codes.
//
// As upstream: 404 for InvalidRequestPath and PluginNotFound, 401 for every
// other upstream variant (policy denial included: the guest re-runs the
// handshake on 401). Ours: 400 for malformed bodies (SerdeError), 413, 429,
// 404 for an admin lookup of a missing resource, 500 for server faults. An
// error that is not an *Error is a server fault (500); nil is 200.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	switch e.Variant {
	case InvalidRequestPath, PluginNotFound, ResourceNotFound:
		return http.StatusNotFound
	case SerdeError:
		return http.StatusBadRequest
	case PayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case TooManyRequests:
		return http.StatusTooManyRequests
	case InternalError:
		return http.StatusInternalServerError
	default:
		return http.StatusUnauthorized
	}
}

// ErrorInfo is the wire form of an error.
type ErrorInfo struct {
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

// Variant returns the variant named by the type URI, or "" when the URI
// does not carry the KBS prefix.
func (i ErrorInfo) Variant() Variant {
	if v, ok := strings.CutPrefix(i.Type, ErrorTypePrefix); ok {
		return Variant(v)
	}
	return ""
}

// Info converts err to its wire form. Errors that are not *Error become
// InternalError with a generic detail, so internal messages never leak.
func Info(err error) ErrorInfo {
	var e *Error
	if !errors.As(err, &e) {
		return ErrorInfo{Type: ErrorTypePrefix + string(InternalError), Detail: "internal error"}
	}
	return ErrorInfo{Type: e.Type(), Detail: e.Detail}
}

// WriteError writes err as a KBS error response with its status.
func WriteError(w http.ResponseWriter, err error) {
	body, _ := json.Marshal(Info(err)) // two strings: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(Status(err))
	_, _ = w.Write(body)
}

// ParseErrorInfo reads an error body (client side). It fails when the body
// is not a KBS error object.
func ParseErrorInfo(body []byte) (ErrorInfo, error) {
	var i ErrorInfo
	if err := json.Unmarshal(body, &i); err != nil {
		return ErrorInfo{}, fmt.Errorf("kbs error body: %w", err)
	}
	if i.Type == "" {
		return ErrorInfo{}, errors.New("kbs error body: missing type")
	}
	return i, nil
}
