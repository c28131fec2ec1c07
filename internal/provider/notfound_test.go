package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// TestDefaultNotFoundGrace runs a wait of the provider as production builds it (New, whose
// tuning is zero) on a fake clock, against a task that is never found: the wait must retry the
// not-found answers for the engine's 30 s, not give up sooner or keep going.
func TestDefaultNotFoundGrace(t *testing.T) {
	t.Parallel()
	p, ok := New("test")().(*cloudtaskProvider)
	if !ok {
		t.Fatal("New does not build a *cloudtaskProvider")
	}
	tun := p.tuning
	start := time.Date(2026, 5, 28, 8, 0, 0, 0, time.UTC)
	clock := wait.NewFakeClock(start)
	tun.clock = clock // only the clock changes: the grace is production's
	data := newProviderData("test", tun, alibaba.Config{}, tencent.Config{})

	errNotFound := errors.New("NotFound.Task")
	var polls []time.Duration
	never := func(context.Context) (outcome, error) {
		polls = append(polls, clock.Now().Sub(start))
		return outcome{}, errNotFound
	}
	plan := readPlan{noun: "Test Task", target: "task t-1", poll: never, full: never, pollIsFull: true,
		isNotFound: func(err error) bool { return errors.Is(err, errNotFound) }}
	common := &commonModel{PollInterval: types.StringValue("1s")}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := waitUntilTerminal(ctx, data, common, plan, time.Hour)
		done <- err
	}()
	var err error
	for err == nil {
		select {
		case err = <-done:
			if err == nil {
				t.Fatal("the wait ended without an error for a task never found")
			}
		default:
			waitCtx, stop := context.WithTimeout(ctx, 10*time.Millisecond)
			if clock.BlockUntilContext(waitCtx, 1) == nil {
				clock.AdvanceToNext()
			}
			stop()
		}
	}

	var nf *wait.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, errNotFound) {
		t.Fatalf("err = %v, want a *wait.NotFoundError wrapping the not-found answer", err)
	}
	if nf.Elapsed < wait.DefaultNotFoundGrace || nf.Elapsed > wait.DefaultNotFoundGrace+time.Second {
		t.Errorf("gave up after %v of fake time, want the first poll at or after the default grace %v", nf.Elapsed, wait.DefaultNotFoundGrace)
	}
	if n := len(polls); n < 2 || polls[n-2] >= wait.DefaultNotFoundGrace {
		t.Errorf("polls at %v: want not-found answers retried until the grace ends", polls)
	}
}
