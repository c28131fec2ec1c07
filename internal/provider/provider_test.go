package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// testTuning keeps retries and the not-found grace short so error paths run in seconds.
var testTuning = tuning{
	backoff:       &wait.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2, Jitter: 0.2},
	notFoundGrace: 2 * time.Second,
}

// protoV6Factories serves the provider in-process to the real terraform CLI.
func protoV6Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cloudtask": providerserver.NewProtocol6WithError(&cloudtaskProvider{version: "test", tuning: testTuning}),
	}
}

// providerBlock configures both clouds against the emulator with its default credentials.
func providerBlock(url string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    access_key = %[2]q
    secret_key = %[3]q
    region     = "cn-hangzhou"
    endpoints {
      polardb = %[1]q
      bdrc    = %[1]q
      alidns  = %[1]q
    }
  }
  tencent {
    secret_id  = %[4]q
    secret_key = %[5]q
    region     = "ap-shanghai"
    endpoints { batch = %[1]q }
  }
}
`, url, emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret, emulator.TencentSecretID, emulator.TencentSecretKey)
}

// summary matches a diagnostic summary however Terraform wraps the error text.
func summary(s string) *regexp.Regexp {
	words := strings.Fields(regexp.QuoteMeta(s))
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// phase builds an emulator lifecycle phase from a JSON body.
func phase(calls int, body string) emulator.Phase {
	return emulator.Phase{Calls: calls, Response: []byte(body)}
}

func TestProviderSchemaValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := New("test")()
	for _, newDataSource := range p.DataSources(ctx) {
		ds := newDataSource()
		meta := &datasource.MetadataResponse{}
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "cloudtask"}, meta)
		resp := &datasource.SchemaResponse{}
		ds.Schema(ctx, datasource.SchemaRequest{}, resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s schema: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%s schema invalid: %v", meta.TypeName, diags)
		}
		for name, attr := range resp.Schema.Attributes {
			if attr.GetMarkdownDescription() == "" {
				t.Errorf("%s.%s has no description", meta.TypeName, name)
			}
		}
	}
}

// alidnsReachableScenario has an Alidns task the configurations below would read if nothing
// stopped them, so a zero-call assertion on it means the error came before any request.
func alidnsReachableScenario() *emulator.Scenario {
	return &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{{TaskID: 7, Phases: []emulator.Phase{
		phase(0, `{"Status":1,"TotalCount":1,"SuccessCount":1,"FailedCount":0,"BatchType":"RR_ADD","TaskId":7}`)}}}}
}

// alidnsProvider is a provider block whose Alidns endpoint is the emulator, with extra lines in
// the alibaba block (and in its endpoints block).
func alidnsProvider(url, alibabaExtra, endpointsExtra string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    access_key = %[2]q
    secret_key = %[3]q
    %[4]s
    endpoints {
      alidns = %[1]q
      %[5]s
    }
  }
}
`, url, emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret, alibabaExtra, endpointsExtra)
}

// TestAccProviderEndpointRejectedAtPlan shows a malformed endpoint override fails at plan time,
// before the read that would otherwise reach the emulator.
func TestAccProviderEndpointRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, alidnsReachableScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsProvider(srv.URL(), "", `polardb = "https://polardb.aliyuncs.com/some/path"`) + `
data "cloudtask_alidns_batch_result" "t" {
  task_id = 7
}
`,
			ExpectError: summary(summaryInvalidEndpoint),
		}},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests, want 0", n)
	}
}

// TestAccProviderTyposRejected shows that a misspelled key in a nested setting is an error at
// validate, not silently dropped as Terraform does inside an object value: a dropped endpoint
// override would send requests, with real credentials, to the public endpoint.
func TestAccProviderTyposRejected(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, alidnsReachableScenario())
	read := `
data "cloudtask_alidns_batch_result" "t" {
  task_id = 7
  %s
}
`
	cases := map[string]string{
		"provider argument": alidnsProvider(srv.URL(), `regoin = "cn-x"`, "") + fmt.Sprintf(read, ""),
		"endpoint":          alidnsProvider(srv.URL(), "", `polar_db = "http://gateway"`) + fmt.Sprintf(read, ""),
		"timeouts":          alidnsProvider(srv.URL(), "", "") + fmt.Sprintf(read, `timeouts { raed = "1m" }`),
		"tencent endpoint": fmt.Sprintf(`
provider "cloudtask" {
  tencent {
    secret_id  = %q
    secret_key = %q
    endpoints {
      batch = %q
      bacth = "http://gateway"
    }
  }
}
data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-1"
  task_name = "A"
}
`, emulator.TencentSecretID, emulator.TencentSecretKey, srv.URL()),
	}
	for name, config := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`Unsupported argument`),
				}},
			})
		})
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests for configurations with typos, want 0", n)
	}
	// Control: the same configuration without a typo reads the task, so the emulator was reachable.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsProvider(srv.URL(), "", "") + fmt.Sprintf(read, `timeouts { read = "1m" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudtask_alidns_batch_result.t", tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
			},
		}},
	})
	if n := srv.Calls(emulator.APIAlidnsBatchResult); n == 0 {
		t.Fatal("the control read sent no DescribeBatchResultCount request")
	}
}

// TestAccProviderProfileCredentials reads the access key from an aliyun CLI profile, and shows
// an unusable profile reported as a client set-up error. Not parallel: it sets HOME.
func TestAccProviderProfileCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-prof", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-prof", "COMPLETED", 1, 1, "")),
		}}},
	})
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"} {
		t.Setenv(v, "")
	}
	if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	profiles := fmt.Sprintf(`{"current":"emulator","profiles":[
  {"name":"emulator","mode":"AK","access_key_id":%q,"access_key_secret":%q,"region_id":"cn-hangzhou"},
  {"name":"odd","mode":"Telepathy","access_key_id":"x","access_key_secret":"y"}
]}`, emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret)
	if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(profile string) string {
		return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    profile   = %q
    endpoints { polardb = %q }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-prof"
}
`, profile, srv.URL())
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: config("emulator"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
				},
			},
			{
				// credentials-go knows every aliyun CLI mode; one it does not know is an error.
				Config:      config("odd"),
				ExpectError: regexp.MustCompile(`(?s)Unable to Configure Alibaba Cloud Client.*unsupported\s+profile\s+mode\s+'Telepathy'`),
			},
		},
	})
}

// TestAccProviderOnlyTheReadCloudNeedsCredentials reads a Tencent task with no Alibaba
// credentials anywhere: credentials are resolved per cloud, on its first read. Not parallel.
func TestAccProviderOnlyTheReadCloudNeedsCredentials(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{{JobID: "job-only01", TaskName: "A", Phases: []emulator.TencentPhase{{
			Response: []byte(`{"JobId":"job-only01","TaskName":"A","TaskState":"SUCCEED","CreateTime":"2026-05-28T09:29:09Z","EndTime":null}`),
		}}}},
	})
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"} {
		t.Setenv(v, "")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "cloudtask" {
  tencent {
    secret_id  = %q
    secret_key = %q
    endpoints { batch = %q }
  }
}
data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-only01"
  task_name = "A"
}
`, emulator.TencentSecretID, emulator.TencentSecretKey, srv.URL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudtask_tencent_batch_task.t", tfjsonpath.New("task_state"), knownvalue.StringExact("SUCCEED")),
			},
		}},
	})
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[time.Duration]string{
		40 * time.Minute:               "40m",
		2 * time.Hour:                  "2h",
		90 * time.Minute:               "1h30m",
		3 * time.Second:                "3s",
		20*time.Minute + 5*time.Second: "20m5s",
		1500 * time.Millisecond:        "1.5s",
	} {
		if got := shortDuration(in); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", in, got, want)
		}
	}
}
