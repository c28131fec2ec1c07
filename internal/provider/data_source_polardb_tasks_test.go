package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// seedPolarDBTask is the Task object of the documentation page's sample response, verbatim:
// StepsInfo is JSON-escaped once more, and several fields are the string "null".
const seedPolarDBTask = `{
  "FinishTime": "2020-12-02T02:40:15Z",
  "StepsInfo": "[{\\\"remain\\\":0,\\\"name\\\":\\\"init_task\\\",\\\"progress\\\":100},{\\\"remain\\\":1764,\\\"name\\\":\\\"create_instance\\\",\\\"progress\\\":0},{\\\"remain\\\":1,\\\"name\\\":\\\"init_cluster\\\",\\\"progress\\\":0},{\\\"remain\\\":2,\\\"name\\\":\\\"create_backup\\\",\\\"progress\\\":0}]",
  "Progress": 100,
  "ExpectedFinishTime": "null",
  "BeginTime": "2020-12-02T02:39:15Z",
  "TaskErrorCode": "null",
  "ProgressInfo": "null",
  "CurrentStepName": "create_instance",
  "StepProgressInfo": "1/4",
  "TaskErrorMessage": "null",
  "TaskAction": "CreateDBInstance",
  "DBName": "test",
  "Remain": 1767,
  "TaskId": "111111111"
}`

// seedStepsInfo is the seed's StepsInfo after JSON decoding, as it is stored.
const seedStepsInfo = `[{\"remain\":0,\"name\":\"init_task\",\"progress\":100},{\"remain\":1764,\"name\":\"create_instance\",\"progress\":0},{\"remain\":1,\"name\":\"init_cluster\",\"progress\":0},{\"remain\":2,\"name\":\"create_backup\",\"progress\":0}]`

const polarDBTasksAddr = "data.cloudtask_polardb_tasks.t"

// The window of every test: the tasks below begin inside it.
const polarDBTasksWindow = `
  start_time = "2020-11-30T00:00Z"
  end_time   = "2020-12-02T03:00Z"`

func polarDBTasksConfig(url, args string) string {
	return providerBlock(url) + `
data "cloudtask_polardb_tasks" "t" {` + polarDBTasksWindow + `
` + args + `
}
`
}

// polarDBTaskBody is a task object of DescribeTasks that begins inside polarDBTasksWindow.
func polarDBTaskBody(id string, progress, remain int, errorCode, errorMessage string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"TaskId":%q,"TaskAction":"CreateDBCluster","BeginTime":"2020-12-01T10:00:00Z",
"Progress":%d,"Remain":%d,"StepsInfo":"[{\"name\":\"init_task\",\"progress\":%[2]d,\"remain\":%[3]d}]",
"TaskErrorCode":%q,"TaskErrorMessage":%q}`, id, progress, remain, errorCode, errorMessage))
}

func polarDBTaskPhase(calls int, status string, task json.RawMessage) emulator.PolarDBTaskPhase {
	return emulator.PolarDBTaskPhase{Calls: calls, Status: status, Task: task}
}

func taskAttr(i int, attr string) tfjsonpath.Path {
	return tfjsonpath.New("tasks").AtSliceIndex(i).AtMapKey(attr)
}

func TestAccPolarDBTasks_seedSample(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-seed", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(0, "Running", json.RawMessage(seedPolarDBTask)),
		}}},
	})
	str := func(attr, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, attr), knownvalue.StringExact(want))
	}
	num := func(attr string, want int64) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, attr), knownvalue.Int64Exact(want))
	}
	step := func(name string, progress, remain int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":     knownvalue.StringExact(name),
			"progress": knownvalue.Int64Exact(progress),
			"remain":   knownvalue.Int64Exact(remain),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `  db_cluster_id = "pc-seed"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(1)),
				// Without a filter the API lists Waiting and Running tasks; the Running query listed it.
				str("status", "Running"),
				str("task_id", "111111111"),
				str("task_action", "CreateDBInstance"),
				str("db_name", "test"),
				str("begin_time", "2020-12-02T02:39:15Z"),
				str("finish_time", "2020-12-02T02:40:15Z"),
				str("expected_finish_time", "null"),
				num("progress", 100),
				num("remain", 1767),
				str("current_step_name", "create_instance"),
				str("step_progress_info", "1/4"),
				str("steps_info", seedStepsInfo),
				str("progress_info", "null"),
				str("task_error_code", "null"),
				str("task_error_message", "null"),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "steps"), knownvalue.ListExact([]knownvalue.Check{
					step("init_task", 100, 0),
					step("create_instance", 0, 1764),
					step("init_cluster", 0, 1),
					step("create_backup", 0, 2),
				})),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("db_cluster_id"), knownvalue.StringExact("pc-seed")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("db_node_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("total_record_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("page_record_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("page_number"), knownvalue.Null()),
				// Not waiting: a running task is read once and reported as not terminal.
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-F-]{36}$`))),
			},
		}},
	})
	// The listing (no Status: the API's default), then one query per documented status.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%7 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want seven per read", n)
	}
}

func TestAccPolarDBTasks_waitUntilFinished(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-wait", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(1, "Waiting", polarDBTaskBody("t-wait", 0, 30, "null", "null")),
			polarDBTaskPhase(2, "Running", polarDBTaskBody("t-wait", 50, 2, "null", "null")),
			polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-wait", 100, 0, "null", "null")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-wait"
  status              = "Waiting,Running,Finished"
  wait_for_completion = true
  poll_interval       = "1s"
  fail_on_failure     = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "status"), knownvalue.StringExact("Finished")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "progress"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "steps"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":     knownvalue.StringExact("init_task"),
						"progress": knownvalue.Int64Exact(100),
						"remain":   knownvalue.Int64Exact(0),
					}),
				})),
			},
		}},
	})
	// Four polls (one per lifecycle step), then three queries (one per status) to read the detail.
	if n := srv.Calls(emulator.APIPolarDBTasks); n < 7 {
		t.Fatalf("DescribeTasks calls = %d, want at least 7", n)
	}
}

// polarDBQuery is one DescribeTasks request reduced to what a read varies.
type polarDBQuery struct{ status, page, size string }

// polarDBRead is one read of a waiting data source as the emulator saw it: the polls, then the
// queries of the full read.
type polarDBRead struct {
	polls   []polarDBQuery
	queries []polarDBQuery
}

// splitPolarDBReads groups DescribeTasks requests into reads: a run of polls (Status
// Waiting,Running,Pause) ends with the full read's queries; the next poll starts another read,
// since Terraform may read a data source more than once per step. Every request must carry
// fixed, the parameters that never change within a read.
func splitPolarDBReads(reqs []emulator.Request, fixed map[string]string) ([]polarDBRead, error) {
	var reads []polarDBRead
	for i, r := range reqs {
		for k, v := range fixed {
			if r.Params[k] != v {
				return nil, fmt.Errorf("request %d: %s = %q, want %q (params %v)", i, k, r.Params[k], v, r.Params)
			}
		}
		q := polarDBQuery{status: r.Params["Status"], page: r.Params["PageNumber"], size: r.Params["PageSize"]}
		if q.status == "Waiting,Running,Pause" {
			if len(reads) == 0 || len(reads[len(reads)-1].queries) > 0 {
				reads = append(reads, polarDBRead{})
			}
			reads[len(reads)-1].polls = append(reads[len(reads)-1].polls, q)
			continue
		}
		if len(reads) == 0 {
			return nil, fmt.Errorf("request %d: a query (%v) before any poll", i, r.Params)
		}
		reads[len(reads)-1].queries = append(reads[len(reads)-1].queries, q)
	}
	return reads, nil
}

// TestAccPolarDBTasks_waitPollsOnceThenQueriesEachStatus proves the shape of a wait on the wire:
// each poll is one request for the active statuses; the read after it lists every status in
// one query, paged at the configured size, then queries each status on its own in pages of 100.
func TestAccPolarDBTasks_waitPollsOnceThenQueriesEachStatus(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-polls", Phases: []emulator.PolarDBTaskPhase{
			{Duration: "1s", Status: "Waiting", Task: polarDBTaskBody("t-polls", 0, 30, "null", "null")},
			{Duration: "1s", Status: "Running", Task: polarDBTaskBody("t-polls", 50, 1, "null", "null")},
			polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-polls", 100, 0, "null", "null")),
		}}},
		// Forty closed tasks: two pages of 30 in the listing, none in the polls.
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{DBClusterID: "pc-polls", Count: 40, Status: "Closed",
			TaskIDPrefix: "t-closed-", BeginTime: "2020-12-01T00:00:00Z"}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-polls"
  page_size           = 30
  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(41)),
			},
		}},
	})
	reads, err := splitPolarDBReads(srv.Requests(emulator.APIPolarDBTasks), map[string]string{
		"DBClusterId": "pc-polls", "StartTime": "2020-11-30T00:00Z", "EndTime": "2020-12-02T03:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) == 0 {
		t.Fatal("no read reached the emulator")
	}
	// The first read began while the task was Waiting, then Running, a second each.
	if len(reads[0].polls) < 2 {
		t.Errorf("first read polled %d times, want at least 2", len(reads[0].polls))
	}
	const all = "Waiting,Running,Finished,Closed,Pause,Stop"
	wantQueries := []polarDBQuery{
		{all, "1", "30"}, {all, "2", "30"},
		{"Waiting", "1", "100"}, {"Running", "1", "100"}, {"Pause", "1", "100"}, {"Stop", "1", "100"},
		{"Finished", "1", "100"}, {"Closed", "1", "100"},
	}
	for i, r := range reads {
		for _, p := range r.polls {
			if p != (polarDBQuery{"Waiting,Running,Pause", "1", "30"}) {
				t.Errorf("read %d: poll %+v, want Status Waiting,Running,Pause, PageNumber 1, PageSize 30", i+1, p)
			}
		}
		if !slices.Equal(r.queries, wantQueries) {
			t.Errorf("read %d of %d: queries %+v, want %+v", i+1, len(reads), r.queries, wantQueries)
		}
	}
}

func TestAccPolarDBTasks_waitUntilStopFails(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-stop", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-fine", 100, 0, "null", "null")),
			}},
			{DBClusterID: "pc-stop", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(2, "Running", polarDBTaskBody("t-stop", 40, 300, "null", "null")),
				polarDBTaskPhase(0, "Stop", polarDBTaskBody("t-stop", 40, 0, "InternalError", "Create instance failed.")),
			}},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-stop"
  wait_for_completion = true
  fail_on_failure     = true`),
			ExpectError: regexp.MustCompile(`(?s)PolarDB\s+Tasks\s+Failed.*"1\s+Finished,\s+1\s+Stop".*1\s+of\s+2\s+tasks\s+failed.*` +
				`task\s+"t-stop"\s+\("CreateDBCluster",\s+status\s+"Stop"\):\s+error\s+code\s+"InternalError",\s+message\s+"Create\s+instance\s+failed\."`),
		}},
	})
}

func TestAccPolarDBTasks_waitWithoutStatusStoresFinalStates(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-final", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(1, "Waiting", polarDBTaskBody("t-closed", 0, 60, "null", "null")),
				polarDBTaskPhase(1, "Running", polarDBTaskBody("t-closed", 10, 50, "null", "null")),
				polarDBTaskPhase(0, "Closed", polarDBTaskBody("t-closed", 100, 0, "null", "null")),
			}},
			{DBClusterID: "pc-final", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(2, "Running", polarDBTaskBody("t-finished", 50, 20, "null", "null")),
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-finished", 100, 0, "null", "null")),
			}},
		},
	})
	task := func(id, status string) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"task_id": knownvalue.StringExact(id),
			"status":  knownvalue.StringExact(status),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-final"
  wait_for_completion = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
				// In the API's order (the emulator's is the scenario's), not grouped by status.
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListExact([]knownvalue.Check{
					task("t-closed", "Closed"),
					task("t-finished", "Finished"),
				})),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("total_record_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("status"), knownvalue.Null()),
			},
		}},
	})
}

func TestAccPolarDBTasks_waitTimesOut(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-slow", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(0, "Running", polarDBTaskBody("t-slow", 10, 3600, "null", "null")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-slow"
  wait_for_completion = true
  timeouts { read = "3s" }`),
			ExpectError: regexp.MustCompile(`(?s)Timed\s+Out\s+Waiting\s+for\s+PolarDB\s+Tasks.*Last\s+status:\s+"in\s+progress"\s+` +
				`\(1\s+task\s+still\s+Waiting,\s+Running\s+or\s+Pause\).*Raise\s+timeouts.read`),
		}},
	})
}

// Relies on an emulator guess (see the emulator package doc): PageRecordCount counts the tasks on the page.
func TestAccPolarDBTasks_allPages(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{DBClusterID: "pc-many", Count: 130, Status: "Finished",
			TaskIDPrefix: "t-", BeginTime: "2020-12-01T00:00:00Z"}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-many"
  status        = "Finished"
  page_size     = 30`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(130)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "task_id"), knownvalue.StringExact("t-0")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(129, "task_id"), knownvalue.StringExact("t-129")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(129, "status"), knownvalue.StringExact("Finished")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("total_record_count"), knownvalue.Int64Exact(130)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("page_record_count"), knownvalue.Int64Exact(130)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
	// Five pages of 30 per read (30+30+30+30+10), which are also the Finished query, then one
	// query for each other status, however many reads the test harness makes.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%10 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want ten per read", n)
	}
}

// Relies on an emulator guess (see the emulator package doc): PageRecordCount counts the tasks on the page.
func TestAccPolarDBTasks_pageNumber(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{DBClusterID: "pc-paged", Count: 130, Status: "Finished",
			TaskIDPrefix: "t-", BeginTime: "2020-12-01T00:00:00Z"}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-paged"
  status        = "Finished"
  page_size     = 50
  page_number   = 2`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(50)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(0, "task_id"), knownvalue.StringExact("t-50")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(49, "task_id"), knownvalue.StringExact("t-99")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(49, "status"), knownvalue.StringExact("Finished")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("total_record_count"), knownvalue.Int64Exact(130)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("page_record_count"), knownvalue.Int64Exact(50)),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("page_number"), knownvalue.Int64Exact(2)),
			},
		}},
	})
	// The page itself, then one query per status; both pages of 100 Finished tasks, since no
	// task is active and every error code must be seen.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%8 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want eight per read", n)
	}
}

func TestAccPolarDBTasks_nodeID(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-node", DBNodeID: "pi-node1", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Pause", polarDBTaskBody("t-node1", 20, 100, "null", "null")),
			}},
			{DBClusterID: "pc-node", DBNodeID: "pi-node2", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Pause", polarDBTaskBody("t-node2", 20, 100, "null", "null")),
			}},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_node_id = "pi-node1"
  status     = "Pause,Stop"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("db_cluster_id"), knownvalue.StringExact("pc-node")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("db_node_id"), knownvalue.StringExact("pi-node1")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"task_id": knownvalue.StringExact("t-node1"),
						"status":  knownvalue.StringExact("Pause"),
					}),
				})),
				// A paused task may resume: not terminal.
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(false)),
			},
		}},
	})
}

// Relies on an emulator guess (see the emulator package doc): an unknown cluster is 404 InvalidDBClusterId.NotFound.
func TestAccPolarDBTasks_clusterNotFound(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      polarDBTasksConfig(srv.URL(), `  db_cluster_id = "pc-missing"`),
			ExpectError: regexp.MustCompile(`(?s)Error\s+Reading\s+PolarDB\s+Tasks.*InvalidDBClusterId.NotFound.*Request\s+ID:\s+[0-9A-F-]{36}`),
		}},
	})
}

func TestAccPolarDBTasks_badInputRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	config := func(args string) string {
		return providerBlock(srv.URL()) + "\ndata \"cloudtask_polardb_tasks\" \"t\" {\n" + args + "\n}\n"
	}
	const window = "\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T03:00Z\""
	cases := []struct {
		args string
		want string
	}{
		{`db_cluster_id = "pc-1"` + "\n  db_node_id = \"pi-1\"" + window, "Invalid Attribute Combination"},
		{`status = "Running"` + window, "Missing Attribute Configuration"},
		{`db_cluster_id = "pc/1"` + window, summaryInvalidID},
		{"db_cluster_id = \"pc-1\"\n  start_time = \"2020-11-30 00:00\"\n  end_time = \"2020-12-02T03:00Z\"", summaryInvalidTime},
		{"db_cluster_id = \"pc-1\"\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T3:00Z\"", summaryInvalidTime},
		{"db_cluster_id = \"pc-1\"\n  start_time = \"2020-11-30T00:00:00Z\"\n  end_time = \"2020-12-02T03:00Z\"", summaryInvalidTime},
		{"db_cluster_id = \"pc-1\"\n  start_time = \"2020-12-02T03:00Z\"\n  end_time = \"2020-11-30T00:00Z\"", summaryInvalidTimeRange},
		{"db_cluster_id = \"pc-1\"\n  start_time = \"2020-12-02T03:00Z\"\n  end_time = \"2020-12-02T03:00Z\"", summaryInvalidTimeRange},
		{"db_cluster_id = \"pc-1\"\n  status = \"Running,Done\"" + window, summaryInvalidStatusFilter},
		{"db_cluster_id = \"pc-1\"\n  status = \"Running, Stop\"" + window, summaryInvalidStatusFilter},
		{"db_cluster_id = \"pc-1\"\n  status = \"\"" + window, summaryInvalidStatusFilter},
		{"db_cluster_id = \"pc-1\"\n  page_size = 40" + window, "Invalid Attribute Value Match"},
		{"db_cluster_id = \"pc-1\"\n  page_number = 0" + window, "Invalid Attribute Value"},
		{"db_cluster_id = \"pc-1\"\n  page_number = 2147483648" + window, "Invalid Attribute Value"},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      config("  " + c.args),
			PlanOnly:    true,
			ExpectError: summary(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for invalid configurations, want 0", n)
	}
}

func TestFlattenPolarDBTasks(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	result := &polarDBTasksResult{
		tasks: []polarDBListedTask{{status: s("Finished"), task: alibaba.PolarDBTask{
			TaskID: s("t-1"), TaskErrorCode: s("null"), StepsInfo: s("null"), Progress: n(100)}}},
		totalRecordCount: n(1), pageRecordCount: n(30), dbClusterID: s("pc-answered"), requestID: "REQ",
	}
	tests := []struct {
		name        string
		model       polarDBTasksModel
		result      *polarDBTasksResult
		wantCluster string
		wantTasks   bool
	}{
		{"node form stores the answered cluster", polarDBTasksModel{DBClusterID: types.StringNull(), DBNodeID: types.StringValue("pi-1")}, result, "pc-answered", true},
		{"configured cluster stays as written", polarDBTasksModel{DBClusterID: types.StringValue("pc-written")}, result, "pc-written", true},
		{"null task list stays null", polarDBTasksModel{DBClusterID: types.StringValue("pc-1")}, &polarDBTasksResult{}, "pc-1", false},
	}
	for _, tt := range tests {
		m := tt.model
		flattenPolarDBTasks(tt.result, &m)
		if m.DBClusterID.ValueString() != tt.wantCluster || (m.Tasks != nil) != tt.wantTasks {
			t.Errorf("%s: cluster %s, tasks %v", tt.name, m.DBClusterID, m.Tasks)
		}
	}
	m := polarDBTasksModel{DBClusterID: types.StringNull()}
	flattenPolarDBTasks(result, &m)
	got := m.Tasks[0]
	if got.Status.ValueString() != "Finished" || got.TaskErrorCode.ValueString() != "null" || got.StepsInfo.ValueString() != "null" ||
		got.Steps != nil || !got.DBName.IsNull() || got.Progress.ValueInt64() != 100 ||
		m.PageRecordCount.ValueInt64() != 30 || m.TotalRecordCount.ValueInt64() != 1 || m.RequestID.ValueString() != "REQ" {
		t.Errorf("flattened %+v into %+v", result, m)
	}
}

func polarDBCheck(attr string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New(attr), want)
}

func polarDBTaskCheck(i int, attr string, want string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(polarDBTasksAddr, taskAttr(i, attr), knownvalue.StringExact(want))
}

// A read without status lists the API's default (Waiting, Running), which leaves out a Stop
// task: the verdict still sees it.
func TestAccPolarDBTasks_stopOutsideDefaultListing(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-stopped", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(0, "Stop", polarDBTaskBody("t-stopped", 40, 0, "InternalError", "Create instance failed.")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `  db_cluster_id = "pc-stopped"`),
			ConfigStateChecks: []statecheck.StateCheck{
				polarDBCheck("tasks", knownvalue.ListSizeExact(0)),
				polarDBCheck("terminal", knownvalue.Bool(true)),
				polarDBCheck("succeeded", knownvalue.Bool(false)),
			},
		}},
	})
}

// A Pause task the filter does not list keeps the window from being terminal.
func TestAccPolarDBTasks_pauseOutsideFilter(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-paused", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-done", 100, 0, "null", "null")),
			}},
			{DBClusterID: "pc-paused", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Pause", polarDBTaskBody("t-paused", 20, 100, "null", "null")),
			}},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-paused"
  status        = "Finished"`),
			ConfigStateChecks: []statecheck.StateCheck{
				polarDBCheck("tasks", knownvalue.ListSizeExact(1)),
				polarDBTaskCheck(0, "task_id", "t-done"),
				polarDBCheck("terminal", knownvalue.Bool(false)),
				polarDBCheck("succeeded", knownvalue.Bool(false)),
			},
		}},
	})
}

// A page_number read is judged on every page: the failed task is on page 1, the read lists page 2.
func TestAccPolarDBTasks_pageNumberFailureOnAnotherPage(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		// A Finished task that carries an error code, listed first, then forty clean ones.
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-pages", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-bad", 100, 0, "InternalError", "Backup failed.")),
		}}},
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{{DBClusterID: "pc-pages", Count: 40, Status: "Finished",
			TaskIDPrefix: "g-", BeginTime: "2020-12-01T00:00:00Z"}},
	})
	config := polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-pages"
  status        = "Finished"
  page_size     = 30
  page_number   = 2`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					polarDBCheck("tasks", knownvalue.ListSizeExact(11)),
					polarDBTaskCheck(0, "task_id", "g-29"),
					polarDBTaskCheck(10, "task_id", "g-39"),
					polarDBCheck("total_record_count", knownvalue.Int64Exact(41)),
					polarDBCheck("terminal", knownvalue.Bool(true)),
					polarDBCheck("succeeded", knownvalue.Bool(false)),
				},
			},
			{
				// fail_on_failure names the task from the other page.
				Config: strings.Replace(config, "page_number   = 2", "page_number   = 2\n  fail_on_failure = true", 1),
				ExpectError: regexp.MustCompile(`(?s)PolarDB\s+Tasks\s+Failed.*task\s+"t-bad"\s+\("CreateDBCluster",\s+status\s+"Finished"\):\s+` +
					`error\s+code\s+"InternalError"`),
			},
		},
	})
}

// A filter of two statuses with more than a page of each keeps the API's order: the emulator
// lists f-0..f-39, c-0..c-39, g-0..g-59; grouping by status would put g-0 at index 40.
func TestAccPolarDBTasks_multiStatusKeepsAPIOrder(t *testing.T) {
	t.Parallel()
	gen := func(prefix, status string, n int) emulator.PolarDBTaskGenerator {
		return emulator.PolarDBTaskGenerator{DBClusterID: "pc-order", Count: n, Status: status, TaskIDPrefix: prefix,
			BeginTime: "2020-12-01T00:00:00Z"}
	}
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{gen("f-", "Finished", 40), gen("c-", "Closed", 40), gen("g-", "Finished", 60)},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-order"
  status        = "Finished,Closed"
  page_size     = 30`),
			ConfigStateChecks: []statecheck.StateCheck{
				polarDBCheck("tasks", knownvalue.ListSizeExact(140)),
				polarDBTaskCheck(0, "task_id", "f-0"),
				polarDBTaskCheck(40, "task_id", "c-0"),
				polarDBTaskCheck(40, "status", "Closed"),
				polarDBTaskCheck(80, "task_id", "g-0"),
				polarDBTaskCheck(129, "task_id", "g-49"),
				polarDBTaskCheck(129, "status", "Finished"),
				polarDBTaskCheck(139, "task_id", "g-59"),
				polarDBCheck("total_record_count", knownvalue.Int64Exact(140)),
				polarDBCheck("succeeded", knownvalue.Bool(true)),
			},
		}},
	})
}

// Waiting with a filter that names no active status waits on the whole window, then lists the
// filter's tasks: the Running task is listed once Finished.
func TestAccPolarDBTasks_waitWithTerminalOnlyFilter(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-filtered", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(3, "Running", polarDBTaskBody("t-run", 50, 1, "null", "null")),
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-run", 100, 0, "null", "null")),
			}},
			{DBClusterID: "pc-filtered", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Stop", polarDBTaskBody("t-stopped", 10, 0, "InternalError", "Failed.")),
			}},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id       = "pc-filtered"
  status              = "Finished,Stop"
  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				polarDBCheck("tasks", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"task_id": knownvalue.StringExact("t-run"), "status": knownvalue.StringExact("Finished")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"task_id": knownvalue.StringExact("t-stopped"), "status": knownvalue.StringExact("Stop")}),
				})),
				polarDBCheck("terminal", knownvalue.Bool(true)),
				polarDBCheck("succeeded", knownvalue.Bool(false)),
			},
		}},
	})
	polls := 0
	for _, r := range srv.Requests(emulator.APIPolarDBTasks) {
		if r.Params["Status"] == "Waiting,Running,Pause" {
			polls++
		}
	}
	// The Running phase answers three requests: the first read polled until it ended.
	if polls < 2 {
		t.Fatalf("%d polls for Waiting,Running,Pause, want at least 2", polls)
	}
}

// Exactly one of db_cluster_id and db_node_id: the error names both, before any request.
func TestAccPolarDBTasks_exactlyOneID(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	both := regexp.MustCompile(`Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured:\s+\[db_cluster_id,db_node_id\]`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config:      polarDBTasksConfig(srv.URL(), `  status = "Running"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing\s+Attribute\s+Configuration.*` + both.String()),
			},
			{
				Config: polarDBTasksConfig(srv.URL(), `
  db_cluster_id = "pc-1"
  db_node_id    = "pi-1"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid\s+Attribute\s+Combination.*` + both.String()),
			},
		},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests, want 0", n)
	}
}
