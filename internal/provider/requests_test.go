package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// TestAccAlidnsBatchResult_pinsTheFirstTaskFound waits on the latest task without a task_id.
// Once the first poll has found task 7, a newer task 8 (already failed) becomes the latest: the
// wait must keep following task 7, asking for it by id, and store task 7's success.
func TestAccAlidnsBatchResult_pinsTheFirstTaskFound(t *testing.T) {
	t.Parallel()
	first := emulator.AlidnsTask{TaskID: 7, Latest: true, Phases: []emulator.Phase{
		phase(2, alidnsBody(7, 0, 1, 0, "")),
		phase(0, alidnsBody(7, 1, 3, 0, "")),
	}}
	srv := emulator.NewTestServer(t, &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{first}})
	newer := first
	newer.Latest = false
	swapped := make(chan struct{})
	// Ends the watcher when the test ends without a first answer (skipped without TF_ACC).
	ended := make(chan struct{})
	t.Cleanup(func() { close(ended) })
	go func() {
		defer close(swapped)
		// After the first answer, and long before the next poll (a second later), a newer task
		// becomes the latest one.
		for srv.Answered(emulator.APIAlidnsBatchResult, "") == 0 {
			select {
			case <-ended:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		srv.SetScenario(&emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{
			newer,
			{TaskID: 8, Latest: true, Phases: []emulator.Phase{phase(0, alidnsBody(8, 2, 0, 5, "newer task failed"))}},
		}})
	}()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), `
  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("task_id"), knownvalue.Int64Exact(7)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
	<-swapped
	// Terraform reads the data source again after the apply (those reads find task 8); the
	// wait is the first read: its requests run up to the next one without a TaskId.
	reqs := srv.Requests(emulator.APIAlidnsBatchResult)
	if len(reqs) == 0 {
		t.Fatal("no request reached the emulator")
	}
	if id, ok := reqs[0].Params["TaskId"]; ok {
		t.Fatalf("the first poll asked for TaskId %q, want the latest task", id)
	}
	wait := reqs[1:]
	for i, r := range wait {
		if _, ok := r.Params["TaskId"]; !ok {
			wait = wait[:i]
			break
		}
	}
	// Task 7 answers Processing twice, so the wait polled it at least twice more after the swap.
	if len(wait) < 2 {
		t.Fatalf("the wait sent %d requests after the first poll, want at least 2", len(wait))
	}
	for i, r := range wait {
		if r.Params["TaskId"] != "7" {
			t.Errorf("poll %d: TaskId %q, want 7, the task the first poll found", i+2, r.Params["TaskId"])
		}
	}
}

// TestAccAlidnsBatchResult_langAndRegionReachTheRequest checks that lang is sent as Lang, and
// that every request names the configured region as RegionId, on every poll of a wait.
func TestAccAlidnsBatchResult_langAndRegionReachTheRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{{TaskID: 9, Phases: []emulator.Phase{
		phase(1, alidnsBody(9, 0, 1, 0, "")),
		phase(0, alidnsBody(9, 1, 2, 0, "")),
	}}}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), `
  task_id             = 9
  lang                = "en"
  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
	reqs := srv.Requests(emulator.APIAlidnsBatchResult)
	if len(reqs) < 2 {
		t.Fatalf("%d requests, want at least two polls", len(reqs))
	}
	for i, r := range reqs {
		if r.Params["Lang"] != "en" || r.Params["TaskId"] != "9" || r.Region != "cn-hangzhou" {
			t.Errorf("request %d: Lang %q, TaskId %q, RegionId %q; want en, 9, cn-hangzhou", i+1, r.Params["Lang"], r.Params["TaskId"], r.Region)
		}
	}
}

// TestAccPolarDB_regionOnEveryRequest checks that both PolarDB APIs name the configured region
// as RegionId on every request: polls, pages and status counts alike.
func TestAccPolarDB_regionOnEveryRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-region", Phases: []emulator.Phase{
			phase(1, batchTaskBody("pcb-region", "RUNNING", 0, 1, "")),
			phase(0, batchTaskBody("pcb-region", "COMPLETED", 1, 1, "")),
		}}},
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-region", Phases: []emulator.PolarDBTaskPhase{
			polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-region", 100, 0, "null", "null")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv.URL()) + `
data "cloudtask_polardb_batch_task" "t" {
  batch_id            = "pcb-region"
  wait_for_completion = true
  poll_interval       = "1s"
}
data "cloudtask_polardb_tasks" "t" {` + polarDBTasksWindow + `
  db_cluster_id       = "pc-region"
  wait_for_completion = true
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
				statecheck.ExpectKnownValue(polarDBTasksAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
			},
		}},
	})
	for _, api := range []string{emulator.APIPolarDBBatchTask, emulator.APIPolarDBTasks} {
		reqs := srv.Requests(api)
		if len(reqs) == 0 {
			t.Errorf("%s: no request", api)
		}
		for i, r := range reqs {
			if r.Region != "cn-hangzhou" {
				t.Errorf("%s request %d: RegionId %q, want cn-hangzhou", api, i+1, r.Region)
			}
		}
	}
}
