package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// seedBDRCTask is the documentation page's sample Data object.
const seedBDRCTask = `{
  "TaskId": "t-xxxxxxxx",
  "TaskName": "test5566",
  "TaskDescription": " empty",
  "TaskType": "UPDATE_RESOURCES",
  "TaskPriority": "HIGH",
  "RequestId": "784076D6-BD6D-5564-9CEA-834EB11F0C62",
  "TaskDetail": "{\"resourceTypes\":[\"ACS::ECS::Instance\",\"ACS::OSS::Bucket\",\"ACS::OTS::Instance\",\"ACS::NAS::FileSystem\"]}",
  "ExecutionId": " empty",
  "Progress": 100,
  "TaskStatus": "RUNNING",
  "ErrorMessage": "too many requests.",
  "StartTime": 1724983927,
  "CompleteTime": 1724983927,
  "ExpireTime": 1719026680
}`

func bdrcTaskBody(id, status string, progress int, errorMessage string) string {
	return fmt.Sprintf(`{"TaskId":%q,"TaskName":"sync","TaskType":"UPDATE_RESOURCES","TaskPriority":"LOW","TaskStatus":%q,
"Progress":%d,"ErrorMessage":%q,"StartTime":1724983927,"CompleteTime":null,"ExpireTime":1719026680}`, id, status, progress, errorMessage)
}

func bdrcConfig(url, args string) string {
	return providerBlock(url) + `
data "cloudtask_bdrc_task" "t" {
` + args + `
}
`
}

const bdrcAddr = "data.cloudtask_bdrc_task.t"

func TestAccBDRCTask_seedSample(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks: []emulator.BDRCTask{{TaskID: "t-xxxxxxxx", Phases: []emulator.Phase{phase(0, seedBDRCTask)}}},
	})
	str := func(attr, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New(attr), knownvalue.StringExact(want))
	}
	num := func(attr string, want int64) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New(attr), knownvalue.Int64Exact(want))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: bdrcConfig(srv.URL(), `task_id = "t-xxxxxxxx"`),
			ConfigStateChecks: []statecheck.StateCheck{
				str("task_id", "t-xxxxxxxx"),
				str("task_name", "test5566"),
				str("task_description", " empty"),
				str("task_type", "UPDATE_RESOURCES"),
				str("task_priority", "HIGH"),
				str("task_detail", `{"resourceTypes":["ACS::ECS::Instance","ACS::OSS::Bucket","ACS::OTS::Instance","ACS::NAS::FileSystem"]}`),
				str("execution_id", " empty"),
				num("progress", 100),
				str("task_status", "RUNNING"),
				str("error_message", "too many requests."),
				num("start_time", 1724983927),
				num("complete_time", 1724983927),
				num("expire_time", 1719026680),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("terminal"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-F-]{36}$`))),
			},
		}},
	})
	if n := srv.Calls(emulator.APIBDRCTask); n == 0 {
		t.Fatal("the emulator saw no BDRC request")
	}
}

func TestAccBDRCTask_waitUntilComplete(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks: []emulator.BDRCTask{{TaskID: "t-wait01", Phases: []emulator.Phase{
			phase(1, bdrcTaskBody("t-wait01", "CREATED", 0, "")),
			phase(1, bdrcTaskBody("t-wait01", "RUNNING", 4500, "")),
			phase(0, bdrcTaskBody("t-wait01", "COMPLETE", 10000, "")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: bdrcConfig(srv.URL(), `
  task_id             = "t-wait01"
  wait_for_completion = true
  fail_on_failure     = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("task_status"), knownvalue.StringExact("COMPLETE")),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("progress"), knownvalue.Int64Exact(10000)),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("complete_time"), knownvalue.Null()),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccBDRCTask_waitUntilFailed(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks: []emulator.BDRCTask{{TaskID: "t-fail01", Phases: []emulator.Phase{
			phase(1, bdrcTaskBody("t-fail01", "RUNNING", 1200, "")),
			phase(0, bdrcTaskBody("t-fail01", "FAILED", 1200, "too many requests.")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: bdrcConfig(srv.URL(), `
  task_id             = "t-fail01"
  wait_for_completion = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("error_message"), knownvalue.StringExact("too many requests.")),
				},
			},
			{
				Config: bdrcConfig(srv.URL(), `
  task_id             = "t-fail01"
  wait_for_completion = true
  fail_on_failure     = true`),
				ExpectError: regexp.MustCompile(`(?s)BDRC Task Failed.*ended\s+FAILED:\s+"too\s+many\s+requests."`),
			},
		},
	})
}

func TestAccBDRCTask_badIDRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	var steps []resource.TestStep
	for _, id := range []string{"../t-1", "t-1/../../admin", "t-1?x=1", "t 1", "..", "t-1#frag", "t-1%2F"} {
		steps = append(steps, resource.TestStep{
			Config:      bdrcConfig(srv.URL(), fmt.Sprintf("task_id = %q", id)),
			PlanOnly:    true,
			ExpectError: summary(summaryInvalidID),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for invalid ids, want 0", n)
	}
}

// Relies on an emulator guess (see the emulator package doc): an unknown BDRC task is 404 NotFound.Task.
func TestAccBDRCTask_notFound(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      bdrcConfig(srv.URL(), `task_id = "t-none"`),
			ExpectError: regexp.MustCompile(`(?s)Error Reading BDRC Task.*not\s+found.*NotFound.Task.*Request\s+ID:`),
		}},
	})
}

func TestBDRCTaskOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status              string
		terminal, succeeded bool
	}{
		{"CREATED", false, false},
		{"RUNNING", false, false},
		{"COMPLETE", true, true},
		{" COMPLETE ", true, true},
		{"FAILED", true, false},
		{"EXPIRED", true, false},
		{"CANCELED", true, false},
		{"SOMETHING_NEW", false, false},
	}
	for _, tt := range tests {
		status := tt.status
		progress := int64(4500)
		got := bdrcTaskOutcome(&alibaba.BDRCTask{TaskStatus: &status, Progress: &progress})
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded {
			t.Errorf("%q: terminal=%v succeeded=%v, want %v %v", tt.status, got.terminal, got.succeeded, tt.terminal, tt.succeeded)
		}
		if got.summary != "progress 45.00%" {
			t.Errorf("%q: summary %q", tt.status, got.summary)
		}
		if (len(got.failures) > 0) != (tt.terminal && !tt.succeeded) {
			t.Errorf("%q: failures %v", tt.status, got.failures)
		}
	}
}

// bdrcRegionConfig is providerBlock with another Alibaba region and, when withOverride is
// false, no BDRC endpoint override (PolarDB and Alidns still point at url).
func bdrcRegionConfig(t *testing.T, url, region string, withOverride bool) string {
	t.Helper()
	block := providerBlock(url)
	regionArg := regexp.MustCompile(`"cn-hangzhou"`)
	if len(regionArg.FindAllString(block, -1)) != 1 {
		t.Fatalf("providerBlock no longer sets the Alibaba region once:\n%s", block)
	}
	block = regionArg.ReplaceAllString(block, fmt.Sprintf("%q", region))
	if !withOverride {
		bdrcArg := regexp.MustCompile(`bdrc\s*=\s*"[^"]*",?`)
		if len(bdrcArg.FindAllString(block, -1)) != 1 {
			t.Fatalf("providerBlock no longer sets the BDRC endpoint once:\n%s", block)
		}
		block = bdrcArg.ReplaceAllString(block, "")
	}
	return block + `
data "cloudtask_bdrc_task" "t" {
  task_id = "t-region01"
}
`
}

// TestAccBDRCTask_regionWithoutBDRC: in a region where BDRC has no endpoint and no override
// is set, the read fails with a diagnostic naming the regions and the override. The summary
// only comes from the error the client returns before it sends anything (the alibaba
// package's TestBDRCReadOutsideItsRegions counts that no request leaves); a guessed host
// would instead end in a network error under "Error Reading BDRC Task".
func TestAccBDRCTask_regionWithoutBDRC(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks: []emulator.BDRCTask{{TaskID: "t-region01", Phases: []emulator.Phase{phase(0, bdrcTaskBody("t-region01", "COMPLETE", 10000, ""))}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: bdrcRegionConfig(t, srv.URL(), "cn-hangzhou", false),
				ExpectError: regexp.MustCompile(`(?s)` + summary(fmt.Sprintf(summaryNotInRegion, "BDRC")).String() +
					`.*cn-shanghai,\s+ap-southeast-1,\s+cn-shanghai-finance-1.*"cn-hangzhou".*alibaba.endpoints.bdrc`),
			},
			{
				// A region with BDRC, and the override pointing at the emulator.
				Config: bdrcRegionConfig(t, srv.URL(), "cn-shanghai", true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bdrcAddr, tfjsonpath.New("task_status"), knownvalue.StringExact("COMPLETE")),
				},
			},
		},
	})
	if n := srv.Calls(emulator.APIBDRCTask); n == 0 {
		t.Error("the read with the override never reached the emulator")
	}
}
