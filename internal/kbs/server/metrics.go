package server

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trustgate/trustgate/internal/httpstatus"
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

// instrument counts and times a handler, and turns a panic into a 500
// without taking the server down.
func (s *Server) instrument(endpoint string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := httpstatus.Wrap(w)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				// The panic value can hold request data: log its type and
				// the stack, never the value.
				s.log.Error("handler panic", "endpoint", endpoint, "panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
				if sw.Code() == 0 {
					kbs.WriteError(sw, kbs.Errorf(kbs.InternalError, "internal error"))
				}
			}
			code := sw.Code()
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
