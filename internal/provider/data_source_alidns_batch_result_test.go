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

// seedAlidnsResult is the documentation page's sample response (without RequestId).
const seedAlidnsResult = `{
  "Status": 0,
  "TotalCount": 4,
  "TaskId": 123456,
  "FailedCount": 2,
  "SuccessCount": 2,
  "BatchType": "DOMAIN_ADD",
  "Reason": "failed_reason"
}`

func alidnsBody(id int64, status, success, failed int, reason string) string {
	return fmt.Sprintf(`{"Status":%d,"TotalCount":%d,"TaskId":%d,"FailedCount":%d,"SuccessCount":%d,"BatchType":"RR_ADD","Reason":%q}`,
		status, success+failed, id, failed, success, reason)
}

func alidnsConfig(url, args string) string {
	return providerBlock(url) + `
data "cloudtask_alidns_batch_result" "t" {
` + args + `
}
`
}

const alidnsAddr = "data.cloudtask_alidns_batch_result.t"

func TestAccAlidnsBatchResult_seedSample(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 123456, Phases: []emulator.Phase{phase(0, seedAlidnsResult)}}},
	})
	num := func(attr string, want int64) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New(attr), knownvalue.Int64Exact(want))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), "task_id = 123456\n  lang = \"en\""),
			ConfigStateChecks: []statecheck.StateCheck{
				num("task_id", 123456),
				num("status", 0),
				num("total_count", 4),
				num("success_count", 2),
				num("failed_count", 2),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("batch_type"), knownvalue.StringExact("DOMAIN_ADD")),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("reason"), knownvalue.StringExact("failed_reason")),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("terminal"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccAlidnsBatchResult_latestTaskWaitsToSuccess(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlidnsTasks: []emulator.AlidnsTask{
			{TaskID: 100, Phases: []emulator.Phase{phase(0, alidnsBody(100, 1, 3, 0, ""))}},
			{TaskID: 200, Latest: true, Phases: []emulator.Phase{
				phase(2, alidnsBody(200, 0, 1, 0, "")),
				phase(0, alidnsBody(200, 1, 4, 0, "")),
			}},
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), `
  wait_for_completion = true
  fail_on_failure     = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				// Without task_id the latest task is read, and its id and type are stored as returned.
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("task_id"), knownvalue.Int64Exact(200)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("batch_type"), knownvalue.StringExact("RR_ADD")),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("success_count"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccAlidnsBatchResult_waitToFailure(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 300, Phases: []emulator.Phase{
			phase(1, alidnsBody(300, 0, 0, 0, "")),
			phase(0, alidnsBody(300, 2, 1, 2, "record conflict")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), `
  task_id             = 300
  wait_for_completion = true
  fail_on_failure     = true`),
			ExpectError: regexp.MustCompile(`(?s)Alidns Batch Result Failed.*"2\s+\(failed\)".*2\s+entries\s+failed:\s+"record\s+conflict"`),
		}},
	})
}

func TestAccAlidnsBatchResult_completedWithFailedEntriesIsNotSuccess(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 400, Phases: []emulator.Phase{phase(0, alidnsBody(400, 1, 3, 1, ""))}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), "task_id = 400\n  wait_for_completion = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
			},
		}},
	})
}

// Relies on an emulator guess (see the emulator package doc): with no task at all the latest-task read answers Status -1.
func TestAccAlidnsBatchResult_noTaskSubmitted(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), "wait_for_completion = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(-1)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("terminal"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(alidnsAddr, tfjsonpath.New("succeeded"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccAlidnsBatchResult_badInputRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	var steps []resource.TestStep
	for _, args := range []string{`lang = "fr"`, `batch_type = "RR_UPDATE"`, `task_id = 0`, `task_id = -5`, `poll_interval = "0s"`} {
		steps = append(steps, resource.TestStep{
			Config:      alidnsConfig(srv.URL(), args),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid Attribute Value|Invalid Duration`),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for invalid configurations, want 0", n)
	}
}

func TestAlidnsBatchResultOutcome(t *testing.T) {
	t.Parallel()
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name                string
		r                   alibaba.BatchResultCount
		terminal, succeeded bool
	}{
		{"no task", alibaba.BatchResultCount{Status: n(-1)}, true, false},
		{"processing", alibaba.BatchResultCount{Status: n(0)}, false, false},
		{"completed", alibaba.BatchResultCount{Status: n(1), FailedCount: n(0)}, true, true},
		{"completed without failed count", alibaba.BatchResultCount{Status: n(1)}, true, true},
		{"completed with failures", alibaba.BatchResultCount{Status: n(1), FailedCount: n(2)}, true, false},
		{"failed", alibaba.BatchResultCount{Status: n(2)}, true, false},
		{"unknown", alibaba.BatchResultCount{Status: n(7)}, false, false},
		{"null", alibaba.BatchResultCount{}, false, false},
	}
	for _, tt := range tests {
		got := alidnsBatchResultOutcome(&tt.r)
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded {
			t.Errorf("%s: terminal=%v succeeded=%v, want %v %v", tt.name, got.terminal, got.succeeded, tt.terminal, tt.succeeded)
		}
	}
}
