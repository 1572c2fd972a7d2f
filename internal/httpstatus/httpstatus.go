// Package httpstatus records the status code a handler answered, for access
// logs and metrics, while keeping the wrapped writer's Flush (server-sent
// events) and Unwrap (http.ResponseController) working.
package httpstatus

import "net/http"

// Writer wraps a ResponseWriter and remembers the first status sent.
type Writer struct {
	http.ResponseWriter
	code int
}

// Wrap returns a Writer over w.
func Wrap(w http.ResponseWriter) *Writer { return &Writer{ResponseWriter: w} }

// Code is the status sent so far, or 0 when nothing was written yet.
func (w *Writer) Code() int { return w.code }

// WriteHeader records the first status and passes it on.
func (w *Writer) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 before the first body bytes.
func (w *Writer) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush flushes the wrapped writer when it can.
func (w *Writer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
