package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
)

// The documentation page's sample response, split the way the emulator takes it: the task's own
// fields (RequestId, TaskInstanceSet and TaskInstanceTotalCount are added by the emulator) and the
// two instances, in the page's order.
const (
	seedTencentTask = `{
  "TaskState": "SUCCEED",
  "JobId": "job-97zcl3wt",
  "TaskInstanceMetrics": {
    "PendingCount": 0,
    "FailedCount": 0,
    "StartingCount": 0,
    "SucceedCount": 2,
    "FailedInterruptedCount": 0,
    "SubmittedCount": 0,
    "RunnableCount": 0,
    "RunningCount": 0
  },
  "TaskName": "A",
  "EndTime": "2018-02-07T09:30:31Z",
  "CreateTime": "2018-02-07T09:29:09Z"
}`
	seedTencentInstance1 = `{
  "TaskInstanceIndex": 1,
  "RedirectInfo": {
    "StderrRedirectFileName": "stderr.job-97zcl3wt.A.1.log",
    "StdoutRedirectFileName": "stdout.job-97zcl3wt.A.1.log",
    "StdoutRedirectPath": "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/",
    "StderrRedirectPath": "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/"
  },
  "RunningTime": "2018-02-07T09:29:55Z",
  "LaunchTime": "2018-02-07T09:29:09Z",
  "StateReason": "",
  "StateDetailedReason": "xx",
  "ComputeNodeInstanceId": null,
  "EndTime": "2018-02-07T09:30:23Z",
  "TaskInstanceState": "SUCCEED",
  "CreateTime": "2018-02-07T09:29:09Z",
  "ExitCode": 0
}`
	seedTencentInstance0 = `{
  "TaskInstanceIndex": 0,
  "RedirectInfo": {
    "StderrRedirectFileName": "stderr.job-97zcl3wt.A.0.log",
    "StdoutRedirectFileName": "stdout.job-97zcl3wt.A.0.log",
    "StdoutRedirectPath": "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/",
    "StderrRedirectPath": "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/"
  },
  "RunningTime": "2018-02-07T09:30:02Z",
  "LaunchTime": "2018-02-07T09:29:09Z",
  "StateReason": "",
  "StateDetailedReason": "xx",
  "ComputeNodeInstanceId": null,
  "EndTime": "2018-02-07T09:30:31Z",
  "TaskInstanceState": "SUCCEED",
  "CreateTime": "2018-02-07T09:29:09Z",
  "ExitCode": 0
}`
)

const tencentTaskAddr = "data.cloudtask_tencent_batch_task.t"

func tencentTaskConfig(url, args string) string {
	return providerBlock(url) + `
data "cloudtask_tencent_batch_task" "t" {
` + args + `
}
`
}

// tencentTaskBody is a phase's task fields; the emulator computes the metrics from the instances.
func tencentTaskBody(jobID, taskName, state string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"JobId":%q,"TaskName":%q,"TaskState":%q,"CreateTime":"2026-05-28T08:00:00Z","EndTime":null}`,
		jobID, taskName, state))
}

// tencentGenerated is a phase of count generated instances in state.
func tencentGenerated(duration, jobID, taskName, state string, count, failedEvery int) emulator.TencentPhase {
	return emulator.TencentPhase{
		Duration:          duration,
		Response:          tencentTaskBody(jobID, taskName, state),
		GenerateInstances: &emulator.InstanceGenerator{Count: count, State: generatedInstanceState(state), FailedEvery: failedEvery},
	}
}

// generatedInstanceState maps a task state to the state of its (non-failed) instances.
func generatedInstanceState(taskState string) string {
	if taskState == tencentStateFailed {
		return tencentStateSucceed
	}
	return taskState
}

// tencentCallsSoFar asserts, when the state checks run, how many DescribeTask requests reached the
// emulator. terraform-plugin-testing applies the plan it made, so at that point the data source was
// read exactly once since the step's PreConfig reset the counters.
type tencentCallsSoFar struct {
	srv  *emulator.Server
	want int
}

func (c tencentCallsSoFar) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if got := c.srv.Calls(emulator.APITencentTask); got != c.want {
		resp.Error = fmt.Errorf("DescribeTask requests = %d, want %d", got, c.want)
	}
}

// requestsSoFar runs check, when the state checks run, on the requests api received since the
// step's PreConfig reset the emulator's counters.
type requestsSoFar struct {
	srv   *emulator.Server
	api   string
	check func([]emulator.Request) error
}

func (c requestsSoFar) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	reqs := c.srv.Requests(c.api)
	if len(reqs) == 0 {
		resp.Error = fmt.Errorf("no %s request reached the emulator", c.api)
		return
	}
	resp.Error = c.check(reqs)
}

// paramsWithPrefix is the subset of params whose names start with prefix.
func paramsWithPrefix(params map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range params {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// everyRequestFilters checks that every request carried exactly the flattened filters want.
func everyRequestFilters(want map[string]string) func([]emulator.Request) error {
	return func(reqs []emulator.Request) error {
		for i, r := range reqs {
			if got := paramsWithPrefix(r.Params, "Filters."); !maps.Equal(got, want) {
				return fmt.Errorf("request %d sent filters %v, want %v", i, got, want)
			}
		}
		return nil
	}
}

// tencentRead is one read of a waiting data source as the emulator saw it: the single-instance
// polls, then the pages of the full read.
type tencentRead struct {
	polls   int
	offsets []string
}

// splitTencentReads groups DescribeTask requests into reads: a run of polls (Limit "1", no
// Offset) ends with the full read's pages (Limit "1000" and an Offset); the next poll starts
// another read, since Terraform may read a data source more than once per step. Every request
// must name jobID and taskName and send nothing else.
func splitTencentReads(reqs []emulator.Request, jobID, taskName string) ([]tencentRead, error) {
	var reads []tencentRead
	for i, r := range reqs {
		if r.Params["JobId"] != jobID || r.Params["TaskName"] != taskName {
			return nil, fmt.Errorf("request %d: params %v, want JobId %q and TaskName %q", i, r.Params, jobID, taskName)
		}
		offset, hasOffset := r.Params["Offset"]
		switch {
		case r.Params["Limit"] == "1" && !hasOffset && len(r.Params) == 3:
			if len(reads) == 0 || len(reads[len(reads)-1].offsets) > 0 {
				reads = append(reads, tencentRead{})
			}
			reads[len(reads)-1].polls++
		case r.Params["Limit"] == "1000" && hasOffset && len(r.Params) == 4:
			if len(reads) == 0 || reads[len(reads)-1].polls == 0 {
				return nil, fmt.Errorf("request %d: a page (%v) before any poll", i, r.Params)
			}
			reads[len(reads)-1].offsets = append(reads[len(reads)-1].offsets, offset)
		default:
			return nil, fmt.Errorf("request %d: params %v are neither a single-instance poll nor a 1000-instance page", i, r.Params)
		}
	}
	return reads, nil
}

func TestAccTencentBatchTask_seedSample(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-97zcl3wt", TaskName: "A", Phases: []emulator.TencentPhase{{
			Response:  json.RawMessage(seedTencentTask),
			Instances: []json.RawMessage{json.RawMessage(seedTencentInstance1), json.RawMessage(seedTencentInstance0)},
		}}}},
	})
	str := func(attr, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New(attr), knownvalue.StringExact(want))
	}
	const logs = "cos://dondonbatch-1251783334.cosgz.myqcloud.com/hello2/logs/"
	instance := func(index int64, running, end string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"task_instance_index":      knownvalue.Int64Exact(index),
			"task_instance_state":      knownvalue.StringExact("SUCCEED"),
			"exit_code":                knownvalue.Int64Exact(0),
			"state_reason":             knownvalue.StringExact(""),
			"state_detailed_reason":    knownvalue.StringExact("xx"),
			"compute_node_instance_id": knownvalue.Null(),
			"create_time":              knownvalue.StringExact("2018-02-07T09:29:09Z"),
			"launch_time":              knownvalue.StringExact("2018-02-07T09:29:09Z"),
			"running_time":             knownvalue.StringExact(running),
			"end_time":                 knownvalue.StringExact(end),
			"redirect_info": knownvalue.ObjectExact(map[string]knownvalue.Check{
				"stdout_redirect_path":      knownvalue.StringExact(logs),
				"stderr_redirect_path":      knownvalue.StringExact(logs),
				"stdout_redirect_file_name": knownvalue.StringExact(fmt.Sprintf("stdout.job-97zcl3wt.A.%d.log", index)),
				"stderr_redirect_file_name": knownvalue.StringExact(fmt.Sprintf("stderr.job-97zcl3wt.A.%d.log", index)),
			}),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id    = "job-97zcl3wt"
  task_name = "A"`),
			ConfigStateChecks: []statecheck.StateCheck{
				str("job_id", "job-97zcl3wt"),
				str("task_name", "A"),
				str("task_state", "SUCCEED"),
				str("create_time", "2018-02-07T09:29:09Z"),
				str("end_time", "2018-02-07T09:30:31Z"),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_total_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListExact([]knownvalue.Check{
					instance(1, "2018-02-07T09:29:55Z", "2018-02-07T09:30:23Z"),
					instance(0, "2018-02-07T09:30:02Z", "2018-02-07T09:30:31Z"),
				})),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_metrics"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"submitted_count":          knownvalue.Int64Exact(0),
					"pending_count":            knownvalue.Int64Exact(0),
					"runnable_count":           knownvalue.Int64Exact(0),
					"starting_count":           knownvalue.Int64Exact(0),
					"running_count":            knownvalue.Int64Exact(0),
					"succeed_count":            knownvalue.Int64Exact(2),
					"failed_interrupted_count": knownvalue.Int64Exact(0),
					"failed_count":             knownvalue.Int64Exact(0),
				})),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("offset"), knownvalue.Null()),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("filters"), knownvalue.Null()),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
			},
		}},
	})
	// providerBlock configures ap-shanghai, not the default ap-guangzhou.
	if got := srv.LastTencentRegion(); got != "ap-shanghai" {
		t.Fatalf("X-TC-Region = %q, want the configured ap-shanghai", got)
	}
}

func TestAccTencentBatchTask_waitUntilSucceeded(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-wait", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("2s", "job-wait", "A", "RUNNING", 3, 0),
			tencentGenerated("", "job-wait", "A", "SUCCEED", 3, 0),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-wait"
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "1s"
  fail_on_failure     = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_state"), knownvalue.StringExact("SUCCEED")),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				// The stored detail is the final read's: every instance, not the poll's single one.
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_metrics").AtMapKey("succeed_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("end_time"), knownvalue.Null()),
			},
		}},
	})
	// At least one poll saw RUNNING and one SUCCEED, then the full read followed.
	if n := srv.Calls(emulator.APITencentTask); n < 3 {
		t.Fatalf("DescribeTask calls = %d, want at least 3", n)
	}
}

// TestAccTencentBatchTask_waitPollsCheaplyThenReadsAllPages proves the cost of a wait on the
// wire: polls ask for one instance, and only the read after the task finished pages through
// all 2,500.
func TestAccTencentBatchTask_waitPollsCheaplyThenReadsAllPages(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-cheap", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("2s", "job-cheap", "A", "RUNNING", 2500, 0),
			tencentGenerated("", "job-cheap", "A", "SUCCEED", 2500, 0),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-cheap"
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_state"), knownvalue.StringExact("SUCCEED")),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListSizeExact(2500)),
			},
		}},
	})
	reads, err := splitTencentReads(srv.Requests(emulator.APITencentTask), "job-cheap", "A")
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) == 0 {
		t.Fatal("no read reached the emulator")
	}
	// The first read began while the task ran for two seconds at one poll a second.
	if reads[0].polls < 2 {
		t.Errorf("first read polled %d times, want at least 2 (RUNNING, then SUCCEED)", reads[0].polls)
	}
	for i, r := range reads {
		if want := []string{"0", "1000", "2000"}; !slices.Equal(r.offsets, want) {
			t.Errorf("read %d of %d: %d polls then pages at offsets %v, want exactly %v", i+1, len(reads), r.polls, r.offsets, want)
		}
	}
}

func TestAccTencentBatchTask_failOnFailureListsFailedInstances(t *testing.T) {
	t.Parallel()
	failed := `{"TaskInstanceIndex":1,"TaskInstanceState":"FAILED","ExitCode":137,"StateReason":"OOMKilled",
"StateDetailedReason":"The container used more than 2 GiB.","ComputeNodeInstanceId":"ins-abc","CreateTime":"2026-05-28T08:00:00Z"}`
	succeeded := `{"TaskInstanceIndex":0,"TaskInstanceState":"SUCCEED","ExitCode":0,"StateReason":"","StateDetailedReason":""}`
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-fail", TaskName: "B", Phases: []emulator.TencentPhase{
			{Calls: 1, Response: tencentTaskBody("job-fail", "B", "RUNNING"), Instances: []json.RawMessage{
				json.RawMessage(succeeded), json.RawMessage(`{"TaskInstanceIndex":1,"TaskInstanceState":"RUNNING"}`)}},
			{Response: tencentTaskBody("job-fail", "B", "FAILED"), Instances: []json.RawMessage{json.RawMessage(succeeded), json.RawMessage(failed)}},
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-fail"
  task_name           = "B"
  wait_for_completion = true
  fail_on_failure     = true`),
			ExpectError: regexp.MustCompile(`(?s)Tencent Batch Task Failed.*"FAILED".*1\s+of\s+2\s+instances\s+succeeded,\s+1\s+failed,\s+0\s+running` +
				`.*instance\s+1:\s+state\s+"FAILED",\s+exit\s+code\s+137,\s+reason\s+"OOMKilled",\s+detailed\s+reason\s+"The\s+container\s+used\s+more\s+than\s+2\s+GiB."`),
		}},
	})
}

func TestAccTencentBatchTask_failureWithoutFailOnFailureIsReported(t *testing.T) {
	t.Parallel()
	// Every third instance fails while the task itself reports SUCCEED: not a success.
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-mixed", TaskName: "C", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-mixed", "C", "SUCCEED", 6, 3),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-mixed"
  task_name           = "C"
  wait_for_completion = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_metrics").AtMapKey("failed_count"), knownvalue.Int64Exact(2)),
			},
		}},
	})
}

func TestAccTencentBatchTask_readsEveryInstanceInPages(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-big", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-big", "A", "SUCCEED", 2500, 0),
		}}},
	})
	checks := func(calls int) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			tencentCallsSoFar{srv: srv, want: calls},
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_total_count"), knownvalue.Int64Exact(2500)),
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListSizeExact(2500)),
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set").AtSliceIndex(0).AtMapKey("task_instance_index"), knownvalue.Int64Exact(0)),
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set").AtSliceIndex(1000).AtMapKey("task_instance_index"), knownvalue.Int64Exact(1000)),
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set").AtSliceIndex(2499).AtMapKey("task_instance_index"), knownvalue.Int64Exact(2499)),
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				// Three pages: 1000, 1000 and 500.
				PreConfig: srv.ResetCounters,
				Config: tencentTaskConfig(srv.URL(), `
  job_id    = "job-big"
  task_name = "A"`),
				ConfigStateChecks: checks(3),
			},
			{
				// Waiting on a finished task: one single-instance poll, then the three pages.
				PreConfig: srv.ResetCounters,
				Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-big"
  task_name           = "A"
  wait_for_completion = true`),
				ConfigStateChecks: checks(4),
			},
		},
	})
}

func TestAccTencentBatchTask_offsetAndLimitReadOneWindow(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-win", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-win", "A", "SUCCEED", 300, 0),
		}}},
	})
	indexes := func(from, to int64) knownvalue.Check {
		var checks []knownvalue.Check
		for i := from; i < to; i++ {
			checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"task_instance_index": knownvalue.Int64Exact(i)}))
		}
		return knownvalue.ListExact(checks)
	}
	cases := []struct {
		args     string
		from, to int64
	}{
		{"offset = 10\n  limit = 5", 10, 15},
		{"limit = 3", 0, 3},
		{"offset = 50", 50, 150}, // the API's default limit of 100
		{"offset = 290", 290, 300},
		{"offset = 500\n  limit = 10", 0, 0},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig: srv.ResetCounters,
			Config:    tencentTaskConfig(srv.URL(), "  job_id = \"job-win\"\n  task_name = \"A\"\n  "+c.args),
			ConfigStateChecks: []statecheck.StateCheck{
				tencentCallsSoFar{srv: srv, want: 1},
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_total_count"), knownvalue.Int64Exact(300)),
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), indexes(c.from, c.to)),
			},
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
}

// Relies on an emulator guess (see the emulator package doc): with Filters, TaskInstanceTotalCount counts the matching instances.
func TestAccTencentBatchTask_filtersReachTheServerAsWritten(t *testing.T) {
	t.Parallel()
	// Six RUNNING instances of which the third and sixth (indexes 2 and 5) FAILED.
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-filter", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-filter", "A", "RUNNING", 6, 3),
		}}},
	})
	config := func(filters string) string {
		return tencentTaskConfig(srv.URL(), `
  job_id    = "job-filter"
  task_name = "A"
  filters   = [`+filters+`]`)
	}
	index := func(i int64) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{"task_instance_index": knownvalue.Int64Exact(i)})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: srv.ResetCounters,
				Config:    config(`{ name = "task-instance-state", values = ["FAILED"] }`),
				ConfigStateChecks: []statecheck.StateCheck{
					requestsSoFar{srv: srv, api: emulator.APITencentTask, check: everyRequestFilters(map[string]string{
						"Filters.0.Name": "task-instance-state", "Filters.0.Values.0": "FAILED"})},
					statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_total_count"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListExact([]knownvalue.Check{index(2), index(5)})),
					// Metrics count every instance, whatever the filters.
					statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_metrics").AtMapKey("running_count"), knownvalue.Int64Exact(4)),
				},
			},
			{
				PreConfig: srv.ResetCounters,
				Config:    config(`{ name = "task-instance-type", values = ["RUNNING", "SUCCEED"] }`),
				ConfigStateChecks: []statecheck.StateCheck{
					requestsSoFar{srv: srv, api: emulator.APITencentTask, check: everyRequestFilters(map[string]string{
						"Filters.0.Name": "task-instance-type", "Filters.0.Values.0": "RUNNING", "Filters.0.Values.1": "SUCCEED"})},
					statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_instance_set"), knownvalue.ListExact([]knownvalue.Check{
						index(0), index(1), index(3), index(4)})),
				},
			},
			{
				// A name the service does not know is sent unchanged, so its error names it.
				PreConfig:   srv.ResetCounters,
				Config:      config(`{ name = "task-instance-status", values = ["FAILED"] }`),
				ExpectError: regexp.MustCompile(`(?s)Error Reading Tencent Batch Task.*InvalidFilter.*task-instance-status`),
			},
		},
	})
	unknown := srv.Requests(emulator.APITencentTask)
	if len(unknown) == 0 {
		t.Fatal("the unknown filter never reached the emulator")
	}
	if err := everyRequestFilters(map[string]string{"Filters.0.Name": "task-instance-status", "Filters.0.Values.0": "FAILED"})(unknown); err != nil {
		t.Fatal(err)
	}
}

// TestAccTencentBatchTask_environmentCredentials cannot run in parallel: it sets process environment.
func TestAccTencentBatchTask_environmentCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-env", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-env", "A", "SUCCEED", 1, 0),
		}}},
	})
	t.Setenv("HOME", t.TempDir()) // no tccli profile can interfere
	t.Setenv(tencent.EnvSecretID, emulator.TencentSecretID)
	t.Setenv(tencent.EnvSecretKey, emulator.TencentSecretKey)
	for _, v := range []string{tencent.EnvSecurityToken, tencent.EnvRegion, tencent.EnvProfile} {
		t.Setenv(v, "")
	}
	config := fmt.Sprintf(`
provider "cloudtask" {
  tencent {
    region    = "ap-chengdu"
    endpoints { batch = %q }
  }
}
data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-env"
  task_name = "A"
}
`, srv.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_state"), knownvalue.StringExact("SUCCEED")),
			},
		}},
	})
	// Only requests signed with the environment's key pair are recorded.
	reqs := srv.Requests(emulator.APITencentTask)
	if len(reqs) == 0 {
		t.Fatal("no verified request reached the emulator")
	}
	for i, r := range reqs {
		if r.Region != "ap-chengdu" || r.Params["JobId"] != "job-env" {
			t.Errorf("request %d: region %q, params %v; want the configured ap-chengdu and job-env", i, r.Region, r.Params)
		}
	}
}

// TestAccTencentBatchTask_missingCredentials cannot run in parallel: it clears process environment.
func TestAccTencentBatchTask_missingCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{tencent.EnvSecretID, tencent.EnvSecretKey, tencent.EnvSecurityToken, tencent.EnvRegion, tencent.EnvProfile} {
		t.Setenv(v, "")
	}
	config := fmt.Sprintf(`
provider "cloudtask" {
  tencent {
    region    = "ap-shanghai"
    endpoints { batch = %q }
  }
}
data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-1"
  task_name = "A"
}
`, srv.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Missing Tencent Cloud Credentials.*tencent.secret_id.*TENCENTCLOUD_SECRET_ID`),
		}},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests without credentials, want 0", n)
	}
}

func TestAccTencentBatchTask_badInputRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	const valid = "job_id = \"job-1\"\n  task_name = \"A\"\n  "
	cases := []struct {
		args string
		want string
	}{
		{valid + "limit = 0", "Invalid Attribute Value"},
		{valid + "limit = 1001", "Invalid Attribute Value"},
		{valid + "offset = -1", "Invalid Attribute Value"},
		{"job_id = \"job/1\"\n  task_name = \"A\"", summaryInvalidID},
		{"job_id = \"../job-1\"\n  task_name = \"A\"", summaryInvalidID},
		{"job_id = \"job-1\"\n  task_name = \"\"", "Invalid Attribute Value Length"},
		{valid + `filters = [{ name = "", values = ["FAILED"] }]`, "Invalid Attribute Value Length"},
		{valid + `poll_interval = "100ms"`, summaryInvalidDuration},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      tencentTaskConfig(srv.URL(), "  "+c.args),
			PlanOnly:    true,
			ExpectError: summary(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for invalid configurations, want 0", n)
	}
}

func TestAccTencentBatchTask_concurrentWaitsStayWithinRateLimit(t *testing.T) {
	t.Parallel()
	const count = 8
	tasks := make([]emulator.TencentTask, 0, count)
	for i := range count {
		job := fmt.Sprintf("job-c%d", i)
		tasks = append(tasks, emulator.TencentTask{JobID: job, TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("2s", job, "A", "RUNNING", 2, 0),
			tencentGenerated("", job, "A", "SUCCEED", 2, 0),
		}})
	}
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: tasks})
	config := providerBlock(srv.URL())
	checks := make([]statecheck.StateCheck, 0, count)
	for i, task := range tasks {
		config += fmt.Sprintf(`
data "cloudtask_tencent_batch_task" "t%d" {
  job_id              = %q
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "1s"
  fail_on_failure     = true
}
`, i, task.JobID)
		checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("data.cloudtask_tencent_batch_task.t%d", i),
			tfjsonpath.New("succeeded"), knownvalue.Bool(true)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: checks,
		}},
	})
	answered := srv.Answered(emulator.APITencentTask, "")
	if answered < 2*count {
		t.Fatalf("successful answers = %d, want at least a poll and a full read per data source", answered)
	}
	// The limiter's ceiling is proven on the fake clock (wait.TestAdaptiveLimiterNeverAboveCeiling);
	// here requests cross a loopback whose delays a loaded machine stretches, so an arrival may
	// land early in the server's window now and then. Without the limiter, eight waits polling
	// every second against 3 per second would see most of their requests rejected.
	if got := srv.Answered(emulator.APITencentTask, "RequestLimitExceeded"); got*10 > answered {
		t.Fatalf("emulator answered RequestLimitExceeded %d times for %d accepted requests: the client-side limiter did not keep the waits under 3 requests per second", got, answered)
	}
}

func TestAccTencentBatchTask_throttlingIsRetried(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-thr", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("", "job-thr", "A", "SUCCEED", 1, 0),
		}}},
		Faults: []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultThrottling, Times: 2}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id    = "job-thr"
  task_name = "A"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_state"), knownvalue.StringExact("SUCCEED")),
			},
		}},
	})
	if got := srv.Answered(emulator.APITencentTask, "RequestLimitExceeded"); got != 2 {
		t.Fatalf("throttling answers = %d, want 2", got)
	}
}

func TestAccTencentBatchTask_notFoundWhileWaiting(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: tencentTaskConfig(srv.URL(), `
  job_id              = "job-missing"
  task_name           = "A"
  wait_for_completion = true`),
			ExpectError: regexp.MustCompile(`(?s)Tencent Batch Task Not Found.*ResourceNotFound.Task.*Request\s+ID:\s+[0-9a-f-]{36}`),
		}},
	})
	if n := srv.Calls(emulator.APITencentTask); n < 2 {
		t.Fatalf("DescribeTask calls = %d, want the not-found answer retried", n)
	}
}

func TestTencentTaskOutcome(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	metrics := func(succeed, failed, interrupted, running int64) *tencent.TaskInstanceMetrics {
		zero := int64(0)
		return &tencent.TaskInstanceMetrics{SubmittedCount: &zero, PendingCount: &zero, RunnableCount: &zero, StartingCount: &zero,
			RunningCount: n(running), SucceedCount: n(succeed), FailedCount: n(failed), FailedInterruptedCount: n(interrupted)}
	}
	failedInstance := tencent.TaskInstance{TaskInstanceIndex: n(4), TaskInstanceState: s("FAILED "), ExitCode: n(2),
		StateReason: s("bad"), StateDetailedReason: s("worse")}
	tests := []struct {
		name                string
		task                tencent.Task
		terminal, succeeded bool
		failures            int
	}{
		{"submitted", tencent.Task{TaskState: s("SUBMITTED")}, false, false, 0},
		{"pending", tencent.Task{TaskState: s("PENDING")}, false, false, 0},
		{"runnable", tencent.Task{TaskState: s("RUNNABLE")}, false, false, 0},
		{"starting", tencent.Task{TaskState: s("STARTING")}, false, false, 0},
		{"running padded", tencent.Task{TaskState: s("RUNNING ")}, false, false, 0},
		{"succeed", tencent.Task{TaskState: s("SUCCEED"), TaskInstanceMetrics: metrics(2, 0, 0, 0)}, true, true, 0},
		{"succeed padded, no metrics", tencent.Task{TaskState: s(" SUCCEED ")}, true, true, 0},
		{"failed", tencent.Task{TaskState: s("FAILED"), TaskInstanceMetrics: metrics(1, 1, 0, 0)}, true, false, 0},
		{"failed interrupted", tencent.Task{TaskState: s("FAILED_INTERRUPTED")}, true, false, 0},
		{"succeed with failed count", tencent.Task{TaskState: s("SUCCEED"), TaskInstanceMetrics: metrics(1, 1, 0, 0)}, true, false, 0},
		{"succeed with interrupted count", tencent.Task{TaskState: s("SUCCEED"), TaskInstanceMetrics: metrics(1, 0, 1, 0)}, true, false, 0},
		{"succeed with a listed failed instance", tencent.Task{TaskState: s("SUCCEED"),
			TaskInstanceSet: []tencent.TaskInstance{{TaskInstanceState: s("SUCCEED")}, failedInstance}}, true, false, 1},
		{"running with a failed instance", tencent.Task{TaskState: s("RUNNING"),
			TaskInstanceSet: []tencent.TaskInstance{failedInstance, {TaskInstanceState: s("FAILED_INTERRUPTED")}}}, false, false, 2},
		{"unknown state", tencent.Task{TaskState: s("PAUSED")}, false, false, 0},
		{"null state", tencent.Task{}, false, false, 0},
	}
	for _, tt := range tests {
		got := tencentTaskOutcome(&tt.task)
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded || len(got.failures) != tt.failures {
			t.Errorf("%s: got terminal=%v succeeded=%v failures=%d, want %v %v %d",
				tt.name, got.terminal, got.succeeded, len(got.failures), tt.terminal, tt.succeeded, tt.failures)
		}
	}

	task := tencent.Task{TaskState: s("RUNNING"), TaskInstanceMetrics: metrics(2, 1, 0, 2), TaskInstanceSet: []tencent.TaskInstance{failedInstance}}
	got := tencentTaskOutcome(&task)
	if want := "2 of 5 instances succeeded, 1 failed, 2 running"; got.summary != want {
		t.Errorf("summary = %q, want %q", got.summary, want)
	}
	if want := `instance 4: state "FAILED ", exit code 2, reason "bad", detailed reason "worse"`; got.failures[0] != want {
		t.Errorf("failure line = %q, want %q", got.failures[0], want)
	}
	queued := metrics(0, 0, 1, 1)
	queued.PendingCount = n(3)
	if got, want := tencentTaskOutcome(&tencent.Task{TaskInstanceMetrics: queued}).summary,
		"0 of 5 instances succeeded, 1 failed, 1 running, 3 queued"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := tencentInstanceFailure(tencent.TaskInstance{}); got != "instance <none>: state <none>, exit code <none>, reason <none>, detailed reason <none>" {
		t.Errorf("failure line of an empty instance = %q", got)
	}
}

func TestFlattenTencentTask(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name  string
		task  tencent.Task
		check func(t *testing.T, m tencentBatchTaskModel)
	}{
		{"nulls stay null", tencent.Task{RequestID: "r-1"}, func(t *testing.T, m tencentBatchTaskModel) {
			if !m.TaskState.IsNull() || !m.EndTime.IsNull() || !m.TaskInstanceTotalCount.IsNull() {
				t.Errorf("absent scalars not null: %v %v %v", m.TaskState, m.EndTime, m.TaskInstanceTotalCount)
			}
			if m.TaskInstanceSet != nil || m.TaskInstanceMetrics != nil {
				t.Errorf("absent set or metrics not null: %v %v", m.TaskInstanceSet, m.TaskInstanceMetrics)
			}
			if m.RequestID.ValueString() != "r-1" {
				t.Errorf("request_id = %v", m.RequestID)
			}
		}},
		{"empty set stays an empty list", tencent.Task{TaskInstanceSet: []tencent.TaskInstance{}}, func(t *testing.T, m tencentBatchTaskModel) {
			if m.TaskInstanceSet == nil || len(m.TaskInstanceSet) != 0 {
				t.Errorf("task_instance_set = %v, want an empty list", m.TaskInstanceSet)
			}
		}},
		{"instance verbatim", tencent.Task{TaskState: s("RUNNING "), TaskInstanceSet: []tencent.TaskInstance{{
			TaskInstanceIndex: n(7), TaskInstanceState: s("RUNNING"), StateReason: s(""),
			RedirectInfo: &tencent.RedirectInfo{StdoutRedirectPath: s("cos://b/"), StderrRedirectFileName: s("e.log")},
		}}, TaskInstanceMetrics: &tencent.TaskInstanceMetrics{RunningCount: n(1)}}, func(t *testing.T, m tencentBatchTaskModel) {
			if m.TaskState.ValueString() != "RUNNING " {
				t.Errorf("task_state = %v, want it verbatim", m.TaskState)
			}
			in := m.TaskInstanceSet[0]
			if in.TaskInstanceIndex.ValueInt64() != 7 || !in.ExitCode.IsNull() || !in.ComputeNodeInstanceID.IsNull() ||
				in.StateReason.ValueString() != "" || in.StateReason.IsNull() {
				t.Errorf("instance = %+v", in)
			}
			if in.RedirectInfo == nil || in.RedirectInfo.StdoutRedirectPath.ValueString() != "cos://b/" ||
				!in.RedirectInfo.StdoutRedirectFileName.IsNull() || in.RedirectInfo.StderrRedirectFileName.ValueString() != "e.log" {
				t.Errorf("redirect_info = %+v", in.RedirectInfo)
			}
			if m.TaskInstanceMetrics.RunningCount.ValueInt64() != 1 || !m.TaskInstanceMetrics.FailedCount.IsNull() {
				t.Errorf("metrics = %+v", m.TaskInstanceMetrics)
			}
		}},
		{"instance without redirect info", tencent.Task{TaskInstanceSet: []tencent.TaskInstance{{TaskInstanceIndex: n(0)}}},
			func(t *testing.T, m tencentBatchTaskModel) {
				if m.TaskInstanceSet[0].RedirectInfo != nil {
					t.Errorf("redirect_info = %+v, want null", m.TaskInstanceSet[0].RedirectInfo)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m tencentBatchTaskModel
			flattenTencentTask(&tt.task, &m)
			tt.check(t, m)
		})
	}
}

func TestTencentTaskRequest(t *testing.T) {
	t.Parallel()
	m := tencentBatchTaskModel{
		JobID:    types.StringValue("job-1"),
		TaskName: types.StringValue("A"),
		Offset:   types.Int64Null(),
		Limit:    types.Int64Value(5),
		Filters: []tencentTaskFilterModel{
			{Name: types.StringValue("task-instance-type"), Values: []types.String{types.StringValue("FAILED"), types.StringValue("SUCCEED")}},
			{Name: types.StringValue("task-instance-state"), Values: nil},
		},
	}
	got := tencentTaskRequest(&m)
	if got.JobID != "job-1" || got.TaskName != "A" || got.Offset != nil || got.Limit == nil || *got.Limit != 5 {
		t.Fatalf("request = %+v", got)
	}
	want := []tencent.Filter{{Name: "task-instance-type", Values: []string{"FAILED", "SUCCEED"}}, {Name: "task-instance-state", Values: []string{}}}
	if fmt.Sprint(got.Filters) != fmt.Sprint(want) {
		t.Fatalf("filters = %v, want %v", got.Filters, want)
	}
}
