package wait

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"syscall"
	"time"
)

// DefaultNetworkAttempts is how many requests a Retrier makes at most when the endpoint cannot
// be reached (see IsUnreachable): with the default backoff, 4 attempts span about 3.5 seconds.
const DefaultNetworkAttempts = 4

// Retrier runs one request with retries of transient errors (per-request
// retries, separate from polling).
//
// Errors that mean the endpoint could not be reached (IsUnreachable: refused
// connection, unresolvable host) are retried whatever Retryable says, but
// only NetworkAttempts times in all, with the backoff's first delays: a wrong
// endpoint or region fails within seconds instead of at the read's deadline,
// the same way for every cloud.
type Retrier struct {
	Backoff         Backoff
	NetworkAttempts int                                               // requests made at most while the endpoint is unreachable; 0 = DefaultNetworkAttempts
	Clock           Clock                                             // nil = RealClock()
	Rand            func() float64                                    // nil = math/rand/v2 Float64
	Retryable       func(error) bool                                  // nil = nothing is retried (but see IsUnreachable)
	Paced           func(error) bool                                  // optional: retryable errors whose retries a rate limiter spaces (throttling); see Do
	OnRetry         func(attempt int, err error, delay time.Duration) // optional, for logging; attempt 1 = first retry
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
//
// An error returned after more than one attempt, or when ctx ended the
// retries, is a *RetryError that says how many attempts were made.
//
// A retryable error for which Paced holds is retried after a delay drawn
// with full jitter (uniform in 0..Backoff.Initial) that does not grow with
// the attempts: fn waits on an adaptive rate limiter that already slowed
// down for it, and growing delays on top would leave the API's budget
// unused.
func (r Retrier) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	clock := clockOrReal(r.Clock)
	rnd := r.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	networkAttempts := r.NetworkAttempts
	if networkAttempts <= 0 {
		networkAttempts = DefaultNetworkAttempts
	}
	unreachable := 0 // attempts that could not reach the endpoint
	var prev error   // the previous attempt's error
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			if errors.Is(err, cerr) {
				if prev == nil {
					return err
				}
				// The context cut this attempt short: what the service said before is what
				// the user needs to see.
				err = prev
			}
			return &RetryError{Err: err, Attempts: attempt, Cause: cerr}
		}
		prev = err
		var delay time.Duration
		held := false // the delay is the rate limit's: a throttled request waits for its pace
		if IsUnreachable(err) {
			unreachable++
			if unreachable >= networkAttempts {
				return retried(err, attempt)
			}
			// Network retries take the backoff's first delays whatever came before, so their
			// budget stays a few seconds.
			delay = r.Backoff.Delay(unreachable, rnd)
		} else {
			if r.Retryable == nil || !r.Retryable(err) {
				return retried(err, attempt)
			}
			if r.Backoff.MaxAttempts > 0 && attempt >= r.Backoff.MaxAttempts {
				return retried(err, attempt)
			}
			if r.Paced != nil && r.Paced(err) {
				delay = r.Backoff.FullJitter(rnd)
				held = true
			} else {
				delay = r.Backoff.Delay(attempt, rnd)
			}
		}
		if deadline, ok := ctx.Deadline(); ok && !clock.Now().Add(delay).Before(deadline) {
			return retried(err, attempt)
		}
		if r.OnRetry != nil {
			r.OnRetry(attempt, err, delay)
		}
		select {
		case <-ctx.Done():
			return &RetryError{Err: err, Attempts: attempt, Cause: ctx.Err()}
		case <-clock.After(delay):
		}
		if held {
			addHeld(ctx, delay)
		}
	}
}

// retried wraps the final error of a request in a *RetryError when it took more than one
// attempt; the error of a single attempt is returned as it is.
func retried(err error, attempts int) error {
	if attempts <= 1 {
		return err
	}
	return &RetryError{Err: err, Attempts: attempts}
}

// RetryError is the last error of a request that the Retrier attempted more than once, or
// whose retries ctx cut short. Both the request error and the context error are reachable
// with errors.Is and errors.As.
type RetryError struct {
	Err      error // the last attempt's error
	Attempts int   // requests made, the first included
	Cause    error // ctx.Err() when the context ended the retries; nil otherwise
}

// Error is the last attempt's error, with the number of attempts and why retries stopped.
func (e *RetryError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%v (retries stopped after %s: %v)", e.Err, attemptsText(e.Attempts), e.Cause)
	}
	return fmt.Sprintf("%v (after %s)", e.Err, attemptsText(e.Attempts))
}

// Unwrap returns the last attempt's error and, when set, the context's.
func (e *RetryError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// Attempts returns how many requests led to err: the count of a *RetryError in its chain,
// otherwise 1.
func Attempts(err error) int {
	var re *RetryError
	if errors.As(err, &re) {
		return re.Attempts
	}
	return 1
}

func attemptsText(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// IsUnreachable reports whether err means the request never reached the service: the host
// name did not resolve, or the connection could not be opened (refused, no route, dial
// timeout). An error caused by the caller's context is not one.
func IsUnreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
