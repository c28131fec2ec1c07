// Package waittest provides a fake clock for the tests of the wait engine and of the packages
// that drive it (the adapters' limiters and retriers, the provider's waits), in the way
// net/http/httptest serves the tests of HTTP code. Production code never imports it.
package waittest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// FakeClock is a wait.Clock that only moves when Advance is called.
//
// A channel returned by After stays registered until the clock passes its
// time, even when its reader has given up (for example after a cancelled
// context), so Waiters counts such abandoned sleepers too. Use one FakeClock
// per test case.
type FakeClock struct {
	mu       sync.Mutex
	changed  *sync.Cond // broadcast whenever a sleeper is added
	now      time.Time
	sleepers []fakeSleeper
}

type fakeSleeper struct {
	until time.Time
	ch    chan time.Time
}

// NewFakeClock returns a FakeClock whose time starts at start.
func NewFakeClock(start time.Time) *FakeClock {
	c := &FakeClock{now: start}
	c.changed = sync.NewCond(&c.mu)
	return c
}

// Now returns the fake current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the fake time once the clock has
// been advanced by at least d. A non-positive d fires at once.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.sleepers = append(c.sleepers, fakeSleeper{until: c.now.Add(d), ch: ch})
	c.changed.Broadcast()
	return ch
}

// Advance moves the clock forward by d and fires, in time order, every
// sleeper whose time has come.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	slices.SortStableFunc(c.sleepers, func(a, b fakeSleeper) int { return a.until.Compare(b.until) })
	fired := 0
	for _, s := range c.sleepers {
		if s.until.After(c.now) {
			break
		}
		s.ch <- c.now
		fired++
	}
	c.sleepers = append(c.sleepers[:0], c.sleepers[fired:]...)
}

// Next returns how far the earliest pending sleeper is from now, and false
// when nothing is waiting.
func (c *FakeClock) Next() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sleepers) == 0 {
		return 0, false
	}
	earliest := c.sleepers[0].until
	for _, s := range c.sleepers[1:] {
		if s.until.Before(earliest) {
			earliest = s.until
		}
	}
	return earliest.Sub(c.now), true
}

// AdvanceToNext advances the clock to the earliest pending sleeper, fires
// it, and returns the step taken; it returns false when nothing is waiting.
func (c *FakeClock) AdvanceToNext() (time.Duration, bool) {
	d, ok := c.Next()
	if ok {
		c.Advance(d)
	}
	return d, ok
}

// Waiters returns the number of pending sleepers.
func (c *FakeClock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// BlockUntil blocks until at least n sleepers are pending.
func (c *FakeClock) BlockUntil(n int) {
	_ = c.BlockUntilContext(context.Background(), n)
}

// BlockUntilContext blocks until at least n sleepers are pending or ctx
// ends, in which case it returns ctx.Err(). Tests use it with a deadline so
// that a bug shows as a failure rather than a hung test.
func (c *FakeClock) BlockUntilContext(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.changed.Broadcast()
	})
	defer stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.sleepers) < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.changed.Wait()
	}
	return nil
}
