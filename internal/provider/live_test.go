package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Live tests read real tasks from the real clouds. Each runs only when TF_ACC, the cloud's
// credentials (the provider's usual environment variables) and the id of an existing task are
// set, so `make test` without an account skips them:
//
//	CLOUDTASK_LIVE_POLARDB_BATCH_ID     a PolarDB batch task (BatchId)
//	CLOUDTASK_LIVE_POLARDB_CLUSTER_ID   a PolarDB cluster whose tasks of the last day are listed
//	CLOUDTASK_LIVE_BDRC_TASK_ID         a BDRC task (TaskId); ALIBABA_CLOUD_REGION_ID selects its region
//	CLOUDTASK_LIVE_ALIDNS               any value: read the account's latest Alidns batch result
//	CLOUDTASK_LIVE_TENCENT_JOB_ID and CLOUDTASK_LIVE_TENCENT_TASK_NAME   a Tencent Batch task
//
// They only read; nothing is created in the account.

var liveRequestID = knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-Za-z-]{8,}$`))

// liveConfig returns the configuration, or skips when anything it needs is unset. It gives the
// test back the credentials TestMain removed, so live tests are not parallel.
func liveConfig(t *testing.T, credentialVar string, idVars []string, body func(ids []string) string) string {
	t.Helper()
	restoreAmbient(t)
	if os.Getenv(credentialVar) == "" {
		t.Skipf("live test: %s is not set", credentialVar)
	}
	ids := make([]string, len(idVars))
	for i, v := range idVars {
		if ids[i] = os.Getenv(v); ids[i] == "" {
			t.Skipf("live test: %s is not set", v)
		}
	}
	return `provider "cloudtask" {}` + "\n" + body(ids)
}

func liveTest(t *testing.T, config, address string) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("request_id"), liveRequestID),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("terminal"), knownvalue.NotNull()),
			},
		}},
	})
}

func TestAccLive_polarDBBatchTask(t *testing.T) {
	config := liveConfig(t, "ALIBABA_CLOUD_ACCESS_KEY_ID", []string{"CLOUDTASK_LIVE_POLARDB_BATCH_ID"}, func(ids []string) string {
		return fmt.Sprintf(`data "cloudtask_polardb_batch_task" "t" { batch_id = %q }`, ids[0])
	})
	liveTest(t, config, "data.cloudtask_polardb_batch_task.t")
}

func TestAccLive_polarDBTasks(t *testing.T) {
	config := liveConfig(t, "ALIBABA_CLOUD_ACCESS_KEY_ID", []string{"CLOUDTASK_LIVE_POLARDB_CLUSTER_ID"}, func(ids []string) string {
		return fmt.Sprintf(`
locals {
  now = timestamp()
}
data "cloudtask_polardb_tasks" "t" {
  db_cluster_id = %q
  start_time    = formatdate("YYYY-MM-DD'T'hh:mm'Z'", timeadd(local.now, "-24h"))
  end_time      = formatdate("YYYY-MM-DD'T'hh:mm'Z'", local.now)
  status        = "Waiting,Running,Finished,Closed,Pause,Stop"
}`, ids[0])
	})
	liveTest(t, config, "data.cloudtask_polardb_tasks.t")
}

func TestAccLive_bdrcTask(t *testing.T) {
	config := liveConfig(t, "ALIBABA_CLOUD_ACCESS_KEY_ID", []string{"CLOUDTASK_LIVE_BDRC_TASK_ID"}, func(ids []string) string {
		return fmt.Sprintf(`data "cloudtask_bdrc_task" "t" { task_id = %q }`, ids[0])
	})
	liveTest(t, config, "data.cloudtask_bdrc_task.t")
}

func TestAccLive_alidnsBatchResult(t *testing.T) {
	config := liveConfig(t, "ALIBABA_CLOUD_ACCESS_KEY_ID", []string{"CLOUDTASK_LIVE_ALIDNS"}, func([]string) string {
		return `data "cloudtask_alidns_batch_result" "t" {}`
	})
	liveTest(t, config, "data.cloudtask_alidns_batch_result.t")
}

func TestAccLive_tencentBatchTask(t *testing.T) {
	config := liveConfig(t, "TENCENTCLOUD_SECRET_ID", []string{"CLOUDTASK_LIVE_TENCENT_JOB_ID", "CLOUDTASK_LIVE_TENCENT_TASK_NAME"}, func(ids []string) string {
		return fmt.Sprintf(`data "cloudtask_tencent_batch_task" "t" {
  job_id    = %q
  task_name = %q
}`, ids[0], ids[1])
	})
	liveTest(t, config, "data.cloudtask_tencent_batch_task.t")
}
