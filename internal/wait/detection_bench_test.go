package wait

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkDetection measures in virtual time how soon a wait notices the end of a task, and
// with how many calls, over task durations drawn log-uniform between 5s and 2h (fixed seed).
// Latency is the first poll at or after the end, minus the end; requests take no time.
//
// Beside the real engine it runs two schedules users have today: the Alibaba Cloud provider's
// waiter for the same PolarDB API (terraform-plugin-sdk StateChangeConf with Delay 30s and
// MinTimeout 3s: one poll after the delay, then waits that start at 100ms and double, raised
// to MinTimeout and capped at 10s) and a fixed 10s poll. The engine runs once per API model
// with the progress the API reports, and once with none ("no-hint", the same for every API).
//
// Figures are metrics, not timings: run with -benchtime=1x (more iterations repeat the same
// simulation). See BENCHMARKS.md.
func BenchmarkDetection(b *testing.B) {
	durations := simDurations(simTasks, 1)
	alicloud := simSchedule(durations, alicloudPolls)
	b.Run("alicloud", func(b *testing.B) {
		var r simResult
		for b.Loop() {
			r = simSchedule(durations, alicloudPolls)
		}
		r.report(b, alicloud)
	})
	b.Run("fixed-10s", func(b *testing.B) {
		var r simResult
		for b.Loop() {
			r = simSchedule(durations, fixedPolls(10*time.Second))
		}
		r.report(b, alicloud)
	})
	b.Run("bound", func(b *testing.B) {
		var r simResult
		for b.Loop() {
			r = simSchedule(durations, nil)
		}
		r.report(b, alicloud)
	})
	b.Run("engine/no-hint", func(b *testing.B) {
		tasks := make([]simTask, len(durations))
		for i, d := range durations {
			tasks[i] = simTask{end: d}
		}
		var r simResult
		for b.Loop() {
			r = simEngine(b, tasks)
		}
		r.report(b, alicloud)
	})
	for _, m := range simModels {
		b.Run("engine/"+m.name, func(b *testing.B) {
			tasks := make([]simTask, len(durations))
			for i, d := range durations {
				tasks[i] = m.task(rand.New(rand.NewPCG(2, uint64(i))), d)
			}
			var r simResult
			for b.Loop() {
				r = simEngine(b, tasks)
			}
			r.report(b, alicloud)
		})
	}
}

const simTasks = 4000

// simDurations draws task durations log-uniform between 5s and 2h.
func simDurations(n int, seed uint64) []time.Duration {
	r := rand.New(rand.NewPCG(seed, 0))
	lo, hi := math.Log(float64(5*time.Second)), math.Log(float64(2*time.Hour))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(math.Exp(lo + (hi-lo)*r.Float64()))
	}
	return out
}

// simResult is one schedule's figures over all tasks.
type simResult struct {
	latencies []time.Duration
	calls     int
}

func (r simResult) mean() float64 {
	var sum time.Duration
	for _, l := range r.latencies {
		sum += l
	}
	return sum.Seconds() / float64(len(r.latencies))
}

func (r simResult) p95() float64 {
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[int(math.Ceil(0.95*float64(len(s))))-1].Seconds()
}

func (r simResult) callsPerWait() float64 { return float64(r.calls) / float64(len(r.latencies)) }

func (r simResult) report(b *testing.B, alicloud simResult) {
	b.ReportMetric(r.mean(), "s-latency-mean")
	b.ReportMetric(r.p95(), "s-latency-p95")
	b.ReportMetric(r.callsPerWait(), "calls/wait")
	b.ReportMetric(r.mean()/alicloud.mean(), "x-alicloud-latency")
	b.ReportMetric(r.callsPerWait()/alicloud.callsPerWait(), "x-alicloud-calls")
}

// simSchedule runs a schedule given as a poll-time generator: next returns the time of the
// poll after the one at prev (prev < 0 for the first). A nil next is the bound any schedule
// that polls at once and never more than 10s apart has: it knows the end, polls at 0 and then
// in equal steps of at most 10s, the last on the end, so 1 + ceil(end/10s) calls and no latency.
func simSchedule(durations []time.Duration, next func(prev time.Duration, n int) time.Duration) simResult {
	r := simResult{latencies: make([]time.Duration, 0, len(durations))}
	for _, end := range durations {
		if next == nil {
			r.latencies = append(r.latencies, 0)
			r.calls += 1 + int(math.Ceil(float64(end)/float64(10*time.Second)))
			continue
		}
		t, n := next(-1, 0), 1
		for t < end {
			t = next(t, n)
			n++
		}
		r.latencies = append(r.latencies, t-end)
		r.calls += n
	}
	return r
}

// alicloudPolls is StateChangeConf{Delay: 30s, MinTimeout: 3s} as terraform-plugin-sdk's
// WaitForStateContext runs it: the first refresh after Delay; then wait starts at 100ms, is
// doubled after each refresh, raised to MinTimeout and capped at 10s.
func alicloudPolls(prev time.Duration, n int) time.Duration {
	const delay, minTimeout, maxWait = 30 * time.Second, 3 * time.Second, 10 * time.Second
	if prev < 0 {
		return delay
	}
	wait := 100 * time.Millisecond
	for range min(n, 3) { // 3s, 6s, then 10s for good
		wait = min(max(2*wait, minTimeout), maxWait)
	}
	return prev + wait
}

func fixedPolls(interval time.Duration) func(time.Duration, int) time.Duration {
	return func(prev time.Duration, _ int) time.Duration {
		if prev < 0 {
			return 0
		}
		return prev + interval
	}
}

// simEngine runs the real Poller on a stepping fake clock for every task.
func simEngine(b *testing.B, tasks []simTask) simResult {
	r := simResult{latencies: make([]time.Duration, 0, len(tasks))}
	ctx := context.Background()
	for i := range tasks {
		task := &tasks[i]
		clock := newSteppingClock(testStart)
		clock.record = false
		calls := 0
		noise := rand.New(rand.NewPCG(3, uint64(i)))
		poll := func(context.Context) (State, error) {
			calls++
			return task.state(clock.Now().Sub(testStart), noise), nil
		}
		jitter := rand.New(rand.NewPCG(4, uint64(i)))
		p := Poller{Clock: clock, Rand: jitter.Float64, Timeout: 3 * time.Hour}
		if _, err := p.Until(ctx, poll); err != nil {
			b.Fatalf("task %d (%v): %v", i, task.end, err)
		}
		r.latencies = append(r.latencies, clock.Now().Sub(testStart)-task.end)
		r.calls += calls
	}
	return r
}

// simTask is one task as an API reports it.
type simTask struct {
	end     time.Duration // terminal from here on
	curve   []simKnot     // the work done, piecewise linear; nil = the API reports no progress
	quantum float64       // progress is reported in steps of this size (1/TotalCount); 0 = continuous
	bias    float64       // > 0: the API also reports the time left (PolarDB Remain), off by this factor
}

// simKnot is one point of a progress curve; two knots at the same time make a jump.
type simKnot struct {
	at time.Duration
	p  float64
}

func (t *simTask) state(at time.Duration, noise *rand.Rand) State {
	if at >= t.end {
		return State{Terminal: true, Status: "DONE"}
	}
	s := State{Status: "RUNNING"}
	if t.curve != nil {
		p := curveAt(t.curve, at)
		if t.quantum > 0 {
			p = math.Floor(p/t.quantum+1e-9) * t.quantum
		}
		s.Progress, s.HasProgress = min(p, 1), true
	}
	if t.bias > 0 {
		left := float64(t.end-at) * t.bias * (0.9 + 0.2*noise.Float64())
		s.Hint = time.Duration(math.Round(left/float64(time.Second))) * time.Second
	}
	return s
}

func curveAt(knots []simKnot, at time.Duration) float64 {
	i := 0
	for i+1 < len(knots) && knots[i+1].at <= at {
		i++
	}
	if i+1 == len(knots) {
		return knots[i].p
	}
	a, z := knots[i], knots[i+1]
	return a.p + (z.p-a.p)*float64(at-a.at)/float64(z.at-a.at)
}

// simCurveShape describes how uneven progress is.
type simCurveShape struct {
	stall    float64 // chance that one segment of the task makes no progress
	back     float64 // chance of a jump backwards (a step redone)
	segments int
}

// curve draws a progress curve reaching 1 at fullAt: segments of equal length whose speeds
// vary log-normally (sigma 0.5), maybe one stalled, maybe one jump back by a fifth.
func (c simCurveShape) curve(r *rand.Rand, fullAt time.Duration) []simKnot {
	k := c.segments
	w := make([]float64, k)
	for i := range w {
		w[i] = math.Exp(0.5 * r.NormFloat64())
	}
	if r.Float64() < c.stall {
		w[r.IntN(k)] = 0
	}
	back := -1
	if r.Float64() < c.back {
		back = 1 + r.IntN(k-1)
	}
	knots := []simKnot{{0, 0}}
	p := 0.0
	for i := range k {
		if i == back {
			p *= 0.8
			knots = append(knots, simKnot{knots[len(knots)-1].at, p})
		}
		// Each segment does its share of what is left, so the curve ends at 1.
		rest := 0.0
		for _, x := range w[i:] {
			rest += x
		}
		if rest > 0 {
			p += (1 - p) * w[i] / rest
		}
		knots = append(knots, simKnot{fullAt * time.Duration(i+1) / time.Duration(k), p})
	}
	knots[len(knots)-1].p = 1
	return knots
}

// simModel is how one API reports progress.
type simModel struct {
	name string
	task func(r *rand.Rand, end time.Duration) simTask
}

// logUniformInt draws 1..hi log-uniform: most batches are small, a few are large.
func logUniformInt(r *rand.Rand, hi int) int {
	return max(1, int(math.Exp(r.Float64()*math.Log(float64(hi)+1))))
}

var simModels = []simModel{
	{
		// SuccessCount of TotalCount sub tasks; the last one ends the task.
		name: "polardb-batch",
		task: func(r *rand.Rand, end time.Duration) simTask {
			n := logUniformInt(r, 50)
			return simTask{end: end, quantum: 1 / float64(n),
				curve: simCurveShape{stall: 0.2, segments: 6}.curve(r, end)}
		},
	},
	{
		// Remain (seconds), off by a factor drawn per task between 0.7 and 1.4 and by up to
		// 10% at each answer, beside Progress in percent.
		name: "polardb-tasks",
		task: func(r *rand.Rand, end time.Duration) simTask {
			bias := math.Exp(math.Log(0.7) + r.Float64()*math.Log(2))
			return simTask{end: end, quantum: 0.01, bias: bias,
				curve: simCurveShape{stall: 0.2, segments: 6}.curve(r, end)}
		},
	},
	{
		// Progress 0..10000: uneven, sometimes stalled, sometimes redone, and sometimes at
		// 10000 up to 10% of the task before the status turns COMPLETE.
		name: "bdrc",
		task: func(r *rand.Rand, end time.Duration) simTask {
			fullAt := end
			if r.Float64() < 0.3 {
				fullAt -= time.Duration(r.Float64() * 0.1 * float64(end))
			}
			return simTask{end: end, quantum: 1e-4,
				curve: simCurveShape{stall: 0.3, back: 0.05, segments: 8}.curve(r, fullAt)}
		},
	},
	{
		// Finished instances (succeeded + failed) of 1..1000; the last one ends the task.
		name: "tencent",
		task: func(r *rand.Rand, end time.Duration) simTask {
			n := logUniformInt(r, 1000)
			return simTask{end: end, quantum: 1 / float64(n),
				curve: simCurveShape{stall: 0.3, segments: 6}.curve(r, end)}
		},
	},
	{
		// (SuccessCount + FailedCount) of TotalCount records, 1..5000, at a steadier pace.
		name: "alidns",
		task: func(r *rand.Rand, end time.Duration) simTask {
			n := logUniformInt(r, 5000)
			return simTask{end: end, quantum: 1 / float64(n),
				curve: simCurveShape{stall: 0.1, segments: 6}.curve(r, end)}
		},
	},
}
