package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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
	// One query per status of the API's default list (Waiting, then Running) in every read.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%2 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want two per read", n)
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

// polarDBQuery is one DescribeTasks request reduced to what a read varies: Status and PageNumber.
type polarDBQuery struct{ status, page string }

// polarDBRead is one read of a waiting data source as the emulator saw it: the polls, then the
// per-status queries of the full read.
type polarDBRead struct {
	polls   []polarDBQuery
	queries []polarDBQuery
}

// splitPolarDBReads groups DescribeTasks requests into reads: a run of polls (a Status listing
// several statuses) ends with the full read's queries (one status each); the next poll starts
// another read, since Terraform may read a data source more than once per step. Every request
// must carry fixed, the parameters that never change within a read.
func splitPolarDBReads(reqs []emulator.Request, fixed map[string]string) ([]polarDBRead, error) {
	var reads []polarDBRead
	for i, r := range reqs {
		for k, v := range fixed {
			if r.Params[k] != v {
				return nil, fmt.Errorf("request %d: %s = %q, want %q (params %v)", i, k, r.Params[k], v, r.Params)
			}
		}
		q := polarDBQuery{status: r.Params["Status"], page: r.Params["PageNumber"]}
		if strings.Contains(q.status, ",") {
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
// each poll is one request for the active statuses, and the read after it queries every status on
// its own with the configured page size, paging where a status has more tasks than a page.
func TestAccPolarDBTasks_waitPollsOnceThenQueriesEachStatus(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-polls", Phases: []emulator.PolarDBTaskPhase{
			{Duration: "1s", Status: "Waiting", Task: polarDBTaskBody("t-polls", 0, 30, "null", "null")},
			{Duration: "1s", Status: "Running", Task: polarDBTaskBody("t-polls", 50, 1, "null", "null")},
			polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-polls", 100, 0, "null", "null")),
		}}},
		// Forty closed tasks: two pages of 30 in the Closed query, none in the polls.
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
		"DBClusterId": "pc-polls", "StartTime": "2020-11-30T00:00Z", "EndTime": "2020-12-02T03:00Z", "PageSize": "30",
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
	wantQueries := []polarDBQuery{
		{"Waiting", "1"}, {"Running", "1"}, {"Finished", "1"}, {"Closed", "1"}, {"Closed", "2"}, {"Pause", "1"}, {"Stop", "1"},
	}
	for i, r := range reads {
		for _, p := range r.polls {
			if p != (polarDBQuery{"Waiting,Running,Pause", "1"}) {
				t.Errorf("read %d: poll %+v, want Status Waiting,Running,Pause and PageNumber 1", i+1, p)
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
				// Grouped by status in the documented order: Finished before Closed.
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("tasks"), knownvalue.ListExact([]knownvalue.Check{
					task("t-finished", "Finished"),
					task("t-closed", "Closed"),
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
  timeouts            = { read = "3s" }`),
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
	// Five pages of 30 per read (30+30+30+30+10), however many reads the test harness makes.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%5 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want five per read", n)
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
	// The page itself, then one page of 100 Finished tasks that holds all fifty ids.
	if n := srv.Calls(emulator.APIPolarDBTasks); n == 0 || n%2 != 0 {
		t.Fatalf("DescribeTasks calls = %d, want two per read", n)
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
		{`status = "Running"` + window, "Invalid Attribute Combination"},
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

// newPolarDBTasksTestClient is an Alibaba client signing for the emulator, for the tests that
// count the requests of one read exactly.
func newPolarDBTasksTestClient(t *testing.T, srv *emulator.Server) *alibaba.Client {
	t.Helper()
	c, err := alibaba.NewClient(alibaba.Config{
		AccessKey: emulator.AlibabaAccessKeyID,
		SecretKey: emulator.AlibabaAccessKeySecret,
		Endpoints: alibaba.Endpoints{PolarDB: srv.URL()},
	}, alibaba.ClientOptions{Getenv: func(string) string { return "" }, Home: t.TempDir(), Backoff: testTuning.backoff})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func TestPolarDBTasksRequests(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{
			{DBClusterID: "pc-run", Count: 130, Status: "Running", TaskIDPrefix: "r-"},
			{DBClusterID: "pc-fin", Count: 130, Status: "Finished", TaskIDPrefix: "f-"},
			{DBClusterID: "pc-fin", Count: 3, Status: "Stop", TaskIDPrefix: "s-"},
		},
	})
	client := newPolarDBTasksTestClient(t, srv)
	str := types.StringValue
	null := types.StringNull()
	tests := []struct {
		name         string
		model        polarDBTasksModel
		wantCalls    int
		wantTasks    int
		wantTotal    int64
		firstID      string
		wantStatuses map[string]int
	}{
		{
			name:      "default statuses, every page of each",
			model:     polarDBTasksModel{DBClusterID: str("pc-run"), Status: null, PageSize: types.Int64Value(30)},
			wantCalls: 1 + 5, // Waiting: one empty page; Running: 30+30+30+30+10
			wantTasks: 130, wantTotal: 130, firstID: "r-0",
			wantStatuses: map[string]int{"Running": 130},
		},
		{
			name:      "API default page size",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Finished,Stop")},
			wantCalls: 5 + 1,
			wantTasks: 133, wantTotal: 133, firstID: "f-0",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
		},
		{
			name:      "largest pages",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Stop,Finished"), PageSize: types.Int64Value(100)},
			wantCalls: 1 + 2,
			wantTasks: 133, wantTotal: 133, firstID: "s-0",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
		},
		{
			name:      "waiting without a filter lists every status",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), PageSize: types.Int64Value(100), commonModel: commonModel{WaitForCompletion: types.BoolValue(true)}},
			wantCalls: 1 + 1 + 2 + 1 + 1 + 1,
			wantTasks: 133, wantTotal: 133, firstID: "f-0",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
		},
		{
			name:      "one page, statuses learned from pages of 100",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Finished"), PageSize: types.Int64Value(30), PageNumber: types.Int64Value(5)},
			wantCalls: 1 + 2, // the page (f-120..f-129), then Finished pages 1 and 2
			wantTasks: 10, wantTotal: 130, firstID: "f-120",
			wantStatuses: map[string]int{"Finished": 10},
		},
		{
			name:      "one page of the API's default filter",
			model:     polarDBTasksModel{DBClusterID: str("pc-run"), PageNumber: types.Int64Value(2)},
			wantCalls: 1 + 1 + 1, // the page (r-30..r-59), Waiting (empty), Running page 1
			wantTasks: 30, wantTotal: 130, firstID: "r-30",
			wantStatuses: map[string]int{"Running": 30},
		},
		{
			name:      "page past the end",
			model:     polarDBTasksModel{DBClusterID: str("pc-run"), PageNumber: types.Int64Value(9)},
			wantCalls: 1,
			wantTasks: 0, wantTotal: 130,
			wantStatuses: map[string]int{},
		},
	}
	for _, tt := range tests {
		tt.model.StartTime = str("2020-11-30T00:00Z")
		tt.model.EndTime = str("2020-12-02T03:00Z")
		// Subtests share the emulator's counters, so they run one after another.
		before := srv.Calls(emulator.APIPolarDBTasks)
		r, err := readPolarDBTasks(context.Background(), client, newPolarDBTasksQuery(&tt.model))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := srv.Calls(emulator.APIPolarDBTasks) - before; got != tt.wantCalls {
			t.Errorf("%s: %d requests, want %d", tt.name, got, tt.wantCalls)
		}
		if len(r.tasks) != tt.wantTasks || r.totalRecordCount == nil || *r.totalRecordCount != tt.wantTotal {
			t.Errorf("%s: %d tasks, total %v; want %d, %d", tt.name, len(r.tasks), polarDBDeref(r.totalRecordCount), tt.wantTasks, tt.wantTotal)
		}
		if tt.firstID != "" && (len(r.tasks) == 0 || polarDBDeref(r.tasks[0].task.TaskID) != tt.firstID) {
			t.Errorf("%s: first task is not %s", tt.name, tt.firstID)
		}
		statuses := map[string]int{}
		for _, lt := range r.tasks {
			statuses[fmt.Sprint(polarDBDeref(lt.status))]++
		}
		if fmt.Sprint(statuses) != fmt.Sprint(tt.wantStatuses) {
			t.Errorf("%s: statuses %v, want %v", tt.name, statuses, tt.wantStatuses)
		}
		if r.requestID == "" {
			t.Errorf("%s: no request id", tt.name)
		}
	}
}

func TestPollPolarDBTasks(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Running", polarDBTaskBody("t-1", 10, 600, "null", "null")),
			}},
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Pause", polarDBTaskBody("t-2", 10, 120, "null", "null")),
			}},
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-3", 100, 0, "null", "null")),
			}},
		},
	})
	client := newPolarDBTasksTestClient(t, srv)
	tests := []struct {
		status       string
		wantCalls    int
		wantTerminal bool
		wantSummary  string
		wantHint     time.Duration
	}{
		{"", 1, false, "2 tasks still Waiting, Running or Pause", 120 * time.Second},
		{"Running,Finished", 1, false, "1 task still Running", 600 * time.Second},
		{"Waiting", 1, true, "0 tasks still Waiting", 0},
		// No status of the filter can change any more: terminal without a request.
		{"Finished,Stop", 0, true, "the status filter lists no status a task can still leave", 0},
	}
	for _, tt := range tests {
		m := polarDBTasksModel{
			DBClusterID: types.StringValue("pc-poll"),
			StartTime:   types.StringValue("2020-11-30T00:00Z"),
			EndTime:     types.StringValue("2020-12-02T03:00Z"),
			Status:      types.StringValue(tt.status),
			commonModel: commonModel{WaitForCompletion: types.BoolValue(true)},
		}
		if tt.status == "" {
			m.Status = types.StringNull()
		}
		before := srv.Calls(emulator.APIPolarDBTasks)
		out, err := pollPolarDBTasks(context.Background(), client, newPolarDBTasksQuery(&m))
		if err != nil {
			t.Fatalf("status %q: %v", tt.status, err)
		}
		if got := srv.Calls(emulator.APIPolarDBTasks) - before; got != tt.wantCalls {
			t.Errorf("status %q: %d requests, want %d", tt.status, got, tt.wantCalls)
		}
		if out.terminal != tt.wantTerminal || out.summary != tt.wantSummary || out.hint != tt.wantHint {
			t.Errorf("status %q: got terminal=%v summary=%q hint=%s", tt.status, out.terminal, out.summary, out.hint)
		}
	}
}

func TestPolarDBTasksOutcome(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	task := func(status *string, code string) polarDBListedTask {
		lt := polarDBListedTask{status: status, task: alibaba.PolarDBTask{TaskID: s("t-1"), TaskAction: s("CreateDBCluster")}}
		if code != "" {
			lt.task.TaskErrorCode = s(code)
		}
		return lt
	}
	tests := []struct {
		name                string
		tasks               []polarDBListedTask
		terminal, succeeded bool
		failures            int
		status              string
	}{
		{"no tasks", nil, true, true, 0, "no tasks"},
		{"waiting", []polarDBListedTask{task(s("Waiting"), "null")}, false, false, 0, "1 Waiting"},
		{"running", []polarDBListedTask{task(s("Running"), "null")}, false, false, 0, "1 Running"},
		{"pause", []polarDBListedTask{task(s("Pause"), "null")}, false, false, 0, "1 Pause"},
		{"finished", []polarDBListedTask{task(s("Finished"), "null")}, true, true, 0, "1 Finished"},
		{"closed", []polarDBListedTask{task(s("Closed"), "")}, true, true, 0, "1 Closed"},
		{"stop without a code", []polarDBListedTask{task(s("Stop"), "null")}, true, false, 1, "1 Stop"},
		{"stop with a code", []polarDBListedTask{task(s("Stop"), "InternalError")}, true, false, 1, "1 Stop"},
		{"finished with an error code", []polarDBListedTask{task(s("Finished"), "InternalError")}, true, false, 1, "1 Finished"},
		{"error code blank", []polarDBListedTask{task(s("Finished"), " ")}, true, true, 0, "1 Finished"},
		{"running with an error code", []polarDBListedTask{task(s("Running"), "InternalError")}, false, false, 1, "1 Running"},
		{"mixed", []polarDBListedTask{task(s("Finished"), "null"), task(s("Running"), "null"), task(s("Finished"), "null")}, false, false, 0, "1 Running, 2 Finished"},
		{"status unknown", []polarDBListedTask{task(nil, "null"), task(s("Closed"), "null")}, false, false, 0, "1 Closed, 1 of unknown status"},
	}
	for _, tt := range tests {
		got := polarDBTasksOutcome(tt.tasks)
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded || len(got.failures) != tt.failures || got.status != tt.status {
			t.Errorf("%s: got terminal=%v succeeded=%v failures=%d status=%q", tt.name, got.terminal, got.succeeded, len(got.failures), got.status)
		}
	}
}

func TestPolarDBPollOutcome(t *testing.T) {
	t.Parallel()
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name     string
		page     alibaba.TasksPage
		terminal bool
		hint     time.Duration
	}{
		{"none left", alibaba.TasksPage{TotalRecordCount: n(0)}, true, 0},
		{"smallest remain", alibaba.TasksPage{TotalRecordCount: n(3), Tasks: []alibaba.PolarDBTask{{Remain: n(90)}, {}, {Remain: n(30)}}}, false, 30 * time.Second},
		{"remain zero means no hint", alibaba.TasksPage{TotalRecordCount: n(1), Tasks: []alibaba.PolarDBTask{{Remain: n(0)}}}, false, 0},
		{"no total counts the page", alibaba.TasksPage{Tasks: []alibaba.PolarDBTask{{}}}, false, 0},
		{"no total and no tasks", alibaba.TasksPage{}, true, 0},
	}
	for _, tt := range tests {
		got := polarDBPollOutcome(&tt.page, polarDBTaskActiveStatuses)
		if got.terminal != tt.terminal || got.hint != tt.hint {
			t.Errorf("%s: got terminal=%v hint=%s", tt.name, got.terminal, got.hint)
		}
	}
}

func TestParsePolarDBSteps(t *testing.T) {
	t.Parallel()
	step := func(name string, progress, remain int64) polarDBTaskStepModel {
		return polarDBTaskStepModel{Name: types.StringValue(name), Progress: types.Int64Value(progress), Remain: types.Int64Value(remain)}
	}
	tests := []struct {
		name  string
		input *string
		want  []polarDBTaskStepModel
	}{
		{"absent", nil, nil},
		{"seed, escaped once more", polarDBPtr(seedStepsInfo), []polarDBTaskStepModel{
			step("init_task", 100, 0), step("create_instance", 0, 1764), step("init_cluster", 0, 1), step("create_backup", 0, 2)}},
		{"plain JSON", polarDBPtr(`[{"name":"a","progress":50,"remain":10}]`), []polarDBTaskStepModel{step("a", 50, 10)}},
		{"a JSON string holding the list", polarDBPtr(`"[{\"name\":\"a\",\"progress\":1,\"remain\":2}]"`), []polarDBTaskStepModel{step("a", 1, 2)}},
		{"integral float and numeric string", polarDBPtr(`[{"name":"a","progress":100.0,"remain":"7"}]`), []polarDBTaskStepModel{step("a", 100, 7)}},
		{"missing fields", polarDBPtr(`[{"name":"a"}]`), []polarDBTaskStepModel{{Name: types.StringValue("a"), Progress: types.Int64Null(), Remain: types.Int64Null()}}},
		{"empty list", polarDBPtr(`[]`), []polarDBTaskStepModel{}},
		{"the string null", polarDBPtr("null"), nil},
		{"empty", polarDBPtr(""), nil},
		{"not JSON", polarDBPtr("init_task 1/4"), nil},
		{"an object", polarDBPtr(`{"name":"a"}`), nil},
		{"a fraction", polarDBPtr(`[{"name":"a","progress":33.3,"remain":1}]`), nil},
		{"a name that is a number", polarDBPtr(`[{"name":5,"progress":1,"remain":1}]`), nil},
	}
	for _, tt := range tests {
		got := parsePolarDBSteps(tt.input)
		if (got == nil) != (tt.want == nil) || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
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

func polarDBPtr(s string) *string { return &s }

func polarDBDeref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
