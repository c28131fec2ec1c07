package wait

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// apiError stands for a typed SDK error the caller digs out with errors.As.
type apiError struct{ code string }

func (e *apiError) Error() string { return "api error " + e.code }

func isThrottled(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.code == "Throttling"
}

func TestRetrierDo(t *testing.T) {
	t.Parallel()
	throttled := &apiError{code: "Throttling"}
	denied := &apiError{code: "Forbidden"}
	tests := []struct {
		name        string
		backoff     Backoff
		retryable   func(error) bool
		deadline    time.Duration // fake-time ctx deadline from the start; 0 = none
		answers     []error       // per call; the last repeats
		wantCalls   int
		wantErr     error
		wantRetries []int
		wantSleeps  []time.Duration
	}{
		{
			name: "retries until success", retryable: isThrottled,
			answers:   []error{throttled, throttled, throttled, nil},
			wantCalls: 4, wantRetries: []int{1, 2, 3}, wantSleeps: seconds(0.5, 1, 2),
		},
		{
			name: "non-retryable stops at once", retryable: isThrottled,
			answers: []error{throttled, denied}, wantCalls: 2, wantErr: denied,
			wantRetries: []int{1}, wantSleeps: seconds(0.5),
		},
		{
			name:    "nil Retryable retries nothing",
			answers: []error{throttled}, wantCalls: 1, wantErr: throttled,
		},
		{
			name: "stops at MaxAttempts", retryable: isThrottled, backoff: Backoff{MaxAttempts: 3},
			answers: []error{throttled}, wantCalls: 3, wantErr: throttled,
			wantRetries: []int{1, 2}, wantSleeps: seconds(0.5, 1),
		},
		{
			// MaxAttempts only stops a broken deadline check from looping forever.
			name: "never sleeps past the deadline", retryable: isThrottled, deadline: 2 * time.Second, backoff: Backoff{MaxAttempts: 10},
			// calls at 0, 0.5 and 1.5s; the next delay (2s) would end at 3.5s.
			answers: []error{throttled}, wantCalls: 3, wantErr: throttled,
			wantRetries: []int{1, 2}, wantSleeps: seconds(0.5, 1),
		},
		{
			name: "delay ending exactly at the deadline is not taken", retryable: isThrottled, deadline: 1500 * time.Millisecond, backoff: Backoff{MaxAttempts: 10},
			answers: []error{throttled}, wantCalls: 2, wantErr: throttled,
			wantRetries: []int{1}, wantSleeps: seconds(0.5),
		},
		{
			name: "success first time", retryable: isThrottled,
			answers: []error{nil}, wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			ctx := context.Background()
			if tt.deadline > 0 {
				ctx = newManualCtx(testStart.Add(tt.deadline))
			}
			var retries []int
			var reported []time.Duration
			r := Retrier{
				Backoff: tt.backoff, Clock: clock, Rand: fixedRand(0.5), Retryable: tt.retryable,
				OnRetry: func(attempt int, err error, delay time.Duration) {
					retries = append(retries, attempt)
					reported = append(reported, delay)
				},
			}
			calls := 0
			err := r.Do(ctx, func(context.Context) error {
				e := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				return e
			})
			if err != tt.wantErr {
				t.Errorf("err = %v, want exactly %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if !reflect.DeepEqual(retries, tt.wantRetries) {
				t.Errorf("OnRetry attempts = %v, want %v", retries, tt.wantRetries)
			}
			if !reflect.DeepEqual(clock.sleeps, tt.wantSleeps) || !reflect.DeepEqual(reported, tt.wantSleeps) {
				t.Errorf("sleeps = %v, reported %v, want %v", clock.sleeps, reported, tt.wantSleeps)
			}
			if tt.deadline > 0 && clock.total() >= tt.deadline {
				t.Errorf("slept %v, reaching the %v deadline", clock.total(), tt.deadline)
			}
		})
	}
}

func TestRetrierDelaysGrowWithinJitterBounds(t *testing.T) {
	t.Parallel()
	clock := newSteppingClock(testStart)
	r := Retrier{Clock: clock, Backoff: Backoff{MaxAttempts: 7}, Retryable: func(error) bool { return true }}
	_ = r.Do(context.Background(), func(context.Context) error { return errBoom })
	if len(clock.sleeps) != 6 {
		t.Fatalf("sleeps = %v, want 6", clock.sleeps)
	}
	for i, d := range clock.sleeps {
		base := float64(DefaultBackoffInitial) * float64(int(1)<<i)
		low, high := min(DefaultBackoffMax, time.Duration(base*0.75)), min(DefaultBackoffMax, time.Duration(base*1.25))
		if d < low || d > high {
			t.Errorf("retry %d slept %v, want within [%v, %v]", i+1, d, low, high)
		}
	}
}

func TestRetrierCancelDuringSleep(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(testStart)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	throttled := &apiError{code: "Throttling"}
	calls := 0
	results := make(chan error, 1)
	go func() {
		r := Retrier{Clock: clock, Retryable: isThrottled}
		results <- r.Do(ctx, func(context.Context) error {
			calls++
			return fmt.Errorf("describe task: %w", throttled)
		})
	}()
	waitCtx, stop := context.WithTimeout(context.Background(), testPatience)
	defer stop()
	if err := clock.BlockUntilContext(waitCtx, 1); err != nil {
		t.Fatalf("retrier never slept: %v", err)
	}
	cancel()
	var err error
	select {
	case err = <-results:
	case <-waitCtx.Done():
		t.Fatal("Do did not return after cancel without the clock moving")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want errors.Is context.Canceled", err)
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae != throttled {
		t.Errorf("err = %v, want the API error reachable with errors.As", err)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1", calls)
	}
}

func TestRetrierContextEnds(t *testing.T) {
	t.Parallel()
	t.Run("already cancelled: fn not called", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := Retrier{Retryable: func(error) bool { return true }}.Do(ctx, func(context.Context) error {
			called = true
			return nil
		})
		if !errors.Is(err, context.Canceled) || called {
			t.Errorf("err = %v, called = %v; want context.Canceled without a call", err, called)
		}
	})
	t.Run("cancelled during the call: both errors reachable", func(t *testing.T) {
		t.Parallel()
		ctx := newManualCtx(time.Time{})
		throttled := &apiError{code: "Throttling"}
		err := Retrier{Clock: newSteppingClock(testStart), Retryable: isThrottled}.Do(ctx, func(context.Context) error {
			ctx.end(context.Canceled)
			return throttled
		})
		var ae *apiError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) {
			t.Errorf("err = %v, want both context.Canceled and the API error", err)
		}
	})
	t.Run("error already wrapping ctx is returned as is", func(t *testing.T) {
		t.Parallel()
		ctx := newManualCtx(time.Time{})
		wrapped := fmt.Errorf("send: %w", context.Canceled)
		err := Retrier{Clock: newSteppingClock(testStart), Retryable: func(error) bool { return true }}.Do(ctx, func(context.Context) error {
			ctx.end(context.Canceled)
			return wrapped
		})
		if err != wrapped {
			t.Errorf("err = %v, want %v", err, wrapped)
		}
	})
}
