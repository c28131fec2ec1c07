package tencent

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// BenchmarkDescribeTaskAllLarge is issue 9 item 5: the full read of a task with 10,000, 20,000
// and 40,000 instances (pages of 1000), rate limit lifted. Time and allocations should grow
// linearly; peak-heap-MiB is the highest live heap seen while reading, emulator included (its
// answer for one page is built per request), and should grow with the decoded result only, not
// with raw page bodies held beyond the page being read.
func BenchmarkDescribeTaskAllLarge(b *testing.B) {
	for _, n := range []int{10_000, 20_000, 40_000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			srv := emulator.NewTestServer(b, &emulator.Scenario{
				TencentRateLimit: -1,
				TencentTasks:     []emulator.TencentTask{generatedTask("job-large01", "A", "SUCCEED", n, 0)},
			})
			c, err := NewClient(Config{
				SecretID:  emulator.TencentSecretID,
				SecretKey: emulator.TencentSecretKey,
				Region:    "ap-shanghai",
				Endpoints: Endpoints{Batch: srv.URL()},
			}, ClientOptions{Getenv: func(string) string { return "" }, ratePerSecond: 1_000_000})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			peak := startPeakHeap()
			b.ReportAllocs()
			for b.Loop() {
				task, err := c.DescribeTaskAll(ctx, DescribeTaskRequest{JobID: "job-large01", TaskName: "A"})
				if err != nil {
					b.Fatal(err)
				}
				if len(task.TaskInstanceSet) != n {
					b.Fatalf("read %d instances, want %d", len(task.TaskInstanceSet), n)
				}
			}
			b.ReportMetric(float64(peak.stop())/(1<<20), "peak-heap-MiB")
		})
	}
}

// peakHeap samples the live heap every millisecond and keeps the highest value above the heap
// live when it started.
type peakHeap struct {
	base, peak int64
	done       chan struct{}
	wg         sync.WaitGroup
}

func heapObjects() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{base: heapObjects(), done: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			p.peak = max(p.peak, heapObjects()-p.base)
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakHeap) stop() int64 {
	close(p.done)
	p.wg.Wait()
	return p.peak
}
