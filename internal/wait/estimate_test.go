package wait

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

type obs struct {
	at float64 // seconds
	p  float64
}

func estimateOf(observations ...obs) (time.Duration, bool) {
	var e endEstimator
	for _, o := range observations {
		e.observe(time.Duration(o.at*float64(time.Second)), o.p)
	}
	return e.end()
}

func TestEndEstimator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		obs    []obs
		want   float64 // seconds; < 0 = no estimate
		within float64
	}{
		{name: "nothing yet", obs: []obs{{0, 0.2}}, want: -1},
		{name: "not moving", obs: []obs{{0, 0}, {1, 0}, {2, 0}}, want: -1},
		{name: "linear", obs: []obs{{0, 0}, {10, 0.1}, {20, 0.2}}, want: 100},
		{
			// A 10% dip is work redone: estimated afresh from the fall, so no estimate
			// until progress moves again, then the rate since the fall.
			name: "jump backwards starts afresh", obs: []obs{{0, 0}, {10, 0.5}, {20, 0.4}}, want: -1,
		},
		{name: "jump backwards, then moving", obs: []obs{{0, 0}, {10, 0.5}, {20, 0.4}, {30, 0.5}}, want: 80},
		{
			// A dip within 2% is noise: ignored, and the rate is the recent one, from the
			// change at 10s (0.1 in 20s).
			name: "small dip is noise", obs: []obs{{0, 0}, {10, 0.5}, {20, 0.49}, {30, 0.6}}, want: 110,
		},
		{
			// Progress leaps from 0.03 to 0.5: the leap counts over at least half of the
			// history (from 10s), so it cannot promise an end sooner than twice the
			// whole rate would: 0.49 in 30s, the end 30.6s after 40s, not 0s.
			name: "jump forward spread over half the history", obs: []obs{{0, 0}, {10, 0.01}, {20, 0.02}, {30, 0.03}, {40, 0.5}},
			want: 40 + 0.5*30/0.49, within: 0.01,
		},
		{
			// Stalled from 20s to 60s: the estimate stays where the progress last moved
			// said, so it passes while the task goes on (the poller then backs off).
			name: "stall keeps the last estimate", obs: []obs{{0, 0}, {10, 0.1}, {20, 0.2}, {40, 0.2}, {60, 0.2}}, want: 100,
		},
		{
			// Slow (0.002/s) to 50s, then quick (0.02/s): the recent rate (from 30s, 0.011/s)
			// follows, where the whole one (0.007/s) would say 140s.
			name: "rate changed", obs: []obs{{0, 0}, {10, 0.02}, {20, 0.04}, {30, 0.06}, {40, 0.08}, {50, 0.1}, {60, 0.3}, {70, 0.5}},
			want: 70 + 0.5*40/0.44, within: 0.01,
		},
		{name: "reads 1 without ending", obs: []obs{{0, 0}, {10, 0.5}, {20, 1}, {30, 1}}, want: 20},
		{name: "reads over 1: clamped", obs: []obs{{0, 0}, {10, 1.5}}, want: 10},
		{name: "noise around a steady rate", obs: noisyLinear(100, 0.05), want: 100, within: 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := estimateOf(tt.obs...)
			if tt.want < 0 {
				if ok {
					t.Errorf("estimate %v, want none", got)
				}
				return
			}
			if !ok {
				t.Fatalf("no estimate, want %vs", tt.want)
			}
			if diff := got.Seconds() - tt.want; diff > tt.within+0.0011 || diff < -tt.within-0.0011 {
				t.Errorf("estimate %v, want %vs within %vs", got, tt.want, tt.within)
			}
		})
	}
}

// noisyLinear is progress toward an end at end seconds, seen every 5s for the first half,
// off by up to noise at random (fixed seed), never over 1.
func noisyLinear(end, noise float64) []obs {
	r := rand.New(rand.NewPCG(7, 7))
	var out []obs
	for at := 0.0; at <= end/2; at += 5 {
		out = append(out, obs{at, min(1, max(0, at/end+noise*(2*r.Float64()-1)))})
	}
	return out
}

func TestEndEstimatorKeepsItsSpan(t *testing.T) {
	t.Parallel()
	// Many more changes than samples kept: the history thins but keeps the first.
	var e endEstimator
	for i := range 1000 {
		e.observe(time.Duration(i)*time.Second, float64(i)/2000)
	}
	if e.samples[0].at != 0 || e.n > estimateSamples {
		t.Errorf("first sample %v, %d kept", e.samples[0], e.n)
	}
	if got, ok := e.end(); !ok || got != 2000*time.Second {
		t.Errorf("estimate %v %v, want 2000s", got, ok)
	}
}

func TestHintEstimator(t *testing.T) {
	t.Parallel()
	type hint struct{ at, left float64 }
	tests := []struct {
		name  string
		hints []hint
		want  float64 // seconds; < 0 = none
	}{
		{name: "none", hints: nil, want: -1},
		{name: "one hint as it is", hints: []hint{{10, 50}}, want: 60},
		{name: "a zero hint forgets", hints: []hint{{0, 100}, {10, 0}}, want: -1},
		{name: "falling in step", hints: []hint{{0, 100}, {10, 90}, {20, 80}}, want: 100},
		// The API says 70% of the truth (end at 100s): it falls 0.7s a second.
		{name: "short by 30%: corrected", hints: []hint{{0, 70}, {10, 63}, {20, 56}}, want: 100},
		{name: "standing still: as it is", hints: []hint{{0, 60}, {10, 60}, {20, 60}}, want: 80},
		{name: "growing: afresh, as it is", hints: []hint{{0, 30}, {10, 20}, {20, 90}}, want: 110},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e hintEstimator
			for _, h := range tt.hints {
				e.observe(time.Duration(h.at*float64(time.Second)), time.Duration(h.left*float64(time.Second)))
			}
			got, ok := e.end()
			switch {
			case tt.want < 0 && ok:
				t.Errorf("estimate %v, want none", got)
			case tt.want >= 0 && (!ok || got.Round(time.Millisecond) != time.Duration(tt.want*float64(time.Second))):
				t.Errorf("estimate %v %v, want %vs", got, ok, tt.want)
			}
		})
	}
}

// TestPollerProgress runs the poller on a fake clock against tasks that report progress.
func TestPollerProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		end       time.Duration
		progress  func(at time.Duration) float64
		wantSleep []time.Duration // the whole schedule, when given
		maxPolls  int
		maxLate   time.Duration
	}{
		{
			// 1% a second: the estimate (100s) comes at the second poll; then the interval,
			// and the last poll lands on the end.
			name: "steady progress", end: 100 * time.Second,
			progress:  func(at time.Duration) float64 { return at.Seconds() / 100 },
			wantSleep: seconds(1, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9),
		},
		{
			// Progress reads 1 at 20s but the task ends at 60s: polls back off from the
			// quick interval, doubling up to the interval, not one a second.
			name: "reads 1 forty seconds before the end", end: 60 * time.Second,
			progress: func(at time.Duration) float64 { return min(1, at.Seconds()/20) },
			// 0, 1, 11, 20 (on the estimate: a miss), 22, 26, 34, 44, 54, 64
			wantSleep: seconds(1, 10, 9, 2, 4, 8, 10, 10, 10),
		},
		{
			// Stalled at 50% from 10s to 290s, then on to the end at 300s: never more than
			// the interval apart while stalled, and the end is noticed within the interval.
			name: "long stall", end: 300 * time.Second,
			progress: func(at time.Duration) float64 {
				switch s := at.Seconds(); {
				case s < 10:
					return s / 20
				case s < 290:
					return 0.5
				default:
					return 0.5 + (s-290)/20
				}
			},
			maxPolls: 1 + 30 + 5, maxLate: 10 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newSteppingClock(testStart)
			polls := 0
			poll := func(context.Context) (State, error) {
				polls++
				at := clock.Now().Sub(testStart)
				if at >= tt.end {
					return State{Terminal: true}, nil
				}
				return State{Progress: tt.progress(at), HasProgress: true}, nil
			}
			if _, err := (Poller{Clock: clock, Rand: fixedRand(0)}).Until(context.Background(), poll); err != nil {
				t.Fatalf("Until: %v", err)
			}
			if tt.wantSleep != nil && !slicesEqual(clock.sleeps, tt.wantSleep) {
				t.Errorf("sleeps = %v, want %v", clock.sleeps, tt.wantSleep)
			}
			for i, d := range clock.sleeps {
				if d < DefaultQuickInterval || d > DefaultInterval {
					t.Errorf("sleep %d = %v, outside [1s, 10s]", i, d)
				}
			}
			if tt.maxPolls > 0 && polls > tt.maxPolls {
				t.Errorf("%d polls, want at most %d", polls, tt.maxPolls)
			}
			if late := clock.Now().Sub(testStart) - tt.end; tt.maxLate > 0 && late > tt.maxLate {
				t.Errorf("noticed %v late, want at most %v", late, tt.maxLate)
			}
		})
	}
}

func slicesEqual(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPollerBoundsWithModels runs the benchmark's API models (a sample, fixed seed) and checks
// the two promises of the schedule on every delay: at least QuickInterval, at most Interval.
func TestPollerBoundsWithModels(t *testing.T) {
	t.Parallel()
	durations := simDurations(40, 5)
	for _, m := range simModels {
		for i, d := range durations {
			task := m.task(rand.New(rand.NewPCG(6, uint64(i))), d)
			clock := newSteppingClock(testStart)
			noise := rand.New(rand.NewPCG(8, uint64(i)))
			poll := func(context.Context) (State, error) { return task.state(clock.Now().Sub(testStart), noise), nil }
			p := Poller{Clock: clock, Rand: rand.New(rand.NewPCG(9, uint64(i))).Float64, Timeout: 3 * time.Hour}
			if _, err := p.Until(context.Background(), poll); err != nil {
				t.Fatalf("%s task %d: %v", m.name, i, err)
			}
			for j, s := range clock.sleeps {
				if s < DefaultQuickInterval || s > DefaultInterval {
					t.Fatalf("%s task %d (%v): sleep %d = %v, outside [1s, 10s]", m.name, i, d, j, s)
				}
			}
		}
	}
}
