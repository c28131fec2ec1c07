package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

const (
	oidcProviderArn = "acs:ram::1234:oidc-provider/ci"
	oidcRoleArn     = "acs:ram::1234:role/ci-reader"
)

// oidcScenario trusts oidcProviderArn for oidcRoleArn with tokens, written to a token file
// it returns; rotate makes the identity provider issue the next token after each exchange.
func oidcScenario(t *testing.T, lifetime string, rotate bool, tokens []string, phases ...emulator.Phase) (*emulator.Server, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	o := &emulator.AlibabaOIDC{ProviderArn: oidcProviderArn, RoleArn: oidcRoleArn, Tokens: tokens, TokenFile: file}
	if rotate {
		o.ExchangesPerToken = 1
	}
	if len(phases) == 0 {
		phases = []emulator.Phase{phase(0, batchTaskBody("pcb-oidc", "COMPLETED", 1, 1, ""))}
	}
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlibabaOIDC:        o,
		AlibabaSTSLifetime: lifetime,
		PolarDBBatchTasks:  []emulator.BatchTask{{BatchID: "pcb-oidc", Phases: phases}},
	})
	return srv, file
}

// oidcConfig reads pcb-oidc with alibaba settings (HCL inside the alibaba block) and the
// emulator's endpoints; data holds extra data source arguments.
func oidcConfig(srv *emulator.Server, alibaba, data string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
%[3]s
    endpoints {
      polardb = %[1]q
      sts     = %[2]q
    }
  }
}
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-oidc"
%[4]s
}
`, srv.URL(), srv.TLSHost(), alibaba, data)
}

// oidcBlock is an assume_role_with_oidc block with the scenario's ARNs and the given token
// setting.
func oidcBlock(token string) string {
	return fmt.Sprintf(`    assume_role_with_oidc {
      oidc_provider_arn = %q
      role_arn          = %q
      %s
    }`, oidcProviderArn, oidcRoleArn, token)
}

var completed = []statecheck.StateCheck{
	statecheck.ExpectKnownValue(batchTaskAddr, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETED")),
}

// checkSignedWithOIDC fails unless every PolarDB request was signed with a key that
// AssumeRoleWithOIDC issued, with its token, and returns how many distinct keys signed.
func checkSignedWithOIDC(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	issued := map[string]string{}
	for _, c := range srv.IssuedAlibabaCredentials() {
		if c.API == emulator.APIAlibabaSTSOIDC {
			issued[c.AccessKeyID] = c.SecurityToken
		}
	}
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeBatchTask request reached the emulator")
	}
	keys := map[string]bool{}
	for i, r := range reqs {
		if tok, ok := issued[r.AccessKeyID]; !ok || tok != r.SecurityToken {
			t.Errorf("request %d signed with key %q, not an OIDC-issued key with its token", i, r.AccessKeyID)
		}
		keys[r.AccessKeyID] = true
	}
	return len(keys)
}

// oidcTokensSent lists the OIDC tokens of the AssumeRoleWithOIDC calls, in order.
func oidcTokensSent(srv *emulator.Server) []string {
	var sent []string
	for _, r := range srv.Requests(emulator.APIAlibabaSTSOIDC) {
		sent = append(sent, r.Params["OIDCToken"])
	}
	return sent
}

// TestAccAlibabaOIDCTokenFile reads with credentials exchanged for the token file's token;
// the exchange is anonymous.
func TestAccAlibabaOIDCTokenFile(t *testing.T) {
	t.Parallel()
	srv, file := oidcScenario(t, "", false, []string{"jwt-file"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:            oidcConfig(srv, oidcBlock(fmt.Sprintf("oidc_token_file = %q\n      session_name = \"acc-oidc\"", file)), ""),
			ConfigStateChecks: completed,
		}},
	})
	checkSignedWithOIDC(t, srv)
	for _, r := range srv.Requests(emulator.APIAlibabaSTSOIDC) {
		if r.AccessKeyID != "" || r.Params["OIDCToken"] != "jwt-file" || r.Params["RoleSessionName"] != "acc-oidc" {
			t.Errorf("AssumeRoleWithOIDC sent %+v", r)
		}
	}
}

// TestAccAlibabaOIDCInlineToken exchanges an inline token, and assumes a second role on top
// of the OIDC credentials with assume_role.
func TestAccAlibabaOIDCInlineToken(t *testing.T) {
	t.Parallel()
	srv, _ := oidcScenario(t, "", false, []string{"jwt-inline"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config:            oidcConfig(srv, oidcBlock(`oidc_token = "jwt-inline"`), ""),
				ConfigStateChecks: completed,
			},
		},
	})
	checkSignedWithOIDC(t, srv)

	chained, _ := oidcScenario(t, "", false, []string{"jwt-inline"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: oidcConfig(chained, oidcBlock(`oidc_token = "jwt-inline"`)+`
    assume_role {
      role_arn = "acs:ram::1234:role/reader"
    }`, ""),
			ConfigStateChecks: completed,
		}},
	})
	byKey := map[string]emulator.IssuedCredential{}
	for _, c := range chained.IssuedAlibabaCredentials() {
		byKey[c.AccessKeyID] = c
	}
	for _, r := range chained.Requests(emulator.APIAlibabaSTS) {
		if c, ok := byKey[r.AccessKeyID]; !ok || c.API != emulator.APIAlibabaSTSOIDC || c.SecurityToken != r.SecurityToken {
			t.Errorf("AssumeRole signed with %q, want an OIDC-issued key with its token", r.AccessKeyID)
		}
	}
	for _, r := range chained.Requests(emulator.APIPolarDBBatchTask) {
		if c, ok := byKey[r.AccessKeyID]; !ok || c.API != emulator.APIAlibabaSTS || c.RoleArn != "acs:ram::1234:role/reader" {
			t.Errorf("DescribeBatchTask signed with %q, want the chained role's key", r.AccessKeyID)
		}
	}
}

// TestAccAlibabaOIDCEnvironment configures OIDC with the environment alone. Not parallel:
// it sets variables.
func TestAccAlibabaOIDCEnvironment(t *testing.T) {
	srv, file := oidcScenario(t, "", false, []string{"jwt-env"})
	t.Setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", file)
	t.Setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", oidcProviderArn)
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", oidcRoleArn)
	t.Setenv("ALIBABA_CLOUD_ROLE_SESSION_NAME", "env-session")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps:                    []resource.TestStep{{Config: oidcConfig(srv, "", ""), ConfigStateChecks: completed}},
	})
	checkSignedWithOIDC(t, srv)
	for _, c := range srv.IssuedAlibabaCredentials() {
		if c.RoleSessionName != "env-session" {
			t.Errorf("session %q, want the variable's", c.RoleSessionName)
		}
	}
}

// TestAccAlibabaOIDCPrecedence: the block (an argument) comes before key variables, and its
// role_arn before ALIBABA_CLOUD_ROLE_ARN; without the block, key variables come before the
// OIDC ones. Not parallel: it sets variables.
func TestAccAlibabaOIDCPrecedence(t *testing.T) {
	srv, file := oidcScenario(t, "", false, []string{"jwt-prec"})
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "AK_FROM_ENV")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SK_FROM_ENV")
	t.Setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", file)
	t.Setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", oidcProviderArn)
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1234:role/not-this-one")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: oidcConfig(srv, fmt.Sprintf(`    assume_role_with_oidc {
      role_arn = %q
    }`, oidcRoleArn), ""),
				ConfigStateChecks: completed,
			},
			{
				Config:      oidcConfig(srv, "", ""),
				ExpectError: regexp.MustCompile(`(?s)Error Reading PolarDB Batch Task.*InvalidAccessKeyId\.NotFound`),
			},
		},
	})
	for _, r := range srv.Requests(emulator.APIAlibabaSTSOIDC) {
		if r.Params["RoleArn"] != oidcRoleArn {
			t.Errorf("AssumeRoleWithOIDC for %q, want the argument's role", r.Params["RoleArn"])
		}
	}
	if srv.Answered(emulator.APIPolarDBBatchTask, "InvalidAccessKeyId.NotFound") == 0 {
		t.Error("the step without the block did not sign with the key variables")
	}
}

// TestAccAlibabaOIDCOutlivesCredentials waits on a task while the OIDC credentials live two
// seconds and the identity provider rotates the token after every exchange: the provider
// exchanges again before expiry, reading the rotated token from the file each time.
func TestAccAlibabaOIDCOutlivesCredentials(t *testing.T) {
	t.Parallel()
	tokens := make([]string, 12)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("jwt-%02d", i+1)
	}
	srv, file := oidcScenario(t, "2s", true, tokens,
		phase(4, batchTaskBody("pcb-oidc", "RUNNING", 0, 1, "")),
		phase(0, batchTaskBody("pcb-oidc", "COMPLETED", 1, 1, "")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: oidcConfig(srv, oidcBlock(fmt.Sprintf("oidc_token_file = %q", file)), `  wait_for_completion = true
  poll_interval       = "1s"`),
			ConfigStateChecks: completed,
		}},
	})
	if n := checkSignedWithOIDC(t, srv); n < 2 {
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
	if sent := oidcTokensSent(srv); len(sent) < 3 || sent[0] != "jwt-01" || sent[1] != "jwt-02" || sent[2] != "jwt-03" {
		t.Errorf("tokens exchanged %v, want the file's rotations", sent)
	}
	for api, codes := range map[string][]string{
		emulator.APIPolarDBBatchTask: {"InvalidSecurityToken.Expired", "InvalidSecurityToken.Mismatch", "MissingSecurityToken"},
		emulator.APIAlibabaSTSOIDC:   {"AuthenticationFail.OIDCToken.Expired", "AuthenticationFail.OIDCToken.Invalid"},
	} {
		for _, code := range codes {
			if n := srv.Answered(api, code); n != 0 {
				t.Errorf("%d %s requests refused with %s", n, api, code)
			}
		}
	}
}

// TestAccAlibabaOIDCErrors checks each OIDC failure's diagnostic, and the conflicts caught at
// plan time before any exchange.
func TestAccAlibabaOIDCErrors(t *testing.T) {
	t.Parallel()
	srv, file := oidcScenario(t, "", false, []string{"jwt-err"})
	missing := filepath.Join(t.TempDir(), "no-token")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config:      oidcConfig(srv, oidcBlock(fmt.Sprintf("oidc_token_file = %q", missing)), ""),
				ExpectError: regexp.MustCompile(`(?s)Unable to Read Alibaba Cloud OIDC Token File.*no-token`),
			},
			{
				Config: oidcConfig(srv, fmt.Sprintf(`    assume_role_with_oidc {
      oidc_provider_arn = %q
      role_arn          = "acs:ram::1234:role/admin"
      oidc_token_file   = %q
    }`, oidcProviderArn, file), ""),
				ExpectError: regexp.MustCompile(`(?s)Unable to Get Alibaba Cloud Credentials from OIDC.*EntityNotExist\.Role`),
			},
			{
				Config: oidcConfig(srv, fmt.Sprintf(`    assume_role_with_oidc {
      role_arn        = %q
      oidc_token_file = %q
    }`, oidcRoleArn, file), ""),
				ExpectError: regexp.MustCompile(`(?s)Incomplete Alibaba Cloud OIDC Configuration.*ALIBABA_CLOUD_OIDC_PROVIDER_ARN`),
			},
		},
	})
	if n := srv.Answered(emulator.APIAlibabaSTSOIDC, "EntityNotExist.Role"); n == 0 {
		t.Error("STS never refused the role: the second step proves nothing")
	}
	if n := srv.Calls(emulator.APIPolarDBBatchTask); n != 0 {
		t.Errorf("%d DescribeBatchTask requests without credentials", n)
	}

	before := srv.Calls(emulator.APIAlibabaSTSOIDC)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config:      oidcConfig(srv, oidcBlock(fmt.Sprintf("oidc_token = \"jwt-err\"\n      oidc_token_file = %q", file)), ""),
				PlanOnly:    true,
				ExpectError: summary("Invalid Attribute Combination"),
			},
			{
				Config:      oidcConfig(srv, `    access_key = "AK"`+"\n"+oidcBlock(`oidc_token = "jwt-err"`), ""),
				PlanOnly:    true,
				ExpectError: summary("Invalid Attribute Combination"),
			},
		},
	})
	if n := srv.Calls(emulator.APIAlibabaSTSOIDC); n != before {
		t.Errorf("%d exchanges for configurations rejected at plan time", n-before)
	}
}

// TestAccAlibabaCredentialsURI signs with the credentials ALIBABA_CLOUD_CREDENTIALS_URI
// serves. Not parallel: it sets variables.
func TestAccAlibabaCredentialsURI(t *testing.T) {
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-oidc", Phases: []emulator.Phase{
		phase(0, batchTaskBody("pcb-oidc", "COMPLETED", 1, 1, "")),
	}}}})
	var mu sync.Mutex
	served := 0
	uri := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		served++
		mu.Unlock()
		_, _ = fmt.Fprintf(w, `{"Code":"Success","AccessKeyId":%q,"AccessKeySecret":%q,"SecurityToken":"uri-token","Expiration":%q}`,
			emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	}))
	t.Cleanup(uri.Close)
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", uri.URL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps:                    []resource.TestStep{{Config: oidcConfig(srv, "", ""), ConfigStateChecks: completed}},
	})
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeBatchTask request")
	}
	for _, r := range reqs {
		if r.SecurityToken != "uri-token" {
			t.Errorf("request signed with token %q, want the URI's", r.SecurityToken)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if served == 0 {
		t.Error("the credentials URI was never asked")
	}

	failing := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(failing.Close)
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", failing.URL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      oidcConfig(srv, "", ""),
			ExpectError: regexp.MustCompile(`(?s)Unable to Get Alibaba Cloud Credentials from Credentials URI`),
		}},
	})
}
