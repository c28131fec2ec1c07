package wait

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// tencentCeiling is the pace of a Tencent limiter at its ceiling: 3 per 1.1s.
const tencentCeiling = 3 / 1.1

// firstCut is the first decrease from the ceiling, as a fraction of it.
const firstCut = 0.35

func newTencentAdaptive(clock Clock, rnd ...float64) *AdaptiveLimiter {
	l := NewAdaptiveLimiter(3, tencentWindow, tencentGuard, clock)
	if len(rnd) > 0 {
		l.rnd = fixedRand(rnd...)
	}
	return l
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// perRate is the interval between events at rate r per second.
func perRate(r float64) time.Duration { return time.Duration(float64(time.Second) / r) }

func closeTo(got, want time.Duration) bool { return (got - want).Abs() <= time.Microsecond }

// grant waits once and returns the offset from testStart at which it was granted.
func grant(t *testing.T, l *AdaptiveLimiter, clock *steppingClock) time.Duration {
	t.Helper()
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return clock.Now().Sub(testStart)
}

func TestAdaptiveLimiterPacesEvenlyAtTheCeiling(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock)
	var grants []time.Time
	for range 7 {
		grant(t, l, clock)
		grants = append(grants, clock.Now())
	}
	checkWindow(t, grants, 3, tencentSpan)
	interval := tencentSpan / 3
	for i, g := range grants {
		if want := testStart.Add(time.Duration(i) * interval); g.Sub(want).Abs() > time.Microsecond {
			t.Errorf("grant %d at %v, want %v", i, g.Sub(testStart), want.Sub(testStart))
		}
	}
	if r := l.Rate(); !near(r, tencentCeiling) {
		t.Errorf("Rate = %v, want the ceiling %v", r, tencentCeiling)
	}
}

// TestAdaptiveLimiterDecrease: the first throttling answer cuts the rate from the ceiling to a
// third of it (a share among three processes),
// later ones take 30% off; answers to requests granted before a decrease do not cut again.
func TestAdaptiveLimiterDecrease(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	grant(t, l, clock)
	l.Throttled(0)
	if r := l.Rate(); !near(r, tencentCeiling*firstCut) {
		t.Fatalf("after the first throttling: Rate = %v, want %v", r, tencentCeiling*firstCut)
	}
	l.Throttled(0) // a request sent before the cut
	if r := l.Rate(); !near(r, tencentCeiling*firstCut) {
		t.Fatalf("a second answer of the same episode cut again: Rate = %v", r)
	}
	grant(t, l, clock)
	l.Throttled(0)
	if r := l.Rate(); !near(r, tencentCeiling*firstCut*0.7) {
		t.Errorf("after the second episode: Rate = %v, want %v", r, tencentCeiling*firstCut*0.7)
	}
}

func TestAdaptiveLimiterFloor(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	for range 30 {
		grant(t, l, clock)
		l.Throttled(0)
		if r := l.Rate(); r < tencentCeiling/10-1e-9 {
			t.Fatalf("Rate = %v, below the floor %v", r, tencentCeiling/10)
		}
	}
	if r := l.Rate(); !near(r, tencentCeiling/10) {
		t.Errorf("Rate = %v after 30 throttling answers, want the floor %v", r, tencentCeiling/10)
	}
	// At the floor, polls still go out: the pause is at most 4 windows.
	before := clock.Now()
	grant(t, l, clock)
	if waited := clock.Now().Sub(before); waited > 4*tencentSpan {
		t.Errorf("waited %v at the floor, want at most %v", waited, 4*tencentSpan)
	}
}

// TestAdaptiveLimiterRecovery: clean answers raise the rate linearly in the time callers spend
// queued on the pace, up to the ceiling and no further.
func TestAdaptiveLimiterRecovery(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	grant(t, l, clock)
	l.Throttled(0)
	low := l.Rate()
	perSecond := tencentCeiling * 0.02 / tencentSpan.Seconds()
	grant(t, l, clock) // through the pause
	l.Clean()          // the first clean answer after a cut only starts the clock
	if r := l.Rate(); !near(r, low) {
		t.Fatalf("Rate = %v after one clean answer, want %v", r, low)
	}
	// Each grant waits one interval on the pace (the stepping clock sleeps it at once), so
	// the clock's advance is the time callers were queued.
	// 5 s stays inside the quiet period after the cut, where the climb is linear.
	from := clock.Now()
	for clock.Now().Sub(from) < 5*time.Second {
		grant(t, l, clock)
		l.Clean()
	}
	queued := clock.Now().Sub(from).Seconds()
	if r, want := l.Rate(), low+queued*perSecond; !near(r, want) {
		t.Errorf("Rate = %v after %.3fs queued on the pace, want %v", r, queued, want)
	}
	for range 2000 {
		grant(t, l, clock)
		l.Clean()
	}
	if r := l.Rate(); !near(r, tencentCeiling) {
		t.Errorf("Rate = %v after 2000 paced clean answers, want the ceiling %v", r, tencentCeiling)
	}
}

// TestAdaptiveLimiterIdleTimeDoesNotClimb: time in which no caller waited on the pace does not
// raise the rate, so a burst after a quiet spell goes out at the rate last tried, not at one
// that grew unseen (the climb used to count every second between clean answers).
func TestAdaptiveLimiterIdleTimeDoesNotClimb(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	grant(t, l, clock)
	l.Throttled(0)
	low := l.Rate()
	grant(t, l, clock)
	l.Clean()
	for range 3 {
		clock.Advance(10 * time.Second) // callers busy elsewhere: nobody queued
		grant(t, l, clock)              // goes out at once
		l.Clean()
	}
	if r := l.Rate(); !near(r, low) {
		t.Errorf("Rate = %v after 30s idle, want it unchanged at %v", r, low)
	}
}

// TestAdaptiveLimiterProbesNearTheThrottledRate: above 85% of the rate that last drew
// throttling, the climb is ten times slower, for as long as the limiter has not been quiet for
// adaptiveQuiet windows.
func TestAdaptiveLimiterProbesNearTheThrottledRate(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	perSecond := tencentCeiling * 0.02 / tencentSpan.Seconds()
	grant(t, l, clock)
	l.Throttled(0) // ceiling -> a third
	grant(t, l, clock)
	throttledAt := l.Rate()
	l.Throttled(0) // throttled again at throttledAt: x0.7
	cut := clock.Now()
	grant(t, l, clock)
	l.Clean()
	plateau := 0.85 * throttledAt
	from := clock.Now()
	for l.Rate() < plateau {
		grant(t, l, clock)
		l.Clean()
	}
	fast := clock.Now().Sub(from).Seconds()
	if want := (plateau - throttledAt*0.7) / perSecond; fast > want+1 {
		t.Errorf("took %.2fs queued to reach 85%% of the throttled rate, want about %.2fs", fast, want)
	}
	start, from := l.Rate(), clock.Now()
	for clock.Now().Sub(from) < 2*time.Second {
		grant(t, l, clock)
		l.Clean()
	}
	if clock.Now().Sub(cut) >= adaptiveQuiet*tencentSpan {
		t.Fatalf("the probe ran past the quiet period (%v after the cut); the test no longer measures it", clock.Now().Sub(cut))
	}
	queued := clock.Now().Sub(from).Seconds()
	if got, want := (l.Rate()-start)/queued, perSecond/10; math.Abs(got-want) > want*0.2 {
		t.Errorf("near the throttled rate the climb is %.5f per second, want %.5f (a tenth)", got, want)
	}
}

// TestAdaptiveLimiterRegrowsAfterQuiet: once adaptiveQuiet windows passed without throttling,
// the rate also grows with its distance to the ceiling, so a process left alone after a crowd
// doubles its pace in seconds instead of climbing linearly for most of a minute.
func TestAdaptiveLimiterRegrowsAfterQuiet(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	perSecond := tencentCeiling * 0.02 / tencentSpan.Seconds()
	for range 3 {
		grant(t, l, clock)
		l.Throttled(0)
	}
	cut := clock.Now()
	for clock.Now().Sub(cut) < adaptiveQuiet*tencentSpan {
		grant(t, l, clock)
		l.Clean()
	}
	low, from := l.Rate(), clock.Now()
	for l.Rate() < 2*low {
		grant(t, l, clock)
		l.Clean()
	}
	took := clock.Now().Sub(from).Seconds()
	linear := low / perSecond
	// Growth of at least adaptiveRegrow of the distance left at 2*low, per second.
	regrow := low / ((tencentCeiling - 2*low) * adaptiveRegrow)
	if took > regrow+0.5 || took > linear/2 {
		t.Errorf("doubled from %.3f in %.2fs queued; want at most %.2fs (linear alone: %.2fs)", low, took, regrow, linear)
	}
	for range 200 {
		grant(t, l, clock)
		l.Clean()
	}
	if r := l.Rate(); !near(r, tencentCeiling) {
		t.Errorf("Rate = %v, want the ceiling %v, never above", r, tencentCeiling)
	}
}

// TestAdaptiveLimiterPause: after throttling nothing is granted for a pause drawn with
// decorrelated jitter (from one interval up to three times the previous pause), or for the
// API's retry hint plus jitter; clean answers reset the growth.
func TestAdaptiveLimiterPause(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0.5)
	grant(t, l, clock)

	l.Throttled(0) // rate ceiling*0.35: base 1.0476s; no previous pause, so the pause is the base
	base1 := perRate(tencentCeiling * firstCut)
	from := clock.Now()
	grant(t, l, clock)
	if got := clock.Now().Sub(from); !closeTo(got, base1) {
		t.Errorf("first pause %v, want %v", got, base1)
	}

	l.Throttled(0) // rate x0.7; pause uniform in [base2, 3*base1], rnd 0.5 = the middle
	base2 := perRate(tencentCeiling * firstCut * 0.7)
	want := base2 + (3*base1-base2)/2
	from = clock.Now()
	grant(t, l, clock)
	if got := clock.Now().Sub(from); (got - want).Abs() > time.Microsecond {
		t.Errorf("second pause %v, want %v", got, want)
	}

	l.Clean()
	l.Throttled(5 * time.Second) // a retry hint is honoured, with up to one interval of jitter
	base3 := perRate(tencentCeiling * firstCut * 0.7 * 0.7)
	from = clock.Now()
	grant(t, l, clock)
	if got, want := clock.Now().Sub(from), 5*time.Second+base3/2; (got - want).Abs() > time.Microsecond {
		t.Errorf("pause with a 5s hint %v, want %v", got, want)
	}
}

// TestAdaptiveLimiterPauseSpreadsProcesses: limiters throttled at the same moment come back at
// different times (the point of the jitter), and never before one interval.
func TestAdaptiveLimiterPauseSpreadsProcesses(t *testing.T) {
	t.Parallel()
	seen := map[time.Duration]bool{}
	for i := range 20 {
		clock := newSteppingClock(testStart)
		l := NewAdaptiveLimiter(3, tencentWindow, tencentGuard, clock)
		l.rnd = rand.New(rand.NewPCG(uint64(i), 7)).Float64
		grant(t, l, clock)
		for range 3 { // three episodes, so the pauses can grow apart
			l.Throttled(0)
			from := clock.Now()
			grant(t, l, clock)
			pause := clock.Now().Sub(from)
			if minimum := perRate(l.Rate()); pause < minimum-time.Microsecond {
				t.Fatalf("pause %v shorter than one interval %v", pause, minimum)
			}
		}
		seen[clock.Now().Sub(testStart)] = true
	}
	if len(seen) < 15 {
		t.Errorf("20 limiters throttled alike came back at only %d distinct times", len(seen))
	}
}

// TestAdaptiveLimiterNeverAboveCeiling mixes grants with random throttling and clean answers:
// no window ever holds more than n grants.
func TestAdaptiveLimiterNeverAboveCeiling(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock)
	var grants []time.Time
	for range 500 {
		clock.Advance(time.Duration(rnd.Float64() * float64(200*time.Millisecond)))
		grant(t, l, clock)
		grants = append(grants, clock.Now())
		switch rnd.IntN(10) {
		case 0:
			l.Throttled(0)
		default:
			l.Clean()
		}
		if r := l.Rate(); r > tencentCeiling+1e-9 || r < tencentCeiling/10-1e-9 {
			t.Fatalf("Rate = %v outside [floor, ceiling]", r)
		}
	}
	checkWindow(t, grants, 3, tencentSpan)
}

// TestAdaptiveLimiterThrottlingVoidsReservations: a waiter asleep on its slot when throttling
// is reported queues again behind the pause instead of going out at the old pace.
func TestAdaptiveLimiterThrottlingVoidsReservations(t *testing.T) {
	t.Parallel()
	r := newFakeRun(t)
	l := NewAdaptiveLimiter(3, tencentWindow, tencentGuard, r.clock)
	l.rnd = fixedRand(0)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan time.Duration, 1)
	go func() {
		if err := l.Wait(context.Background()); err != nil {
			t.Error(err)
		}
		done <- r.clock.Now().Sub(testStart)
	}()
	r.blockUntil(1) // asleep until its slot at 0.3667s
	l.Throttled(0)  // pause: one interval at ceiling*0.35, 1.0476s from now
	r.clock.Advance(tencentSpan / 3)
	r.blockUntil(1) // woke, found its slot void, and sleeps again
	r.clock.Advance(time.Second)
	select {
	case at := <-done:
		if want := perRate(tencentCeiling * firstCut); at < want {
			t.Errorf("granted at %v, inside the pause that ends at %v", at, want)
		}
	case <-r.patience.Done():
		t.Fatal("the waiter never returned")
	}
}

func TestAdaptiveLimiterDeadlineAndCancel(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := newTencentAdaptive(clock, 0)
	grant(t, l, clock)
	l.Throttled(0) // next grant 0.7333s from now
	err := l.Wait(newManualCtx(clock.Now().Add(500 * time.Millisecond)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("slept %v before giving up", clock.sleeps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// Neither refused wait used a slot: the next grant is the end of the pause.
	from := clock.Now()
	grant(t, l, clock)
	if got, want := clock.Now().Sub(from), perRate(tencentCeiling*firstCut); !closeTo(got, want) {
		t.Errorf("next grant after %v, want %v", got, want)
	}
}

func TestAdaptiveLimiterNoLimit(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	l := NewAdaptiveLimiter(3, 0, 0, clock)
	for range 5 {
		grant(t, l, clock)
		l.Throttled(time.Second)
		l.Clean()
	}
	if len(clock.sleeps) != 0 || l.Rate() != 0 {
		t.Errorf("no window: slept %v, rate %v", clock.sleeps, l.Rate())
	}
}

// TestAdaptiveLimiterRace runs waiters and reports from many goroutines on the real clock with
// a high ceiling (run with -race).
func TestAdaptiveLimiterRace(t *testing.T) {
	t.Parallel()
	l := NewAdaptiveLimiter(100000, time.Second, 0, nil)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			for range 20 {
				if err := l.Wait(context.Background()); err != nil {
					t.Errorf("Wait: %v", err)
					return
				}
				if i%7 == 0 {
					l.Throttled(0)
				} else {
					l.Clean()
				}
				_ = l.Rate()
			}
		})
	}
	wg.Wait()
	if r := l.Rate(); r <= 0 || r > 100000 {
		t.Errorf("Rate = %v", r)
	}
}

// TestRetrierPacedDelays: retries of errors the limiter paces take full-jitter delays within
// Backoff.Initial that do not grow; other retryable errors keep the exponential backoff.
func TestRetrierPacedDelays(t *testing.T) {
	t.Parallel()
	throttled := errors.New("throttled")
	other := errors.New("unavailable")
	for _, tt := range []struct {
		err  error
		want []time.Duration
	}{
		{throttled, seconds(0.25, 0.75, 0.25)},
		{other, seconds(1, 2, 4)},
	} {
		clock := newSteppingClock(testStart)
		calls := 0
		r := Retrier{
			Backoff:   Backoff{Initial: time.Second, Max: time.Minute, Jitter: -1},
			Clock:     clock,
			Rand:      fixedRand(0.25, 0.75, 0.25),
			Retryable: func(error) bool { return true },
			Paced:     func(err error) bool { return errors.Is(err, throttled) },
		}
		err := r.Do(context.Background(), func(context.Context) error {
			if calls++; calls <= 3 {
				return tt.err
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%v: Do: %v", tt.err, err)
		}
		if !slices.Equal(clock.sleeps, tt.want) {
			t.Errorf("%v: delays %v, want %v", tt.err, clock.sleeps, tt.want)
		}
	}
}

// The Tencent DescribeTask limit the adaptive limiter is tested against: 3 per second, widened
// by the adapter's guard.
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

// fakeRun is a fake clock with a real-time bound on how long a test waits for its goroutines.
type fakeRun struct {
	t        *testing.T
	clock    *FakeClock
	patience context.Context
}

func newFakeRun(t *testing.T) *fakeRun {
	patience, stop := context.WithTimeout(context.Background(), testPatience)
	t.Cleanup(stop)
	return &fakeRun{t: t, clock: NewFakeClock(testStart), patience: patience}
}

// blockUntil returns once n goroutines sleep on the clock.
func (r *fakeRun) blockUntil(n int) {
	r.t.Helper()
	if err := r.clock.BlockUntilContext(r.patience, n); err != nil {
		r.t.Fatalf("fewer than %d waiters ever slept: %v", n, err)
	}
}
