package wait

import (
	"context"
	"sync"
	"time"
)

// A poll can spend part of its time held back by the rate limit: queued on an
// AdaptiveLimiter, or sleeping before a retry of a throttled request. That time is the
// limit's, not the schedule's. The Poller measures it per poll and leaves it out of the time
// its quick period and back-off are counted in, so that under contention a wait makes the
// same sequence of polls it would make alone (just later), instead of leaving its quick period
// after a few queued polls and backing off while the shared budget goes unused. Estimates from
// progress still use real time: tasks move on in real time.

type heldKey struct{}

// heldMeter adds up the time the requests of one poll were held back.
type heldMeter struct {
	mu    sync.Mutex
	total time.Duration
}

// withHeldMeter returns a context whose limiter waits and throttled-retry sleeps are added
// to the returned meter.
func withHeldMeter(ctx context.Context) (context.Context, *heldMeter) {
	m := &heldMeter{}
	return context.WithValue(ctx, heldKey{}, m), m
}

// addHeld records d against ctx's meter, if it has one.
func addHeld(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	if m, ok := ctx.Value(heldKey{}).(*heldMeter); ok {
		m.mu.Lock()
		m.total += d
		m.mu.Unlock()
	}
}

func (m *heldMeter) sum() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}
