package wait

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Limiter allows at most N events in any sliding window of Window (+Guard, a
// safety margin for network jitter between the client and the server's own
// counting). Safe for concurrent use.
//
// It keeps the times of recent and reserved events. A waiter reserves the
// earliest free slot when it starts waiting, so concurrent waiters are
// served in arrival order and never exceed N per window. A waiter whose
// context ends gives its slot back to later callers; waiters already asleep
// keep theirs. A woken waiter may go out a little after its slot (goroutine
// scheduling); Guard absorbs that too.
type Limiter struct {
	n     int
	span  time.Duration // Window + Guard
	clock Clock

	mu    sync.Mutex
	times []time.Time // ascending: events within span of now and reservations
}

// NewLimiter returns a Limiter for n events per window, with guard added to
// the window. n below 1 is treated as 1; a non-positive window+guard means no
// limit. A nil clock means the real clock.
func NewLimiter(n int, window, guard time.Duration, clock Clock) *Limiter {
	return &Limiter{n: max(n, 1), span: window + guard, clock: clockOrReal(clock)}
}

// Wait blocks until an event may happen, reserving it; returns ctx.Err()
// (promptly) if ctx ends first, or at once if the wait would cross ctx's
// deadline (so no slot is wasted); that error wraps
// context.DeadlineExceeded.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.span <= 0 {
		return nil
	}
	slot, delay, err := l.reserve(ctx)
	if err != nil || delay <= 0 {
		return err
	}
	select {
	case <-ctx.Done():
		l.release(slot)
		return ctx.Err()
	case <-l.clock.After(delay):
		return nil
	}
}

// reserve books the earliest slot that keeps at most n events in any span.
func (l *Limiter) reserve(ctx context.Context) (time.Time, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	drop := 0
	for drop < len(l.times) && !l.times[drop].After(now.Add(-l.span)) {
		drop++
	}
	l.times = append(l.times[:0], l.times[drop:]...)

	slot := l.earliestSlot(now)
	delay := slot.Sub(now)
	if deadline, ok := ctx.Deadline(); ok && delay > 0 && slot.After(deadline) {
		return time.Time{}, 0, fmt.Errorf("rate limit: waiting %s would pass the deadline: %w", delay, context.DeadlineExceeded)
	}
	pos, _ := slices.BinarySearchFunc(l.times, slot, compareAfterEqual)
	l.times = slices.Insert(l.times, pos, slot)
	return slot, delay, nil
}

// earliestSlot returns the first time from now that fits. Feasibility only
// begins at now or where an earlier event leaves the window, so those are
// the only candidates; the last event plus span always fits. Searching the
// whole list, rather than appending after the last reservation, lets a new
// caller take a slot a cancelled waiter gave back.
func (l *Limiter) earliestSlot(now time.Time) time.Time {
	if l.fits(now) {
		return now
	}
	for _, t := range l.times {
		if c := t.Add(l.span); c.After(now) && l.fits(c) {
			return c
		}
	}
	return l.times[len(l.times)-1].Add(l.span)
}

// fits reports whether an event at t keeps every n+1 consecutive events at
// least span apart.
func (l *Limiter) fits(t time.Time) bool {
	pos, _ := slices.BinarySearchFunc(l.times, t, compareAfterEqual)
	at := func(k int) time.Time { // the list with t inserted at pos
		switch {
		case k < pos:
			return l.times[k]
		case k == pos:
			return t
		default:
			return l.times[k-1]
		}
	}
	for j := max(0, pos-l.n); j <= pos && j+l.n <= len(l.times); j++ {
		if at(j+l.n).Sub(at(j)) < l.span {
			return false
		}
	}
	return true
}

// compareAfterEqual orders a new time after equal ones already listed.
func compareAfterEqual(listed, t time.Time) int {
	if listed.After(t) {
		return 1
	}
	return -1
}

// release gives back a reservation that will not be used. Removing one time
// keeps the property that any n+1 consecutive times span at least span.
func (l *Limiter) release(slot time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.times) - 1; i >= 0; i-- {
		if l.times[i].Equal(slot) {
			l.times = append(l.times[:i], l.times[i+1:]...)
			return
		}
	}
}
