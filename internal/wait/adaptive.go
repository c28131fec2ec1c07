package wait

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Tuning of AdaptiveLimiter, as fractions of its ceiling rate.
const (
	// adaptiveFloor is the lowest rate, so that a wait keeps polling however crowded the API.
	adaptiveFloor = 0.1
	// adaptiveDecrease multiplies the rate on throttling, and the rate is cut to at most
	// adaptiveFirstCut: far above a share of the budget (the first throttling answer after a
	// start at the ceiling), a harder cut saves rejected requests. A third of the ceiling is
	// a share among three processes: two cuts at the start cost each process two rejected
	// requests, one cut costs one.
	adaptiveDecrease = 0.7
	adaptiveFirstCut = 0.35
	// adaptiveIncrease is the rate regained per second of clean answers during which callers
	// queued on the pace (additive increase): from a third of the ceiling back to it in about
	// 37 seconds. Slow on purpose: each climb past the account's share costs a rejected
	// request, so the slower the climb, the fewer rejections.
	adaptiveIncrease = 0.02
	// Near the rate that last drew throttling (above adaptivePlateau of it), the climb slows
	// to adaptiveProbe of adaptiveIncrease: that rate is likely the share again, so the
	// limiter probes it carefully instead of running into it; once past it without
	// throttling, the old rate is forgotten and the climb is linear again.
	adaptivePlateau = 0.85
	adaptiveProbe   = 0.1
	// After adaptiveQuiet windows without throttling, the rate also regrows by adaptiveRegrow
	// of its distance to the ceiling per second during which callers queued: the processes
	// that crowded the API have likely finished, and a linear climb from a low share back to
	// the ceiling would take most of a minute (seen at the end of contention runs, where the
	// last process polled at a third of the budget the others had freed). Growing with the
	// distance is fast from a low rate and gentle near the ceiling, where a probe that
	// overshoots costs a rejected request. Eight windows ended in a probe every 9 s and 17
	// rejected per 100 answered with three processes; ten gave 12.
	adaptiveQuiet  = 10
	adaptiveRegrow = 0.1
	// adaptivePauseCap bounds one pause after throttling, in windows.
	adaptivePauseCap = 4
)

// AdaptiveLimiter paces events evenly, never faster than n per window (+guard), and adapts the
// pace to what the API answers: other processes with the same account share the API's budget
// but cannot see this one, so throttling is the only sign of them. Safe for concurrent use.
//
// Callers report each answer: Throttled lowers the rate (multiplicative decrease, at most once
// per grant that came after the previous decrease) and holds every caller back for a pause;
// Clean raises the rate by a fixed amount per second of clean answers during which callers
// queued on the pace (additive increase), up to the ceiling: a limiter whose callers do not
// use its pace learns nothing about the API's budget from their answers, so idle time does
// not raise it (a burst after a quiet spell would otherwise go out at a rate never tried).
// Near the rate that last drew throttling the climb slows down (see adaptivePlateau).
// Several processes doing this converge on shares of the API's budget.
//
// The pause after throttling is drawn with decorrelated jitter (uniform between one interval
// at the lowered rate and three times the previous pause, capped), unless the API sent a retry
// hint, which is honoured with a little jitter on top. Processes throttled at the same moment
// therefore come back at different times instead of colliding again.
type AdaptiveLimiter struct {
	clock Clock
	rnd   func() float64 // [0, 1); tests replace it

	ceiling  float64       // events per second: n / (window + guard)
	floor    float64       // lowest rate
	increase float64       // rate added per second of clean answers
	pauseCap time.Duration // longest pause after one throttling answer

	mu        sync.Mutex
	rate      float64   // current events per second
	next      time.Time // earliest time of the next grant
	last      time.Time // time of the last grant
	gen       uint64    // bumped by Throttled: reservations made before it are void
	sinceCut  int       // grants since the last decrease
	lastClean time.Time // time of the last clean answer, for the additive increase
	pause     time.Duration
	// throttledAt is the rate when throttling last lowered it, 0 once the rate has climbed
	// past it again or the limiter has been quiet for adaptiveQuiet windows.
	throttledAt float64
	// lastThrottle is when throttling last lowered the rate; quiet is adaptiveQuiet windows.
	lastThrottle time.Time
	quiet        time.Duration
	// queued callers are asleep on the pace; busy is the time since the last clean or
	// throttling answer during which some were (the time the pace held demand back),
	// busySince the start of the current stretch.
	queued    int
	busy      time.Duration
	busySince time.Time
}

// NewAdaptiveLimiter returns an AdaptiveLimiter whose ceiling is n events per window, with
// guard added to the window (see Limiter), starting at the ceiling. n below 1 is treated as
// 1; a non-positive window+guard means no limit. A nil clock means the real clock.
func NewAdaptiveLimiter(n int, window, guard time.Duration, clock Clock) *AdaptiveLimiter {
	l := &AdaptiveLimiter{clock: clockOrReal(clock), rnd: rand.Float64}
	span := window + guard
	if span <= 0 {
		return l
	}
	l.ceiling = float64(max(n, 1)) / span.Seconds()
	l.floor = l.ceiling * adaptiveFloor
	l.increase = l.ceiling * adaptiveIncrease / span.Seconds()
	l.pauseCap = time.Duration(adaptivePauseCap) * span
	l.quiet = time.Duration(adaptiveQuiet) * span
	l.rate = l.ceiling
	l.sinceCut = 1 // the first throttling answer always counts
	return l
}

// Rate returns the current pace in events per second; 0 means no limit.
func (l *AdaptiveLimiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}

// Wait blocks until an event may happen, reserving it; returns ctx.Err() (promptly) if ctx
// ends first, or at once if the wait would cross ctx's deadline; that error wraps
// context.DeadlineExceeded. A caller asleep when Throttled is reported queues again behind
// the pause.
func (l *AdaptiveLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.ceiling == 0 {
		return nil
	}
	for {
		slot, gen, delay, err := l.reserve(ctx)
		if err != nil {
			return err
		}
		if delay > 0 {
			select {
			case <-ctx.Done():
				l.release(slot, gen)
				return ctx.Err()
			case <-l.clock.After(delay):
			}
			addHeld(ctx, delay)
		}
		if l.confirm(gen, delay > 0) {
			return nil
		}
	}
}

// reserve books the next slot of the pace.
func (l *AdaptiveLimiter) reserve(ctx context.Context) (time.Time, uint64, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	slot := now
	if l.next.After(now) {
		slot = l.next
	}
	delay := slot.Sub(now)
	if deadline, ok := ctx.Deadline(); ok && delay > 0 && slot.After(deadline) {
		return time.Time{}, 0, 0, fmt.Errorf("rate limit: waiting %s would pass the deadline: %w", delay, context.DeadlineExceeded)
	}
	l.next = slot.Add(l.interval())
	if delay > 0 {
		if l.queued == 0 {
			l.busySince = now
		}
		l.queued++
	}
	return slot, l.gen, delay, nil
}

// dequeue ends one caller's sleep on the pace; l.mu is held.
func (l *AdaptiveLimiter) dequeue(now time.Time) {
	l.queued--
	if l.queued == 0 {
		l.busy += now.Sub(l.busySince)
	}
}

// takeBusy returns the time callers spent queued on the pace since the last call and starts
// counting afresh; l.mu is held.
func (l *AdaptiveLimiter) takeBusy(now time.Time) time.Duration {
	busy := l.busy
	if l.queued > 0 {
		busy += now.Sub(l.busySince)
		l.busySince = now
	}
	l.busy = 0
	return busy
}

// confirm turns a reservation into a grant unless throttling voided it meanwhile, or the
// previous grant went out late (a busy machine wakes sleepers late) and this one would follow
// it too closely: the pace holds between the grants themselves, not only their slots.
func (l *AdaptiveLimiter) confirm(gen uint64, slept bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if slept {
		l.dequeue(now)
	}
	if gen != l.gen || (!l.last.IsZero() && now.Sub(l.last) < l.interval()) {
		return false
	}
	l.last = now
	l.sinceCut++
	return true
}

// release gives back the slot of a waiter whose context ended, when it is the last one booked.
func (l *AdaptiveLimiter) release(slot time.Time, gen uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dequeue(l.clock.Now())
	if gen == l.gen && l.next.Equal(slot.Add(l.interval())) {
		l.next = slot
	}
}

// interval is rounded up, so that n intervals never fall short of the window.
func (l *AdaptiveLimiter) interval() time.Duration {
	return time.Duration(math.Ceil(float64(time.Second) / l.rate))
}

// Throttled reports a throttling answer. hint is the API's own retry delay, 0 when it gave
// none. Answers to requests granted before the last decrease were sent at the old pace: they
// neither lower the rate again nor lengthen the pause.
func (l *AdaptiveLimiter) Throttled(hint time.Duration) {
	if l.ceiling == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sinceCut == 0 {
		return
	}
	now := l.clock.Now()
	l.lastThrottle = now
	l.throttledAt = l.rate
	l.rate = max(l.floor, min(l.rate*adaptiveDecrease, l.ceiling*adaptiveFirstCut))
	l.takeBusy(now)
	l.sinceCut = 0
	l.gen++
	base := l.interval()
	var pause time.Duration
	if hint > 0 {
		pause = hint + time.Duration(l.rnd()*float64(base))
	} else {
		// Decorrelated jitter: uniform in [base, 3*previous], capped.
		upper := max(base, 3*l.pause)
		pause = min(l.pauseCap, base+time.Duration(l.rnd()*float64(upper-base)))
		l.pause = pause
	}
	l.next = now.Add(pause)
	l.lastClean = time.Time{}
}

// Clean reports an answer that was not throttling. The rate climbs by a fixed amount per
// second during which callers queued on the pace, so it grows linearly in time however many
// callers share it, and not while they leave the pace unused; a tenth as fast near the rate
// that last drew throttling; and, once adaptiveQuiet windows passed without throttling, also
// in proportion to its distance to the ceiling.
func (l *AdaptiveLimiter) Clean() {
	if l.ceiling == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.pause = 0
	busy := l.takeBusy(now)
	if !l.lastClean.IsZero() && l.rate < l.ceiling {
		quiet := !l.lastThrottle.IsZero() && now.Sub(l.lastThrottle) >= l.quiet
		if quiet {
			l.throttledAt = 0
		}
		increase := l.increase
		if l.throttledAt > 0 && l.rate >= l.throttledAt*adaptivePlateau {
			increase *= adaptiveProbe
		}
		if quiet {
			increase += (l.ceiling - l.rate) * adaptiveRegrow
		}
		l.rate = min(l.ceiling, l.rate+increase*busy.Seconds())
		if l.rate > l.throttledAt {
			l.throttledAt = 0
		}
	}
	l.lastClean = now
}
