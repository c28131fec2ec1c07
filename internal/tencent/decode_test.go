package tencent

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

func str(s string) *string { return &s }
func i64(n int64) *int64   { return &n }

// TestDecodeSeedSample decodes the documented example answer field by field.
func TestDecodeSeedSample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/describe_task_sample.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTask(body)
	if err != nil {
		t.Fatalf("decodeTask: %v", err)
	}
	const logs = "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/"
	want := &Task{
		RequestID:              "f4723b24-e080-4599-b12d-b7eb657faefe",
		JobID:                  str("job-97zcl3wt"),
		TaskName:               str("A"),
		TaskState:              str("SUCCEED"),
		CreateTime:             str("2018-02-07T09:29:09Z"),
		EndTime:                str("2018-02-07T09:30:31Z"),
		TaskInstanceTotalCount: i64(2),
		TaskInstanceSet: []TaskInstance{
			{
				TaskInstanceIndex:   i64(1),
				TaskInstanceState:   str("SUCCEED"),
				ExitCode:            i64(0),
				StateReason:         str(""),
				StateDetailedReason: str("xx"),
				CreateTime:          str("2018-02-07T09:29:09Z"),
				LaunchTime:          str("2018-02-07T09:29:09Z"),
				RunningTime:         str("2018-02-07T09:29:55Z"),
				EndTime:             str("2018-02-07T09:30:23Z"),
				RedirectInfo: &RedirectInfo{
					StdoutRedirectPath:     str(logs),
					StderrRedirectPath:     str(logs),
					StdoutRedirectFileName: str("stdout.job-97zcl3wt.A.1.log"),
					StderrRedirectFileName: str("stderr.job-97zcl3wt.A.1.log"),
				},
			},
			{
				TaskInstanceIndex:   i64(0),
				TaskInstanceState:   str("SUCCEED"),
				ExitCode:            i64(0),
				StateReason:         str(""),
				StateDetailedReason: str("xx"),
				CreateTime:          str("2018-02-07T09:29:09Z"),
				LaunchTime:          str("2018-02-07T09:29:09Z"),
				RunningTime:         str("2018-02-07T09:30:02Z"),
				EndTime:             str("2018-02-07T09:30:31Z"),
				RedirectInfo: &RedirectInfo{
					StdoutRedirectPath:     str(logs),
					StderrRedirectPath:     str(logs),
					StdoutRedirectFileName: str("stdout.job-97zcl3wt.A.0.log"),
					StderrRedirectFileName: str("stderr.job-97zcl3wt.A.0.log"),
				},
			},
		},
		TaskInstanceMetrics: &TaskInstanceMetrics{
			SubmittedCount: i64(0), PendingCount: i64(0), RunnableCount: i64(0), StartingCount: i64(0),
			RunningCount: i64(0), SucceedCount: i64(2), FailedInterruptedCount: i64(0), FailedCount: i64(0),
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded sample differs:\n got  %s\n want %s", dumpTask(got), dumpTask(want))
	}
	for i, inst := range got.TaskInstanceSet {
		if inst.ComputeNodeInstanceID != nil {
			t.Errorf("instance %d: null ComputeNodeInstanceId decoded as %q, want nil", i, *inst.ComputeNodeInstanceID)
		}
	}
}

func TestDecodeFieldShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		check   func(t *testing.T, task *Task)
		wantErr bool
	}{
		{
			name: "numeric strings and verbatim strings",
			body: `{"Response":{"TaskState":"RUNNING ","TaskInstanceTotalCount":"2500","CreateTime":"null",
				"TaskInstanceSet":[{"TaskInstanceIndex":"7","ExitCode":" -1 ","StateReason":""}],
				"TaskInstanceMetrics":{"FailedCount":"3","SucceedCount":1e3},"RequestId":"r-1"}}`,
			check: func(t *testing.T, task *Task) {
				assertStr(t, "TaskState", task.TaskState, "RUNNING ")
				assertStr(t, "CreateTime", task.CreateTime, "null")
				assertInt(t, "TaskInstanceTotalCount", task.TaskInstanceTotalCount, 2500)
				assertInt(t, "TaskInstanceIndex", task.TaskInstanceSet[0].TaskInstanceIndex, 7)
				assertInt(t, "ExitCode", task.TaskInstanceSet[0].ExitCode, -1)
				assertStr(t, "StateReason", task.TaskInstanceSet[0].StateReason, "")
				assertInt(t, "FailedCount", task.TaskInstanceMetrics.FailedCount, 3)
				assertInt(t, "SucceedCount", task.TaskInstanceMetrics.SucceedCount, 1000)
				if task.RequestID != "r-1" {
					t.Errorf("RequestID = %q", task.RequestID)
				}
			},
		},
		{
			name: "absent, null and empty-string values are nil",
			body: `{"Response":{"TaskState":null,"TaskInstanceTotalCount":"","TaskInstanceSet":[{"ExitCode":null,"RedirectInfo":null}],"TaskInstanceMetrics":null}}`,
			check: func(t *testing.T, task *Task) {
				if task.TaskState != nil || task.JobID != nil || task.TaskInstanceTotalCount != nil || task.TaskInstanceMetrics != nil {
					t.Errorf("want nil fields, got %s", dumpTask(task))
				}
				inst := task.TaskInstanceSet[0]
				if inst.ExitCode != nil || inst.RedirectInfo != nil || inst.TaskInstanceState != nil {
					t.Errorf("want nil instance fields, got %+v", inst)
				}
			},
		},
		{
			name: "empty instance list stays empty, null list stays nil",
			body: `{"Response":{"TaskInstanceSet":[]}}`,
			check: func(t *testing.T, task *Task) {
				if task.TaskInstanceSet == nil || len(task.TaskInstanceSet) != 0 {
					t.Errorf("TaskInstanceSet = %#v, want empty non-nil", task.TaskInstanceSet)
				}
			},
		},
		{
			name: "number where a string is documented is kept as text",
			body: `{"Response":{"TaskName":42}}`,
			check: func(t *testing.T, task *Task) {
				assertStr(t, "TaskName", task.TaskName, "42")
			},
		},
		{name: "no Response object", body: `{"Other":{}}`, wantErr: true},
		{name: "not JSON", body: `{"Response":{"TaskState":"RUN`, wantErr: true},
		{name: "non-numeric integer", body: `{"Response":{"TaskInstanceTotalCount":"many"}}`, wantErr: true},
		{name: "fractional integer", body: `{"Response":{"TaskInstanceTotalCount":2.5}}`, wantErr: true},
		{name: "object where a string is documented", body: `{"Response":{"TaskState":{"x":1}}}`, wantErr: true},
		{name: "boolean where an integer is documented", body: `{"Response":{"TaskInstanceTotalCount":true}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			task, err := decodeTask([]byte(tt.body))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("decodeTask accepted %s", tt.body)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeTask: %v", err)
			}
			tt.check(t, task)
		})
	}
}

func assertStr(t *testing.T, name string, got *string, want string) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %q", name, deref(got), want)
	}
}

func assertInt(t *testing.T, name string, got *int64, want int64) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %d", name, deref(got), want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func dumpTask(task *Task) string {
	b, err := json.Marshal(task)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
