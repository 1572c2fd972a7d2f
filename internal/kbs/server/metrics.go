package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trustgate/trustgate/internal/kbs"
)

// metrics hold only bounded labels: endpoint names, status codes and error
// variants. Never a path, a client address, a TEE claim or a secret.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	releases prometheus.Counter
	denials  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trustee_requests_total", Help: "HTTP requests by endpoint and outcome (status code).",
		}, []string{"endpoint", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "trustee_request_duration_seconds", Help: "Request latency by endpoint and outcome.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"endpoint", "outcome"}),
		releases: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "trustee_resource_releases_total", Help: "Resources released to attested TEEs.",
		}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trustee_resource_denials_total", Help: "Resource requests refused, by reason (KBS error variant).",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.requests, m.latency, m.releases, m.denials)
	return m
}

// reasonLabel is the error's variant: a fixed, small set.
func reasonLabel(err error) string {
	var e *kbs.Error
	if errors.As(err, &e) {
		return string(e.Variant)
	}
	return string(kbs.InternalError)
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps server-sent events working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times a handler, and turns a panic into a 500
// without taking the server down.
func (s *Server) instrument(endpoint string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "endpoint", endpoint, "panic", p)
				if sw.code == 0 {
					kbs.WriteError(sw, kbs.Errorf(kbs.InternalError, "internal error"))
				}
			}
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			outcome := strconv.Itoa(code)
			s.metrics.requests.WithLabelValues(endpoint, outcome).Inc()
			s.metrics.latency.WithLabelValues(endpoint, outcome).Observe(time.Since(start).Seconds())
		}()
		h(sw, r)
	})
}
