package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPanicLogsNoValue: a handler panic answers 500 and logs the panic's
// type and stack, never its value (which can carry request data).
func TestPanicLogsNoValue(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	handler := h.srv.instrument("test", func(http.ResponseWriter, *http.Request) {
		panic("secret-canary-7f3a")
	})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	if !strings.Contains(logs.String(), "handler panic") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), "secret-canary-7f3a") || strings.Contains(rec.Body.String(), "secret-canary-7f3a") {
		t.Fatal("the panic value reached the log or the answer")
	}
}
