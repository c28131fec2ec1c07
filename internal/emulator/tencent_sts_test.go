package emulator

import (
	"encoding/json"
	"testing"
	"time"

	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// TestTencentAssumeRole issues temporary keys through a TC3-signed AssumeRole and checks that
// DescribeTask takes them only with their own token, and only until they expire.
func TestTencentAssumeRole(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	sc := happyScenario()
	sc.TencentRateLimit = -1
	s := startServer(t, Options{Scenario: sc, Now: clock.Now})
	host, _, _ := hostPort(t, s)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "http"
	prof.HttpProfile.ReqTimeout = 5

	assume := func(cred tccommon.CredentialIface, params map[string]any) (map[string]json.RawMessage, string) {
		t.Helper()
		req := tchttp.NewCommonRequest("sts", "2018-08-13", "AssumeRole")
		if err := req.SetActionParameters(params); err != nil {
			t.Fatal(err)
		}
		resp := tchttp.NewCommonResponse()
		if err := tccommon.NewCommonClient(cred, "ap-guangzhou", prof).Send(req, resp); err != nil {
			return nil, tencentCode(err)
		}
		var out struct{ Response map[string]json.RawMessage }
		if err := json.Unmarshal(resp.GetBody(), &out); err != nil {
			t.Fatal(err)
		}
		return out.Response, ""
	}
	role := map[string]any{"RoleArn": "qcs::cam::uin/100:roleName/reader", "RoleSessionName": "test", "DurationSeconds": 120}
	if _, code := assume(tccommon.NewCredential(TencentSecretID, "wrong"), role); code != "AuthFailure.SignatureFailure" {
		t.Errorf("AssumeRole with a wrong key: %q, want AuthFailure.SignatureFailure", code)
	}
	resp, code := assume(tccommon.NewCredential(TencentSecretID, TencentSecretKey), role)
	if code != "" {
		t.Fatalf("AssumeRole: %s", code)
	}
	var creds struct{ Token, TmpSecretId, TmpSecretKey string }
	if err := json.Unmarshal(resp["Credentials"], &creds); err != nil {
		t.Fatal(err)
	}
	if issued := s.IssuedTencentCredentials(); len(issued) != 1 || issued[0].SecretID != creds.TmpSecretId ||
		issued[0].SecretKey != creds.TmpSecretKey || issued[0].Token != creds.Token {
		t.Errorf("IssuedTencentCredentials = %+v, want the answered %+v", issued, creds)
	}
	expires := time.Unix(int64(jsonInt(t, resp["ExpiredTime"])), 0)
	if d := expires.Sub(clock.Now()); d > 120*time.Second || d < 119*time.Second {
		t.Errorf("ExpiredTime %v is %s from now, want DurationSeconds", expires, d)
	}
	if _, code := assume(tccommon.NewCredential(TencentSecretID, TencentSecretKey),
		map[string]any{"RoleArn": "acs:ram::1:role/x", "RoleSessionName": "test"}); code != "InvalidParameter.ParamError" {
		t.Errorf("AssumeRole with an Alibaba ARN: %q", code)
	}

	read := func(cred tccommon.CredentialIface) string {
		c := tccommon.NewCommonClient(cred, "ap-guangzhou", prof)
		_, code := tencentCall(t, c, map[string]any{"JobId": "job-happy1", "TaskName": "A"})
		return code
	}
	tests := []struct {
		name string
		cred tccommon.CredentialIface
		want string
	}{
		{"temporary key without its token", tccommon.NewCredential(creds.TmpSecretId, creds.TmpSecretKey), "AuthFailure.TokenFailure"},
		{"temporary key with another token", tccommon.NewTokenCredential(creds.TmpSecretId, creds.TmpSecretKey, "other"), "AuthFailure.TokenFailure"},
		{"temporary key with its token", tccommon.NewTokenCredential(creds.TmpSecretId, creds.TmpSecretKey, creds.Token), ""},
		{"temporary key with a wrong secret", tccommon.NewTokenCredential(creds.TmpSecretId, "wrong", creds.Token), "AuthFailure.SignatureFailure"},
	}
	for _, tt := range tests {
		if got := read(tt.cred); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	clock.Advance(121 * time.Second) // within the signature freshness window
	if got := read(tccommon.NewTokenCredential(creds.TmpSecretId, creds.TmpSecretKey, creds.Token)); got != "AuthFailure.TokenFailure" {
		t.Errorf("expired temporary key: %q, want AuthFailure.TokenFailure", got)
	}
	reqs := s.Requests(APITencentTask)
	if len(reqs) == 0 || reqs[0].AccessKeyID != creds.TmpSecretId || reqs[0].SecurityToken != creds.Token {
		t.Errorf("recorded DescribeTask = %+v, want the temporary key and its token", reqs)
	}
}
