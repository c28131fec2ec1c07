package wait

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

const (
	tencentWindow = time.Second
	tencentGuard  = 100 * time.Millisecond
	tencentSpan   = tencentWindow + tencentGuard
)

// checkWindow fails when more than n of times fall in any window of span.
func checkWindow(t *testing.T, times []time.Time, n int, span time.Duration) {
	t.Helper()
	sorted := slices.Clone(times)
	slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
	for i := 0; i+n < len(sorted); i++ {
		if gap := sorted[i+n].Sub(sorted[i]); gap < span {
			t.Errorf("events %d and %d are %v apart: %d events inside one %v window", i, i+n, gap, n+1, span)
		}
	}
}

func TestLimiterSequential(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		n      int
		window time.Duration
		guard  time.Duration
		events int
		gaps   []time.Duration // clock advance before each event; missing = 0
		want   []time.Duration // grant offsets from the start
	}{
		{
			name: "Tencent: bursts of 3, the 4th 1.1s after the 1st", n: 3, window: tencentWindow, guard: tencentGuard, events: 7,
			want: seconds(0, 0, 0, 1.1, 1.1, 1.1, 2.2),
		},
		{
			name: "a late event waits for the window of the first", n: 3, window: tencentWindow, guard: tencentGuard, events: 4,
			gaps: seconds(0, 0, 0, 0.6), want: seconds(0, 0, 0, 1.1),
		},
		{
			name: "spread events: the window slides", n: 3, window: tencentWindow, guard: tencentGuard, events: 5,
			gaps: seconds(0, 0.5, 0.5, 0.5, 0), want: seconds(0, 0.5, 1, 1.5, 1.6),
		},
		{name: "one per window", n: 1, window: time.Second, events: 3, want: seconds(0, 1, 2)},
		{name: "n below 1 counts as 1", n: 0, window: time.Second, events: 2, want: seconds(0, 1)},
		{name: "no window: no limit", n: 1, window: 0, events: 3, want: seconds(0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			l := NewLimiter(tt.n, tt.window, tt.guard, clock)
			var got []time.Duration
			for i := range tt.events {
				if i < len(tt.gaps) {
					clock.Advance(tt.gaps[i])
				}
				if err := l.Wait(context.Background()); err != nil {
					t.Fatalf("Wait: %v", err)
				}
				got = append(got, clock.Now().Sub(testStart))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("grants at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLimiterSpacedEventsDoNotWait(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := NewLimiter(3, tencentWindow, tencentGuard, clock)
	for range 10 {
		clock.Advance(400 * time.Millisecond) // 2.5 per second: under the limit
		if err := l.Wait(context.Background()); err != nil {
			t.Fatalf("Wait: %v", err)
		}
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("slept %v under the limit", clock.sleeps)
	}
}

// limiterRun drives waiters of one Limiter on a FakeClock; each waiter
// reports the fake time at which its Wait returned.
type limiterRun struct {
	t        *testing.T
	clock    *FakeClock
	limiter  *Limiter
	patience context.Context
	outcomes chan limiterOutcome
	granted  []time.Time
}

type limiterOutcome struct {
	id  int
	at  time.Time
	err error
}

func newLimiterRun(t *testing.T, n int) *limiterRun {
	patience, stop := context.WithTimeout(context.Background(), testPatience)
	t.Cleanup(stop)
	clock := NewFakeClock(testStart)
	return &limiterRun{
		t: t, clock: clock, limiter: NewLimiter(n, tencentWindow, tencentGuard, clock),
		patience: patience, outcomes: make(chan limiterOutcome, 100),
	}
}

func (r *limiterRun) start(ctx context.Context, id int) {
	go func() {
		err := r.limiter.Wait(ctx)
		r.outcomes <- limiterOutcome{id: id, at: r.clock.Now(), err: err}
	}()
}

func (r *limiterRun) receive() limiterOutcome {
	r.t.Helper()
	select {
	case o := <-r.outcomes:
		if o.err == nil {
			r.granted = append(r.granted, o.at)
		}
		return o
	case <-r.patience.Done():
		r.t.Fatal("a waiter never returned")
		return limiterOutcome{}
	}
}

func (r *limiterRun) blockUntil(n int) {
	r.t.Helper()
	if err := r.clock.BlockUntilContext(r.patience, n); err != nil {
		r.t.Fatalf("fewer than %d waiters ever slept: %v", n, err)
	}
}

// step advances to the next sleeper and collects the grants it releases;
// abandoned sleepers (of cancelled waiters) fire without a grant.
func (r *limiterRun) step(abandoned int) time.Duration {
	r.t.Helper()
	before := r.clock.Waiters()
	if _, ok := r.clock.AdvanceToNext(); !ok {
		r.t.Fatal("nothing waiting")
	}
	for range before - r.clock.Waiters() - abandoned {
		if o := r.receive(); o.err != nil {
			r.t.Fatalf("waiter %d: %v", o.id, o.err)
		}
	}
	return r.clock.Now().Sub(testStart)
}

// TestLimiterConcurrent starts many waiters at the same moment and advances
// the fake clock one step at a time, letting each woken waiter report before
// the next step.
func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, waiters int
		wantLast   time.Duration
	}{
		{n: 3, waiters: 20, wantLast: 6 * tencentSpan},
		{n: 1, waiters: 8, wantLast: 7 * tencentSpan},
		{n: 5, waiters: 5, wantLast: 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d waiters, %d per window", tt.waiters, tt.n), func(t *testing.T) {
			t.Parallel()
			r := newLimiterRun(t, tt.n)
			for id := range tt.waiters {
				r.start(context.Background(), id)
			}
			for range min(tt.n, tt.waiters) {
				if o := r.receive(); o.err != nil || !o.at.Equal(testStart) {
					t.Fatalf("immediate grant: %+v", o)
				}
			}
			r.blockUntil(tt.waiters - min(tt.n, tt.waiters))
			for len(r.granted) < tt.waiters {
				r.step(0)
			}
			checkWindow(t, r.granted, tt.n, tencentSpan)
			if last := r.clock.Now().Sub(testStart); last != tt.wantLast {
				t.Errorf("last grant at %v, want %v (no slot wasted)", last, tt.wantLast)
			}
		})
	}
}

// TestLimiterConcurrentCancel queues waiters in a known order, cancels a
// whole window's worth of them, and checks that newcomers take those slots.
func TestLimiterConcurrentCancel(t *testing.T) {
	t.Parallel()
	const n = 3
	r := newLimiterRun(t, n)
	cancels := map[int]context.CancelFunc{}
	for id := range 12 { // slots: 0,0,0, 1.1 x3, 2.2 x3, 3.3 x3
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		cancels[id] = cancel
		r.start(ctx, id)
		if id < n {
			r.receive()
		} else {
			r.blockUntil(id - n + 1)
		}
	}
	for _, id := range []int{3, 4, 5} { // the 1.1s slots
		cancels[id]()
		o := r.receive()
		if o.id != id || !errors.Is(o.err, context.Canceled) || !o.at.Equal(testStart) {
			t.Fatalf("cancelled waiter %d: %+v, want context.Canceled at once", id, o)
		}
	}
	for id := 12; id < 15; id++ {
		r.start(context.Background(), id)
	}
	r.blockUntil(15 - n) // 9 live sleepers plus the 3 abandoned ones

	if at := r.step(3); at != tencentSpan {
		t.Fatalf("first step to %v, want %v", at, tencentSpan)
	}
	newcomers := 0
	for _, at := range r.granted[n:] {
		if at.Sub(testStart) == tencentSpan {
			newcomers++
		}
	}
	if newcomers != 3 {
		t.Errorf("%d grants at %v, want the 3 newcomers in the released slots", newcomers, tencentSpan)
	}
	for len(r.granted) < 12 {
		r.step(0)
	}
	checkWindow(t, r.granted, n, tencentSpan)
	if last := r.clock.Now().Sub(testStart); last != 3*tencentSpan {
		t.Errorf("last grant at %v, want %v", last, 3*tencentSpan)
	}
}

func TestLimiterCancelReleasesSlot(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(testStart)
	l := NewLimiter(1, tencentWindow, tencentGuard, clock)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() { result <- l.Wait(ctx) }()
	patience, stop := context.WithTimeout(context.Background(), testPatience)
	defer stop()
	if err := clock.BlockUntilContext(patience, 1); err != nil {
		t.Fatalf("second Wait never slept: %v", err)
	}
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-patience.Done():
		t.Fatal("Wait did not return after cancel")
	}
	if d, _ := clock.Next(); d != tencentSpan {
		t.Fatalf("pending sleep %v, want %v", d, tencentSpan)
	}

	go func() { result <- l.Wait(context.Background()) }()
	if err := clock.BlockUntilContext(patience, 2); err != nil {
		t.Fatalf("third Wait never slept: %v", err)
	}
	clock.Advance(tencentSpan)
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("third Wait: %v", err)
		}
	case <-patience.Done():
		t.Fatal("third Wait did not get the released slot at 1.1s")
	}
}

func TestLimiterDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		deadline time.Duration
		wantErr  bool
	}{
		{name: "wait would cross the deadline", deadline: time.Second, wantErr: true},
		{name: "wait fits before the deadline", deadline: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			l := NewLimiter(1, tencentWindow, tencentGuard, clock)
			if err := l.Wait(context.Background()); err != nil {
				t.Fatalf("first Wait: %v", err)
			}
			err := l.Wait(newManualCtx(testStart.Add(tt.deadline)))
			if !tt.wantErr {
				if err != nil || clock.Now().Sub(testStart) != tencentSpan {
					t.Errorf("err = %v at %v, want a grant at %v", err, clock.Now().Sub(testStart), tencentSpan)
				}
				return
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", err)
			}
			if len(clock.sleeps) != 0 {
				t.Errorf("slept %v before giving up", clock.sleeps)
			}
			// The refused wait reserved nothing: the next one gets 1.1s.
			if err := l.Wait(context.Background()); err != nil || clock.Now().Sub(testStart) != tencentSpan {
				t.Errorf("next Wait: err %v at %v, want a grant at %v", err, clock.Now().Sub(testStart), tencentSpan)
			}
		})
	}
}

func TestLimiterContextAlreadyDone(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := NewLimiter(1, time.Second, 0, clock)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := l.Wait(context.Background()); err != nil || len(clock.sleeps) != 0 {
		t.Errorf("err = %v, sleeps %v: the refused call must not use the slot", err, clock.sleeps)
	}
}

func TestLimiterRealClockRace(t *testing.T) {
	t.Parallel()
	// Real clock, no real waiting: the limit is never reached, so this only
	// exercises concurrent access (run with -race).
	l := NewLimiter(1000, time.Hour, 0, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := l.Wait(context.Background()); err != nil {
				t.Errorf("Wait: %v", err)
			}
		})
	}
	wg.Wait()
}
