package wait

import (
	"math"
	"math/rand/v2"
	"time"
)

// Default backoff settings, used for zero fields of Backoff.
const (
	DefaultBackoffInitial    = 500 * time.Millisecond
	DefaultBackoffMax        = 10 * time.Second
	DefaultBackoffMultiplier = 2.0
	DefaultBackoffJitter     = 0.5
)

// Backoff describes exponential backoff with jitter for retried errors.
//
// Zero fields take their defaults, so Backoff{} behaves like
// DefaultBackoff(). A negative Jitter turns jitter off.
//
// Jitter is centred: a delay d becomes a uniform pick in
// d*(1-Jitter/2) .. d*(1+Jitter/2), then capped at Max. Centred jitter keeps
// the mean delay growing geometrically, while still spreading clients that
// were throttled at the same moment.
type Backoff struct {
	Initial     time.Duration // first delay (default 500ms)
	Max         time.Duration // cap per delay, applied after jitter (default 10s)
	Multiplier  float64       // growth per retry, at least 1 (default 2)
	Jitter      float64       // fraction 0..1 of each delay randomised (default 0.5; negative = none)
	MaxAttempts int           // total calls including the first; 0 = until the context ends
}

// DefaultBackoff returns the backoff used when nothing else is configured.
func DefaultBackoff() Backoff {
	return Backoff{
		Initial:    DefaultBackoffInitial,
		Max:        DefaultBackoffMax,
		Multiplier: DefaultBackoffMultiplier,
		Jitter:     DefaultBackoffJitter,
	}
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultBackoffInitial
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Multiplier < 1 {
		b.Multiplier = DefaultBackoffMultiplier
	}
	switch {
	case b.Jitter == 0:
		b.Jitter = DefaultBackoffJitter
	case b.Jitter < 0:
		b.Jitter = 0
	case b.Jitter > 1:
		b.Jitter = 1
	}
	return b
}

// Delay returns the sleep before retry number attempt (attempt 1 = first
// retry). rnd returns a number in [0, 1); nil means math/rand/v2.Float64.
func (b Backoff) Delay(attempt int, rnd func() float64) time.Duration {
	b = b.withDefaults()
	if attempt < 1 {
		attempt = 1
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	base := float64(b.Initial) * math.Pow(b.Multiplier, float64(attempt-1))
	d := base * (1 - b.Jitter/2 + b.Jitter*rnd())
	// Compare as floats: a large attempt overflows time.Duration.
	if d >= float64(b.Max) || math.IsNaN(d) {
		return b.Max
	}
	return time.Duration(d)
}

// FullJitter returns a delay drawn uniformly in 0..Initial (full jitter), for retries that a
// rate limiter spaces; rnd as in Delay.
func (b Backoff) FullJitter(rnd func() float64) time.Duration {
	b = b.withDefaults()
	if rnd == nil {
		rnd = rand.Float64
	}
	return time.Duration(rnd() * float64(b.Initial))
}
