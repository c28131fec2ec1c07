package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// Each data source example is applied, as it is on disk, against the emulator: once where the task
// succeeds and once where it fails or a value the example uses is null, so that its checks and
// null-safe expressions are seen to work both ways. The assertions are on what the example shows a
// user (outputs, check results, errors), not on the data source's internals.

// exampleCase is one run of an example against a scenario holding the ids the example uses.
type exampleCase struct {
	scenario    *emulator.Scenario
	checks      []statecheck.StateCheck
	expectError *regexp.Regexp
}

// exampleCases lists the runs of each data source example, by directory name under
// examples/data-sources; TestAccExamples fails for an example without any.
func exampleCases() map[string]map[string]exampleCase {
	return map[string]map[string]exampleCase{
		"cloudtask_polardb_batch_task":  polarDBBatchTaskExampleCases(),
		"cloudtask_polardb_tasks":       polarDBTasksExampleCases(),
		"cloudtask_bdrc_task":           bdrcTaskExampleCases(),
		"cloudtask_tencent_batch_task":  tencentBatchTaskExampleCases(),
		"cloudtask_alidns_batch_result": alidnsBatchResultExampleCases(),
	}
}

func TestAccExamples(t *testing.T) {
	t.Parallel()
	cases := exampleCases()
	dir := filepath.Join(examplesRoot, "data-sources")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		seen[name] = true
		runs := cases[name]
		if len(runs) == 0 {
			t.Errorf("examples/data-sources/%s has no acceptance test: add its runs to exampleCases", name)
			continue
		}
		content, err := os.ReadFile(filepath.Join(dir, name, "data-source.tf"))
		if err != nil {
			t.Fatal(err)
		}
		for runName, tc := range runs {
			t.Run(name+"/"+runName, func(t *testing.T) {
				t.Parallel()
				srv := emulator.NewTestServer(t, tc.scenario)
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6Factories(),
					Steps: []resource.TestStep{{
						Config:            providerBlock(srv.URL()) + string(content),
						ConfigStateChecks: tc.checks,
						ExpectError:       tc.expectError,
					}},
				})
				if srv.TotalCalls() == 0 {
					t.Fatal("the example sent no request to the emulator")
				}
			})
		}
	}
	for name := range cases {
		if !seen[name] {
			t.Errorf("exampleCases has runs for %s, which has no directory under examples/data-sources", name)
		}
	}
}

// expectCheckBlock asserts the result of a check block after the apply: its status, and for a
// failed check the message it reported.
type expectCheckBlock struct {
	name    string
	status  tfjson.CheckStatus
	message string // the failure message, when status is fail
}

func (e expectCheckBlock) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil {
		resp.Error = fmt.Errorf("check %q: no state", e.name)
		return
	}
	for _, c := range req.State.Checks {
		if c.Address.Kind != tfjson.CheckKindCheckBlock || c.Address.Name != e.name {
			continue
		}
		if c.Status != e.status {
			resp.Error = fmt.Errorf("check %q: status %q, want %q (%+v)", e.name, c.Status, e.status, c.Instances)
			return
		}
		if e.message == "" {
			return
		}
		for _, in := range c.Instances {
			for _, p := range in.Problems {
				if p.Message == e.message {
					return
				}
			}
		}
		resp.Error = fmt.Errorf("check %q: no problem reads %q (%+v)", e.name, e.message, c.Instances)
		return
	}
	resp.Error = fmt.Errorf("check %q: no result in the state (%d check results)", e.name, len(req.State.Checks))
}

// expectOutputNull asserts an output is null, which Terraform stores by leaving it out of the state.
type expectOutputNull string

func (name expectOutputNull) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil {
		resp.Error = fmt.Errorf("output %q: no state values", string(name))
		return
	}
	if out, ok := req.State.Values.Outputs[string(name)]; ok && out.Value != nil {
		resp.Error = fmt.Errorf("output %q is %v, want null", string(name), out.Value)
	}
}

const exampleBatchID = "pcb-xxx"

func polarDBBatchTaskExampleCases() map[string]exampleCase {
	const (
		addr      = "data.cloudtask_polardb_batch_task.install"
		completed = `{"TaskId":"1001","InstanceId":"pc-example01","Status":"COMPLETED","TaskBegin":"2026/05/28T16:38:21Z","TaskEnd":"2026/05/28T16:39:00Z","ErrorMsg":""}`
		running   = `{"TaskId":"1002","InstanceId":"pc-example02","Status":"RUNNING","TaskBegin":"2026/05/28T16:38:21Z","TaskEnd":"","ErrorMsg":""}`
		failed    = `{"TaskId":"1002","InstanceId":"pc-example02","Status":"FAILED","TaskBegin":"2026/05/28T16:38:21Z","TaskEnd":"2026/05/28T16:39:10Z","ErrorMsg":"assumeOssRole not exist"}`
	)
	scenario := func(last emulator.Phase) *emulator.Scenario {
		return &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{BatchID: exampleBatchID, Phases: []emulator.Phase{
			phase(1, batchTaskBody(exampleBatchID, "RUNNING", 1, 2, completed+","+running)),
			last,
		}}}}
	}
	return map[string]exampleCase{
		"completed": {
			scenario: scenario(phase(0, batchTaskBody(exampleBatchID, "COMPLETED", 2, 2,
				completed+`,`+`{"TaskId":"1002","InstanceId":"pc-example02","Status":"COMPLETED","ErrorMsg":""}`))),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("failed_sub_tasks", knownvalue.ListSizeExact(0)),
				expectCheckBlock{name: "install_succeeded", status: tfjson.CheckStatusPass},
			},
		},
		// Without fail_on_failure the read succeeds, so the failed sub task reaches the output.
		"subTaskFailed": {
			scenario: scenario(phase(0, batchTaskBody(exampleBatchID, "FAILED", 1, 2, completed+","+failed))),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
				statecheck.ExpectKnownOutputValue("failed_sub_tasks", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"task_id":     knownvalue.StringExact("1002"),
						"instance_id": knownvalue.StringExact("pc-example02"),
						"error_msg":   knownvalue.StringExact("assumeOssRole not exist"),
					}),
				})),
				expectCheckBlock{name: "install_succeeded", status: tfjson.CheckStatusFail,
					message: "The batch task did not succeed: 1 sub tasks failed (see the failed_sub_tasks output)."},
			},
		},
		// A failed task whose answer has no SubTasks: sub_tasks is null and the example copes.
		"failedWithoutSubTasks": {
			scenario: scenario(phase(0, `{"BatchId":"pcb-xxx","TaskName":"install","Status":"FAILED","TotalCount":2,"SuccessCount":0}`)),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("sub_tasks"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("failed_sub_tasks", knownvalue.ListSizeExact(0)),
				expectCheckBlock{name: "install_succeeded", status: tfjson.CheckStatusFail,
					message: "The batch task did not succeed: 0 sub tasks failed (see the failed_sub_tasks output)."},
			},
		},
	}
}

// examplePolarDBTask is a DescribeTasks task object that begins inside the example's time window.
func examplePolarDBTask(id, action string, progress int, stepsInfo, errorCode, errorMessage string) json.RawMessage {
	steps := ""
	if stepsInfo != "" {
		steps = fmt.Sprintf(`"StepsInfo":%q,`, stepsInfo)
	}
	return json.RawMessage(fmt.Sprintf(`{"TaskId":%q,"TaskAction":%q,"BeginTime":"2026-11-25T10:00:00Z",%s
"Progress":%d,"TaskErrorCode":%q,"TaskErrorMessage":%q}`, id, action, steps, progress, errorCode, errorMessage))
}

func polarDBTasksExampleCases() map[string]exampleCase {
	const (
		cluster  = "pc-xxxxxxxxxxxxxxx"
		twoSteps = `[{"name":"init_task","progress":100,"remain":0},{"name":"create_instance","progress":%d,"remain":0}]`
	)
	// The first task has no StepsInfo, so its steps are null and the output counts 0.
	finished := emulator.PolarDBTask{DBClusterID: cluster, Phases: []emulator.PolarDBTaskPhase{
		polarDBTaskPhase(0, "Finished", examplePolarDBTask("2001", "CreateDBCluster", 100, "", "null", "null")),
	}}
	second := func(last emulator.PolarDBTaskPhase) emulator.PolarDBTask {
		return emulator.PolarDBTask{DBClusterID: cluster, Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(2, "Running", examplePolarDBTask("2002", "CreateDBNodes", 50, fmt.Sprintf(twoSteps, 0), "null", "null")),
			last,
		}}
	}
	task := func(id, action, status string, steps int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"task_id": knownvalue.StringExact(id),
			"action":  knownvalue.StringExact(action),
			"status":  knownvalue.StringExact(status),
			"steps":   knownvalue.Int64Exact(steps),
		})
	}
	return map[string]exampleCase{
		"finished": {
			scenario: &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{finished, second(
				polarDBTaskPhase(0, "Finished", examplePolarDBTask("2002", "CreateDBNodes", 100, fmt.Sprintf(twoSteps, 100), "null", "null")),
			)}},
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("cluster_tasks", knownvalue.ListExact([]knownvalue.Check{
					task("2001", "CreateDBCluster", "Finished", 0),
					task("2002", "CreateDBNodes", "Finished", 2),
				})),
			},
		},
		// The postcondition stops the run when a task in the window stopped.
		"stopped": {
			scenario: &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{finished, second(
				polarDBTaskPhase(0, "Stop", examplePolarDBTask("2002", "CreateDBNodes", 50, fmt.Sprintf(twoSteps, 0),
					"InternalError", "Create instance failed.")),
			)}},
			expectError: regexp.MustCompile(`(?s)Resource postcondition failed.*A PolarDB task stopped or reported an error\.`),
		},
		// A cluster with no task in the window: tasks may be null, and the output is empty.
		"noTaskInWindow": {
			scenario: &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: cluster, Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", json.RawMessage(`{"TaskId":"1999","TaskAction":"CreateDBCluster","BeginTime":"2026-11-20T10:00:00Z"}`)),
			}}}},
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("cluster_tasks", knownvalue.ListSizeExact(0)),
			},
		},
	}
}

func bdrcTaskExampleCases() map[string]exampleCase {
	const id = "t-0004d9ctt1iixxxxxxxx"
	scenario := func(last string) *emulator.Scenario {
		return &emulator.Scenario{BDRCTasks: []emulator.BDRCTask{{TaskID: id, Phases: []emulator.Phase{
			phase(1, bdrcTaskBody(id, "RUNNING", 5000, "")),
			phase(0, last),
		}}}}
	}
	return map[string]exampleCase{
		"complete": {
			scenario: scenario(bdrcTaskBody(id, "COMPLETE", 10000, "")),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("bdrc_progress_percent", knownvalue.Int64Exact(100)),
				expectCheckBlock{name: "bdrc_task_complete", status: tfjson.CheckStatusPass},
			},
		},
		"failed": {
			scenario: scenario(bdrcTaskBody(id, "FAILED", 3000, "too many requests.")),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("bdrc_progress_percent", knownvalue.Int64Exact(30)),
				expectCheckBlock{name: "bdrc_task_complete", status: tfjson.CheckStatusFail,
					message: "The BDRC task did not complete: too many requests."},
			},
		},
		// An answer without Progress and ErrorMessage: the output is null and the check still reports.
		"canceledWithoutProgress": {
			scenario: scenario(fmt.Sprintf(`{"TaskId":%q,"TaskStatus":"CANCELED"}`, id)),
			checks: []statecheck.StateCheck{
				expectOutputNull("bdrc_progress_percent"),
				expectCheckBlock{name: "bdrc_task_complete", status: tfjson.CheckStatusFail,
					message: "The BDRC task did not complete: no error message"},
			},
		},
	}
}

func tencentBatchTaskExampleCases() map[string]exampleCase {
	const (
		jobID    = "job-97zcl3wt"
		taskName = "A"
	)
	instance := func(index int, state string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"TaskInstanceIndex":%d,"TaskInstanceState":%q,"ExitCode":null,"StateReason":"","CreateTime":"2026-05-28T08:00:00Z"}`,
			index, state))
	}
	scenario := func(last emulator.TencentPhase) *emulator.Scenario {
		return &emulator.Scenario{TencentTasks: []emulator.TencentTask{{JobID: jobID, TaskName: taskName, Phases: []emulator.TencentPhase{
			{Calls: 1, Response: tencentTaskBody(jobID, taskName, "RUNNING"),
				Instances: []json.RawMessage{instance(0, "RUNNING"), instance(1, "RUNNING"), instance(2, "RUNNING"), instance(3, "RUNNING")}},
			last,
		}}}}
	}
	return map[string]exampleCase{
		"succeeded": {
			scenario: scenario(emulator.TencentPhase{Response: tencentTaskBody(jobID, taskName, "SUCCEED"),
				Instances: []json.RawMessage{instance(0, "SUCCEED"), instance(1, "SUCCEED"), instance(2, "SUCCEED"), instance(3, "SUCCEED")}}),
			checks: []statecheck.StateCheck{
				expectCheckBlock{name: "render_instances", status: tfjson.CheckStatusPass},
			},
		},
		// Interrupted instances count as failures: a check on failed_count alone would pass here.
		"failedAndInterrupted": {
			scenario: scenario(emulator.TencentPhase{Response: tencentTaskBody(jobID, taskName, "FAILED"),
				Instances: []json.RawMessage{instance(0, "SUCCEED"), instance(1, "FAILED"), instance(2, "FAILED_INTERRUPTED"), instance(3, "FAILED_INTERRUPTED")}}),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudtask_tencent_batch_task.render", tfjsonpath.New("task_instance_metrics").AtMapKey("failed_count"), knownvalue.Int64Exact(1)),
				expectCheckBlock{name: "render_instances", status: tfjson.CheckStatusFail,
					message: "3 render instances failed or were interrupted."},
			},
		},
		// An answer without TaskInstanceMetrics: the check evaluates (no error) and counts 0.
		"withoutMetrics": {
			scenario: scenario(emulator.TencentPhase{
				Response:  json.RawMessage(`{"JobId":"job-97zcl3wt","TaskName":"A","TaskState":"SUCCEED","TaskInstanceMetrics":null}`),
				Instances: []json.RawMessage{instance(0, "SUCCEED")}}),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudtask_tencent_batch_task.render", tfjsonpath.New("task_instance_metrics"), knownvalue.Null()),
				expectCheckBlock{name: "render_instances", status: tfjson.CheckStatusPass},
			},
		},
	}
}

func alidnsBatchResultExampleCases() map[string]exampleCase {
	const addr = "data.cloudtask_alidns_batch_result.records"
	scenario := func(last string) *emulator.Scenario {
		return &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{{TaskID: 123456, Latest: true, Phases: []emulator.Phase{
			phase(1, alidnsBody(123456, 0, 1, 0, "")),
			phase(0, last),
		}}}}
	}
	return map[string]exampleCase{
		"completed": {
			scenario: scenario(alidnsBody(123456, 1, 4, 0, "")),
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("task_id"), knownvalue.Int64Exact(123456)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("success_count"), knownvalue.Int64Exact(4)),
			},
		},
		// fail_on_failure turns the failed batch into an error that says what failed.
		"failed": {
			scenario:    scenario(alidnsBody(123456, 2, 2, 2, "record conflict")),
			expectError: regexp.MustCompile(`(?s)` + summary(fmt.Sprintf(summaryTaskFailed, "Alidns Batch Result")).String() + `.*2\s+entries\s+failed:\s+"record\s+conflict"`),
		},
	}
}
