package alibaba

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

// BenchmarkDescribeTasksWindowLarge is issue 9 item 5: reading every page of a PolarDB window of
// 1,000, 2,000 and 4,000 tasks (the provider's default page size, 30), rate limit lifted, keeping
// the decoded tasks as the data source does. Time and allocations should grow linearly;
// peak-heap-MiB is the highest live heap seen while reading, emulator included.
func BenchmarkDescribeTasksWindowLarge(b *testing.B) {
	for _, n := range []int{1_000, 2_000, 4_000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			srv := emulator.NewTestServer(b, &emulator.Scenario{PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{
				DBClusterID: "pc-large0000000001", Count: n, Status: "Finished", TaskIDPrefix: "t-", BeginTime: "2026-12-03T08:00:00Z",
			}}})
			c, err := NewClient(Config{
				AccessKey: emulator.AlibabaAccessKeyID,
				SecretKey: emulator.AlibabaAccessKeySecret,
				Endpoints: Endpoints{PolarDB: srv.URL()},
			}, ClientOptions{Getenv: noEnv, Home: b.TempDir(), ratePerSecond: 1_000_000})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			req := TasksRequest{DBClusterID: "pc-large0000000001", StartTime: "2026-12-03T00:00Z", EndTime: "2026-12-04T00:00Z",
				Status: "Finished", PageSize: 30}
			peak := startPeakHeap()
			b.ReportAllocs()
			for b.Loop() {
				var all []PolarDBTask
				for page := 1; ; page++ {
					req.PageNumber = page
					p, err := c.DescribeTasks(ctx, req)
					if err != nil {
						b.Fatal(err)
					}
					all = append(all, p.Tasks...)
					if len(p.Tasks) < req.PageSize {
						break
					}
				}
				if len(all) != n {
					b.Fatalf("read %d tasks, want %d", len(all), n)
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
