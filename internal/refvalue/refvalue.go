// Package refvalue is the format of reference values, shared by the RVPS
// (package rvps) and its clients: upstream's registration message, the
// shape of a stored entry, and the value formats the default attestation
// policy can match. It links no storage.
package refvalue

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MessageVersion is the only registration message version upstream defines.
const MessageVersion = "0.1.0"

// DefaultExpiry is how long a registered value stays valid unless the
// message says otherwise (upstream: 12 months).
const DefaultExpiry = 365 * 24 * time.Hour

// MaxMessage bounds a registration message.
const MaxMessage = 1 << 20

// ErrInvalid marks a message or value that cannot be registered (a client error).
var ErrInvalid = errors.New("invalid reference value")

// Message is upstream's registration message. Expiration is a trustgate
// extension (RFC 3339); when absent the default expiry applies.
type Message struct {
	Version    string `json:"version"`
	Type       string `json:"type"`
	Payload    string `json:"payload"`
	Expiration string `json:"expiration,omitempty"`
}

// Entry is a stored reference value in upstream's shape.
type Entry struct {
	Version    string    `json:"version"`
	Name       string    `json:"name"`
	Expiration time.Time `json:"expiration"`
	Value      []any     `json:"value"`
}

// Values are the parsed contents of a message: name → acceptable values.
type Values map[string][]any

// ParseMessage decodes and checks a registration message. now is used to
// reject an expiration in the past. It returns the values and expiration.
func ParseMessage(b []byte, now time.Time) (Values, time.Time, error) {
	if len(b) > MaxMessage {
		return nil, time.Time{}, fmt.Errorf("%w: message over %d bytes", ErrInvalid, MaxMessage)
	}
	var m Message
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: decode message: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, time.Time{}, fmt.Errorf("%w: trailing data after message", ErrInvalid)
	}
	if m.Version != MessageVersion {
		return nil, time.Time{}, fmt.Errorf("%w: message version %q, want %s", ErrInvalid, m.Version, MessageVersion)
	}
	if m.Type != "sample" {
		return nil, time.Time{}, fmt.Errorf("%w: message type %q is not supported (only \"sample\")", ErrInvalid, m.Type)
	}
	raw, err := base64.StdEncoding.DecodeString(m.Payload)
	if err != nil {
		// Be lenient on padding as upstream clients differ.
		if raw, err = base64.RawStdEncoding.DecodeString(m.Payload); err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: payload is not base64", ErrInvalid)
		}
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(raw, &payload); err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: payload is not a JSON object: %v", ErrInvalid, err)
	}
	if len(payload) == 0 {
		return nil, time.Time{}, fmt.Errorf("%w: payload names no reference value", ErrInvalid)
	}
	out := Values{}
	for name, v := range payload {
		if err := CheckName(name); err != nil {
			return nil, time.Time{}, err
		}
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
		}
		if arr, ok := val.([]any); ok {
			out[name] = arr
		} else {
			out[name] = []any{val} // a single value is a one-element set
		}

	}
	exp := now.Add(DefaultExpiry)
	if m.Expiration != "" {
		t, err := time.Parse(time.RFC3339, m.Expiration)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("%w: expiration: %v", ErrInvalid, err)
		}
		if !t.After(now) {
			return nil, time.Time{}, fmt.Errorf("%w: expiration %s is in the past", ErrInvalid, m.Expiration)
		}
		exp = t
	}
	return out, exp, nil
}

// CheckName checks a reference value name: 1..256 printable ASCII bytes,
// no spaces.
func CheckName(name string) error {
	if name == "" || len(name) > 256 {
		return fmt.Errorf("%w: name must be 1..256 bytes", ErrInvalid)
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: name %q must be printable ASCII without spaces", ErrInvalid, name)
		}
	}
	return nil
}

// NewMessage builds a registration message for values (what the admin
// client sends). A zero exp means the server's default expiry.
func NewMessage(values Values, exp time.Time) ([]byte, error) {
	p, err := json.Marshal(values)
	if err != nil {
		return nil, fmt.Errorf("encode reference values: %w", err)
	}
	m := Message{Version: MessageVersion, Type: "sample", Payload: base64.StdEncoding.EncodeToString(p)}
	if !exp.IsZero() {
		m.Expiration = exp.UTC().Format(time.RFC3339)
	}
	return json.Marshal(m)
}
