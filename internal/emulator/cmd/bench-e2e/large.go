package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

// Item 5's sizes at 1x.
const (
	largeInstances    = 10_000
	largePolarDBTasks = 1_000
)

// large is item 5: one Tencent task of 10,000 x scale instances and one PolarDB window of
// 1,000 x scale tasks, each read by a plan of its own data source (no wait).
func (s *settings) large() error {
	s.printf("\n| read | scale | items | requests | plan time (mean of %d) | provider peak (VmHWM) | emulator peak heap growth |\n|---|---|---|---|---|---|---|\n", s.repeat)
	for _, kind := range []string{"tencent", "polardb"} {
		for _, scale := range s.scales {
			s.logf("==> large: %s at %dx\n", kind, scale)
			var sc *emulator.Scenario
			var source string
			var items int
			switch kind {
			case "tencent":
				items = largeInstances * scale
				sc = &emulator.Scenario{TencentRateLimit: -1, TencentTasks: []emulator.TencentTask{{
					JobID: "job-large01", TaskName: "A",
					Phases: []emulator.TencentPhase{{
						Response:          json.RawMessage(`{"JobId":"job-large01","TaskName":"A","TaskState":"SUCCEED","CreateTime":"2026-12-03T08:00:00Z","EndTime":"2026-12-03T09:00:00Z"}`),
						GenerateInstances: &emulator.InstanceGenerator{Count: items, State: "SUCCEED", FailedEvery: 0},
					}},
				}}}
				source = "\ndata \"cloudtask_tencent_batch_task\" \"large\" {\n  job_id    = \"job-large01\"\n  task_name = \"A\"\n}\n"
			case "polardb":
				items = largePolarDBTasks * scale
				sc = &emulator.Scenario{PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{
					DBClusterID: "pc-large0000000001", Count: items, Status: "Finished", TaskIDPrefix: "t-", BeginTime: "2026-12-03T08:00:00Z",
				}}}
				source = "\ndata \"cloudtask_polardb_tasks\" \"large\" {\n  db_cluster_id = \"pc-large0000000001\"\n  start_time    = \"2026-12-03T00:00Z\"\n  end_time      = \"2026-12-04T00:00Z\"\n  status        = \"Finished\"\n}\n"
			}
			var elapsed time.Duration
			var peak, heap int64
			var requests int
			for r := range s.repeat {
				srv, err := serve(sc)
				if err != nil {
					return err
				}
				dir, err := s.ws.Config(fmt.Sprintf("large-%s-%d-%d", kind, scale, r), tfbench.ProviderHeader(srv.URL())+source)
				if err != nil {
					_ = srv.Close()
					return err
				}
				h := startHeapSampler()
				run, err := s.terraform(dir, nil, true, "plan", "-input=false", "-no-color")
				heap = max(heap, h.stop())
				requests = srv.TotalCalls()
				_ = srv.Close()
				if err != nil {
					return err
				}
				elapsed += run.Elapsed
				peak = max(peak, run.ProviderPeak)
			}
			s.printf("| %s | %dx | %d | %d | %s | %s | %s |\n", kind, scale, items, requests,
				seconds(elapsed/time.Duration(s.repeat)), mib(peak), mib(heap))
		}
	}
	return nil
}

// heapSampler samples this process's heap (the in-process emulator's share, above what was
// live before the run) every few milliseconds and keeps the highest growth.
type heapSampler struct {
	base int64
	done chan struct{}
	wg   sync.WaitGroup
	peak int64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() int64 {
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	return int64(sample[0].Value.Uint64())
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{base: heapNow(), done: make(chan struct{})}
	h.wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			h.peak = max(h.peak, heapNow()-h.base)
			select {
			case <-h.done:
				return
			case <-t.C:
			}
		}
	})
	return h
}

func (h *heapSampler) stop() int64 {
	close(h.done)
	h.wg.Wait()
	return h.peak
}
