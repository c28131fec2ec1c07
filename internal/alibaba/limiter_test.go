package alibaba

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// TestReportToLimiter: throttling answers slow the limiter down, other answers let it climb,
// and failures that got no answer from the API leave it alone.
func TestReportToLimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string // "down", "up" or "same"
	}{
		{"success", nil, "up"},
		{"Throttling", &APIError{Code: "Throttling", HTTPStatus: 400}, "down"},
		{"Throttling.User", &APIError{Code: "Throttling.User", HTTPStatus: 400}, "down"},
		{"not found", &APIError{Code: "InvalidBatchId.NotFound", HTTPStatus: 404}, "up"},
		{"malformed answer", &DecodeError{Err: errors.New("truncated")}, "up"},
		{"no task", &NoTaskError{What: "no BatchId"}, "up"},
		{"network error", &RequestError{Err: errors.New("reset")}, "same"},
		{"service unavailable", &APIError{Code: "ServiceUnavailable", HTTPStatus: 503}, "same"},
		{"not an API error", errors.New("boom"), "same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &stepClock{now: time.Unix(0, 0)}
			l := wait.NewAdaptiveLimiter(3, time.Second, 0, clock)
			l.Throttled(0) // start below the ceiling so that a clean answer can show
			l.Clean()
			// A request during the pause after the cut: it queues on the pace, and the limiter
			// climbs only for time callers spent queued.
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			before := l.Rate()
			reportToLimiter(l, tt.err)
			got := "same"
			switch after := l.Rate(); {
			case after < before:
				got = "down"
			case after > before:
				got = "up"
			}
			if got != tt.want {
				t.Errorf("rate went %s, want %s", got, tt.want)
			}
		})
	}
}

// stepClock is a clock that jumps forward by every delay it is asked to sleep. Not safe for
// concurrent use.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}
