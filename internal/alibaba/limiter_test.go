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
			clock.now = clock.now.Add(10 * time.Second)
			if err := l.Wait(context.Background()); err != nil { // a request after the cut
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

// stepClock is a clock that only moves by hand.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time                       { return c.now }
func (c *stepClock) After(time.Duration) <-chan time.Time { return nil }
