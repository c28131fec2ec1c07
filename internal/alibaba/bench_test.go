package alibaba

import (
	"context"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// BenchmarkDescribeBatchTask measures one poll of a batch task: SDK signing, loopback HTTP to the
// in-process emulator (which verifies the signature) and decoding. The allocation numbers include
// the emulator's side. Target (BENCHMARKS.md): a poll costs well under 5 ms, so the wait engine's
// one-second quick polls are dominated by the network, never by the provider.
func BenchmarkDescribeBatchTask(b *testing.B) {
	srv := emulator.NewTestServer(b, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-bench", Phases: []emulator.Phase{{Response: []byte(
			`{"BatchId":"pcb-bench","TaskName":"t","TaskType":"x","Status":"RUNNING","TotalCount":10,"SuccessCount":8,` +
				`"TaskBegin":"2026/05/28T16:38:20Z","TaskEnd":"","SubTasks":[{"TaskId":"1","InstanceId":"pc-1","Status":"COMPLETED"}],"ApplicationType":""}`)}}}},
	})
	c, err := NewClient(Config{
		AccessKey: emulator.AlibabaAccessKeyID,
		SecretKey: emulator.AlibabaAccessKeySecret,
		Endpoints: Endpoints{PolarDB: srv.URL()},
	}, ClientOptions{Getenv: noEnv, Home: b.TempDir(), ratePerSecond: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DescribeBatchTask(ctx, "pcb-bench"); err != nil {
			b.Fatal(err)
		}
	}
}
