package waittest

import (
	"context"
	"errors"
	"testing"
	"time"
)

var testStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const testPatience = 10 * time.Second // real-time bound on a hung goroutine

func TestFakeClock(t *testing.T) {
	t.Parallel()
	c := NewFakeClock(testStart)
	now := c.After(0)
	late := c.After(3 * time.Second)
	early := c.After(time.Second)
	select {
	case got := <-now:
		if !got.Equal(testStart) {
			t.Errorf("After(0) fired with %v", got)
		}
	default:
		t.Error("After(0) did not fire at once")
	}
	if c.Waiters() != 2 {
		t.Errorf("Waiters = %d, want 2", c.Waiters())
	}
	if d, ok := c.Next(); !ok || d != time.Second {
		t.Errorf("Next = %v %v, want 1s", d, ok)
	}
	c.Advance(500 * time.Millisecond)
	select {
	case <-early:
		t.Error("fired before its time")
	default:
	}
	if d, ok := c.AdvanceToNext(); !ok || d != 500*time.Millisecond {
		t.Errorf("AdvanceToNext = %v %v, want 500ms", d, ok)
	}
	if got := <-early; !got.Equal(testStart.Add(time.Second)) {
		t.Errorf("early fired with %v", got.Sub(testStart))
	}
	c.Advance(5 * time.Second)
	if got := <-late; !got.Equal(testStart.Add(6 * time.Second)) {
		t.Errorf("late fired with %v", got.Sub(testStart))
	}
	if c.Waiters() != 0 {
		t.Errorf("Waiters = %d after all fired", c.Waiters())
	}
	if _, ok := c.AdvanceToNext(); ok {
		t.Error("AdvanceToNext moved with nothing waiting")
	}
	if !c.Now().Equal(testStart.Add(6 * time.Second)) {
		t.Errorf("Now = %v", c.Now().Sub(testStart))
	}
}

func TestFakeClockBlockUntil(t *testing.T) {
	t.Parallel()
	c := NewFakeClock(testStart)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.BlockUntilContext(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("BlockUntilContext on a done ctx = %v, want context.Canceled", err)
	}
	done := make(chan struct{})
	go func() {
		c.BlockUntil(2)
		close(done)
	}()
	c.After(time.Second)
	c.After(time.Second)
	patience, stop := context.WithTimeout(context.Background(), testPatience)
	defer stop()
	select {
	case <-done:
	case <-patience.Done():
		t.Fatal("BlockUntil(2) did not return with two sleepers")
	}
}
