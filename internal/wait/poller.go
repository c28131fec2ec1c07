package wait

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Default poll settings, used for zero fields of Poller.
const (
	DefaultInterval      = 10 * time.Second
	DefaultQuickInterval = time.Second
	DefaultQuickPeriod   = 5 * time.Second
	DefaultNotFoundGrace = 30 * time.Second
)

const (
	// growthFactor is how fast delays grow from QuickInterval to Interval
	// once the quick period is over, when no estimate of the end exists.
	growthFactor = 2
	// steadyJitter is the largest fraction removed at random from the growing
	// delays and the first one at Interval, so concurrent waiters take
	// different phases. It only shortens: Interval stays an upper bound. Later
	// delays are exactly Interval: the phase persists, and every shortening
	// is a call more.
	steadyJitter = 0.1
)

// State is what one poll learned.
type State struct {
	Terminal bool
	Status   string        // the status as the user knows it, e.g. "RUNNING"
	Summary  string        // counts/progress in words, e.g. "8 of 10 sub tasks succeeded"
	Hint     time.Duration // optional: the API's own estimate of the time left (PolarDB Remain); 0 = none
	// Progress is the fraction of the work done, 0..1, as the API counts it (sub tasks
	// succeeded of the total, BDRC Progress/10000...); it counts only when HasProgress is set,
	// since 0 is a real answer.
	Progress    float64
	HasProgress bool
}

// Poller polls until a terminal state. Zero fields take their defaults.
//
// Schedule without an estimate of the end: the first poll is immediate; then
// one every QuickInterval until QuickPeriod has passed since the start; then
// delays double from QuickInterval up to Interval, each shortened at random by
// up to 10% (never below QuickInterval) until the first one at Interval; then
// exactly Interval.
//
// Estimate of the end: from State.Progress (the rate seen so far, over the
// latest half of the history, at most twice the rate of the whole; a fall of
// progress starts afresh; no estimate while it has not moved) and from
// State.Hint (corrected by how fast the hint really falls); the earlier of the
// two. With an estimate the next delay is Interval while the end is further
// than that, else the time to the end; never under QuickInterval, which
// doubles (up to Interval) each time a poll aimed at the end finds the task
// still going, and never over Interval. Progress reading 1 without a terminal
// state puts the estimate in the past: polls then back off the same way.
//
// Deadline: the earlier of ctx's deadline and Timeout after the start, both
// measured with Clock. The Poller never sleeps past it: when the next delay
// would cross it, it sleeps until shortly before it (keeping twice the last
// poll's duration, at least half a QuickInterval, for the request) and polls
// one last time; when no poll fits any more, it returns a *TimeoutError at
// once.
type Poller struct {
	Interval      time.Duration                                   // steady interval (the user's poll_interval); default 10s
	QuickInterval time.Duration                                   // default 1s: poll about every second at first
	QuickPeriod   time.Duration                                   // default 5s: how long the quick polls last before backing off toward Interval
	Timeout       time.Duration                                   // optional bound measured with Clock (in addition to ctx's deadline); 0 = none
	NotFoundGrace time.Duration                                   // default 30s: a run of not-found answers is retried this long from its first; negative = no grace
	IsNotFound    func(error) bool                                // nil = no error counts as not found
	Clock         Clock                                           // nil = RealClock()
	Rand          func() float64                                  // nil = math/rand/v2 Float64
	OnPoll        func(s State, elapsed time.Duration, polls int) // called after every successful poll
}

func (p Poller) withDefaults() Poller {
	if p.Interval <= 0 {
		p.Interval = DefaultInterval
	}
	if p.QuickInterval <= 0 {
		p.QuickInterval = DefaultQuickInterval
	}
	if p.QuickInterval > p.Interval {
		p.QuickInterval = p.Interval
	}
	if p.QuickPeriod <= 0 {
		p.QuickPeriod = DefaultQuickPeriod
	}
	if p.NotFoundGrace == 0 {
		p.NotFoundGrace = DefaultNotFoundGrace
	}
	p.Clock = clockOrReal(p.Clock)
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Until polls at once, then on the schedule, until poll reports Terminal. It
// returns the last state seen, with a nil error when it is terminal.
//
// Errors: *TimeoutError when the deadline comes first (carrying the last
// poll's not-found error, and whether no poll ever found the object); *InterruptedError
// when ctx is cancelled; *NotFoundError when IsNotFound errors outlast
// NotFoundGrace; any other poll error as is, at once. A poll error while
// ctx has ended counts as a timeout or an interruption.
func (p Poller) Until(ctx context.Context, poll func(ctx context.Context) (State, error)) (State, error) {
	p = p.withDefaults()
	w := waitRun{clock: p.Clock, start: p.Clock.Now()}
	deadline, hasDeadline := ctx.Deadline()
	if p.Timeout > 0 {
		if t := w.start.Add(p.Timeout); !hasDeadline || t.Before(deadline) {
			deadline, hasDeadline = t, true
		}
	}
	sched := schedule{quick: p.QuickInterval, interval: p.Interval, quickPeriod: p.QuickPeriod, rnd: p.Rand}
	finalPoll := false
	for {
		if err := ctx.Err(); err != nil {
			return w.last, w.contextError(err)
		}
		if hasDeadline && !p.Clock.Now().Before(deadline) {
			return w.last, w.timeout()
		}
		before := p.Clock.Now()
		pollCtx, held := withHeldMeter(ctx)
		s, err := poll(pollCtx)
		w.polls++
		now := p.Clock.Now()
		cost, elapsed := now.Sub(before), now.Sub(w.start)
		// Concurrent requests of one poll can add up to more than the poll took.
		w.held += min(held.sum(), cost)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				w.cutErr = err
				return w.last, w.contextError(cerr)
			}
			if p.IsNotFound == nil || !p.IsNotFound(err) {
				return w.last, err
			}
			// The grace runs from the first not-found answer of this streak: a task that
			// vanishes for a moment late in a long wait gets as long to come back as a new task
			// gets to appear.
			if w.lastErr == nil {
				w.missingSince = before
			}
			if missing := now.Sub(w.missingSince); missing >= p.NotFoundGrace {
				return w.last, &NotFoundError{Err: err, Elapsed: missing, Polls: w.polls}
			}
			w.lastErr = err
		} else {
			w.last, w.seen, w.lastErr = s, true, nil
			if p.OnPoll != nil {
				p.OnPoll(s, elapsed, w.polls)
			}
			if s.Terminal {
				return s, nil
			}
			sched.observe(elapsed, s)
		}

		delay := sched.next(elapsed, elapsed-w.held)
		if hasDeadline {
			remaining := deadline.Sub(now)
			if remaining <= delay {
				reserve := max(2*cost, p.QuickInterval/2)
				if finalPoll || remaining <= reserve {
					return w.last, w.timeout()
				}
				delay, finalPoll = remaining-reserve, true
			}
		}
		select {
		case <-ctx.Done():
			return w.last, w.contextError(ctx.Err())
		case <-p.Clock.After(delay):
		}
	}
}

// waitRun is the bookkeeping of one Until call, shared by its error paths.
type waitRun struct {
	clock Clock
	start time.Time
	last  State
	seen  bool
	polls int
	// lastErr is the not-found error of the last poll that was answered, nil after a
	// successful one. Only not-found errors let the wait go on, so a wait that never saw a
	// state and has lastErr set had every answered poll say not found.
	lastErr error
	// missingSince is when the first poll of the current run of not-found answers was sent.
	missingSince time.Time
	// cutErr is the error of the poll that the context ended, often the API error its
	// request retries were still getting.
	cutErr error
	// held is the time polls spent held back by the rate limit (see held.go).
	held time.Duration
}

func (w *waitRun) timeout() error {
	return &TimeoutError{Last: w.last, Seen: w.seen, Elapsed: w.clock.Now().Sub(w.start), Polls: w.polls,
		LastErr: w.lastErr, NeverFound: !w.seen && w.lastErr != nil, CutErr: w.cutErr}
}

func (w *waitRun) contextError(cause error) error {
	if errors.Is(cause, context.DeadlineExceeded) {
		return w.timeout()
	}
	return &InterruptedError{Last: w.last, Seen: w.seen, Elapsed: w.clock.Now().Sub(w.start), Polls: w.polls, Cause: cause}
}

// schedule computes the delay before each poll after the first.
type schedule struct {
	quick, interval, quickPeriod time.Duration
	rnd                          func() float64
	grown                        time.Duration // last un-jittered delay after the quick period; 0 before it
	steady                       bool          // the random phase has been taken: Interval from now on

	progress endEstimator
	hint     hintEstimator
	target   time.Duration // the end the next poll aims at; 0 = it does not aim at one
	misses   int           // polls that reached their target while the task went on
}

// observe takes in what a successful, non-terminal poll at elapsed said.
func (s *schedule) observe(elapsed time.Duration, st State) {
	if st.HasProgress {
		s.progress.observe(elapsed, st.Progress)
	}
	s.hint.observe(elapsed, st.Hint)
}

// estimate is the expected end: the earlier of the hint's and the progress rate's.
func (s *schedule) estimate() (time.Duration, bool) {
	end, ok := s.progress.end()
	if h, hok := s.hint.end(); hok && (!ok || h < end) {
		end, ok = h, true
	}
	return end, ok
}

// next is the delay before the next poll. elapsed is the real time since the wait began, which
// estimates are measured in; paced leaves out the time polls were held back by the rate limit,
// and the schedule without an estimate runs on it.
func (s *schedule) next(elapsed, paced time.Duration) time.Duration {
	end, ok := s.estimate()
	if !ok {
		s.target = 0
		return s.base(paced)
	}
	if s.target > 0 && elapsed >= s.target {
		s.misses++
	}
	// Each miss doubles the shortest delay, so an estimate that keeps being early (a stall, a
	// task that reads 100% before it ends) costs a few polls, not one a second.
	floor := min(s.interval, s.quick<<min(s.misses, 30))
	left := end - elapsed
	if left <= 0 {
		s.target = elapsed + floor
		return floor
	}
	if left > s.interval {
		s.misses = 0
	}
	// Far from the end, Interval; within it, one poll on the end, where the next one at
	// Interval would come after it: a miss costs a poll, a hit costs nothing.
	d := max(floor, min(left, s.interval))
	s.target = 0
	if left <= s.interval {
		s.target = elapsed + d
	}
	return d
}

// base is the schedule without an estimate: QuickInterval during QuickPeriod, then doubling
// toward Interval, each growing delay shortened at random by up to 10%, and the first one at
// Interval too, which gives each wait its own phase; after that, exactly Interval.
func (s *schedule) base(elapsed time.Duration) time.Duration {
	if elapsed < s.quickPeriod {
		return s.quick
	}
	if s.steady {
		return s.interval
	}
	if s.grown == 0 {
		s.grown = s.quick
	}
	s.grown = min(s.interval, time.Duration(float64(s.grown)*growthFactor))
	if s.grown == s.interval {
		s.steady = true
	}
	return max(s.quick, s.grown-time.Duration(float64(s.grown)*steadyJitter*s.rnd()))
}
