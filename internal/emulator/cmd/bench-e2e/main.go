// Command bench-e2e measures the provider end to end: the built provider run by terraform
// against the emulator served in this process on a loopback port. Each scenario prints a
// Markdown table (BENCHMARKS.md, issue 9 items 3 to 5).
//
//	go run ./internal/emulator/cmd/bench-e2e -scenario parallel   # 50 waits at -parallelism=50
//	go run ./internal/emulator/cmd/bench-e2e -scenario batch      # 40 batch tasks, detection latency
//	go run ./internal/emulator/cmd/bench-e2e -scenario cost       # binary size, start-up, plan of 100
//	go run ./internal/emulator/cmd/bench-e2e -scenario large      # large reads at 1x, 2x, 4x
//
// Everything is bounded: each terraform command by -run-timeout, and the emulator listens on
// 127.0.0.1 only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

type settings struct {
	ws       *tfbench.Workspace
	out, log io.Writer
	runLimit time.Duration
	repeat   int

	// parallel
	tasks int
	end   time.Duration
	api   string
	// batch
	batchTasks       int
	minEnd, maxEnd   time.Duration
	subTasks         int
	seed             int64
	batchParallelism int
	// cost
	planSources int
	// large
	scales []int
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench-e2e:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("bench-e2e", flag.ContinueOnError)
	flags.SetOutput(stderr)
	scenarios := flags.String("scenario", "parallel,batch,cost,large", "comma-separated scenarios: parallel, batch, cost, large")
	work := flags.String("work", ".bench-e2e", "working directory (recreated)")
	s := settings{out: stdout, log: stderr}
	flags.DurationVar(&s.runLimit, "run-timeout", 4*time.Minute, "bound on one terraform command")
	flags.IntVar(&s.repeat, "repeat", 3, "runs of each measurement (times are averaged)")
	flags.IntVar(&s.tasks, "tasks", 50, "parallel: data sources waiting at once (and -parallelism)")
	flags.DurationVar(&s.end, "end", 5*time.Second, "parallel: each task ends this long after its first poll")
	flags.StringVar(&s.api, "api", "batch", "parallel: the data source, batch (PolarDB DescribeBatchTask) or bdrc (BDRC DescribeTask)")
	flags.IntVar(&s.batchTasks, "batch-tasks", 40, "batch: PolarDB batch tasks waited on")
	flags.DurationVar(&s.minEnd, "min-end", 6*time.Second, "batch: earliest end after the first poll")
	flags.DurationVar(&s.maxEnd, "max-end", 20*time.Second, "batch: latest end after the first poll")
	flags.IntVar(&s.subTasks, "sub-tasks", 10, "batch: TotalCount of each task; SuccessCount rises by one at even steps")
	flags.Int64Var(&s.seed, "seed", 1, "batch: seed of the end times")
	flags.IntVar(&s.batchParallelism, "batch-parallelism", 0, "batch: terraform -parallelism (0: terraform's default, 10)")
	flags.IntVar(&s.planSources, "plan-sources", 100, "cost: data sources in the plan that does not wait")
	scales := flags.String("scales", "1,2,4", "large: multiples of 10,000 Tencent instances and 1,000 PolarDB tasks")
	if err := flags.Parse(args); err != nil {
		return err
	}
	for _, p := range strings.Split(*scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return fmt.Errorf("-scales: %q is not a positive number", p)
		}
		s.scales = append(s.scales, n)
	}
	if s.repeat < 1 || s.tasks < 1 || s.batchTasks < 1 || s.subTasks < 1 || s.planSources < 1 || s.minEnd <= 0 || s.maxEnd < s.minEnd {
		return errors.New("counts must be at least 1 and 0 < -min-end <= -max-end")
	}
	if s.api != "batch" && s.api != "bdrc" {
		return fmt.Errorf("-api: %q is not batch or bdrc", s.api)
	}
	scenarioRuns := map[string]func() error{
		"parallel": s.parallel,
		"batch":    s.batch,
		"cost":     s.cost,
		"large":    s.large,
	}
	var todo []func() error
	for _, name := range strings.Split(*scenarios, ",") {
		f, ok := scenarioRuns[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("-scenario: %q is not parallel, batch, cost or large", name)
		}
		todo = append(todo, f)
	}
	var err error
	if s.ws, err = tfbench.NewWorkspace(*work, stderr); err != nil {
		return err
	}
	for _, f := range todo {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// serve starts the emulator with sc on a loopback port.
func serve(sc *emulator.Scenario) (*emulator.Server, error) {
	srv := emulator.New(emulator.Options{Scenario: sc})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return srv, nil
}

// terraform runs one terraform command in dir, bounded by -run-timeout.
func (s *settings) terraform(dir string, env []string, sample bool, args ...string) (tfbench.Run, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.runLimit)
	defer cancel()
	return s.ws.Terraform(ctx, dir, env, sample, args...)
}

func (s *settings) printf(format string, args ...any) { _, _ = fmt.Fprintf(s.out, format, args...) }
func (s *settings) logf(format string, args ...any)   { _, _ = fmt.Fprintf(s.log, format, args...) }

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
