package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a per-client-address token bucket for /kbs/v0/auth, so that
// one client cannot fill the session store. Idle entries are dropped.
type limiter struct {
	r     rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*clientLimit
	last    time.Time
}

type clientLimit struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &limiter{r: rate.Limit(perSecond), burst: burst, clients: map[string]*clientLimit{}}
}

// allow reports whether the client may make a request now.
func (l *limiter) allow(client string) bool {
	if l == nil {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > time.Minute {
		// Sweep: a client idle this long has a full bucket anyway.
		for k, c := range l.clients {
			if now.Sub(c.seen) > time.Minute {
				delete(l.clients, k)
			}
		}
		l.last = now
	}
	c, ok := l.clients[client]
	if !ok {
		c = &clientLimit{l: rate.NewLimiter(l.r, l.burst)}
		l.clients[client] = c
	}
	c.seen = now
	return c.l.AllowN(now, 1)
}

// clientAddr is the peer IP (no port). X-Forwarded-For is not trusted:
// a deployment behind a proxy sets the limit there.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
