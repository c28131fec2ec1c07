package emulator

import (
	"os"
	"path/filepath"
	"testing"

	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

const testTencentOIDCRole = "qcs::cam::uin/100:roleName/ci"

// tencentWebIdentity sends an unsigned AssumeRoleWithWebIdentity, as the SDK does, and
// returns the error code ("" for credentials).
func tencentWebIdentity(t *testing.T, s *Server, providerID, roleArn, token string) string {
	t.Helper()
	host, _, _ := hostPort(t, s)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "http"
	prof.HttpProfile.ReqTimeout = 5
	req := tchttp.NewCommonRequest("sts", "2018-08-13", "AssumeRoleWithWebIdentity")
	req.SetSkipSign(true)
	if err := req.SetActionParameters(map[string]any{"ProviderId": providerID, "WebIdentityToken": token,
		"RoleArn": roleArn, "RoleSessionName": "ci-run", "DurationSeconds": 900}); err != nil {
		t.Fatal(err)
	}
	if err := tccommon.NewCommonClient(nil, "ap-guangzhou", prof).Send(req, tchttp.NewCommonResponse()); err != nil {
		return tencentCode(err)
	}
	return ""
}

// TestTencentOIDCTokenRotation writes the current token to the token file and rotates it
// after each exchange: the superseded token is refused, the last one stays; the provider and
// role must match the scenario's.
func TestTencentOIDCTokenRotation(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	s := startServer(t, Options{Scenario: &Scenario{TencentOIDC: &TencentOIDC{ProviderID: "github", RoleArn: testTencentOIDCRole,
		Tokens: []string{"tok-1", "tok-2"}, ExchangesPerToken: 1, TokenFile: file}}})
	inFile := func() string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := inFile(); got != "tok-1" || s.CurrentTencentOIDCToken() != "tok-1" {
		t.Fatalf("token file at start %q", got)
	}
	steps := []struct{ provider, role, token, code, after string }{
		{"github", testTencentOIDCRole, "tok-1", "", "tok-2"},
		{"github", testTencentOIDCRole, "tok-1", "InvalidParameter.WebIdentityTokenError", "tok-2"},
		{"gitlab", testTencentOIDCRole, "tok-2", "InvalidParameter.ParamError", "tok-2"},
		{"github", "qcs::cam::uin/100:roleName/other", "tok-2", "UnauthorizedOperation", "tok-2"},
		{"github", testTencentOIDCRole, "never-issued", "InvalidParameter.WebIdentityTokenError", "tok-2"},
		{"github", testTencentOIDCRole, "tok-2", "", "tok-2"},
		{"github", testTencentOIDCRole, "tok-2", "", "tok-2"},
	}
	for i, st := range steps {
		if code := tencentWebIdentity(t, s, st.provider, st.role, st.token); code != st.code {
			t.Errorf("step %d with %s/%s: %q, want %q", i, st.provider, st.token, code, st.code)
		}
		if got := inFile(); got != st.after {
			t.Errorf("step %d: token file %q, want %q", i, got, st.after)
		}
	}
	var exchanged []string
	for _, c := range s.IssuedTencentCredentials() {
		exchanged = append(exchanged, c.OIDCToken)
	}
	if len(exchanged) != 3 || exchanged[0] != "tok-1" || exchanged[1] != "tok-2" || exchanged[2] != "tok-2" {
		t.Errorf("tokens exchanged %v, want [tok-1 tok-2 tok-2]", exchanged)
	}
}

// TestTencentOIDCDefault keeps the behaviour of a scenario without TencentOIDC: any provider,
// any token with a JWT's three parts.
func TestTencentOIDCDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{Scenario: &Scenario{}})
	for token, want := range map[string]string{"a.b.c": "", "a.b": "InvalidParameter.WebIdentityTokenError", "a..c": "InvalidParameter.WebIdentityTokenError"} {
		if code := tencentWebIdentity(t, s, "any-provider", testTencentOIDCRole, token); code != want {
			t.Errorf("token %q: %q, want %q", token, code, want)
		}
	}
	if s.CurrentTencentOIDCToken() != "" {
		t.Error("a current token without TencentOIDC")
	}
}

func TestTencentOIDCScenarioValidation(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]*TencentOIDC{
		"no provider": {Tokens: []string{"a"}},
		"no tokens":   {ProviderID: "github"},
		"empty":       {ProviderID: "github", Tokens: []string{""}},
		"negative":    {ProviderID: "github", Tokens: []string{"a"}, ExchangesPerToken: -1},
	} {
		if err := (&Scenario{TencentOIDC: o}).Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, o)
		}
	}
	sc := &Scenario{TencentOIDC: &TencentOIDC{ProviderID: "github", Tokens: []string{"a"},
		TokenFile: filepath.Join(t.TempDir(), "missing", "token")}}
	if err := New(Options{Scenario: sc}).Start("127.0.0.1:0"); err == nil {
		t.Error("Start succeeded with a token file in a missing folder")
	}
}
