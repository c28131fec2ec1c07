package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// seedBatchTask is the documentation page's sample response (without RequestId, which the emulator adds).
const seedBatchTask = `{
  "BatchId": "pcb-xxx",
  "TaskName": "batch_task_test",
  "TaskType": "polarclaw_install_skills",
  "Status": "RUNNING ",
  "TotalCount": 10,
  "SuccessCount": 8,
  "TaskBegin": "2026/05/28T16:38:20Z",
  "TaskEnd": "2026/05/28T15:23:47Z",
  "SubTasks": [
    {
      "TaskId": "629271331",
      "InstanceId": "pc-pz5f6mvi1p84t35d7",
      "Status": "COMPLETED",
      "TaskBegin": "2026/05/28T17:38:20Z",
      "TaskEnd": "2026/05/28T20:38:20Z",
      "ErrorMsg": "aliuid:1422133474238823 assumeOssRole not exist,serviceName:aliyunesarealtimelogpushossrole"
    }
  ],
  "ApplicationType": ""
}`

func batchTaskBody(id, status string, success, total int, subTasks string) string {
	return fmt.Sprintf(`{"BatchId":%q,"TaskName":"install","TaskType":"polarclaw_install_skills","Status":%q,
"TotalCount":%d,"SuccessCount":%d,"TaskBegin":"2026/05/28T16:38:20Z","TaskEnd":null,"SubTasks":[%s],"ApplicationType":""}`,
		id, status, total, success, subTasks)
}

func batchTaskConfig(url, args string) string {
	return providerBlock(url) + `
data "cloudtask_polardb_batch_task" "t" {
` + args + `
}
`
}

const batchTaskAddr = "data.cloudtask_polardb_batch_task.t"

func TestAccPolarDBBatchTask_seedSample(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-xxx", Phases: []emulator.Phase{phase(0, seedBatchTask)}}},
	})
	str := func(attr, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New(attr), knownvalue.StringExact(want))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `batch_id = "pcb-xxx"`),
			ConfigStateChecks: []statecheck.StateCheck{
				str("batch_id", "pcb-xxx"),
				str("task_name", "batch_task_test"),
				str("task_type", "polarclaw_install_skills"),
				str("status", "RUNNING "),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("total_count"), knownvalue.Int64Exact(10)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("success_count"), knownvalue.Int64Exact(8)),
				str("task_begin", "2026/05/28T16:38:20Z"),
				str("task_end", "2026/05/28T15:23:47Z"),
				str("application_type", ""),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("sub_tasks"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"task_id":     knownvalue.StringExact("629271331"),
						"instance_id": knownvalue.StringExact("pc-pz5f6mvi1p84t35d7"),
						"status":      knownvalue.StringExact("COMPLETED"),
						"task_begin":  knownvalue.StringExact("2026/05/28T17:38:20Z"),
						"task_end":    knownvalue.StringExact("2026/05/28T20:38:20Z"),
						"error_msg":   knownvalue.StringExact("aliuid:1422133474238823 assumeOssRole not exist,serviceName:aliyunesarealtimelogpushossrole"),
					}),
				})),
				// Not waiting: a running task is read once and reported as not terminal.
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-F-]{36}$`))),
			},
		}},
	})
}

func TestAccPolarDBBatchTask_waitUntilCompleted(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-wait", Phases: []emulator.Phase{
			phase(1, batchTaskBody("pcb-wait", "DISPATCHING", 0, 2, "")),
			phase(2, batchTaskBody("pcb-wait", "RUNNING", 1, 2, `{"TaskId":"1","InstanceId":"pc-1","Status":"COMPLETED"},{"TaskId":"2","InstanceId":"pc-2","Status":"RUNNING"}`)),
			phase(0, batchTaskBody("pcb-wait", "COMPLETED", 2, 2, `{"TaskId":"1","InstanceId":"pc-1","Status":"COMPLETED"},{"TaskId":"2","InstanceId":"pc-2","Status":"COMPLETED"}`)),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `
  batch_id            = "pcb-wait"
  wait_for_completion = true
  poll_interval       = "1s"
  fail_on_failure     = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("success_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("task_end"), knownvalue.Null()),
			},
		}},
	})
	// The wait polled until the fourth answer; the stored detail is that last poll (no extra read).
	if n := srv.Calls(emulator.APIPolarDBBatchTask); n < 4 {
		t.Fatalf("DescribeBatchTask calls = %d, want at least 4 (one per lifecycle step)", n)
	}
}

func TestAccPolarDBBatchTask_waitTimesOut(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-slow", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-slow", "RUNNING", 3, 10, "")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `
  batch_id            = "pcb-slow"
  wait_for_completion = true
  timeouts { read = "3s" }`),
			ExpectError: regexp.MustCompile(`(?s)Timed Out Waiting for PolarDB Batch Task.*Last\s+status:\s+"RUNNING"\s+\(3\s+of\s+10\s+sub\s+tasks\s+succeeded\).*Raise\s+timeouts.read`),
		}},
	})
}

func TestAccPolarDBBatchTask_failOnFailureListsSubTaskErrors(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-fail", Phases: []emulator.Phase{
			phase(1, batchTaskBody("pcb-fail", "RUNNING", 0, 2, "")),
			phase(0, batchTaskBody("pcb-fail", "FAILED", 1, 2,
				`{"TaskId":"11","InstanceId":"pc-ok","Status":"COMPLETED"},{"TaskId":"12","InstanceId":"pc-bad","Status":"FAILED","ErrorMsg":"assumeOssRole not exist"}`)),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `
  batch_id            = "pcb-fail"
  wait_for_completion = true
  fail_on_failure     = true`),
			ExpectError: regexp.MustCompile(`(?s)PolarDB Batch Task Failed.*"FAILED".*sub\s+task\s+"12"\s+on\s+instance\s+"pc-bad":\s+"assumeOssRole\s+not\s+exist"`),
		}},
	})
}

func TestAccPolarDBBatchTask_failureWithoutFailOnFailureIsReported(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-f2", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-f2", "COMPLETED", 1, 2,
				`{"TaskId":"21","InstanceId":"pc-a","Status":"COMPLETED"},{"TaskId":"22","InstanceId":"pc-b","Status":"FAILED","ErrorMsg":"boom"}`)),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `
  batch_id            = "pcb-f2"
  wait_for_completion = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				// COMPLETED with a FAILED sub task is not a success.
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccPolarDBBatchTask_wrongSecretFailsWithoutRetries(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-1", Phases: []emulator.Phase{phase(0, seedBatchTask)}}},
	})
	config := fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    access_key = %q
    secret_key = "not-the-secret"
    endpoints { polardb = %q }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id            = "pcb-1"
  wait_for_completion = true
}
`, emulator.AlibabaAccessKeyID, srv.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Error Reading PolarDB Batch Task.*SignatureDoesNotMatch`),
		}},
	})
	// terraform-plugin-testing plans and then applies: at most one request per run, never a retry.
	if got, total := srv.Answered(emulator.APIPolarDBBatchTask, "SignatureDoesNotMatch"), srv.Calls(emulator.APIPolarDBBatchTask); got != total || total > 2 || total == 0 {
		t.Fatalf("calls = %d, SignatureDoesNotMatch answers = %d: want every call rejected and no retries", total, got)
	}
}

func TestAccPolarDBBatchTask_throttlingIsRetried(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-thr", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-thr", "COMPLETED", 1, 1, "")),
		}}},
		Faults: []emulator.Fault{{API: emulator.APIPolarDBBatchTask, Kind: "throttling", Times: 3}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `batch_id = "pcb-thr"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
			},
		}},
	})
	if got := srv.Answered(emulator.APIPolarDBBatchTask, "Throttling.User"); got != 3 {
		t.Fatalf("throttling answers = %d, want 3", got)
	}
	if got := srv.Answered(emulator.APIPolarDBBatchTask, ""); got < 1 {
		t.Fatalf("successful answers = %d, want at least 1 after the throttling", got)
	}
}

func TestAccPolarDBBatchTask_serverErrorsAreRetried(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-5xx", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-5xx", "COMPLETED", 1, 1, "")),
		}}},
		Faults: []emulator.Fault{
			{API: emulator.APIPolarDBBatchTask, Kind: "server_error", Times: 1},
			{API: emulator.APIPolarDBBatchTask, Kind: "drop", Skip: 1, Times: 1},
			{API: emulator.APIPolarDBBatchTask, Kind: "malformed", Skip: 2, Times: 1},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `batch_id = "pcb-5xx"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
	// Each fault was served once, in turn, before the answer that was stored.
	for _, code := range []string{"ServiceUnavailable", emulator.CodeDropped, emulator.CodeMalformed} {
		if n := srv.Answered(emulator.APIPolarDBBatchTask, code); n != 1 {
			t.Errorf("%s answered %d times, want 1", code, n)
		}
	}
}

// Relies on an emulator guess (see the emulator package doc): an unknown batch id is 404 InvalidBatchId.NotFound.
func TestAccPolarDBBatchTask_notFoundWhileWaiting(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: batchTaskConfig(srv.URL(), `
  batch_id            = "pcb-missing"
  wait_for_completion = true`),
			ExpectError: regexp.MustCompile(`(?s)PolarDB Batch Task Not Found.*InvalidBatchId.NotFound.*Request\s+ID:\s+[0-9A-F-]{36}`),
		}},
	})
	// The grace period (2s in tests) retried the lookup more than once.
	if n := srv.Calls(emulator.APIPolarDBBatchTask); n < 2 {
		t.Fatalf("DescribeBatchTask calls = %d, want the not-found answer retried", n)
	}
}

func TestAccPolarDBBatchTask_badInputRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	cases := []struct {
		args string
		want string
	}{
		{`batch_id = "../pcb-1"`, summaryInvalidID},
		{`batch_id = "pcb/1?x=1"`, summaryInvalidID},
		{`batch_id = ""`, summaryInvalidID},
		{"batch_id = \"pcb-1\"\n  poll_interval = \"500ms\"", summaryInvalidDuration},
		{"batch_id = \"pcb-1\"\n  poll_interval = \"soon\"", summaryInvalidDuration},
		// timeouts.read gets poll_interval's check and wording, not the library's, which passes
		// "0s" and "-1m" and suggests "-1.5h".
		{"batch_id = \"pcb-1\"\n  timeouts { read = \"forever\" }", summaryInvalidDuration},
		{"batch_id = \"pcb-1\"\n  timeouts { read = \"10 minutes\" }", summaryInvalidDuration},
		{"batch_id = \"pcb-1\"\n  timeouts { read = \"0s\" }", summaryInvalidDuration},
		{"batch_id = \"pcb-1\"\n  timeouts { read = \"-1m\" }", summaryInvalidDuration},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      batchTaskConfig(srv.URL(), "  "+c.args),
			PlanOnly:    true,
			ExpectError: summary(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for invalid configurations, want 0", n)
	}
}

// TestAccPolarDBBatchTask_environmentCredentials cannot run in parallel: it sets process environment.
func TestAccPolarDBBatchTask_environmentCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-env", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-env", "COMPLETED", 1, 1, "")),
		}}},
	})
	t.Setenv("HOME", t.TempDir()) // no profile file can interfere
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
	t.Setenv("ALICLOUD_ACCESS_KEY", emulator.AlibabaAccessKeyID) // the second variable in the order
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", emulator.AlibabaAccessKeySecret)
	config := fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    endpoints { polardb = %q }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-env"
}
`, srv.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
			},
		}},
	})
}

// TestAccPolarDBBatchTask_missingCredentials cannot run in parallel: it clears process environment.
func TestAccPolarDBBatchTask_missingCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"} {
		t.Setenv(v, "")
	}
	config := fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    endpoints { polardb = %q }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-1"
}
`, srv.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Missing Alibaba Cloud Credentials.*alibaba.access_key.*ALIBABA_CLOUD_ACCESS_KEY_ID\s+or\s+ALICLOUD_ACCESS_KEY`),
		}},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests without credentials, want 0", n)
	}
}

func TestBatchTaskOutcome(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name                string
		task                alibaba.BatchTask
		terminal, succeeded bool
		failures            int
	}{
		{"running padded", alibaba.BatchTask{Status: s("RUNNING ")}, false, false, 0},
		{"dispatching", alibaba.BatchTask{Status: s("DISPATCHING")}, false, false, 0},
		{"completed padded", alibaba.BatchTask{Status: s(" COMPLETED "), TotalCount: n(1), SuccessCount: n(1)}, true, true, 0},
		{"failed", alibaba.BatchTask{Status: s("FAILED")}, true, false, 0},
		{"completed with failed sub task", alibaba.BatchTask{Status: s("COMPLETED"), SubTasks: []alibaba.BatchSubTask{
			{Status: s("COMPLETED")}, {Status: s("FAILED "), ErrorMsg: s("x")}}}, true, false, 1},
		{"unknown status", alibaba.BatchTask{Status: s("PAUSED")}, false, false, 0},
		{"null status", alibaba.BatchTask{}, false, false, 0},
	}
	for _, tt := range tests {
		got := batchTaskOutcome(&tt.task)
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded || len(got.failures) != tt.failures {
			t.Errorf("%s: got terminal=%v succeeded=%v failures=%d", tt.name, got.terminal, got.succeeded, len(got.failures))
		}
	}
}

func TestFlattenBatchTask(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	tests := []struct {
		name         string
		task         alibaba.BatchTask
		wantSubTasks []polarDBSubTaskModel // nil = null list
	}{
		{"absent sub tasks stay null", alibaba.BatchTask{RequestID: "r1"}, nil},
		{"empty sub tasks stay an empty list", alibaba.BatchTask{RequestID: "r2", SubTasks: []alibaba.BatchSubTask{}}, []polarDBSubTaskModel{}},
		{"values verbatim, nulls null", alibaba.BatchTask{RequestID: "r3", SubTasks: []alibaba.BatchSubTask{
			{TaskID: s("1"), Status: s(" FAILED "), ErrorMsg: s("")},
		}}, []polarDBSubTaskModel{{
			TaskID: types.StringValue("1"), InstanceID: types.StringNull(), Status: types.StringValue(" FAILED "),
			TaskBegin: types.StringNull(), TaskEnd: types.StringNull(), ErrorMsg: types.StringValue(""),
		}}},
	}
	for _, tt := range tests {
		var m polarDBBatchTaskModel
		flattenBatchTask(&tt.task, &m)
		if (m.SubTasks == nil) != (tt.wantSubTasks == nil) || len(m.SubTasks) != len(tt.wantSubTasks) {
			t.Errorf("%s: sub_tasks = %#v, want %#v", tt.name, m.SubTasks, tt.wantSubTasks)
			continue
		}
		for i := range m.SubTasks {
			if m.SubTasks[i] != tt.wantSubTasks[i] {
				t.Errorf("%s: sub_tasks[%d] = %#v, want %#v", tt.name, i, m.SubTasks[i], tt.wantSubTasks[i])
			}
		}
		if !m.Status.IsNull() || !m.TotalCount.IsNull() || m.RequestID.ValueString() != tt.task.RequestID {
			t.Errorf("%s: status %v, total_count %v, request_id %v", tt.name, m.Status, m.TotalCount, m.RequestID)
		}
	}
}
