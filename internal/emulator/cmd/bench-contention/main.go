// Command bench-contention measures how terraform processes that share one Tencent account, and
// cannot see each other, get through DescribeTask's documented limit of 3 requests per second.
//
// It builds the provider, serves the emulator on a loopback port with that limit, and for each
// process count runs that many `terraform apply` at once, each in its own working directory
// with a dev_overrides CLI configuration, each waiting on -waits Tencent Batch tasks that
// finish on their -polls-th poll. Each run is repeated with the emulator counting rejected
// requests against the limit and not. It prints one Markdown table row per run: total time,
// the floor (answered requests / 3 per second), rejected requests per 100 answered, and
// failed reads.
//
//	go run ./internal/emulator/cmd/bench-contention -procs 1,2,3,6
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

// documentedRate is Tencent DescribeTask's limit, requests per second.
const documentedRate = 3

type settings struct {
	procs    []int
	waits    int
	polls    int
	modes    []bool // TencentRateCountsRejected values to run
	runLimit time.Duration
	trace    bool
}

type result struct {
	procs             int
	countsRejected    bool
	total, floor      time.Duration
	answered, rejects int
	failedReads       int
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench-contention:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("bench-contention", flag.ContinueOnError)
	flags.SetOutput(stderr)
	procs := flags.String("procs", "1,2,3,6", "comma-separated numbers of terraform processes run at once")
	waits := flags.Int("waits", 4, "tasks each process waits on")
	polls := flags.Int("polls", 5, "poll on which each task finishes")
	modes := flags.String("counts-rejected", "both", "whether the emulator counts rejected requests against the limit: no, yes or both")
	work := flags.String("work", ".bench-contention", "working directory (recreated)")
	runLimit := flags.Duration("run-timeout", 4*time.Minute, "bound on one run")
	trace := flags.Bool("trace", false, "print each process's requests per second and rejections to stderr")
	if err := flags.Parse(args); err != nil {
		return err
	}
	s := settings{waits: *waits, polls: *polls, runLimit: *runLimit, trace: *trace}
	for _, p := range strings.Split(*procs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return fmt.Errorf("-procs: %q is not a positive number", p)
		}
		s.procs = append(s.procs, n)
	}
	switch *modes {
	case "no":
		s.modes = []bool{false}
	case "yes":
		s.modes = []bool{true}
	case "both":
		s.modes = []bool{false, true}
	default:
		return fmt.Errorf("-counts-rejected: %q is not no, yes or both", *modes)
	}
	if s.waits < 1 || s.polls < 1 {
		return errors.New("-waits and -polls must be at least 1")
	}
	ws, err := tfbench.NewWorkspace(*work, stderr)
	if err != nil {
		return err
	}

	_, _ = fmt.Fprintln(stdout, "| processes x waits | rejected requests count | total | floor | total / floor | answered | rejected per 100 answered | failed reads |")
	_, _ = fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
	for _, countsRejected := range s.modes {
		for _, n := range s.procs {
			_, _ = fmt.Fprintf(stderr, "==> %d processes x %d waits, rejected requests count: %v\n", n, s.waits, countsRejected)
			r, err := s.runOnce(ws, n, countsRejected, stderr)
			if err != nil {
				return err
			}
			counts := "no"
			if r.countsRejected {
				counts = "yes"
			}
			_, _ = fmt.Fprintf(stdout, "| %d x %d | %s | %.1fs | %.1fs | %.2f | %d | %.0f | %d |\n",
				r.procs, s.waits, counts, r.total.Seconds(), r.floor.Seconds(), r.total.Seconds()/r.floor.Seconds(),
				r.answered, 100*float64(r.rejects)/float64(max(r.answered, 1)), r.failedReads)
		}
	}
	return nil
}

// runOnce serves a fresh emulator and runs n terraform processes at once against it.
func (s settings) runOnce(ws *tfbench.Workspace, n int, countsRejected bool, stderr io.Writer) (result, error) {
	sc := &emulator.Scenario{TencentRateCountsRejected: countsRejected}
	for p := range n {
		for w := range s.waits {
			sc.TencentTasks = append(sc.TencentTasks, task(jobID(p, w), s.polls))
		}
	}
	srv := emulator.New(emulator.Options{Scenario: sc})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return result{}, err
	}
	defer func() { _ = srv.Close() }()

	dirs := make([]string, n)
	for p := range n {
		var err error
		dirs[p], err = ws.Config(filepath.Join(fmt.Sprintf("run-%d-%v", n, countsRejected), fmt.Sprintf("p%d", p)), s.config(srv.URL(), p))
		if err != nil {
			return result{}, err
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), s.runLimit)
	defer cancel()
	outputs := make([]string, n)
	errs := make([]error, n)
	elapsed := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for p := range n {
		wg.Go(func() {
			run, err := ws.Terraform(ctx, dirs[p], nil, false, "apply", "-auto-approve", "-input=false", "-no-color")
			outputs[p], errs[p], elapsed[p] = run.Output, err, run.Elapsed
		})
	}
	wg.Wait()
	total := time.Since(start)

	if s.trace {
		traceRun(stderr, srv, start, n, countsRejected, elapsed)
	}
	r := result{procs: n, countsRejected: countsRejected, total: total}
	r.answered, r.rejects = srv.TencentRateCounts()
	r.floor = time.Duration(float64(r.answered) / documentedRate * float64(time.Second))
	for p := range n {
		out := outputs[p]
		failed := strings.Count(out, "Error: ")
		if errs[p] != nil && failed == 0 {
			failed = s.waits // the process failed before reading anything
		}
		if failed > 0 {
			_, _ = fmt.Fprintf(stderr, "process %d failed (%v):\n%s\n", p, errs[p], out)
		}
		r.failedReads += failed
	}
	return r, nil
}

func jobID(p, w int) string { return fmt.Sprintf("job-p%dw%d", p, w) }

// task answers RUNNING to its first polls-1 requests, then SUCCEED.
func task(job string, polls int) emulator.TencentTask {
	body := func(state string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskState":%q,"CreateTime":"2026-05-28T08:00:00Z","EndTime":null}`, job, state))
	}
	var phases []emulator.TencentPhase
	if polls > 1 {
		phases = append(phases, emulator.TencentPhase{Calls: polls - 1, Response: body("RUNNING"),
			GenerateInstances: &emulator.InstanceGenerator{Count: 2, State: "RUNNING"}})
	}
	phases = append(phases, emulator.TencentPhase{Response: body("SUCCEED"),
		GenerateInstances: &emulator.InstanceGenerator{Count: 2, State: "SUCCEED"}})
	return emulator.TencentTask{JobID: job, TaskName: "A", Phases: phases}
}

// config is one process's configuration: the provider at the emulator and its waits, with the
// defaults a new user gets (poll_interval 10s).
func (s settings) config(url string, p int) string {
	var b strings.Builder
	b.WriteString(tfbench.ProviderHeader(url))
	for w := range s.waits {
		_, _ = fmt.Fprintf(&b, `
data "cloudtask_tencent_batch_task" "w%d" {
  job_id              = %q
  task_name           = "A"
  wait_for_completion = true
  timeouts {
    read = "3m"
  }
}
`, w, jobID(p, w))
	}
	return b.String()
}
