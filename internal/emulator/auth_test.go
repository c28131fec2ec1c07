package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// TestAlibabaSignatureRejections checks wrong secrets, unknown keys and
// expired timestamps for both Alibaba schemes with real SDK requests.
func TestAlibabaSignatureRejections(t *testing.T) {
	t.Parallel()
	late := func() time.Time { return time.Now().Add(20 * time.Minute) }
	tests := []struct {
		name       string
		now        func() time.Time
		ak, secret string
		roa        bool
		wantStatus int
		wantCode   string
	}{
		{"rpc wrong secret", nil, AlibabaAccessKeyID, "wrong", false, 400, "SignatureDoesNotMatch"},
		{"rpc unknown key", nil, "LTAIunknown", AlibabaAccessKeySecret, false, 404, "InvalidAccessKeyId.NotFound"},
		{"rpc expired timestamp", late, AlibabaAccessKeyID, AlibabaAccessKeySecret, false, 400, "InvalidTimeStamp.Expired"},
		{"roa wrong secret", nil, AlibabaAccessKeyID, "wrong", true, 400, "SignatureDoesNotMatch"},
		{"roa unknown key", nil, "LTAIunknown", AlibabaAccessKeySecret, true, 404, "InvalidAccessKeyId.NotFound"},
		{"roa expired date", late, AlibabaAccessKeyID, AlibabaAccessKeySecret, true, 400, "InvalidTimeStamp.Expired"},
		{"rpc accepted", nil, AlibabaAccessKeyID, AlibabaAccessKeySecret, false, 200, ""},
		{"roa accepted", nil, AlibabaAccessKeyID, AlibabaAccessKeySecret, true, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, Options{Scenario: happyScenario(), Now: tt.now})
			req := rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})
			api := APIPolarDBBatchTask
			if tt.roa {
				req, api = roaRequest(t, s, "t-happy"), APIBDRCTask
			}
			_, status, code := alibabaCall(t, alibabaClient(t, tt.ak, tt.secret), req)
			if status != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("got %d %q, want %d %q", status, code, tt.wantStatus, tt.wantCode)
			}
			if s.Calls(api) != 1 || s.Answered(api, tt.wantCode) != 1 {
				t.Errorf("counters: Calls %d, Answered %d", s.Calls(api), s.Answered(api, tt.wantCode))
			}
		})
	}
}

// TestAlibabaReplayAndTamper captures SDK-signed requests and sends them again
// as they were (nonce replay) and with one parameter changed.
func TestAlibabaReplayAndTamper(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	rec := &recorder{}
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	ali.SetTransport(rec)

	if _, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})); code != "" {
		t.Fatalf("first call: %q", code)
	}
	status, body := rec.replay(t, "")
	assertAlibabaError(t, status, body, 400, "SignatureNonceUsed")

	tampered := strings.Replace(rec.last.URL.String(), "BatchId=pcb-happy", "BatchId=pcb-other", 1)
	if tampered == rec.last.URL.String() {
		t.Fatal("BatchId not found in the recorded URL")
	}
	status, body = rec.replay(t, tampered)
	assertAlibabaError(t, status, body, 400, "SignatureDoesNotMatch")
	var e alibabaErrorBody
	_ = json.Unmarshal(body, &e)
	if !strings.Contains(e.Message, "server string to sign is:POST&%2F&") || strings.Contains(string(body), AlibabaAccessKeySecret) {
		t.Errorf("message should echo the string to sign and never the secret: %s", e.Message)
	}

	// ROA: the SDK signs any x-acs-* header, so a nonce set by the caller is
	// covered by the signature and a replay is rejected. Accepting requests
	// without one is a guess: see the package doc.
	roa := roaRequest(t, s, "t-happy")
	roa.Headers["x-acs-signature-nonce"] = "nonce-roa-1"
	if _, _, code := alibabaCall(t, ali, roa); code != "" {
		t.Fatalf("roa call: %q", code)
	}
	status, body = rec.replay(t, "")
	assertAlibabaError(t, status, body, 400, "SignatureNonceUsed")
	status, body = rec.replay(t, strings.Replace(rec.last.URL.String(), "t-happy", "t-other", 1))
	assertAlibabaError(t, status, body, 400, "SignatureDoesNotMatch")

	if got := s.Answered(APIPolarDBBatchTask, "SignatureNonceUsed"); got != 1 {
		t.Errorf("Answered(SignatureNonceUsed) = %d", got)
	}
}

func assertAlibabaError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e alibabaErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if status != wantStatus || e.Code != wantCode {
		t.Fatalf("got %d %q (%s), want %d %q", status, e.Code, e.Message, wantStatus, wantCode)
	}
	if !upperUUID.MatchString(e.RequestID) || e.HostID == "" ||
		!strings.HasPrefix(e.Recommend, "https://api.aliyun.com/troubleshoot?") || !strings.Contains(e.Recommend, "q="+wantCode) {
		t.Errorf("error body shape: %s", body)
	}
}

// TestTencentSignatureRejections covers TC3 failures with the official client.
func TestTencentSignatureRejections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		now      func() time.Time
		id, key  string
		region   string
		wantCode string
	}{
		{"wrong key", nil, TencentSecretID, "wrong", "ap-guangzhou", "AuthFailure.SignatureFailure"},
		{"unknown id", nil, "AKIDunknown", TencentSecretKey, "ap-guangzhou", "AuthFailure.SecretIdNotFound"},
		{"expired", func() time.Time { return time.Now().Add(20 * time.Minute) }, TencentSecretID, TencentSecretKey, "ap-guangzhou", "AuthFailure.SignatureExpire"},
		// The DescribeTask page: "Region ... This parameter is not required for this API."
		{"no region", nil, TencentSecretID, TencentSecretKey, "", ""},
		{"accepted", nil, TencentSecretID, TencentSecretKey, "ap-shanghai", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, Options{Scenario: happyScenario(), Now: tt.now})
			_, code := tencentCall(t, tencentClient(t, s, tt.id, tt.key, tt.region), map[string]any{"JobId": "job-happy1", "TaskName": "A"})
			if code != tt.wantCode {
				t.Fatalf("code %q, want %q", code, tt.wantCode)
			}
			if s.Calls(APITencentTask) != 1 || s.Answered(APITencentTask, tt.wantCode) != 1 {
				t.Errorf("counters: Calls %d, Answered %d", s.Calls(APITencentTask), s.Answered(APITencentTask, tt.wantCode))
			}
			if tt.wantCode == "" && s.LastTencentRegion() != tt.region {
				t.Errorf("LastTencentRegion = %q", s.LastTencentRegion())
			}
			if reqs := s.Requests(APITencentTask); tt.wantCode == "" && (len(reqs) != 1 || reqs[0].Region != tt.region) {
				t.Errorf("recorded requests %+v, want one in region %q", reqs, tt.region)
			}
		})
	}
}

// TestTencentTamper changes the signed JSON body of a captured request.
func TestTencentTamper(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	rec := &recorder{}
	tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
	tc.WithHttpTransport(rec)
	if _, code := tencentCall(t, tc, map[string]any{"JobId": "job-happy1", "TaskName": "A"}); code != "" {
		t.Fatalf("first call: %q", code)
	}
	rec.body = bytes.Replace(rec.body, []byte(`"A"`), []byte(`"B"`), 1)
	status, body := rec.replay(t, "")
	var out tencentErrorBody
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if status != http.StatusOK || out.Response.Error.Code != "AuthFailure.SignatureFailure" || !lowerUUID.MatchString(out.Response.RequestID) {
		t.Fatalf("got %d %s", status, body)
	}
}

// TestRouting covers requests that reach no API.
func TestRouting(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	_, status, code := alibabaCall(t, ali, rpcRequest(t, s, "2019-01-01", "DescribeBatchTask", nil))
	if status != 404 || code != "InvalidAction.NotFound" {
		t.Errorf("wrong version: %d %q", status, code)
	}
	_, status, code = alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeDBClusters", nil))
	if status != 404 || code != "InvalidAction.NotFound" {
		t.Errorf("unknown action: %d %q", status, code)
	}
	resp, err := http.Get(s.URL() + "/?Action=DescribeTasks&Version=2017-08-01")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 400 || s.Answered(APIPolarDBTasks, "MissingAccessKeyId") != 1 {
		t.Errorf("unsigned request: status %d", resp.StatusCode)
	}
	if s.TotalCalls() != 3 || s.Calls(APIPolarDBTasks) != 1 {
		t.Errorf("TotalCalls %d, Calls %d", s.TotalCalls(), s.Calls(APIPolarDBTasks))
	}
}

// TestSecurityTokensAndForms checks that STS tokens are accepted on all three
// schemes and that RPC parameters sent as a form body are signed and read.
func TestSecurityTokensAndForms(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	sts, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(),
		credentials.NewStsTokenCredential(AlibabaAccessKeyID, AlibabaAccessKeySecret, "sts-token-value"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	sts.SetTransport(rec)
	req := rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", nil)
	req.FormParams["BatchId"] = "pcb-happy"
	body, _, code := alibabaCall(t, sts, req)
	if code != "" || jsonString(t, decodeObject(t, body)["BatchId"]) != "pcb-happy" {
		t.Fatalf("rpc with token and form body: %q %s", code, body)
	}
	if !strings.Contains(rec.last.URL.RawQuery, "SecurityToken=") || !strings.Contains(string(rec.body), "BatchId=pcb-happy") {
		t.Fatalf("the request did not carry what this test means to check: %s / %s", rec.last.URL.RawQuery, rec.body)
	}
	if _, _, code := alibabaCall(t, sts, roaRequest(t, s, "t-happy")); code != "" || len(rec.last.Header["x-acs-security-token"]) == 0 { //nolint:staticcheck // the SDK sets the header map directly, not canonicalised
		t.Fatalf("roa with token: %q", code)
	}

	host, _, _ := hostPort(t, s)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "http"
	tc := tccommon.NewCommonClient(tccommon.NewTokenCredential(TencentSecretID, TencentSecretKey, "tc-token"), "ap-beijing", prof)
	if _, code := tencentCall(t, tc, map[string]any{"JobId": "job-happy1", "TaskName": "A"}); code != "" {
		t.Fatalf("tencent with token: %q", code)
	}
}
