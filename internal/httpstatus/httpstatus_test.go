package httpstatus

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(w *Writer)
		want int
	}{
		{"nothing written", func(*Writer) {}, 0},
		{"body only", func(w *Writer) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"explicit status", func(w *Writer) { w.WriteHeader(http.StatusTeapot); _, _ = w.Write([]byte("x")) }, http.StatusTeapot},
		{"first status wins", func(w *Writer) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := Wrap(rec)
			tc.do(w)
			w.Flush()
			if w.Code() != tc.want {
				t.Fatalf("Code() = %d, want %d", w.Code(), tc.want)
			}
			if !rec.Flushed {
				t.Error("Flush did not reach the wrapped writer")
			}
			if w.Unwrap() != rec {
				t.Error("Unwrap lost the writer")
			}
		})
	}
}
