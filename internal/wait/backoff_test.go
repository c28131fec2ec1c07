package wait

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name    string
		backoff Backoff
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{name: "first retry, centre", attempt: 1, rnd: 0.5, want: 500 * ms},
		{name: "doubles", attempt: 2, rnd: 0.5, want: time.Second},
		{name: "doubles again", attempt: 4, rnd: 0.5, want: 4 * time.Second},
		{name: "capped", attempt: 6, rnd: 0.5, want: 10 * time.Second},
		{name: "lowest jitter", attempt: 1, rnd: 0, want: 375 * ms},
		{name: "highest jitter", attempt: 2, rnd: 1, want: 1250 * ms},
		{name: "jitter never passes the cap", attempt: 5, rnd: 1, want: 10 * time.Second},
		{name: "huge attempt does not overflow", attempt: 10000, rnd: 0.9, want: 10 * time.Second},
		{name: "attempt 0 counts as 1", attempt: 0, rnd: 0.5, want: 500 * ms},
		{name: "no jitter", backoff: Backoff{Jitter: -1}, attempt: 3, rnd: 0, want: 2 * time.Second},
		{name: "full jitter range", backoff: Backoff{Jitter: 1}, attempt: 1, rnd: 0, want: 250 * ms},
		{name: "jitter above 1 is 1", backoff: Backoff{Jitter: 7}, attempt: 1, rnd: 0, want: 250 * ms},
		{
			name:    "custom",
			backoff: Backoff{Initial: 100 * ms, Max: time.Second, Multiplier: 3, Jitter: -1},
			attempt: 3, want: 900 * ms,
		},
		{name: "multiplier below 1 uses the default", backoff: Backoff{Multiplier: 0.5, Jitter: -1}, attempt: 2, want: time.Second},
		{name: "max below initial is raised to it", backoff: Backoff{Initial: 2 * time.Second, Max: time.Second, Jitter: -1}, attempt: 3, want: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.backoff.Delay(tt.attempt, fixedRand(tt.rnd)); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestBackoffZeroValueIsDefault(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt < 8; attempt++ {
		for _, r := range []float64{0, 0.3, 0.99} {
			if a, b := (Backoff{}).Delay(attempt, fixedRand(r)), DefaultBackoff().Delay(attempt, fixedRand(r)); a != b {
				t.Errorf("attempt %d rnd %v: zero value %v, default %v", attempt, r, a, b)
			}
		}
	}
}

func TestBackoffRealRandomStaysInBounds(t *testing.T) {
	t.Parallel()
	b := DefaultBackoff()
	for attempt := 1; attempt <= 6; attempt++ {
		base := float64(b.Initial) * float64(int(1)<<(attempt-1))
		low, high := min(b.Max, time.Duration(base*0.75)), min(b.Max, time.Duration(base*1.25))
		for range 200 {
			if d := b.Delay(attempt, nil); d < low || d > high {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, low, high)
			}
		}
	}
}
