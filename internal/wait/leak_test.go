package wait

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestInterruptedWaitLeavesNothing starts real waits (real clock, a Retrier and a Limiter
// around each poll, as the adapters use them), cancels their context, once while the Poller
// sleeps between polls and once while a poll's HTTP request is in flight, and checks that
// the wait returns an *InterruptedError and leaves no goroutine behind. Not parallel: it
// counts goroutines.
func TestInterruptedWaitLeavesNothing(t *testing.T) {
	for _, inFlight := range []bool{false, true} {
		name := "during sleep"
		if inFlight {
			name = "during request"
		}
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			arrived := make(chan struct{}, 10)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				if inFlight {
					<-r.Context().Done() // an answer that never comes
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			transport := &http.Transport{}
			client := &http.Client{Transport: transport}
			limiter := NewAdaptiveLimiter(3, time.Second, 0, nil)
			retrier := Retrier{Backoff: Backoff{Initial: time.Millisecond, Max: time.Millisecond, Jitter: -1}, Retryable: func(error) bool { return true }}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			poll := func(ctx context.Context) (State, error) {
				err := retrier.Do(ctx, func(ctx context.Context) error {
					if err := limiter.Wait(ctx); err != nil {
						return err
					}
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
					if err != nil {
						return err
					}
					resp, err := client.Do(req)
					if err != nil {
						return err
					}
					return resp.Body.Close()
				})
				return State{Status: "RUNNING"}, err
			}
			done := make(chan error, 1)
			go func() {
				_, err := (Poller{Interval: time.Hour, QuickInterval: time.Hour}).Until(ctx, poll)
				done <- err
			}()
			<-arrived // the first poll reached the server; without inFlight it has its answer
			cancel()
			err := <-done
			srv.Close()
			transport.CloseIdleConnections()
			var ie *InterruptedError
			if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v (%T), want an *InterruptedError wrapping context.Canceled", err, err)
			}
		})
	}
}
