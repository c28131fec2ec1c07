package tencent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// BenchmarkDescribeTaskAll2500 measures the full read of a task with 2,500 instances (three
// signed, verified pages of 1000) without the rate limit, so the number is the provider's own
// cost: signing, HTTP on loopback, decoding. Target (BENCHMARKS.md): under 100 ms and 10 MB per read.
func BenchmarkDescribeTaskAll2500(b *testing.B) {
	srv := emulator.NewTestServer(b, &emulator.Scenario{
		TencentRateLimit: -1,
		TencentTasks:     []emulator.TencentTask{generatedTask("job-bench01", "A", "SUCCEED", 2500, 7)},
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
	b.ReportAllocs()
	for b.Loop() {
		task, err := c.DescribeTaskAll(ctx, DescribeTaskRequest{JobID: "job-bench01", TaskName: "A"})
		if err != nil {
			b.Fatal(err)
		}
		if len(task.TaskInstanceSet) != 2500 {
			b.Fatalf("read %d instances, want 2500", len(task.TaskInstanceSet))
		}
	}
}

// BenchmarkDecodeTaskSample measures decoding of the documentation page's sample answer.
func BenchmarkDecodeTaskSample(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "describe_task_sample.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decodeTask(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTaskPage1000 measures decoding one full page (1000 instances), the provider's
// share of BenchmarkDescribeTaskAll2500, whose numbers also include the in-process emulator.
func BenchmarkDecodeTaskPage1000(b *testing.B) {
	var page strings.Builder
	page.WriteString(`{"Response":{"TaskState":"RUNNING","JobId":"job-bench01","TaskName":"A","TaskInstanceTotalCount":2500,"TaskInstanceSet":[`)
	for i := range 1000 {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"TaskInstanceIndex":%d,"RedirectInfo":{"StderrRedirectFileName":"stderr.job-bench01.A.%[1]d.log",`+
			`"StdoutRedirectFileName":"stdout.job-bench01.A.%[1]d.log","StdoutRedirectPath":"cos://bucket/logs/","StderrRedirectPath":"cos://bucket/logs/"},`+
			`"RunningTime":"2018-02-07T09:29:55Z","LaunchTime":"2018-02-07T09:29:09Z","StateReason":"","StateDetailedReason":"",`+
			`"ComputeNodeInstanceId":null,"EndTime":"2018-02-07T09:30:23Z","TaskInstanceState":"SUCCEED","CreateTime":"2018-02-07T09:29:09Z","ExitCode":0}`, i)
	}
	page.WriteString(`],"RequestId":"f4723b24-e080-4599-b12d-b7eb657faefe"}}`)
	body := []byte(page.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		task, err := decodeTask(body)
		if err != nil {
			b.Fatal(err)
		}
		if len(task.TaskInstanceSet) != 1000 {
			b.Fatalf("decoded %d instances", len(task.TaskInstanceSet))
		}
	}
}
