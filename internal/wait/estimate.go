package wait

import (
	"math"
	"time"
)

const (
	// estimateSamples bounds the progress history kept per wait; when full, every other sample
	// is dropped, so the history keeps its span at a coarser grain.
	estimateSamples = 16
	// backTolerance is how far progress may fall before it counts as work redone (a new phase,
	// estimated afresh) rather than noise.
	backTolerance = 0.02
)

// endEstimator turns the progress successive polls report into an estimate of when the task
// ends, as a duration from the start of the wait. It keeps the first poll of the phase and the
// polls where progress changed (when each new value was first seen), so a stall shows as an
// estimate that passes without the task ending, not as a rate that drifts.
type endEstimator struct {
	samples [estimateSamples]progressSample
	n       int
	best    float64       // highest progress of the phase
	fullAt  time.Duration // when progress first read 1, valid when full
	full    bool
}

type progressSample struct {
	at time.Duration
	p  float64
}

// observe records the progress p (0..1) seen at elapsed time at.
func (e *endEstimator) observe(at time.Duration, p float64) {
	if math.IsNaN(p) {
		return
	}
	p = min(max(p, 0), 1)
	if e.n > 0 && p < e.best-backTolerance {
		e.n, e.full = 0, false // work redone: the old rate says nothing about the rest
	}
	if e.n == 0 {
		e.best = p
	}
	if p >= 1 && !e.full {
		e.full, e.fullAt = true, at
	}
	if e.n > 0 && p <= e.samples[e.n-1].p {
		return // no change (or noise below the last value): keep when the value was first seen
	}
	e.best = max(e.best, p)
	if e.n == len(e.samples) {
		j := 0
		for i := 0; i < e.n; i += 2 {
			e.samples[j] = e.samples[i]
			j++
		}
		e.n = j
	}
	e.samples[e.n] = progressSample{at, p}
	e.n++
}

// end returns the estimated end; false when progress has not moved yet in this phase. Once
// progress reads 1 the estimate is the time it did (the task is finishing, or overdue).
func (e *endEstimator) end() (time.Duration, bool) {
	if e.full {
		return e.fullAt, true
	}
	if e.n < 2 {
		return 0, false
	}
	first, last := e.samples[0], e.samples[e.n-1]
	span := last.at - first.at
	if span <= 0 {
		return 0, false
	}
	// The recent rate: from the latest change at least half the span back. It follows a task
	// that sped up or slowed down, and since it spans half the phase at least, a jump forward
	// at most doubles it over the rate of the whole phase.
	ref := first
	for _, s := range e.samples[:e.n-1] {
		if last.at-s.at <= span/2 {
			break
		}
		ref = s
	}
	rate := (last.p - ref.p) / (last.at - ref.at).Seconds()
	if rate <= 0 {
		return 0, false
	}
	return last.at + secondsUp((1-last.p)/rate), true
}

// secondsUp converts seconds to a Duration rounded up to the millisecond, so a poll aimed at
// an estimate does not land a rounding error before it; capped at maxEstimate.
func secondsUp(s float64) time.Duration {
	return time.Duration(math.Ceil(min(s, maxEstimate.Seconds())*1000)) * time.Millisecond
}

// maxEstimate caps how far ahead an estimate reaches, so a crawl cannot overflow a Duration.
const maxEstimate = 1000 * time.Hour

// hintEstimator corrects the API's own estimate of the time left (State.Hint) by how fast it
// really falls: an API whose estimate runs 30% short says so by falling at 0.7s a second.
type hintEstimator struct {
	first, last progressSample // p holds the hint in seconds
	n           int
}

const (
	// hintRateMin and hintRateMax bound the correction: outside them (a hint that stands still
	// or leaps) the hint is taken as it is.
	hintRateMin, hintRateMax = 0.5, 2.0
)

// observe records the hint h seen at elapsed time at; 0 means none, which forgets the past.
func (e *hintEstimator) observe(at, h time.Duration) {
	if h <= 0 {
		e.n = 0
		return
	}
	s := progressSample{at, h.Seconds()}
	// A hint that grew by more than the time passed (plus a tenth) starts afresh: a new step.
	if e.n == 0 || s.p > e.last.p*1.1+1 {
		e.first, e.n = s, 0
	}
	e.last = s
	e.n++
}

// end returns the estimated end, or false without a hint.
func (e *hintEstimator) end() (time.Duration, bool) {
	if e.n == 0 {
		return 0, false
	}
	left := e.last.p
	if span := (e.last.at - e.first.at).Seconds(); e.n >= 3 && span > 0 {
		if rate := (e.first.p - e.last.p) / span; rate >= hintRateMin && rate <= hintRateMax {
			left /= rate
		}
	}
	return e.last.at + secondsUp(left), true
}
