package dashboard

import (
	"sync"
	"time"
)

// limiter is a token bucket per key (a client address): burst tokens, one
// more every per. It remembers at most maxKeys keys; a full bucket carries
// no information, so those are the ones forgotten first.
type limiter struct {
	burst   float64
	per     time.Duration
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, per time.Duration, maxKeys int) *limiter {
	return &limiter{burst: float64(burst), per: per, maxKeys: maxKeys, buckets: map[string]*bucket{}}
}

func (l *limiter) fill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens += float64(d) / float64(l.per)
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
	}
	b.at = now
}

// allowed reports whether key has a token left, without taking one.
func (l *limiter) allowed(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return true
	}
	l.fill(b, now)
	return b.tokens >= 1
}

// take takes one token from key's bucket and reports whether there was one.
func (l *limiter) take(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.fill(b, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// retryAfter is how long until key has a token again.
func (l *limiter) retryAfter(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	l.fill(b, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.per))
}

// prune forgets full buckets, or, when every bucket is in use, half of them
// (an attacker with that many addresses gets a fresh burst on some).
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		l.fill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.maxKeys {
		return
	}
	n := 0
	for k := range l.buckets {
		if n >= l.maxKeys/2 {
			break
		}
		delete(l.buckets, k)
		n++
	}
}
