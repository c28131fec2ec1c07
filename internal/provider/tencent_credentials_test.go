package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// Keys the credential tests give to each source, so that the emulator's records tell which
// source signed a request.
const (
	tcArgID, tcArgKey         = "AKIDfromArgument", "argument-key"
	tcEnvID, tcEnvKey         = "AKIDfromEnvironment", "environment-key"
	tcProfileID, tcProfileKey = "AKIDfromTccli", "tccli-key"
	tcCIProfileID, tcCIKey    = "AKIDfromTccliCI", "tccli-ci-key"
	tcFileID, tcFileKey       = "AKIDfromCredentialsFile", "credentials-file-key"

	tcRole = "qcs::cam::uin/100000000001:roleName/reader"
)

// credentialScenario knows every test key and one running-then-succeeded task.
func credentialScenario(phases ...emulator.TencentPhase) *emulator.Scenario {
	if len(phases) == 0 {
		phases = []emulator.TencentPhase{tencentGenerated("", "job-cred01", "A", tencentStateSucceed, 1, 0)}
	}
	return &emulator.Scenario{
		TencentCredentials: map[string]string{tcArgID: tcArgKey, tcEnvID: tcEnvKey, tcProfileID: tcProfileKey, tcCIProfileID: tcCIKey, tcFileID: tcFileKey},
		TencentTasks:       []emulator.TencentTask{{JobID: "job-cred01", TaskName: "A", Phases: phases}},
	}
}

// tencentCredentialConfig reads job-cred01 with a tencent block made of body and endpoints
// pointing at the emulator (STS at its TLS listener).
func tencentCredentialConfig(srv *emulator.Server, body, dataExtra string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  tencent {
%[3]s
    endpoints {
      batch = %[1]q
      sts   = %[2]q
    }
  }
}
data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-cred01"
  task_name = "A"
%[4]s
}
`, srv.URL(), srv.TLSHost(), body, dataExtra)
}

// writeTencentProfiles writes the tccli profiles default and ci and ~/.tencentcloud/credentials
// under home.
func writeTencentProfiles(t *testing.T, home string) {
	t.Helper()
	files := map[string]string{
		".tccli/default.credential": fmt.Sprintf(`{"secretId":%q,"secretKey":%q}`, tcProfileID, tcProfileKey),
		".tccli/default.configure":  `{"_sys_param":{"region":"ap-singapore","output":"json"}}`,
		".tccli/ci.credential":      fmt.Sprintf(`{"secretId":%q,"secretKey":%q}`, tcCIProfileID, tcCIKey),
		".tencentcloud/credentials": fmt.Sprintf("[default]\nsecret_id = %s\nsecret_key = %s\n", tcFileID, tcFileKey),
	}
	for name, content := range files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// signers are the SecretIds that signed the DescribeTask requests.
func signers(srv *emulator.Server) map[string]bool {
	out := map[string]bool{}
	for _, r := range srv.Requests(emulator.APITencentTask) {
		out[r.AccessKeyID] = true
	}
	return out
}

func succeededStep(config string) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(tencentTaskAddr, tfjsonpath.New("task_state"), knownvalue.StringExact(tencentStateSucceed)),
		},
	}
}

// TestAccTencentCredentialPrecedence reads with keys from each source in turn, every lower
// source present too: the argument, the environment, the tccli profile (with its region), a
// tccli profile named in the environment, then ~/.tencentcloud/credentials. Each case also
// assumes a role on top of that base. Not parallel: it sets HOME and the environment.
func TestAccTencentCredentialPrecedence(t *testing.T) {
	argKeys := fmt.Sprintf("secret_id = %q\nsecret_key = %q", tcArgID, tcArgKey)
	tests := []struct {
		name       string
		body       string
		env        map[string]string
		noTccli    bool
		wantID     string
		wantRegion string
	}{
		{name: "argument", body: argKeys, env: map[string]string{"TENCENTCLOUD_SECRET_ID": tcEnvID, "TENCENTCLOUD_SECRET_KEY": tcEnvKey},
			wantID: tcArgID, wantRegion: "ap-singapore"},
		{name: "environment", env: map[string]string{"TENCENTCLOUD_SECRET_ID": tcEnvID, "TENCENTCLOUD_SECRET_KEY": tcEnvKey, "TENCENTCLOUD_REGION": "ap-beijing"},
			wantID: tcEnvID, wantRegion: "ap-beijing"},
		{name: "tccli profile", wantID: tcProfileID, wantRegion: "ap-singapore"},
		{name: "tccli profile named in the environment", env: map[string]string{"TENCENTCLOUD_PROFILE": "ci"}, wantID: tcCIProfileID, wantRegion: "ap-guangzhou"},
		{name: "credentials file", noTccli: true, wantID: tcFileID, wantRegion: "ap-guangzhou"},
	}
	for _, tt := range tests {
		for _, withRole := range []bool{false, true} {
			name := tt.name
			if withRole {
				name += " with assume_role"
			}
			t.Run(name, func(t *testing.T) {
				home := t.TempDir()
				t.Setenv("HOME", home)
				writeTencentProfiles(t, home)
				if tt.noTccli {
					if err := os.RemoveAll(filepath.Join(home, ".tccli")); err != nil {
						t.Fatal(err)
					}
				}
				for k, v := range tt.env {
					t.Setenv(k, v)
				}
				body := tt.body
				if withRole {
					body += fmt.Sprintf("\nassume_role {\n  role_arn = %q\n  session_name = \"precedence\"\n}", tcRole)
				}
				srv := emulator.NewTestServer(t, credentialScenario())
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6Factories(),
					Steps:                    []resource.TestStep{succeededStep(tencentCredentialConfig(srv, body, ""))},
				})
				if got := srv.LastTencentRegion(); got != tt.wantRegion {
					t.Errorf("region %q, want %q", got, tt.wantRegion)
				}
				if !withRole {
					if got := signers(srv); len(got) != 1 || !got[tt.wantID] {
						t.Errorf("DescribeTask signed by %v, want %s", got, tt.wantID)
					}
					return
				}
				issued := srv.IssuedTencentCredentials()
				if len(issued) == 0 || issued[0].SignedBy != tt.wantID || issued[0].RoleArn != tcRole || issued[0].RoleSessionName != "precedence" {
					t.Fatalf("issued %+v, want AssumeRole signed by %s", issued, tt.wantID)
				}
				checkSignedWithTencentIssued(t, srv)
			})
		}
	}
}

// TestAccTencentAssumeRoleFromEnvironment turns assume_role on with TENCENTCLOUD_ASSUME_ROLE_*
// alone. Not parallel: it sets the environment.
func TestAccTencentAssumeRoleFromEnvironment(t *testing.T) {
	t.Setenv("TENCENTCLOUD_SECRET_ID", tcEnvID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", tcEnvKey)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_ARN", tcRole)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "from-env")
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "1800")
	srv := emulator.NewTestServer(t, credentialScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps:                    []resource.TestStep{succeededStep(tencentCredentialConfig(srv, "", ""))},
	})
	issued := srv.IssuedTencentCredentials()
	if len(issued) == 0 || issued[0].SignedBy != tcEnvID || issued[0].RoleSessionName != "from-env" || issued[0].DurationSeconds != 1800 {
		t.Errorf("issued %+v", issued)
	}
	checkSignedWithTencentIssued(t, srv)
}

// checkSignedWithTencentIssued fails unless every DescribeTask request was signed with a
// temporary SecretId the emulator issued and its own token; it returns how many keys signed.
func checkSignedWithTencentIssued(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	reqs := srv.Requests(emulator.APITencentTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeTask request reached the emulator")
	}
	keys, foreign := srv.TencentIssuedSigners(emulator.APITencentTask)
	for _, i := range foreign {
		t.Errorf("request %d signed with %q and a token that is not its issued one", i, reqs[i].AccessKeyID)
	}
	return keys
}

// writeToken writes a JWT-shaped token file and returns its path.
func writeToken(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func oidcBody(tokenFile string) string {
	return fmt.Sprintf(`assume_role_with_oidc {
  role_arn                = %q
  provider_id             = "github-actions"
  oidc_token_file = %q
  session_name            = "ci-run"
}`, tcRole, tokenFile)
}

// TestAccTencentAssumeRoleWithOIDC reads through a role whose keys were exchanged for an OIDC
// token from a file, with no SecretId configured anywhere.
func TestAccTencentAssumeRoleWithOIDC(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, credentialScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps:                    []resource.TestStep{succeededStep(tencentCredentialConfig(srv, oidcBody(writeToken(t)), ""))},
	})
	// Terraform configures the provider for each command (plan, apply, refresh), and each
	// configuration exchanges the token once.
	issued := srv.IssuedTencentCredentials()
	if len(issued) == 0 || issued[0].API != emulator.APITencentAssumeRoleWithWebIdentity || issued[0].ProviderID != "github-actions" ||
		issued[0].RoleSessionName != "ci-run" || issued[0].DurationSeconds != 7200 {
		t.Errorf("issued %+v", issued)
	}
	checkSignedWithTencentIssued(t, srv)
}

// TestAccTencentRolesOutliveCredentials waits on a task through a role whose temporary keys
// live two seconds, far shorter than the wait: the keys are renewed and no request is refused
// with an expired token. Both role modes are covered.
func TestAccTencentRolesOutliveCredentials(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"assume_role": fmt.Sprintf("secret_id = %q\nsecret_key = %q\nassume_role {\n  role_arn = %q\n}", tcArgID, tcArgKey, tcRole),
		"oidc":        oidcBody(writeToken(t)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := credentialScenario(
				tencentGenerated("5s", "job-cred01", "A", "RUNNING", 1, 0),
				tencentGenerated("", "job-cred01", "A", tencentStateSucceed, 1, 0),
			)
			sc.TencentSTSLifetime = "2s"
			srv := emulator.NewTestServer(t, sc)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{succeededStep(tencentCredentialConfig(srv, body, `  wait_for_completion = true
  poll_interval       = "1s"`))},
			})
			if n := checkSignedWithTencentIssued(t, srv); n < 2 {
				t.Errorf("%d temporary keys signed the wait's requests, want a renewal", n)
			}
			first := srv.IssuedTencentCredentials()[0]
			outlived := false
			for _, r := range srv.Requests(emulator.APITencentTask) {
				if r.At.After(first.Expiration) {
					outlived = true
				}
			}
			if !outlived {
				t.Error("no request came after the first temporary keys expired: the test proves nothing")
			}
			if n := srv.Answered(emulator.APITencentTask, "AuthFailure.TokenFailure"); n != 0 {
				t.Errorf("%d requests refused with AuthFailure.TokenFailure", n)
			}
		})
	}
}

// tcWriterRole is the role that assume_role takes on top of assume_role_with_oidc.
const tcWriterRole = "qcs::cam::uin/100000000001:roleName/writer"

// tencentOIDCScenario trusts the identity provider "github-actions" for tcRole with the tokens
// tok-01 to tok-12, the next one issued after each exchange and written to the returned token
// file, as the kubelet rotates a projected token.
func tencentOIDCScenario(t *testing.T, phases ...emulator.TencentPhase) (*emulator.Scenario, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	tokens := make([]string, 12)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok-%02d", i+1)
	}
	sc := credentialScenario(phases...)
	sc.TencentOIDC = &emulator.TencentOIDC{ProviderID: "github-actions", RoleArn: tcRole, Tokens: tokens, ExchangesPerToken: 1, TokenFile: file}
	return sc, file
}

// issuedBy lists the credentials that api issued, in order.
func issuedBy(srv *emulator.Server, api string) []emulator.IssuedTencentCredential {
	var out []emulator.IssuedTencentCredential
	for _, c := range srv.IssuedTencentCredentials() {
		if c.API == api {
			out = append(out, c)
		}
	}
	return out
}

// checkAssumeRoleSignedByOIDC fails unless every AssumeRole request was signed with a key
// that AssumeRoleWithWebIdentity issued and carried that key's token.
func checkAssumeRoleSignedByOIDC(t *testing.T, srv *emulator.Server) {
	t.Helper()
	oidcKeys := map[string]string{}
	for _, c := range issuedBy(srv, emulator.APITencentAssumeRoleWithWebIdentity) {
		oidcKeys[c.SecretID] = c.Token
	}
	reqs := srv.Requests(emulator.APITencentAssumeRole)
	if len(reqs) == 0 {
		t.Fatal("no AssumeRole request reached the emulator")
	}
	for i, r := range reqs {
		if token, ok := oidcKeys[r.AccessKeyID]; !ok || r.SecurityToken != token {
			t.Errorf("AssumeRole request %d signed with %q and a token that is not an OIDC-issued key's own", i, r.AccessKeyID)
		}
	}
}

// TestAccTencentAssumeRoleOnOIDC assumes a role on top of assume_role_with_oidc: AssumeRole is
// signed with the OIDC exchange's temporary key and carries its token, and DescribeTask is
// signed with the assumed role's keys only.
func TestAccTencentAssumeRoleOnOIDC(t *testing.T) {
	t.Parallel()
	sc, file := tencentOIDCScenario(t)
	srv := emulator.NewTestServer(t, sc)
	body := oidcBody(file) + fmt.Sprintf("\nassume_role {\n  role_arn     = %q\n  session_name = \"chained\"\n}", tcWriterRole)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps:                    []resource.TestStep{succeededStep(tencentCredentialConfig(srv, body, ""))},
	})
	oidc, roles := issuedBy(srv, emulator.APITencentAssumeRoleWithWebIdentity), issuedBy(srv, emulator.APITencentAssumeRole)
	if len(oidc) == 0 || len(roles) == 0 {
		t.Fatalf("issued %d OIDC and %d AssumeRole credentials, want both", len(oidc), len(roles))
	}
	if r := roles[0]; r.RoleArn != tcWriterRole || r.RoleSessionName != "chained" || r.SignedBy != oidc[0].SecretID {
		t.Errorf("first AssumeRole %+v, want %s signed by the first OIDC key %s", r, tcWriterRole, oidc[0].SecretID)
	}
	checkAssumeRoleSignedByOIDC(t, srv)
	assumed := map[string]bool{}
	for _, r := range roles {
		assumed[r.SecretID] = true
	}
	for id := range signers(srv) {
		if !assumed[id] {
			t.Errorf("DescribeTask signed with %q, not a key of the assumed role", id)
		}
	}
	checkSignedWithTencentIssued(t, srv)
}

// TestAccTencentOIDCOutlivesCredentials waits on a task while the role keys live two seconds
// and the identity provider rotates its token after every exchange, as a projected token
// rotates: each renewal must read the token file again. Alone and with assume_role chained
// on top.
func TestAccTencentOIDCOutlivesCredentials(t *testing.T) {
	t.Parallel()
	for name, chained := range map[string]bool{"oidc": false, "assume_role on oidc": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, file := tencentOIDCScenario(t,
				tencentGenerated("5s", "job-cred01", "A", "RUNNING", 1, 0),
				tencentGenerated("", "job-cred01", "A", tencentStateSucceed, 1, 0))
			sc.TencentSTSLifetime = "2s"
			srv := emulator.NewTestServer(t, sc)
			body, signerAPI := oidcBody(file), emulator.APITencentAssumeRoleWithWebIdentity
			if chained {
				body += fmt.Sprintf("\nassume_role {\n  role_arn = %q\n}", tcWriterRole)
				signerAPI = emulator.APITencentAssumeRole
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{succeededStep(tencentCredentialConfig(srv, body, `  wait_for_completion = true
  poll_interval       = "1s"`))},
			})
			if n := checkSignedWithTencentIssued(t, srv); n < 2 {
				t.Errorf("%d temporary keys signed the wait's requests, want a renewal", n)
			}
			first := issuedBy(srv, signerAPI)[0]
			outlived := false
			for _, r := range srv.Requests(emulator.APITencentTask) {
				if r.At.After(first.Expiration) {
					outlived = true
				}
			}
			if !outlived {
				t.Error("no request came after the first temporary keys expired: the test proves nothing")
			}
			var sent []string
			for _, c := range issuedBy(srv, emulator.APITencentAssumeRoleWithWebIdentity) {
				sent = append(sent, c.OIDCToken)
			}
			if len(sent) < 3 || sent[0] != "tok-01" || sent[1] != "tok-02" || sent[2] != "tok-03" {
				t.Errorf("tokens exchanged %v, want the file's rotations", sent)
			}
			if chained {
				checkAssumeRoleSignedByOIDC(t, srv)
			}
			for api, code := range map[string]string{
				emulator.APITencentTask:                      "AuthFailure.TokenFailure",
				emulator.APITencentAssumeRole:                "AuthFailure.TokenFailure",
				emulator.APITencentAssumeRoleWithWebIdentity: "InvalidParameter.WebIdentityTokenError",
			} {
				if n := srv.Answered(api, code); n != 0 {
					t.Errorf("%d %s requests refused with %s", n, api, code)
				}
			}
		})
	}
}

// TestAccTencentRoleErrors checks the diagnostics of refused roles and unusable tokens, and the
// plan-time checks of the role blocks, which send nothing.
func TestAccTencentRoleErrors(t *testing.T) {
	t.Parallel()
	keys := fmt.Sprintf("secret_id = %q\nsecret_key = %q\n", tcArgID, tcArgKey)
	tests := []struct {
		name     string
		body     string
		want     *regexp.Regexp
		sendsNot bool // nothing may reach the emulator
	}{
		{name: "STS refuses the role", body: keys + `assume_role {
  role_arn = "qcs::cam::uin/100000000001:roleName/unknown"
}`, want: regexp.MustCompile(`(?s)` + summary(summaryTencentAssumeRole).String() + `.*ResourceNotFound\.RoleNotExist`)},
		{name: "STS refuses the token", body: `assume_role_with_oidc {
  role_arn           = "qcs::cam::uin/100000000001:roleName/reader"
  oidc_token = "not-a-jwt"
}`, want: regexp.MustCompile(`(?s)` + summary(summaryTencentAssumeRole).String() + `.*InvalidParameter\.WebIdentityTokenError`)},
		{name: "token file missing", body: `assume_role_with_oidc {
  role_arn                = "qcs::cam::uin/100000000001:roleName/reader"
  oidc_token_file = "does-not-exist/token"
}`, want: summary(summaryTencentOIDCToken), sendsNot: true},
		{name: "session_duration out of range", body: keys + `assume_role {
  role_arn         = "qcs::cam::uin/100000000001:roleName/reader"
  session_duration = 43201
}`, want: regexp.MustCompile(`(?s)Invalid Attribute Value.*between\s+1\s+and\s+43200`), sendsNot: true},
		{name: "role_arn of another cloud", body: keys + `assume_role {
  role_arn = "acs:ram::1234:role/reader"
}`, want: summary("Invalid Attribute Value Match"), sendsNot: true},
		{name: "role_arn missing", body: keys + `assume_role {
  session_name = "x1"
}`, want: regexp.MustCompile(`(?s)Invalid Attribute Combination.*tencent\.assume_role\.role_arn`), sendsNot: true},
		{name: "token and token file", body: `assume_role_with_oidc {
  role_arn                = "qcs::cam::uin/100000000001:roleName/reader"
  oidc_token      = "a.b.c"
  oidc_token_file = "token"
}`, want: summary("Invalid Attribute Combination"), sendsNot: true},
		{name: "OIDC with keys", body: keys + `assume_role_with_oidc {
  role_arn  = "qcs::cam::uin/100000000001:roleName/reader"
  oidc_token = "a.b.c"
}`, want: regexp.MustCompile(`(?s)Invalid Attribute Combination.*secret_id`), sendsNot: true},
		{name: "CVM role with keys", body: keys + `cam_role_name = "reader"`,
			want: regexp.MustCompile(`(?s)Invalid Attribute Combination.*cam_role_name`), sendsNot: true},
		{name: "bad session name", body: keys + `assume_role {
  role_arn     = "qcs::cam::uin/100000000001:roleName/reader"
  session_name = "has space"
}`, want: summary("Invalid Attribute Value Match"), sendsNot: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := credentialScenario()
			sc.TencentRoles = []string{tcRole}
			srv := emulator.NewTestServer(t, sc)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps:                    []resource.TestStep{{Config: tencentCredentialConfig(srv, tt.body, ""), ExpectError: tt.want}},
			})
			if tt.sendsNot && srv.TotalCalls() != 0 {
				t.Errorf("%d requests sent, want none", srv.TotalCalls())
			}
			if n := srv.Calls(emulator.APITencentTask); n != 0 {
				t.Errorf("%d DescribeTask requests sent without credentials", n)
			}
		})
	}
}
