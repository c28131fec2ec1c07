package wait

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	errNotFound = errors.New("api error InvalidTask.NotFound: the task does not exist")
	errBoom     = errors.New("api error Forbidden.RAM: not authorized")
)

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

// pollStep is one scripted poll answer; cost is how long the request takes.
type pollStep struct {
	state State
	err   error
	cost  time.Duration
}

// scriptedPoll answers with steps in turn, repeating the last one, and
// counts its calls.
func scriptedPoll(clock interface{ Advance(time.Duration) }, steps ...pollStep) (func(context.Context) (State, error), *int) {
	calls := 0
	return func(context.Context) (State, error) {
		st := steps[min(calls, len(steps)-1)]
		calls++
		if st.cost > 0 {
			clock.Advance(st.cost)
		}
		return st.state, st.err
	}, &calls
}

func running(n int) pollStep {
	return pollStep{state: State{Status: "RUNNING", Summary: fmt.Sprintf("%d of 20 done", n)}}
}

func done() pollStep { return pollStep{state: State{Terminal: true, Status: "SUCCEED"}} }

// runningUntil answers RUNNING n times, then a terminal state.
func runningUntil(n int) []pollStep {
	steps := make([]pollStep, 0, n+1)
	for i := range n {
		steps = append(steps, running(i))
	}
	return append(steps, done())
}

func TestPollerSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		poller Poller
		polls  int
		want   []time.Duration
	}{
		{
			name:   "defaults: quick for 5s then x2 up to 10s",
			poller: Poller{},
			polls:  13,
			want:   seconds(1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 10),
		},
		{
			name:   "custom interval and quick phase",
			poller: Poller{Interval: 3 * time.Second, QuickInterval: 500 * time.Millisecond, QuickPeriod: 2 * time.Second},
			polls:  10,
			want:   seconds(0.5, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3),
		},
		{
			name:   "interval equal to the quick interval stays flat",
			poller: Poller{Interval: time.Second},
			polls:  9,
			want:   seconds(1, 1, 1, 1, 1, 1, 1, 1),
		},
		{
			name:   "quick interval above the interval is lowered to it",
			poller: Poller{Interval: 500 * time.Millisecond, QuickInterval: 2 * time.Second},
			polls:  4,
			want:   seconds(0.5, 0.5, 0.5),
		},
		{
			name:   "terminal at once: no sleep",
			poller: Poller{},
			polls:  1,
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			poll, calls := scriptedPoll(clock, runningUntil(tt.polls-1)...)
			p := tt.poller
			p.Clock, p.Rand = clock, fixedRand(0)
			got, err := p.Until(context.Background(), poll)
			if err != nil {
				t.Fatalf("Until: %v", err)
			}
			if !got.Terminal || got.Status != "SUCCEED" {
				t.Errorf("state = %+v, want the terminal one", got)
			}
			if *calls != tt.polls {
				t.Errorf("polls = %d, want %d", *calls, tt.polls)
			}
			if !reflect.DeepEqual(clock.sleeps, tt.want) {
				t.Errorf("sleeps = %v, want %v", clock.sleeps, tt.want)
			}
		})
	}
}

func TestPollerNoticesEarlyFinishWithinASecond(t *testing.T) {
	t.Parallel()
	// The task finishes at 3.2s; the poll after that must come by 4.2s.
	clock := newSteppingClock(testStart)
	finish := testStart.Add(3200 * time.Millisecond)
	poll := func(context.Context) (State, error) {
		return State{Terminal: !clock.Now().Before(finish)}, nil
	}
	if _, err := (Poller{Clock: clock}).Until(context.Background(), poll); err != nil {
		t.Fatalf("Until: %v", err)
	}
	if lag := clock.Now().Sub(finish); lag > time.Second {
		t.Errorf("noticed %v after the finish, want at most 1s", lag)
	}
}

func TestPollerHint(t *testing.T) {
	t.Parallel()
	hinted := func(h time.Duration) pollStep {
		return pollStep{state: State{Status: "RUNNING", Hint: h}}
	}
	// Eight polls reach 11s, past the quick period, where the next
	// un-hinted delay would be 8s.
	tests := []struct {
		name string
		hint time.Duration
		want time.Duration
	}{
		{name: "shorter hint brings the poll forward", hint: 2 * time.Second, want: 2 * time.Second},
		{name: "hint below the quick interval is raised to it", hint: 300 * time.Millisecond, want: time.Second},
		{name: "hint beyond the interval: the interval, the end being far", hint: 30 * time.Second, want: 10 * time.Second},
		{name: "no hint", hint: 0, want: 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			steps := runningUntil(7)
			steps[7] = hinted(tt.hint)
			steps = append(steps, done())
			poll, _ := scriptedPoll(clock, steps...)
			if _, err := (Poller{Clock: clock, Rand: fixedRand(0)}).Until(context.Background(), poll); err != nil {
				t.Fatalf("Until: %v", err)
			}
			if got := clock.sleeps[7]; got != tt.want {
				t.Errorf("delay after the hinted poll = %v, want %v (all: %v)", got, tt.want, clock.sleeps)
			}
		})
	}
}

func TestPollerHintDuringQuickPeriod(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	poll, _ := scriptedPoll(clock, pollStep{state: State{Hint: 500 * time.Millisecond}}, done())
	if _, err := (Poller{Clock: clock}).Until(context.Background(), poll); err != nil {
		t.Fatalf("Until: %v", err)
	}
	if want := seconds(1); !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("sleeps = %v, want %v: a hint never goes below the quick interval", clock.sleeps, want)
	}
}

func TestPollerJitterBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		poller Poller
		rnd    float64
	}{
		{name: "no shortening", rnd: 0},
		{name: "middle", rnd: 0.5},
		{name: "largest shortening", rnd: 0.999999},
		{name: "interval just above quick: clamped", poller: Poller{Interval: 1050 * time.Millisecond}, rnd: 0.999999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			jittered := newSteppingClock(testStart)
			plain := newSteppingClock(testStart)
			run := func(c *steppingClock, rnd float64) {
				poll, _ := scriptedPoll(c, runningUntil(20)...)
				p := tt.poller
				p.Clock, p.Rand = c, fixedRand(rnd)
				if _, err := p.Until(context.Background(), poll); err != nil {
					t.Fatalf("Until: %v", err)
				}
			}
			run(plain, 0)
			run(jittered, tt.rnd)
			p := tt.poller.withDefaults()
			for i, d := range jittered.sleeps {
				base := plain.sleeps[i]
				low := max(p.QuickInterval, time.Duration(float64(base)*(1-steadyJitter)))
				if d < low || d > base {
					t.Errorf("sleep %d = %v, want within [%v, %v]", i, d, low, base)
				}
				if d > p.Interval {
					t.Errorf("sleep %d = %v, above the interval %v", i, d, p.Interval)
				}
			}
			if tt.rnd > 0.9 && tt.poller.Interval == 0 {
				// The first delay at the interval is jittered, which gives the wait its
				// own phase; the later ones are exactly the interval.
				first := slices.Index(plain.sleeps, DefaultInterval)
				if first < 0 || jittered.sleeps[first] >= DefaultInterval {
					t.Errorf("first steady sleep not jittered: %v", jittered.sleeps)
				}
				if last := jittered.sleeps[len(jittered.sleeps)-1]; last != DefaultInterval {
					t.Errorf("later steady sleep %v, want exactly %v", last, DefaultInterval)
				}
			}
		})
	}
}

func TestPollerTimeout(t *testing.T) {
	t.Parallel()
	// With defaults, polls land at 0, 1, 2, 3, 4, 5, 7, 11 and 19s; the next
	// delay (10s) crosses a 20s deadline, so the last poll is moved to just
	// before it.
	tests := []struct {
		name        string
		timeout     time.Duration
		ctxDeadline time.Duration
		steps       []pollStep
		wantPolls   int
		wantElapsed time.Duration
		wantSeen    bool
	}{
		{
			name: "Poller.Timeout", timeout: 20 * time.Second, steps: []pollStep{running(0)},
			wantPolls: 10, wantElapsed: 19500 * time.Millisecond, wantSeen: true,
		},
		{
			name: "ctx deadline", ctxDeadline: 20 * time.Second, steps: []pollStep{running(0)},
			wantPolls: 10, wantElapsed: 19500 * time.Millisecond, wantSeen: true,
		},
		{
			name: "earlier of both", timeout: time.Hour, ctxDeadline: 20 * time.Second, steps: []pollStep{running(0)},
			wantPolls: 10, wantElapsed: 19500 * time.Millisecond, wantSeen: true,
		},
		{
			name: "slow polls keep twice their duration free", timeout: 20 * time.Second,
			steps: []pollStep{{state: State{Status: "RUNNING"}, cost: 2 * time.Second}},
			// polls start at 0, 3, 7, 13 and (moved forward) 16; the fifth
			// ends at 18s, leaving less than the 4s a poll needs.
			wantPolls: 5, wantElapsed: 18 * time.Second, wantSeen: true,
		},
		{
			name: "nothing seen yet", timeout: 10 * time.Second,
			steps:     []pollStep{{err: errNotFound}},
			wantPolls: 8, wantElapsed: 9500 * time.Millisecond, wantSeen: false,
		},
		{
			name: "deadline already passed", ctxDeadline: -time.Second, steps: []pollStep{running(0)},
			wantPolls: 0, wantElapsed: 0, wantSeen: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			ctx := context.Background()
			if tt.ctxDeadline != 0 {
				ctx = newManualCtx(testStart.Add(tt.ctxDeadline))
			}
			var lastPolled State
			steps := make([]pollStep, len(tt.steps))
			copy(steps, tt.steps)
			poll, calls := scriptedPoll(clock, steps...)
			counting := func(ctx context.Context) (State, error) {
				if *calls > 1000 {
					return State{}, errors.New("runaway polling")
				}
				s, err := poll(ctx)
				if err == nil {
					s.Summary = fmt.Sprintf("poll %d", *calls)
					lastPolled = s
				}
				return s, err
			}
			p := Poller{Timeout: tt.timeout, Clock: clock, Rand: fixedRand(0), IsNotFound: isNotFound, NotFoundGrace: time.Hour}
			got, err := p.Until(ctx, counting)
			var te *TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *TimeoutError", err)
			}
			if *calls != tt.wantPolls || te.Polls != tt.wantPolls {
				t.Errorf("polls = %d (error says %d), want %d", *calls, te.Polls, tt.wantPolls)
			}
			if te.Elapsed != tt.wantElapsed {
				t.Errorf("Elapsed = %v, want %v", te.Elapsed, tt.wantElapsed)
			}
			if te.Seen != tt.wantSeen || te.Last != lastPolled || got != lastPolled {
				t.Errorf("Seen=%v Last=%+v returned=%+v, want Seen=%v and the last polled state %+v", te.Seen, te.Last, got, tt.wantSeen, lastPolled)
			}
			deadline := tt.timeout
			if tt.ctxDeadline != 0 && (deadline == 0 || tt.ctxDeadline < deadline) {
				deadline = tt.ctxDeadline
			}
			if slept := clock.total(); slept >= max(deadline, 0) && len(clock.sleeps) > 0 {
				t.Errorf("slept %v in all, reaching the %v deadline", slept, deadline)
			}
			var ie *InterruptedError
			if errors.As(err, &ie) {
				t.Errorf("a timeout must not look like an interruption: %v", err)
			}
		})
	}
}

func TestPollerInterruptedDuringSleep(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(testStart)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poll, calls := scriptedPoll(clock, running(7))
	type result struct {
		s   State
		err error
	}
	results := make(chan result, 1)
	go func() {
		s, err := (Poller{Clock: clock}).Until(ctx, poll)
		results <- result{s, err}
	}()

	waitCtx, stop := context.WithTimeout(context.Background(), testPatience)
	defer stop()
	if err := clock.BlockUntilContext(waitCtx, 1); err != nil {
		t.Fatalf("poller never slept: %v", err)
	}
	cancel()
	var r result
	select {
	case r = <-results:
	case <-waitCtx.Done():
		t.Fatal("Until did not return after cancel without the clock moving")
	}
	var ie *InterruptedError
	if !errors.As(r.err, &ie) {
		t.Fatalf("err = %v, want *InterruptedError", r.err)
	}
	if !errors.Is(r.err, context.Canceled) || ie.Cause != context.Canceled {
		t.Errorf("err = %v, want it to wrap context.Canceled", r.err)
	}
	var te *TimeoutError
	if errors.As(r.err, &te) {
		t.Errorf("an interruption must not look like a timeout")
	}
	if !ie.Seen || ie.Last.Summary != "7 of 20 done" || r.s != ie.Last || ie.Polls != 1 || *calls != 1 || ie.Elapsed != 0 {
		t.Errorf("error = %+v, state = %+v; want the one RUNNING poll at 0s", ie, r.s)
	}
}

func TestPollerContextEndsDuringPoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		ctxErr        error
		wrap          bool
		wantInterrupt bool
	}{
		{name: "cancel, error wraps ctx", ctxErr: context.Canceled, wrap: true, wantInterrupt: true},
		{name: "cancel, error hides ctx", ctxErr: context.Canceled, wrap: false, wantInterrupt: true},
		{name: "deadline, error wraps ctx", ctxErr: context.DeadlineExceeded, wrap: true},
		{name: "deadline, error hides ctx", ctxErr: context.DeadlineExceeded, wrap: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			ctx := newManualCtx(time.Time{})
			calls := 0
			poll := func(context.Context) (State, error) {
				calls++
				if calls < 3 {
					return State{Status: "RUNNING"}, nil
				}
				ctx.end(tt.ctxErr)
				if tt.wrap {
					return State{}, fmt.Errorf("send request: %w", tt.ctxErr)
				}
				return State{}, errors.New("connection reset")
			}
			got, err := (Poller{Clock: clock}).Until(ctx, poll)
			var ie *InterruptedError
			var te *TimeoutError
			switch {
			case tt.wantInterrupt && !errors.As(err, &ie):
				t.Fatalf("err = %v, want *InterruptedError", err)
			case !tt.wantInterrupt && !errors.As(err, &te):
				t.Fatalf("err = %v, want *TimeoutError", err)
			}
			if got.Status != "RUNNING" {
				t.Errorf("state = %+v, want the last RUNNING one", got)
			}
		})
	}
}

func TestPollerCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	_, err := (Poller{Clock: newSteppingClock(testStart)}).Until(ctx, func(context.Context) (State, error) {
		calls++
		return State{}, nil
	})
	var ie *InterruptedError
	if !errors.As(err, &ie) || calls != 0 || ie.Seen {
		t.Errorf("err = %v, calls = %d; want *InterruptedError before any poll", err, calls)
	}
}

func TestPollerNotFound(t *testing.T) {
	t.Parallel()
	notFound := pollStep{err: errNotFound}
	tests := []struct {
		name         string
		grace        time.Duration
		isNotFound   func(error) bool
		steps        []pollStep
		wantNotFound bool
		wantErrIs    error
		wantPolls    int
		wantState    State
		wantMissing  time.Duration // NotFoundError.Elapsed: how long it was missing; 0 = since the start
	}{
		{
			name: "never found: NotFoundError after the default 30s grace", isNotFound: isNotFound,
			steps: []pollStep{notFound}, wantNotFound: true, wantErrIs: errNotFound,
			// polls at 0,1,2,3,4,5,7,11,19,29,39 (>= 30s)
			wantPolls: 11,
		},
		{
			name: "appears within grace", isNotFound: isNotFound,
			steps:     []pollStep{notFound, notFound, notFound, running(1), done()},
			wantPolls: 5, wantState: done().state,
		},
		{
			name: "flickers after a state was seen, within grace", isNotFound: isNotFound,
			steps:     []pollStep{running(1), notFound, running(2), done()},
			wantPolls: 4, wantState: done().state,
		},
		{
			// The grace runs from the first not-found answer, not from the start: polls at
			// 0,1,2,3 see it, 4,5,7 do not (3s missing).
			name: "vanishes for good late in the wait: a grace of its own", isNotFound: isNotFound, grace: 3 * time.Second,
			steps:        []pollStep{running(1), running(2), running(3), running(4), notFound},
			wantNotFound: true, wantErrIs: errNotFound, wantPolls: 7, wantState: running(4).state, wantMissing: 3 * time.Second,
		},
		{
			name: "vanishes and comes back after the grace has passed since the start", isNotFound: isNotFound, grace: 3 * time.Second,
			steps:     []pollStep{running(1), running(2), running(3), running(4), notFound, notFound, running(5), done()},
			wantPolls: 8, wantState: done().state,
		},
		{
			name: "negative grace: at once", isNotFound: isNotFound, grace: -1,
			steps: []pollStep{notFound}, wantNotFound: true, wantErrIs: errNotFound, wantPolls: 1,
		},
		{
			name:  "no IsNotFound: returned as is",
			steps: []pollStep{notFound}, wantErrIs: errNotFound, wantPolls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			poll, calls := scriptedPoll(clock, tt.steps...)
			// Timeout only turns a bug into a failure instead of an endless loop.
			p := Poller{Clock: clock, Rand: fixedRand(0), IsNotFound: tt.isNotFound, NotFoundGrace: tt.grace, Timeout: time.Hour}
			got, err := p.Until(context.Background(), poll)
			if *calls != tt.wantPolls {
				t.Errorf("polls = %d, want %d", *calls, tt.wantPolls)
			}
			if got != tt.wantState {
				t.Errorf("state = %+v, want %+v", got, tt.wantState)
			}
			if tt.wantErrIs == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErrIs) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.wantErrIs)
			}
			var nf *NotFoundError
			if got := errors.As(err, &nf); got != tt.wantNotFound {
				t.Fatalf("err = %v (%T); NotFoundError = %v, want %v", err, err, got, tt.wantNotFound)
			}
			wantMissing := tt.wantMissing
			if wantMissing == 0 {
				wantMissing = clock.Now().Sub(testStart)
			}
			if nf != nil && (nf.Polls != tt.wantPolls || nf.Elapsed != wantMissing) {
				t.Errorf("NotFoundError = %+v, want %d polls and %v missing", nf, tt.wantPolls, wantMissing)
			}
		})
	}
}

// TestPollerTimeoutCarriesNotFound: a deadline shorter than the not-found grace ends the
// wait with a timeout, which must still say that every poll answered not found.
func TestPollerTimeoutCarriesNotFound(t *testing.T) {
	t.Parallel()
	notFound := pollStep{err: errNotFound}
	tests := []struct {
		name           string
		steps          []pollStep
		wantNeverFound bool
		wantLastErr    error
	}{
		{name: "never found", steps: []pollStep{notFound}, wantNeverFound: true, wantLastErr: errNotFound},
		{name: "seen, then gone", steps: []pollStep{running(1), notFound}, wantLastErr: errNotFound},
		{name: "gone, then seen", steps: []pollStep{notFound, notFound, running(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			poll, calls := scriptedPoll(clock, tt.steps...)
			p := Poller{Clock: clock, Rand: fixedRand(0), IsNotFound: isNotFound, NotFoundGrace: 30 * time.Second}
			_, err := p.Until(newManualCtx(testStart.Add(2*time.Second)), poll)
			var te *TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v (%T), want *TimeoutError", err, err)
			}
			var nf *NotFoundError
			if errors.As(err, &nf) {
				t.Errorf("the grace had not ended: want no NotFoundError, got %v", nf)
			}
			if te.NeverFound != tt.wantNeverFound || te.LastErr != tt.wantLastErr {
				t.Errorf("NeverFound = %v, LastErr = %v; want %v, %v", te.NeverFound, te.LastErr, tt.wantNeverFound, tt.wantLastErr)
			}
			if te.Polls != *calls || *calls < 2 {
				t.Errorf("Polls = %d, calls = %d; want equal and at least 2", te.Polls, *calls)
			}
			if got := errors.Is(err, errNotFound); got != (tt.wantLastErr != nil) {
				t.Errorf("errors.Is(err, errNotFound) = %v, want %v", got, tt.wantLastErr != nil)
			}
			if tt.wantNeverFound && (!strings.Contains(err.Error(), "every poll answered not found") || !strings.Contains(err.Error(), "InvalidTask.NotFound")) {
				t.Errorf("message %q does not say not found with the API's error", err)
			}
		})
	}
}

func TestPollerOtherErrorsReturnedAtOnce(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("decoding the answer: %w", errBoom)
	tests := []struct {
		name string
		err  error
	}{
		{name: "API error", err: errBoom},
		{name: "wrapped error", err: wrapped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			poll, calls := scriptedPoll(clock, running(1), running(2), pollStep{err: tt.err}, done())
			got, err := (Poller{Clock: clock, IsNotFound: isNotFound}).Until(context.Background(), poll)
			if err != tt.err {
				t.Errorf("err = %v, want exactly %v", err, tt.err)
			}
			if *calls != 3 || len(clock.sleeps) != 2 {
				t.Errorf("polls = %d, sleeps = %v; want a return right after the third poll", *calls, clock.sleeps)
			}
			if got != running(2).state {
				t.Errorf("state = %+v, want the last good one", got)
			}
		})
	}
}

func TestPollerOnPoll(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	poll, _ := scriptedPoll(clock, running(1), pollStep{err: errNotFound}, running(3), done())
	type call struct {
		status  string
		elapsed time.Duration
		polls   int
	}
	var calls []call
	p := Poller{Clock: clock, IsNotFound: isNotFound, OnPoll: func(s State, elapsed time.Duration, polls int) {
		calls = append(calls, call{s.Status, elapsed, polls})
	}}
	if _, err := p.Until(context.Background(), poll); err != nil {
		t.Fatalf("Until: %v", err)
	}
	want := []call{{"RUNNING", 0, 1}, {"RUNNING", 2 * time.Second, 3}, {"SUCCEED", 3 * time.Second, 4}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("OnPoll calls = %v, want %v (not called for the failed poll)", calls, want)
	}
}

func TestPollerWithFakeClock(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(testStart)
	poll, _ := scriptedPoll(clock, runningUntil(8)...)
	results := make(chan error, 1)
	go func() {
		_, err := (Poller{Clock: clock, Rand: fixedRand(0)}).Until(context.Background(), poll)
		results <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), testPatience)
	defer cancel()
	var sleeps []time.Duration
	for {
		sleeping := make(chan error, 1)
		go func() { sleeping <- clock.BlockUntilContext(ctx, 1) }()
		select {
		case err := <-results:
			if err != nil {
				t.Fatalf("Until: %v", err)
			}
			if want := seconds(1, 1, 1, 1, 1, 2, 4, 8); !reflect.DeepEqual(sleeps, want) {
				t.Errorf("sleeps = %v, want %v", sleeps, want)
			}
			return
		case err := <-sleeping:
			if err != nil {
				t.Fatalf("poller hung: %v", err)
			}
			d, _ := clock.AdvanceToNext()
			sleeps = append(sleeps, d)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	last := State{Status: "RUNNING", Summary: "8 of 10 sub tasks succeeded"}
	tests := []struct {
		name    string
		err     error
		want    []string
		notWant []string
	}{
		{
			name: "timeout", err: &TimeoutError{Last: last, Seen: true, Elapsed: 20*time.Minute + 300*time.Millisecond, Polls: 42},
			want: []string{"timed out", "20m0s", "RUNNING", "8 of 10 sub tasks succeeded", "42 polls"}, notWant: []string{"interrupt"},
		},
		{
			name: "timeout before any state", err: &TimeoutError{Elapsed: 1500 * time.Millisecond, Polls: 1},
			want: []string{"timed out", "2s", "no status", "1 poll)"},
		},
		{
			name: "interrupted", err: &InterruptedError{Last: last, Seen: true, Elapsed: 65 * time.Second, Polls: 9, Cause: context.Canceled},
			want: []string{"interrupted", "1m5s", "RUNNING", "8 of 10", "context canceled"}, notWant: []string{"timed out"},
		},
		{
			name: "not found", err: &NotFoundError{Err: errNotFound, Elapsed: 31 * time.Second, Polls: 12},
			want: []string{"not found", "31s", "12 polls", "InvalidTask.NotFound"},
		},
		{
			name: "short elapsed in milliseconds", err: &TimeoutError{Elapsed: 250 * time.Millisecond},
			want: []string{"250ms", "0 polls"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := tt.err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not contain %q", msg, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("%q contains %q", msg, w)
				}
			}
		})
	}
}

func BenchmarkPollerUntil(b *testing.B) {
	const polls = 100
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		clock := newSteppingClock(testStart)
		clock.record = false
		n := 0
		poll := func(context.Context) (State, error) {
			n++
			return State{Terminal: n == polls, Status: "RUNNING"}, nil
		}
		if _, err := (Poller{Clock: clock, Rand: fixedRand(0.5)}).Until(ctx, poll); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*polls), "ns/poll")
}

// TestPollerTimeoutKeepsTheCutPollError: when the deadline ends a poll whose request was still
// retrying an API error, the TimeoutError carries that poll's error for the diagnostic.
func TestPollerTimeoutKeepsTheCutPollError(t *testing.T) {
	t.Parallel()
	answer := errors.New("Throttling.User: slow down")
	ctx := newManualCtx(testStart.Add(time.Hour))
	clock := newSteppingClock(testStart)
	polls := 0
	_, err := Poller{Clock: clock, Rand: fixedRand(0)}.Until(ctx, func(context.Context) (State, error) {
		polls++
		if polls == 1 {
			return running(1).state, nil
		}
		ctx.end(context.DeadlineExceeded)
		return State{}, &RetryError{Err: answer, Attempts: 3, Cause: context.DeadlineExceeded}
	})
	var timedOut *TimeoutError
	if !errors.As(err, &timedOut) {
		t.Fatalf("err = %v (%T), want a *TimeoutError", err, err)
	}
	if !errors.Is(timedOut.CutErr, answer) || Attempts(timedOut.CutErr) != 3 {
		t.Errorf("CutErr = %v, want the poll's error after 3 attempts", timedOut.CutErr)
	}
	if timedOut.LastErr != nil || timedOut.NeverFound {
		t.Errorf("LastErr = %v, NeverFound = %v: the cut poll is not a not-found answer", timedOut.LastErr, timedOut.NeverFound)
	}
}
