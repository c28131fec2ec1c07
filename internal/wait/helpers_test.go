package wait

import (
	"context"
	"sync"
	"time"
)

// steppingClock jumps forward by every delay it is asked to sleep, so the
// code under test runs in one goroutine and the sleeps can be read back.
type steppingClock struct {
	now    time.Time
	record bool
	sleeps []time.Duration
	fired  chan time.Time
}

func newSteppingClock(start time.Time) *steppingClock {
	return &steppingClock{now: start, record: true, fired: make(chan time.Time, 1)}
}

func (c *steppingClock) Now() time.Time { return c.now }

func (c *steppingClock) After(d time.Duration) <-chan time.Time {
	if c.record {
		c.sleeps = append(c.sleeps, d)
	}
	c.now = c.now.Add(max(d, 0))
	select {
	case c.fired <- c.now:
	default:
	}
	return c.fired
}

// Advance lets a poll function simulate a slow request.
func (c *steppingClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func (c *steppingClock) total() time.Duration {
	var sum time.Duration
	for _, d := range c.sleeps {
		sum += d
	}
	return sum
}

// manualCtx is a context the test ends by hand, with an optional deadline in
// fake time; it lets tests reach the deadline paths without real waiting.
type manualCtx struct {
	context.Context
	deadline time.Time
	done     chan struct{}
	mu       sync.Mutex
	err      error
}

func newManualCtx(deadline time.Time) *manualCtx {
	return &manualCtx{Context: context.Background(), deadline: deadline, done: make(chan struct{})}
}

func (c *manualCtx) Deadline() (time.Time, bool) { return c.deadline, !c.deadline.IsZero() }
func (c *manualCtx) Done() <-chan struct{}       { return c.done }

func (c *manualCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *manualCtx) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

// fixedRand returns the values in turn, repeating the last one.
func fixedRand(values ...float64) func() float64 {
	i := 0
	return func() float64 {
		v := values[min(i, len(values)-1)]
		i++
		return v
	}
}

func seconds(fs ...float64) []time.Duration {
	out := make([]time.Duration, len(fs))
	for i, f := range fs {
		out[i] = time.Duration(f * float64(time.Second))
	}
	return out
}

// testStart is a fixed fake start time; fake-time deadlines are built from it.
var testStart = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const testPatience = 10 * time.Second // real-time bound on a hung goroutine
