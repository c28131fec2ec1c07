package wait

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"syscall"
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
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			// The error says how many requests were made, and is only wrapped after retries.
			if err != nil && Attempts(err) != calls {
				t.Errorf("Attempts(err) = %d, want the %d calls made", Attempts(err), calls)
			}
			if err != nil && calls == 1 && err != tt.wantErr {
				t.Errorf("err = %v (%T), want exactly %v after a single attempt", err, err, tt.wantErr)
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

// refused is what a dial to a closed port returns, as net/http hands it over.
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// noSuchHost is a resolver's negative answer (NXDOMAIN), as net/http hands it over.
func noSuchHost() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "polardb.cn-x.aliyuncs.invalid", IsNotFound: true}}
}

func TestRetrierNetworkBudget(t *testing.T) {
	t.Parallel()
	throttled := &apiError{code: "Throttling"}
	tests := []struct {
		name       string
		retryable  func(error) bool
		budget     int
		answers    []error // per call; the last repeats
		wantCalls  int
		wantSleeps []time.Duration
		wantErr    error
	}{
		{
			name: "refused: the default budget of 4 attempts", retryable: func(error) bool { return true },
			answers: []error{refused()}, wantCalls: 4, wantSleeps: seconds(0.5, 1, 2),
		},
		{
			// Alibaba's classification never retries an unknown host; Tencent's retries it. The
			// budget is the same for both, whatever Retryable says.
			name: "unknown host with a Retryable that refuses it", retryable: func(error) bool { return false },
			answers: []error{noSuchHost()}, wantCalls: 4, wantSleeps: seconds(0.5, 1, 2),
		},
		{
			name: "nil Retryable", answers: []error{refused()}, wantCalls: 4, wantSleeps: seconds(0.5, 1, 2),
		},
		{
			name: "own budget", retryable: isThrottled, budget: 2,
			answers: []error{refused()}, wantCalls: 2, wantSleeps: seconds(0.5),
		},
		{
			// Network retries start from the first delay even after throttling grew the backoff.
			name: "after throttling", retryable: isThrottled,
			answers:   []error{throttled, throttled, throttled, refused()},
			wantCalls: 7, wantSleeps: seconds(0.5, 1, 2, 0.5, 1, 2),
		},
		{
			name: "endpoint comes back", retryable: isThrottled,
			answers: []error{refused(), refused(), nil}, wantCalls: 3, wantSleeps: seconds(0.5, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			r := Retrier{Clock: clock, Rand: fixedRand(0.5), Retryable: tt.retryable, NetworkAttempts: tt.budget}
			calls := 0
			err := r.Do(context.Background(), func(context.Context) error {
				e := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				return e
			})
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if !reflect.DeepEqual(clock.sleeps, tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", clock.sleeps, tt.wantSleeps)
			}
			if tt.answers[len(tt.answers)-1] == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if !IsUnreachable(err) {
				t.Errorf("err = %v, want it classified as unreachable", err)
			}
			var re *RetryError
			if !errors.As(err, &re) || re.Attempts != tt.wantCalls || re.Cause != nil {
				t.Errorf("err = %#v, want a *RetryError with %d attempts and no cause", err, tt.wantCalls)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("after %d attempts", tt.wantCalls)) {
				t.Errorf("message %q does not give the attempts", err)
			}
		})
	}
}

func TestRetrierCancelDuringNetworkRetries(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(testStart)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	results := make(chan error, 1)
	go func() {
		results <- Retrier{Clock: clock}.Do(ctx, func(context.Context) error {
			calls++
			return refused()
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
		t.Fatal("Do did not return after cancel")
	}
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want a *RetryError after 1 attempt wrapping both context.Canceled and the refusal", err)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1", calls)
	}
}

func TestIsUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused(), true},
		{"unknown host (NXDOMAIN)", noSuchHost(), true},
		{"bare DNS error", &net.DNSError{Err: "server misbehaving", Name: "h", IsTemporary: true}, true},
		{"wrapped in url and API errors", fmt.Errorf("DescribeTask: %w", &url.Error{Op: "Post", URL: "https://h", Err: refused()}), true},
		{"no route to host", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, true},
		{"after retries", &RetryError{Err: refused(), Attempts: 4}, true},
		{"reset while reading", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false},
		{"dial cancelled by the caller", &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("operation was canceled: %w", context.Canceled)}, false},
		{"API error", &apiError{code: "Throttling"}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := IsUnreachable(tt.err); got != tt.want {
			t.Errorf("%s: IsUnreachable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestRetrierKeepsTheServiceAnswerWhenTheContextCutsAnAttempt: the second attempt is cut short
// by the context (its error is only the context's), and the error returned still carries what
// the service answered the first time.
func TestRetrierKeepsTheServiceAnswerWhenTheContextCutsAnAttempt(t *testing.T) {
	t.Parallel()
	answer := errors.New("ServiceUnavailable: busy")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := Retrier{Backoff: Backoff{Initial: time.Nanosecond, Jitter: -1}, Retryable: func(error) bool { return true }}.
		Do(ctx, func(ctx context.Context) error {
			calls++
			if calls == 1 {
				return answer
			}
			cancel() // the deadline or Ctrl-C arrives while the request is in flight
			return ctx.Err()
		})
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 2 || !errors.Is(err, answer) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want a *RetryError after 2 attempts wrapping the service's answer and context.Canceled", err)
	}
}
