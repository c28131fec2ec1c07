package wait

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestPollerScheduleLeavesOutHeldTime: polls that each spend 3 s held back by the rate limit
// keep the schedule a wait has alone (quick for 5 s of its own time, then doubling), instead
// of leaving the quick period after two polls and backing off while the limit's budget is
// shared out.
func TestPollerScheduleLeavesOutHeldTime(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	const polls = 10
	poll, calls := scriptedPoll(clock, runningUntil(polls-1)...)
	held := func(ctx context.Context) (State, error) {
		clock.Advance(3 * time.Second) // queued behind other processes' requests
		addHeld(ctx, 3*time.Second)
		return poll(ctx)
	}
	p := Poller{Clock: clock, Rand: fixedRand(0)}
	if _, err := p.Until(context.Background(), held); err != nil {
		t.Fatalf("Until: %v", err)
	}
	if want := seconds(1, 1, 1, 1, 1, 2, 4, 8, 10); *calls != polls || !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("%d polls, sleeps %v; want %d polls, sleeps %v", *calls, clock.sleeps, polls, want)
	}
}

// TestPollerHeldTimeCappedByPoll: concurrent requests of one poll may report more held time
// than the poll took; only the poll's own duration is left out.
func TestPollerHeldTimeCappedByPoll(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	poll, _ := scriptedPoll(clock, runningUntil(3)...)
	held := func(ctx context.Context) (State, error) {
		clock.Advance(time.Second)
		addHeld(ctx, time.Hour) // many requests in parallel, each held a long time
		return poll(ctx)
	}
	p := Poller{Clock: clock, Rand: fixedRand(0), QuickPeriod: 2 * time.Second}
	if _, err := p.Until(context.Background(), held); err != nil {
		t.Fatalf("Until: %v", err)
	}
	// With an hour subtracted per poll the quick period would never end.
	if want := seconds(1, 1, 2); !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("sleeps %v, want %v", clock.sleeps, want)
	}
}

// TestHeldTimeRecorded: a limiter's pacing and a throttled request's paced retry delay are
// recorded as held; a 5xx retry's backoff is not.
func TestHeldTimeRecorded(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := NewAdaptiveLimiter(1, 2*time.Second, 0, clock)
	ctx, m := withHeldMeter(context.Background())
	for range 2 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.sum(); got != 2*time.Second {
		t.Errorf("limiter: held %v, want the 2s pace", got)
	}

	throttled, unavailable := errors.New("throttled"), errors.New("503")
	for name, tc := range map[string]struct {
		err  error
		held bool
	}{"throttled": {throttled, true}, "server error": {unavailable, false}} {
		clock := newSteppingClock(testStart)
		ctx, m := withHeldMeter(context.Background())
		attempts := 0
		r := Retrier{Clock: clock, Rand: fixedRand(0.5), Backoff: Backoff{Initial: time.Second, Max: 4 * time.Second, MaxAttempts: 3},
			Retryable: func(error) bool { return true }, Paced: func(err error) bool { return err == throttled }}
		_ = r.Do(ctx, func(context.Context) error {
			attempts++
			if attempts < 2 {
				return tc.err
			}
			return nil
		})
		if got := m.sum(); (got > 0) != tc.held || (tc.held && got != clock.total()) {
			t.Errorf("%s: held %v after sleeping %v; want held=%v", name, got, clock.total(), tc.held)
		}
	}
}
