package localapi

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies a failed call.
type Kind int

// The kinds of failure.
const (
	// Unreachable: no answer (refused after the retries, reset, timeout).
	Unreachable Kind = iota + 1
	// Status: the guest answered, with a status other than 200 (Status).
	Status
	// TooLarge: the answer exceeds the endpoint's MaxBytes.
	TooLarge
	// Malformed: a 200 answer that does not decode.
	Malformed
	// BadRequest: the call's own argument is invalid (a resource URI);
	// nothing was sent.
	BadRequest
	// Canceled: the caller's context ended.
	Canceled
)

func (k Kind) String() string {
	switch k {
	case Unreachable:
		return "unreachable"
	case Status:
		return "status"
	case TooLarge:
		return "too large"
	case Malformed:
		return "malformed"
	case BadRequest:
		return "bad request"
	case Canceled:
		return "canceled"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is every failure of a Client call. It never holds the body of a
// 200 answer (a resource, a token and its key). Of an error answer it keeps
// Reason: the guest's plain-text explanation (the KBS's refusal, such as
// PolicyDeny), which names a resource and a reason and never a value, so
// that a refusal reaches the operator, as the project's fail-closed rule
// asks.
type Error struct {
	Endpoint Endpoint
	// Resource is "kbs:///repo/type/tag" for EndpointResource calls.
	Resource string
	Kind     Kind
	// Status is the HTTP status the guest answered (0 when none).
	Status int
	// Reason is the start of a Status answer's text/plain body: its first
	// line, printable ASCII only, at most MaxReason bytes ("" otherwise).
	Reason string
	// Attempts is how many requests were sent or tried.
	Attempts int
	// Err is the transport or context error (nil for Status, TooLarge,
	// Malformed).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("guest local API: ")
	b.WriteString(string(e.Endpoint))
	if e.Resource != "" {
		b.WriteString(" " + e.Resource)
	}
	switch e.Kind {
	case Status:
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
		if e.Reason != "" {
			b.WriteString(": " + e.Reason)
		}
	case TooLarge:
		b.WriteString(": answer larger than the limit")
	case Malformed:
		b.WriteString(": malformed answer")
	default:
		b.WriteString(": " + e.Kind.String())
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// MaxReason bounds Error.Reason.
const MaxReason = 200

// reason extracts Error.Reason from an error answer's body.
func reason(contentType string, body []byte) string {
	if !strings.HasPrefix(contentType, "text/plain") {
		return ""
	}
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, line)
	line = strings.TrimSpace(line)
	if len(line) > MaxReason {
		line = line[:MaxReason] + "..."
	}
	return line
}

// StatusOf returns the HTTP status of a Status error, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Kind == Status {
		return e.Status
	}
	return 0
}

// KindOf returns the Kind of a Client error, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
