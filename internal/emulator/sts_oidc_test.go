package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

const (
	testOIDCProvider = "acs:ram::1234:oidc-provider/ci"
	testOIDCRole     = "acs:ram::1234:role/ci-reader"
)

// oidcExchange posts an anonymous AssumeRoleWithOIDC, as credentials-go does, and returns
// the HTTP status, the error code ("" on success) and the credentials.
func oidcExchange(t *testing.T, s *Server, now time.Time, form map[string]string) (int, string, map[string]string) {
	t.Helper()
	q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Version": {"2015-04-01"}, "Format": {"JSON"},
		"Timestamp": {now.UTC().Format("2006-01-02T15:04:05Z")}}
	body := url.Values{}
	for k, v := range form {
		body.Set(k, v)
	}
	resp, err := http.Post(s.URL()+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(body.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Code        string
		Credentials map[string]string
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return resp.StatusCode, out.Code, out.Credentials
}

func oidcForm(token string) map[string]string {
	return map[string]string{"OIDCProviderArn": testOIDCProvider, "RoleArn": testOIDCRole, "OIDCToken": token,
		"RoleSessionName": "ci", "DurationSeconds": "900"}
}

// TestAlibabaAssumeRoleWithOIDC exchanges the scenario's token for temporary credentials
// that the task APIs take only with their token and only until they expire, and refuses
// the wrong provider, role or token.
func TestAlibabaAssumeRoleWithOIDC(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	sc := happyScenario()
	sc.AlibabaOIDC = &AlibabaOIDC{ProviderArn: testOIDCProvider, RoleArn: testOIDCRole, Tokens: []string{"jwt-1"}}
	sc.AlibabaSTSLifetime = "10m"
	s := startServer(t, Options{Scenario: sc, Now: clock.Now})

	status, code, cr := oidcExchange(t, s, clock.Now(), oidcForm("jwt-1"))
	if status != http.StatusOK || code != "" || cr["AccessKeyId"] == "" {
		t.Fatalf("exchange: %d %q %v", status, code, cr)
	}
	issued := s.IssuedAlibabaCredentials()
	if len(issued) != 1 || issued[0].API != APIAlibabaSTSOIDC || issued[0].RoleArn != testOIDCRole || issued[0].AccessKeyID != cr["AccessKeyId"] {
		t.Errorf("issued %+v", issued)
	}
	if exp, err := time.Parse("2006-01-02T15:04:05Z", cr["Expiration"]); err != nil || exp.Sub(clock.Now()) > 10*time.Minute || exp.Sub(clock.Now()) < 9*time.Minute {
		t.Errorf("Expiration %q, want 10 minutes from now", cr["Expiration"])
	}
	read := func(token string) string {
		var cred any = credentials.NewStsTokenCredential(cr["AccessKeyId"], cr["AccessKeySecret"], token)
		if token == "" {
			cred = credentials.NewAccessKeyCredential(cr["AccessKeyId"], cr["AccessKeySecret"])
		}
		c, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), cred)
		if err != nil {
			t.Fatal(err)
		}
		_, _, code := alibabaCall(t, c, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"}))
		return code
	}
	if code := read(""); code != "MissingSecurityToken" {
		t.Errorf("without the token: %q", code)
	}
	if code := read(cr["SecurityToken"]); code != "" {
		t.Errorf("with the token: %q", code)
	}
	// Within the 15 minutes of signature freshness.
	clock.Advance(10 * time.Minute)
	if code := read(cr["SecurityToken"]); code != "InvalidSecurityToken.Expired" {
		t.Errorf("after expiry: %q", code)
	}

	for name, tc := range map[string]struct {
		form   map[string]string
		status int
		code   string
	}{
		"other provider": {map[string]string{"OIDCProviderArn": "acs:ram::1234:oidc-provider/other"}, http.StatusNotFound, "EntityNotExist.OIDCProvider"},
		"other role":     {map[string]string{"RoleArn": "acs:ram::1234:role/admin"}, http.StatusNotFound, "EntityNotExist.Role"},
		"unknown token":  {map[string]string{"OIDCToken": "forged"}, http.StatusBadRequest, "AuthenticationFail.OIDCToken.Invalid"},
		"no token":       {map[string]string{"OIDCToken": ""}, http.StatusBadRequest, "MissingOIDCToken"},
		"short duration": {map[string]string{"DurationSeconds": "60"}, http.StatusBadRequest, "InvalidParameter"},
	} {
		form := oidcForm("jwt-1")
		for k, v := range tc.form {
			form[k] = v
		}
		if status, code, _ := oidcExchange(t, s, clock.Now(), form); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", name, status, code, tc.status, tc.code)
		}
	}
	if status, code, _ := oidcExchange(t, s, clock.Now().Add(-time.Hour), oidcForm("jwt-1")); status != http.StatusBadRequest || code != "InvalidTimeStamp.Expired" {
		t.Errorf("stale timestamp: %d %q", status, code)
	}
	if n := len(s.IssuedAlibabaCredentials()); n != 1 {
		t.Errorf("%d credentials issued, want only the first exchange's", n)
	}
}

// TestAlibabaOIDCTokenRotation writes the current token to the token file and rotates it
// after each exchange: the superseded token is refused, the last one stays.
func TestAlibabaOIDCTokenRotation(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	s := startServer(t, Options{Scenario: &Scenario{AlibabaOIDC: &AlibabaOIDC{ProviderArn: testOIDCProvider, RoleArn: testOIDCRole,
		Tokens: []string{"jwt-1", "jwt-2"}, ExchangesPerToken: 1, TokenFile: file}}})
	inFile := func() string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := inFile(); got != "jwt-1" || s.CurrentAlibabaOIDCToken() != "jwt-1" {
		t.Fatalf("token file at start %q", got)
	}
	steps := []struct{ token, code, after string }{
		{"jwt-1", "", "jwt-2"},
		{"jwt-1", "AuthenticationFail.OIDCToken.Expired", "jwt-2"},
		{"jwt-2", "", "jwt-2"},
		{"jwt-2", "", "jwt-2"},
	}
	for i, st := range steps {
		if _, code, _ := oidcExchange(t, s, time.Now(), oidcForm(st.token)); code != st.code {
			t.Errorf("step %d with %s: %q, want %q", i, st.token, code, st.code)
		}
		if got := inFile(); got != st.after {
			t.Errorf("step %d: token file %q, want %q", i, got, st.after)
		}
	}
}

func TestAlibabaOIDCScenarioValidation(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]*AlibabaOIDC{
		"no ARNs":    {Tokens: []string{"a"}},
		"no tokens":  {ProviderArn: testOIDCProvider, RoleArn: testOIDCRole},
		"empty":      {ProviderArn: testOIDCProvider, RoleArn: testOIDCRole, Tokens: []string{""}},
		"negative":   {ProviderArn: testOIDCProvider, RoleArn: testOIDCRole, Tokens: []string{"a"}, ExchangesPerToken: -1},
		"bad folder": nil,
	} {
		sc := &Scenario{AlibabaOIDC: o}
		if o == nil {
			sc.AlibabaOIDC = &AlibabaOIDC{ProviderArn: testOIDCProvider, RoleArn: testOIDCRole, Tokens: []string{"a"},
				TokenFile: filepath.Join(t.TempDir(), "missing", "token")}
			if err := New(Options{Scenario: sc}).Start("127.0.0.1:0"); err == nil {
				t.Errorf("%s: Start succeeded", name)
			}
			continue
		}
		if err := sc.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, o)
		}
	}
}
