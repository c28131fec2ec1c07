package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
  alibaba = {
    access_key = %[2]q
    secret_key = %[3]q
    region     = "cn-hangzhou"
    endpoints  = { polardb = %[1]q, bdrc = %[1]q, alidns = %[1]q }
  }
  tencent = {
    secret_id  = %[4]q
    secret_key = %[5]q
    region     = "ap-shanghai"
    endpoints  = { batch = %[1]q }
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

// TestAccProviderEndpointRejectedAtPlan shows a malformed endpoint override fails at plan time.
func TestAccProviderEndpointRejectedAtPlan(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: `
provider "cloudtask" {
  alibaba = { endpoints = { polardb = "https://polardb.aliyuncs.com/some/path" } }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-1"
}
`,
			ExpectError: summary(summaryInvalidEndpoint),
		}},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("emulator received %d requests, want 0", n)
	}
}
