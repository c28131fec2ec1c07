package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// assumeRoleConfig reads batchID through a role assumed with the emulator's default keys as
// the base credentials; STS is the emulator's TLS listener.
func assumeRoleConfig(srv *emulator.Server, batchID, extra string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    access_key = %[3]q
    secret_key = %[4]q
    assume_role {
      role_arn     = "acs:ram::1234:role/reader"
      session_name = "acc-test"
    }
    endpoints {
      polardb = %[1]q
      sts     = %[2]q
    }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = %[5]q
%[6]s
}
`, srv.URL(), srv.TLSHost(), emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret, batchID, extra)
}

// checkSignedWithIssued fails unless every PolarDB request was signed with a temporary key the
// emulator issued, carrying that key's own token, and returns how many distinct keys signed.
func checkSignedWithIssued(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	issued := map[string]string{}
	for _, c := range srv.IssuedAlibabaCredentials() {
		if c.RoleArn != "acs:ram::1234:role/reader" || c.RoleSessionName != "acc-test" {
			t.Errorf("issued for %s/%s", c.RoleArn, c.RoleSessionName)
		}
		issued[c.AccessKeyID] = c.SecurityToken
	}
	keys := map[string]bool{}
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeBatchTask request reached the emulator")
	}
	for i, r := range reqs {
		token, ok := issued[r.AccessKeyID]
		if !ok || r.SecurityToken != token {
			t.Errorf("request %d signed with key %q and a token that is not its issued one", i, r.AccessKeyID)
		}
		keys[r.AccessKeyID] = true
	}
	return len(keys)
}

// TestAccAlibabaAssumeRole reads a PolarDB batch task through an assumed role.
func TestAccAlibabaAssumeRole(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-role", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-role", "COMPLETED", 1, 1, "")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: assumeRoleConfig(srv, "pcb-role", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
			},
		}},
	})
	checkSignedWithIssued(t, srv)
	for _, r := range srv.Requests(emulator.APIAlibabaSTS) {
		if r.AccessKeyID != emulator.AlibabaAccessKeyID || r.SecurityToken != "" {
			t.Errorf("AssumeRole signed with %q (token %t), want the base key", r.AccessKeyID, r.SecurityToken != "")
		}
	}
}

// TestAccAlibabaAssumeRoleOutlivesCredentials waits on a task through a role whose temporary
// credentials live two seconds, far shorter than the wait: the credentials are refreshed and
// no request is refused with an expired token.
func TestAccAlibabaAssumeRoleOutlivesCredentials(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlibabaSTSLifetime: "2s",
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-long", Phases: []emulator.Phase{
			phase(4, batchTaskBody("pcb-long", "RUNNING", 0, 1, "")),
			phase(0, batchTaskBody("pcb-long", "COMPLETED", 1, 1, "")),
		}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: assumeRoleConfig(srv, "pcb-long", `  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
			},
		}},
	})
	if n := checkSignedWithIssued(t, srv); n < 2 {
		t.Errorf("%d temporary keys signed the wait's requests, want a refresh", n)
	}
	first := srv.IssuedAlibabaCredentials()[0]
	outlived := false
	for _, r := range srv.Requests(emulator.APIPolarDBBatchTask) {
		if r.At.After(first.Expiration) {
			outlived = true
		}
	}
	if !outlived {
		t.Error("no request came after the first temporary credentials expired: the test proves nothing")
	}
	for _, code := range []string{"InvalidSecurityToken.Expired", "InvalidSecurityToken.Mismatch", "MissingSecurityToken"} {
		if n := srv.Answered(emulator.APIPolarDBBatchTask, code); n != 0 {
			t.Errorf("%d requests refused with %s", n, code)
		}
	}
}
