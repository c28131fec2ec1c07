package wait

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Retrier runs one request with retries of transient errors (per-request
// retries, separate from polling).
type Retrier struct {
	Backoff   Backoff
	Clock     Clock                                             // nil = RealClock()
	Rand      func() float64                                    // nil = math/rand/v2 Float64
	Retryable func(error) bool                                  // nil = nothing is retried
	OnRetry   func(attempt int, err error, delay time.Duration) // optional, for logging; attempt 1 = first retry
}

// Do calls fn until it succeeds, returns a non-retryable error, attempts run
// out, or ctx ends.
//
// It never sleeps past ctx's deadline (measured with Clock): when the next
// delay would cross it, it returns the last error at once, so the caller's
// diagnostic shows the API error rather than "context deadline exceeded".
// When ctx ends during a sleep it returns promptly with the last error and
// ctx.Err() both wrapped: errors.Is(err, context.Canceled) holds and the
// original error is still reachable with errors.As.
func (r Retrier) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	clock := clockOrReal(r.Clock)
	rnd := r.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if r.Retryable == nil || !r.Retryable(err) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			if errors.Is(err, cerr) {
				return err
			}
			return &retryStoppedError{last: err, cause: cerr}
		}
		if r.Backoff.MaxAttempts > 0 && attempt >= r.Backoff.MaxAttempts {
			return err
		}
		delay := r.Backoff.Delay(attempt, rnd)
		if deadline, ok := ctx.Deadline(); ok && !clock.Now().Add(delay).Before(deadline) {
			return err
		}
		if r.OnRetry != nil {
			r.OnRetry(attempt, err, delay)
		}
		select {
		case <-ctx.Done():
			return &retryStoppedError{last: err, cause: ctx.Err()}
		case <-clock.After(delay):
		}
	}
}

// retryStoppedError is the last request error of a retry loop that ctx cut
// short; both the request error and the context error are reachable.
type retryStoppedError struct {
	last  error
	cause error
}

func (e *retryStoppedError) Error() string {
	return fmt.Sprintf("%v (retries stopped: %v)", e.last, e.cause)
}

func (e *retryStoppedError) Unwrap() []error { return []error{e.last, e.cause} }
