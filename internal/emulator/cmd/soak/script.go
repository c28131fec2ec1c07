package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// read is one scripted data source read and what it must end with.
type read struct {
	name, kind string // data source address parts: data.<kind>.<name>
	args       string // HCL arguments
	provider   string // "" or an alias
	wait       bool
	// For a succeeding read: the scripted final state.
	terminal, succeeded bool
	status              string
	// For a failing read: the diagnostic's summary and what its detail must name.
	summaries  []string
	mustDetail []string
}

func (r read) address() string { return "data." + r.kind + "." + r.name }

// Data source kinds, their nouns in diagnostics, and their status attribute expression.
var (
	kinds = []string{"cloudtask_polardb_batch_task", "cloudtask_polardb_tasks", "cloudtask_bdrc_task",
		"cloudtask_tencent_batch_task", "cloudtask_alidns_batch_result"}
	nouns = map[string]string{
		"cloudtask_polardb_batch_task": "PolarDB Batch Task", "cloudtask_polardb_tasks": "PolarDB Tasks",
		"cloudtask_bdrc_task": "BDRC Task", "cloudtask_tencent_batch_task": "Tencent Batch Task",
		"cloudtask_alidns_batch_result": "Alidns Batch Result",
	}
	kindAPI = map[string]string{
		"cloudtask_polardb_batch_task": emulator.APIPolarDBBatchTask, "cloudtask_polardb_tasks": emulator.APIPolarDBTasks,
		"cloudtask_bdrc_task": emulator.APIBDRCTask, "cloudtask_tencent_batch_task": emulator.APITencentTask,
		"cloudtask_alidns_batch_result": emulator.APIAlidnsBatchResult,
	}
	// Statuses the documentation does not list, met on the way by some waits.
	undocumented = map[string]string{
		"cloudtask_polardb_batch_task": "PAUSED_BY_OPERATOR", "cloudtask_bdrc_task": "SUSPENDED",
		"cloudtask_tencent_batch_task": "QUEUED_FOR_QUOTA", "cloudtask_alidns_batch_result": "3",
	}
)

// script builds one round: the scenario, the reads that must succeed, the reads that must fail,
// and the faults.
func (s settings) script(rnd *rand.Rand, round int) (*emulator.Scenario, []read, []read, []emulator.Fault) {
	sc := &emulator.Scenario{}
	// Single reads (no waiting) go to one API per round; a vanished task fails a single read at
	// once (not found), so vanish faults go only to the other APIs, where every read waits.
	singleKind := kinds[round%len(kinds)]
	var good []read
	for i := range s.reads {
		kind := kinds[i%len(kinds)]
		wait := kind != singleKind || rnd.IntN(2) == 0
		good = append(good, addTask(sc, rnd, kind, fmt.Sprintf("r%d_%d", round, i), wait, rnd.IntN(4) != 0))
	}
	bad := []read{
		failedTask(sc, rnd, kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_failed", round)),
		wrongSecret(sc, rnd, kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_secret", round)),
		unknownID(kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_unknown", round)),
	}
	var faults []emulator.Fault
	for range 4 + rnd.IntN(6) {
		kind := faultKinds[rnd.IntN(len(faultKinds))]
		api := apis[rnd.IntN(len(apis))]
		if kind == emulator.FaultVanish && api == kindAPI[singleKind] {
			kind = emulator.FaultDrop
		}
		f := emulator.Fault{API: api, Kind: kind, Skip: rnd.IntN(15), Times: 1 + rnd.IntN(2)}
		switch kind {
		case emulator.FaultSlow:
			f.Delay = fmt.Sprintf("%dms", 200+rnd.IntN(1800))
		case emulator.FaultServerError:
			if rnd.IntN(2) == 0 {
				f.HTTPStatus = 500
			}
		}
		faults = append(faults, f)
	}
	return sc, good, bad, faults
}

func raw(format string, args ...any) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(format, args...))
}

// taskBodies are a kind's answers for a running task, an undocumented status, and its end.
func taskBodies(kind, id string, undoc string, succeed bool) (running, odd, done json.RawMessage, final string) {
	switch kind {
	case "cloudtask_polardb_batch_task":
		body := func(status string, ok int, sub string) json.RawMessage {
			return raw(`{"BatchId":%q,"TaskName":"soak","TaskType":"install","Status":%q,"TotalCount":2,"SuccessCount":%d,"TaskBegin":"2026/05/28T16:38:20Z","TaskEnd":null,"SubTasks":[%s]}`,
				id, status, ok, sub)
		}
		if succeed {
			return body("RUNNING", 0, ""), body(undoc, 0, ""), body("COMPLETED", 2, ""), "COMPLETED"
		}
		return body("RUNNING", 0, ""), body(undoc, 0, ""),
			body("FAILED", 1, `{"TaskId":"s1","InstanceId":"i-1","Status":"FAILED","ErrorMsg":"disk full"}`), "FAILED"
	case "cloudtask_bdrc_task":
		body := func(status string, progress int) json.RawMessage {
			return raw(`{"TaskId":%q,"TaskName":"soak","TaskType":"CHECK_RULES","TaskStatus":%q,"Progress":%d,"StartTime":1724983927}`, id, status, progress)
		}
		final := "COMPLETE"
		if !succeed {
			final = "FAILED"
		}
		return body("RUNNING", 100), body(undoc, 200), body(final, 10000), final
	case "cloudtask_tencent_batch_task":
		body := func(state string) json.RawMessage {
			return raw(`{"JobId":%q,"TaskName":"A","TaskState":%q,"CreateTime":"2026-05-28T08:00:00Z","EndTime":null}`, id, state)
		}
		final := "SUCCEED"
		if !succeed {
			final = "FAILED"
		}
		return body("RUNNING"), body(undoc), body(final), final
	default: // alidns
		body := func(status string, ok, failed int) json.RawMessage {
			return raw(`{"Status":%s,"TotalCount":4,"TaskId":%s,"FailedCount":%d,"SuccessCount":%d,"BatchType":"RR_ADD","Reason":""}`, status, id, failed, ok)
		}
		if succeed {
			return body("0", 0, 0), body(undoc, 0, 0), body("1", 4, 0), "1"
		}
		return body("0", 0, 0), body(undoc, 0, 0), body("2", 2, 2), "2"
	}
}

// addTask scripts one task of kind in sc and returns the read of it.
func addTask(sc *emulator.Scenario, rnd *rand.Rand, kind, name string, wait, succeed bool) read {
	r := read{name: name, kind: kind, wait: wait, terminal: true, succeeded: succeed}
	runningCalls := 1 + rnd.IntN(3)
	undoc := undocumented[kind]
	if rnd.IntN(6) != 0 {
		undoc = ""
	}
	single := !wait
	if single {
		// A single read meets one state, which stays: running (not terminal) or the end.
		r.terminal = rnd.IntN(2) == 0
		r.succeeded = r.terminal && succeed
	}
	id := strings.ReplaceAll(name, "_", "-")
	switch kind {
	case "cloudtask_polardb_tasks":
		task := func(progress int) json.RawMessage {
			return raw(`{"TaskId":%q,"TaskAction":"CreateDBCluster","BeginTime":"2020-12-01T10:00:00Z","Progress":%d,"Remain":0,"StepsInfo":"[]","TaskErrorCode":"","TaskErrorMessage":""}`,
				id, progress)
		}
		final := "Finished"
		if !succeed {
			final = "Stop"
		}
		var phases []emulator.PolarDBTaskPhase
		switch {
		case single && !r.terminal:
			phases = []emulator.PolarDBTaskPhase{{Status: "Running", Task: task(40)}}
			final = "Running"
		case single:
			phases = []emulator.PolarDBTaskPhase{{Status: final, Task: task(100)}}
		default:
			phases = []emulator.PolarDBTaskPhase{{Calls: runningCalls, Status: "Running", Task: task(40)}, {Status: final, Task: task(100)}}
		}
		sc.PolarDBTasks = append(sc.PolarDBTasks, emulator.PolarDBTask{DBClusterID: "pc-" + id, Phases: phases})
		r.status = final
		r.args = fmt.Sprintf("db_cluster_id = %q\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T03:00Z\"", "pc-"+id)
		if single {
			r.args += fmt.Sprintf("\n  status = %q", final)
		}
	default:
		taskID := id
		switch kind {
		case "cloudtask_alidns_batch_result":
			taskID = strconv.Itoa(100000 + len(sc.AlidnsTasks))
		case "cloudtask_tencent_batch_task":
			// Job ids are job- and lower-case letters and digits.
			taskID = "job-" + strings.NewReplacer("-", "", "_", "").Replace(id)
		}
		running, odd, done, final := taskBodies(kind, taskID, undoc, succeed)
		type step struct {
			calls int
			body  json.RawMessage
		}
		var steps []step
		switch {
		case single && !r.terminal:
			steps = []step{{0, running}}
			final = map[string]string{"cloudtask_polardb_batch_task": "RUNNING", "cloudtask_bdrc_task": "RUNNING",
				"cloudtask_tencent_batch_task": "RUNNING", "cloudtask_alidns_batch_result": "0"}[kind]
		case single:
			steps = []step{{0, done}}
		default:
			steps = []step{{runningCalls, running}}
			if undoc != "" {
				steps = append(steps, step{1 + rnd.IntN(2), odd})
			}
			steps = append(steps, step{0, done})
		}
		r.status = final
		switch kind {
		case "cloudtask_polardb_batch_task":
			t := emulator.BatchTask{BatchID: taskID}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.PolarDBBatchTasks = append(sc.PolarDBBatchTasks, t)
			r.args = fmt.Sprintf("batch_id = %q", taskID)
		case "cloudtask_bdrc_task":
			t := emulator.BDRCTask{TaskID: taskID}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.BDRCTasks = append(sc.BDRCTasks, t)
			r.args = fmt.Sprintf("task_id = %q", taskID)
		case "cloudtask_tencent_batch_task":
			t := emulator.TencentTask{JobID: taskID, TaskName: "A"}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.TencentPhase{Calls: st.calls, Response: st.body})
			}
			sc.TencentTasks = append(sc.TencentTasks, t)
			r.args = fmt.Sprintf("job_id = %q\n  task_name = \"A\"", taskID)
		default:
			n, _ := strconv.ParseInt(taskID, 10, 64)
			t := emulator.AlidnsTask{TaskID: n}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.AlidnsTasks = append(sc.AlidnsTasks, t)
			r.args = fmt.Sprintf("task_id = %s", taskID)
		}
	}
	if wait {
		r.args += "\n  wait_for_completion = true\n  poll_interval = \"1s\""
	}
	r.args += "\n  timeouts {\n    read = \"2m\"\n  }"
	return r
}

// failedTask is a wait on a task that fails, with fail_on_failure: the read must fail with
// "<noun> Failed".
func failedTask(sc *emulator.Scenario, rnd *rand.Rand, kind, name string) read {
	r := addTask(sc, rnd, kind, name, true, false)
	r.args += "\n  fail_on_failure = true"
	r.summaries = []string{nouns[kind] + " Failed"}
	return r
}

// wrongSecret reads a task through a provider whose secrets are wrong: one request, refused.
func wrongSecret(sc *emulator.Scenario, rnd *rand.Rand, kind, name string) read {
	r := addTask(sc, rnd, kind, name, true, true)
	r.provider = "cloudtask.wrong"
	r.summaries = []string{"Error Reading " + nouns[kind]}
	r.mustDetail = []string{"Error code: ", "Request ID: "}
	return r
}

// unknownID reads, once, a task nobody scripted: the API's not-found answer.
func unknownID(kind, name string) read {
	r := read{name: name, kind: kind}
	switch kind {
	case "cloudtask_polardb_batch_task":
		r.args = `batch_id = "pcb-nobody"`
	case "cloudtask_polardb_tasks":
		r.args = "db_cluster_id = \"pc-nobody\"\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T03:00Z\""
	case "cloudtask_bdrc_task":
		r.args = `task_id = "t-nobody"`
	case "cloudtask_tencent_batch_task":
		r.args = "job_id = \"job-nobody\"\n  task_name = \"A\""
	default:
		r.args = "task_id = 999999"
	}
	r.summaries = []string{"Error Reading " + nouns[kind], nouns[kind] + " Not Found"}
	r.mustDetail = []string{"Error code: ", "Request ID: "}
	return r
}

// config is the HCL of a set of reads, with an output per read of what the check compares.
func config(url string, reads []read) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    cloudtask = { source = "cloudtask/cloudtask" }
  }
}
`)
	for _, alias := range []string{"", "wrong"} {
		aliSecret, tcSecret := emulator.AlibabaAccessKeySecret, emulator.TencentSecretKey
		aliasLine := ""
		if alias != "" {
			aliSecret, tcSecret, aliasLine = "not-the-secret", "not-the-secret", fmt.Sprintf("alias = %q\n  ", alias)
		}
		fmt.Fprintf(&b, `
provider "cloudtask" {
  %salibaba {
    access_key = %q
    secret_key = %q
    endpoints {
      polardb = %q
      bdrc    = %[4]q
      alidns  = %[4]q
    }
  }
  tencent {
    secret_id  = %q
    secret_key = %q
    endpoints { batch = %[4]q }
  }
}
`, aliasLine, emulator.AlibabaAccessKeyID, aliSecret, url, emulator.TencentSecretID, tcSecret)
	}
	for _, r := range reads {
		providerLine := ""
		if r.provider != "" {
			providerLine = "provider = " + r.provider + "\n  "
		}
		fmt.Fprintf(&b, "\ndata %q %q {\n  %s%s\n}\n", r.kind, r.name, providerLine, r.args)
		status := r.address() + ".status"
		switch r.kind {
		case "cloudtask_polardb_tasks":
			status = "length(" + r.address() + ".tasks) > 0 ? " + r.address() + ".tasks[0].status : \"none\""
		case "cloudtask_bdrc_task":
			status = r.address() + ".task_status"
		case "cloudtask_tencent_batch_task":
			status = r.address() + ".task_state"
		}
		fmt.Fprintf(&b, "output %q {\n  value = { terminal = %s.terminal, succeeded = %[2]s.succeeded, status = tostring(%s) }\n}\n",
			r.name, r.address(), status)
	}
	return b.String()
}

// applyResult is what one terraform apply left: outputs, diagnostics by address, process stats.
