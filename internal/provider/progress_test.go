package provider

import (
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// TestProgressMessage pins the wait's INFO line: it must read on its own, since most log viewers
// show the message and drop the fields.
func TestProgressMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		state   wait.State
		elapsed time.Duration
		polls   int
		want    string
	}{
		{
			name:    "progress",
			state:   wait.State{Status: "RUNNING", Summary: "3 of 10 sub tasks succeeded"},
			elapsed: 12400 * time.Millisecond,
			polls:   4,
			want:    `waiting for batch task "pcb-1": status RUNNING (3 of 10 sub tasks succeeded), 12s elapsed, 4 polls`,
		},
		{
			name:  "first poll, no summary",
			state: wait.State{Status: "CREATED"},
			polls: 1,
			want:  `waiting for batch task "pcb-1": status CREATED, 0s elapsed, 1 poll`,
		},
		{
			name:    "terminal",
			state:   wait.State{Status: "COMPLETED", Summary: "10 of 10 sub tasks succeeded", Terminal: true},
			elapsed: 95 * time.Second,
			polls:   17,
			want:    `waiting for batch task "pcb-1": status COMPLETED (10 of 10 sub tasks succeeded), 1m35s elapsed, 17 polls, terminal`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progressMessage(`batch task "pcb-1"`, tt.state, tt.elapsed, tt.polls); got != tt.want {
				t.Errorf("progressMessage() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

// TestOutcomeProgress pins what each data source feeds the wait engine's estimate of the end.
func TestOutcomeProgress(t *testing.T) {
	t.Parallel()
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	now := time.Date(2020, 12, 2, 2, 40, 0, 0, time.UTC)
	tasks := func(ts ...alibaba.PolarDBTask) *alibaba.TasksPage {
		return &alibaba.TasksPage{TotalRecordCount: n(int64(len(ts))), Tasks: ts}
	}
	tests := []struct {
		name string
		out  outcome
		want float64 // < 0 = no progress
	}{
		{"batch: success of total", batchTaskOutcome(&alibaba.BatchTask{Status: s("RUNNING"), SuccessCount: n(3), TotalCount: n(12)}), 0.25},
		{"batch: no total", batchTaskOutcome(&alibaba.BatchTask{Status: s("RUNNING"), SuccessCount: n(3)}), -1},
		{"batch: total 0", batchTaskOutcome(&alibaba.BatchTask{Status: s("RUNNING"), SuccessCount: n(0), TotalCount: n(0)}), -1},
		{"bdrc: 0..10000", bdrcTaskOutcome(&alibaba.BDRCTask{TaskStatus: s("RUNNING"), Progress: n(2500)}), 0.25},
		{"bdrc: none", bdrcTaskOutcome(&alibaba.BDRCTask{TaskStatus: s("RUNNING")}), -1},
		{"tencent: finished of all instances", tencentTaskOutcome(&tencent.Task{TaskState: s("RUNNING"), TaskInstanceMetrics: &tencent.TaskInstanceMetrics{
			SucceedCount: n(2), FailedCount: n(1), FailedInterruptedCount: n(1), RunningCount: n(4), PendingCount: n(8)}}), 0.25},
		{"tencent: no metrics", tencentTaskOutcome(&tencent.Task{TaskState: s("RUNNING")}), -1},
		{"alidns: success and failed of total", alidnsBatchResultOutcome(&alibaba.BatchResultCount{Status: n(0), TotalCount: n(8), SuccessCount: n(1), FailedCount: n(1)}), 0.25},
		{"polardb tasks: Progress percent, least advanced task", polarDBPollOutcome(tasks(alibaba.PolarDBTask{Progress: n(80)}, alibaba.PolarDBTask{Progress: n(25)}), now), 0.25},
		{"polardb tasks: steps when no Progress", polarDBPollOutcome(tasks(alibaba.PolarDBTask{
			StepsInfo: s(`[{"remain":0,"name":"a","progress":100},{"remain":9,"name":"b","progress":0},{"remain":9,"name":"c","progress":0},{"remain":9,"name":"d","progress":0}]`)}), now), 0.25},
		{"polardb tasks: a task that does not tell", polarDBPollOutcome(tasks(alibaba.PolarDBTask{Progress: n(80)}, alibaba.PolarDBTask{}), now), -1},
	}
	for _, tt := range tests {
		got := tt.out.progress
		if !tt.out.hasProgress {
			got = -1
		}
		if got != tt.want {
			t.Errorf("%s: progress %v (known %v), want %v", tt.name, tt.out.progress, tt.out.hasProgress, tt.want)
		}
	}
}
