package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

// waitStats is what the emulator saw of one apply's waits.
type waitStats struct {
	elapsed         time.Duration
	tasks           int
	reads           int
	readsToEnd      int
	latencies       []time.Duration
	requests, conns int
	// firstSpread is the time between the first task's first read and the last task's.
	firstSpread time.Duration
}

func (w waitStats) meanLatency() time.Duration {
	if len(w.latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range w.latencies {
		sum += l
	}
	return sum / time.Duration(len(w.latencies))
}

func (w waitStats) p95Latency() time.Duration {
	if len(w.latencies) == 0 {
		return 0
	}
	l := slices.Clone(w.latencies)
	slices.Sort(l)
	return l[(len(l)*95+99)/100-1]
}

// collect reads the emulator's counters after an apply.
func collect(srv *emulator.Server, tasks int, elapsed time.Duration) (waitStats, error) {
	w := waitStats{elapsed: elapsed, tasks: tasks, requests: srv.TotalCalls(), conns: srv.Connections()}
	var first, last time.Time
	for i, t := range srv.TaskTimelines() {
		if i == 0 || t.FirstRead.Before(first) {
			first = t.FirstRead
		}
		if t.FirstRead.After(last) {
			last = t.FirstRead
		}
		w.reads += t.Reads
		w.readsToEnd += t.ReadsToEnd
		if lat, ok := t.Latency(); ok {
			w.latencies = append(w.latencies, lat)
		}
	}
	w.firstSpread = last.Sub(first)
	if len(w.latencies) != tasks {
		return w, fmt.Errorf("%d of %d tasks were seen to end", len(w.latencies), tasks)
	}
	return w, nil
}

// batchPhases is a PolarDB batch task whose SuccessCount rises by one every end/total until
// it reaches total at end, when the task is COMPLETED; end 0 is COMPLETED at once.
func batchPhases(id string, total int, end time.Duration) []emulator.Phase {
	body := func(status string, success int) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"BatchId":%q,"TaskName":"install","TaskType":"polarclaw_install_skills","Status":%q,`+
			`"TotalCount":%d,"SuccessCount":%d,"TaskBegin":"2026/12/03T08:00:00Z","TaskEnd":null,"SubTasks":[],"ApplicationType":""}`,
			id, status, total, success))
	}
	var phases []emulator.Phase
	if end > 0 {
		step := end / time.Duration(total)
		for i := range total {
			d := step
			if i == total-1 {
				d = end - step*time.Duration(total-1) // the steps add up to end exactly
			}
			phases = append(phases, emulator.Phase{Duration: d.String(), Response: body("RUNNING", i)})
		}
	}
	return append(phases, emulator.Phase{Response: body("COMPLETED", total)})
}

// bdrcPhases is a BDRC task whose Progress rises linearly to 10000 at end, when it is COMPLETE.
func bdrcPhases(id string, end time.Duration) []emulator.Phase {
	body := func(status string, progress int) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"TaskId":%q,"TaskName":"sync","TaskType":"UPDATE_RESOURCES","TaskPriority":"LOW",`+
			`"TaskStatus":%q,"Progress":%d,"ErrorMessage":"","StartTime":1764748800,"CompleteTime":null,"ExpireTime":1767340800}`,
			id, status, progress))
	}
	var phases []emulator.Phase
	if end > 0 {
		const steps = 10
		for i := range steps {
			phases = append(phases, emulator.Phase{Duration: (end / steps).String(), Response: body("RUNNING", i*10000/steps)})
		}
	}
	return append(phases, emulator.Phase{Response: body("COMPLETE", 10000)})
}

// waitConfig is the provider and one waiting data source per id, with default settings.
func waitConfig(url, api string, ids []string) string {
	var b strings.Builder
	b.WriteString(tfbench.ProviderHeader(url))
	for i, id := range ids {
		switch api {
		case "batch":
			_, _ = fmt.Fprintf(&b, "\ndata \"cloudtask_polardb_batch_task\" \"t%d\" {\n  batch_id            = %q\n  wait_for_completion = true\n}\n", i, id)
		case "bdrc":
			_, _ = fmt.Fprintf(&b, "\ndata \"cloudtask_bdrc_task\" \"t%d\" {\n  task_id             = %q\n  wait_for_completion = true\n}\n", i, id)
		}
	}
	return b.String()
}

// applyWaits serves a scenario and applies the configuration waiting on ids.
func (s *settings) applyWaits(name string, sc *emulator.Scenario, api string, ids []string, parallelism int) (waitStats, error) {
	srv, err := serve(sc)
	if err != nil {
		return waitStats{}, err
	}
	defer func() { _ = srv.Close() }()
	dir, err := s.ws.Config(name, waitConfig(srv.URL(), api, ids))
	if err != nil {
		return waitStats{}, err
	}
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	if parallelism > 0 {
		args = append(args, fmt.Sprintf("-parallelism=%d", parallelism))
	}
	r, err := s.terraform(dir, nil, false, args...)
	if err != nil {
		return waitStats{}, err
	}
	return collect(srv, len(ids), r.Elapsed)
}

// waitScenario is n tasks of api ending end after their first poll (0: already ended).
func waitScenario(api string, n int, end func(i int) time.Duration, subTasks int) (*emulator.Scenario, []string) {
	sc := &emulator.Scenario{}
	ids := make([]string, n)
	for i := range n {
		switch api {
		case "batch":
			ids[i] = fmt.Sprintf("pcb-bench%03d", i)
			sc.PolarDBBatchTasks = append(sc.PolarDBBatchTasks, emulator.BatchTask{BatchID: ids[i], Phases: batchPhases(ids[i], subTasks, end(i))})
		case "bdrc":
			ids[i] = fmt.Sprintf("t-bench%03d", i)
			sc.BDRCTasks = append(sc.BDRCTasks, emulator.BDRCTask{TaskID: ids[i], Phases: bdrcPhases(ids[i], end(i))})
		}
	}
	return sc, ids
}

// parallel is item 3's first measurement: -tasks waits at once at -parallelism=-tasks on tasks
// ending -end after their first poll, against the same apply on tasks already ended.
func (s *settings) parallel() error {
	s.logf("==> parallel: %d %s waits of %v at -parallelism=%d, %d runs each\n", s.tasks, s.api, s.end, s.tasks, s.repeat)
	var waited, ended []waitStats
	for r := range s.repeat {
		sc, ids := waitScenario(s.api, s.tasks, func(int) time.Duration { return 0 }, 10)
		w, err := s.applyWaits(fmt.Sprintf("parallel-ended-%d", r), sc, s.api, ids, s.tasks)
		if err != nil {
			return err
		}
		ended = append(ended, w)
		sc, ids = waitScenario(s.api, s.tasks, func(int) time.Duration { return s.end }, 10)
		if w, err = s.applyWaits(fmt.Sprintf("parallel-wait-%d", r), sc, s.api, ids, s.tasks); err != nil {
			return err
		}
		waited = append(waited, w)
		s.logf("    run %d: %v without waiting, %v waiting\n", r+1, ended[r].elapsed, w.elapsed)
	}
	mean := func(ws []waitStats, f func(waitStats) float64) float64 {
		var sum float64
		for _, w := range ws {
			sum += f(w)
		}
		return sum / float64(len(ws))
	}
	elapsed := func(w waitStats) float64 { return w.elapsed.Seconds() }
	tWait, tEnded := mean(waited, elapsed), mean(ended, elapsed)
	ratio := (tWait - tEnded) / s.end.Seconds()
	var ratios []string
	for r := range s.repeat {
		ratios = append(ratios, fmt.Sprintf("%.2f", (waited[r].elapsed-ended[r].elapsed).Seconds()/s.end.Seconds()))
	}
	s.printf("\n| data source | waits x end | apply, tasks ended | apply, waiting | (waiting - ended) / end | per run | calls per task | mean detection latency | first reads spread over | new connections per request |\n")
	s.printf("|---|---|---|---|---|---|---|---|---|---|\n")
	s.printf("| %s | %d x %v | %.2f s | %.2f s | **%.2f** | %s | %.1f | %.2f s | %.2f s | %.3f |\n",
		apiName(s.api), s.tasks, s.end, tEnded, tWait, ratio, strings.Join(ratios, ", "),
		mean(waited, func(w waitStats) float64 { return float64(w.reads) / float64(w.tasks) }),
		mean(waited, func(w waitStats) float64 { return w.meanLatency().Seconds() }),
		mean(waited, func(w waitStats) float64 { return w.firstSpread.Seconds() }),
		mean(waited, func(w waitStats) float64 { return float64(w.conns) / float64(w.requests) }))
	return nil
}

func apiName(api string) string {
	if api == "bdrc" {
		return "`cloudtask_bdrc_task` (BDRC DescribeTask)"
	}
	return "`cloudtask_polardb_batch_task` (PolarDB DescribeBatchTask)"
}

// batch is item 3's second measurement: -batch-tasks PolarDB batch tasks ending between
// -min-end and -max-end after their first poll (seeded, uniform), SuccessCount rising linearly,
// default settings; detection latency and calls as the emulator saw them.
func (s *settings) batch() error {
	s.logf("==> batch: %d PolarDB batch tasks ending %v..%v after their first poll, %d runs\n", s.batchTasks, s.minEnd, s.maxEnd, s.repeat)
	s.printf("\n| run | tasks | ends | mean detection latency | p95 | calls per task | calls to the end per task | apply | new connections per request |\n")
	s.printf("|---|---|---|---|---|---|---|---|---|\n")
	var lat time.Duration
	var calls float64
	for r := range s.repeat {
		rng := rand.New(rand.NewPCG(uint64(s.seed), uint64(r)))
		ends := make([]time.Duration, s.batchTasks)
		for i := range ends {
			ends[i] = s.minEnd + time.Duration(rng.Int64N(int64(s.maxEnd-s.minEnd)+1)).Round(time.Millisecond)
		}
		sc, ids := waitScenario("batch", s.batchTasks, func(i int) time.Duration { return ends[i] }, s.subTasks)
		w, err := s.applyWaits(fmt.Sprintf("batch-%d", r), sc, "batch", ids, s.batchParallelism)
		if err != nil {
			return err
		}
		lat += w.meanLatency()
		calls += float64(w.reads) / float64(w.tasks)
		s.printf("| %d | %d | %v..%v, seed %d/%d | %s | %s | %.2f | %.2f | %.1f s | %.3f |\n", r+1, w.tasks, s.minEnd, s.maxEnd, s.seed, r,
			seconds(w.meanLatency()), seconds(w.p95Latency()), float64(w.reads)/float64(w.tasks), float64(w.readsToEnd)/float64(w.tasks),
			w.elapsed.Seconds(), float64(w.conns)/float64(w.requests))
	}
	s.printf("| mean | | | **%s** | | **%.2f** | | | |\n", seconds(lat/time.Duration(s.repeat)), calls/float64(s.repeat))
	return nil
}
