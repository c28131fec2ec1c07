package emulator

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// TestRequestsRecordsVerifiedParams drives every API with the official SDKs,
// temporary credentials included, and checks that each verified request is
// recorded with its business parameters only, its region and its arrival time.
func TestRequestsRecordsVerifiedParams(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, Options{Scenario: happyScenario(), Now: clock.Now})
	const aliToken, tcToken = "sts-token-alibaba", "sts-token-tencent"
	ali, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(),
		credentials.NewStsTokenCredential(AlibabaAccessKeyID, AlibabaAccessKeySecret, aliToken))
	if err != nil {
		t.Fatal(err)
	}
	ali.SetReadTimeout(5 * time.Second)
	ali.AppendUserAgent("requests-test", "1.2.3")
	host, _, _ := hostPort(t, s)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "http"
	tc := tccommon.NewCommonClient(tccommon.NewTokenCredential(TencentSecretID, TencentSecretKey, tcToken), "ap-shanghai", prof)

	started := clock.Now()
	if _, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})); code != "" {
		t.Fatalf("DescribeBatchTask: %s", code)
	}
	clock.Advance(time.Second)
	tasksReq := rpcRequest(t, s, "2017-08-01", "DescribeTasks", map[string]string{
		"DBClusterId": "pc-happy", "StartTime": "2020-11-30T00:00Z", "EndTime": "2020-12-02T03:00Z",
		"Status": "Waiting,Running,Pause", "PageSize": "30", "PageNumber": "1",
	})
	tasksReq.RegionId = "cn-beijing"
	if _, _, code := alibabaCall(t, ali, tasksReq); code != "" {
		t.Fatalf("DescribeTasks: %s", code)
	}
	clock.Advance(time.Second)
	// Form parameters count as much as query parameters.
	dnsReq := rpcRequest(t, s, "2015-01-09", "DescribeBatchResultCount", map[string]string{"TaskId": "123456"})
	dnsReq.FormParams["Lang"] = "en"
	dnsReq.FormParams["BatchType"] = "DOMAIN_ADD"
	if _, _, code := alibabaCall(t, ali, dnsReq); code != "" {
		t.Fatalf("DescribeBatchResultCount: %s", code)
	}
	if _, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-happy")); code != "" {
		t.Fatalf("BDRC DescribeTask: %s", code)
	}
	if _, code := tencentCall(t, tc, map[string]any{
		"JobId": "job-happy1", "TaskName": "A", "Offset": 0, "Limit": 1000,
		"Filters": []map[string]any{
			{"Name": "task-instance-type", "Values": []string{"FAILED", "SUCCEED"}},
			{"Name": "task-instance-state", "Values": []string{"RUNNING"}},
		},
	}); code != "" {
		t.Fatalf("Tencent DescribeTask: %s", code)
	}

	tests := []struct {
		api    string
		params map[string]string
		region string
		at     time.Duration
	}{
		{APIPolarDBBatchTask, map[string]string{"BatchId": "pcb-happy"}, "cn-hangzhou", 0},
		{APIPolarDBTasks, map[string]string{
			"DBClusterId": "pc-happy", "StartTime": "2020-11-30T00:00Z", "EndTime": "2020-12-02T03:00Z",
			"Status": "Waiting,Running,Pause", "PageSize": "30", "PageNumber": "1",
		}, "cn-beijing", time.Second},
		{APIAlidnsBatchResult, map[string]string{"TaskId": "123456", "Lang": "en", "BatchType": "DOMAIN_ADD"}, "cn-hangzhou", 2 * time.Second},
		{APIBDRCTask, map[string]string{"TaskId": "t-happy"}, "", 2 * time.Second},
		{APITencentTask, map[string]string{
			"JobId": "job-happy1", "TaskName": "A", "Offset": "0", "Limit": "1000",
			"Filters.0.Name": "task-instance-type", "Filters.0.Values.0": "FAILED", "Filters.0.Values.1": "SUCCEED",
			"Filters.1.Name": "task-instance-state", "Filters.1.Values.0": "RUNNING",
		}, "ap-shanghai", 2 * time.Second},
	}
	secrets := []string{AlibabaAccessKeyID, AlibabaAccessKeySecret, TencentSecretID, TencentSecretKey, aliToken, tcToken}
	for _, tt := range tests {
		got := s.Requests(tt.api)
		if len(got) != 1 {
			t.Errorf("%s: %d requests recorded, want 1", tt.api, len(got))
			continue
		}
		r := got[0]
		if !maps.Equal(r.Params, tt.params) {
			t.Errorf("%s: Params = %v, want %v", tt.api, r.Params, tt.params)
		}
		if r.Region != tt.region {
			t.Errorf("%s: Region = %q, want %q", tt.api, r.Region, tt.region)
		}
		if want := started.Add(tt.at); !r.At.Equal(want) {
			t.Errorf("%s: At = %v, want the server clock's %v", tt.api, r.At, want)
		}
		// The Alibaba client appends its product to the SDK's agent; the Tencent SDK sends Go's.
		wantAgent := "requests-test/1.2.3"
		if tt.api == APITencentTask {
			wantAgent = "Go-http-client/"
		}
		if !strings.Contains(r.UserAgent, wantAgent) {
			t.Errorf("%s: UserAgent = %q, want it to contain %q", tt.api, r.UserAgent, wantAgent)
		}
		for k, v := range r.Params {
			for _, secret := range secrets {
				if strings.Contains(v, secret) {
					t.Errorf("%s: parameter %s holds a credential", tt.api, k)
				}
			}
		}
	}

	// Copies: changing an answer changes nothing recorded.
	s.Requests(APIPolarDBBatchTask)[0].Params["BatchId"] = "changed"
	if got := s.Requests(APIPolarDBBatchTask)[0].Params["BatchId"]; got != "pcb-happy" {
		t.Errorf("BatchId after changing a copy = %q", got)
	}

	s.ResetCounters()
	for _, tt := range tests {
		if n := len(s.Requests(tt.api)); n != 0 {
			t.Errorf("%s: %d requests recorded after ResetCounters, want 0", tt.api, n)
		}
	}
}

// TestRequestsSkipsRejectedRecordsAnswered records only what passed
// verification, in arrival order, including answers from faults and the
// Tencent rate limit.
func TestRequestsSkipsRejectedRecordsAnswered(t *testing.T) {
	t.Parallel()
	sc := happyScenario()
	sc.TencentRateLimit = 1
	sc.Faults = []Fault{{API: APIPolarDBBatchTask, Kind: FaultThrottling, Times: 1}}
	s := NewTestServer(t, sc)

	batch := func(id string) *sdkCall {
		return &sdkCall{ak: AlibabaAccessKeyID, secret: AlibabaAccessKeySecret, params: map[string]string{"BatchId": id}}
	}
	wrong := batch("pcb-wrong-secret")
	wrong.secret = "wrong"
	calls := []struct {
		call     *sdkCall
		wantCode string
	}{
		{batch("pcb-throttled"), "Throttling.User"},
		{wrong, "SignatureDoesNotMatch"},
		{batch("pcb-happy"), ""},
	}
	for _, c := range calls {
		req := rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", c.call.params)
		if _, _, code := alibabaCall(t, alibabaClient(t, c.call.ak, c.call.secret), req); code != c.wantCode {
			t.Fatalf("BatchId %s: code %q, want %q", c.call.params["BatchId"], code, c.wantCode)
		}
	}
	if got := batchIDs(s.Requests(APIPolarDBBatchTask)); got != "pcb-throttled,pcb-happy" {
		t.Errorf("recorded BatchIds = %s, want the throttled and the accepted request in order", got)
	}
	if s.Calls(APIPolarDBBatchTask) != 3 {
		t.Errorf("Calls = %d, want 3: rejected requests still count", s.Calls(APIPolarDBBatchTask))
	}

	tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
	tcWrong := tencentClient(t, s, TencentSecretID, "wrong", "ap-guangzhou")
	if _, code := tencentCall(t, tcWrong, map[string]any{"JobId": "job-happy1", "TaskName": "wrong"}); code != "AuthFailure.SignatureFailure" {
		t.Fatalf("wrong key: code %q", code)
	}
	for i := range 2 {
		_, code := tencentCall(t, tc, map[string]any{"JobId": "job-happy1", "TaskName": "A", "Offset": i})
		if want := []string{"", "RequestLimitExceeded"}[i]; code != want {
			t.Fatalf("call %d: code %q, want %q", i, code, want)
		}
	}
	got := s.Requests(APITencentTask)
	if len(got) != 2 || got[0].Params["Offset"] != "0" || got[1].Params["Offset"] != "1" {
		t.Errorf("Tencent requests = %v, want the two signed ones, the rate-limited one last", got)
	}
}

type sdkCall struct {
	ak, secret string
	params     map[string]string
}

func batchIDs(rs []Request) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Params["BatchId"]
	}
	return strings.Join(ids, ",")
}

// TestRequestsTencentGet records a signed GET's query without its common
// parameters; the SDK's common client sends no action parameters on GET, so
// the request is signed here. The API refuses common parameters in a TC3
// query, but the request was verified, so it is recorded all the same.
func TestRequestsTencentGet(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	query := url.Values{
		"JobId": {"job-happy1"}, "TaskName": {"A"}, "Limit": {"1"},
		"Filters.0.Name": {"task-instance-type"}, "Filters.0.Values.0": {"FAILED"},
		"Language": {"en-US"}, "Token": {"sts-token-tencent"},
	}
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-TC-Action", "DescribeTask")
	req.Header.Set("X-TC-Version", tencentVersion)
	req.Header.Set("X-TC-Region", "ap-beijing")
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(now.Unix(), 10))
	auth := tc3Authorization{secretID: TencentSecretID, date: now.Format("2006-01-02"), service: tencentService,
		terminator: "tc3_request", signedHeaders: []string{"content-type", "host"}}
	auth.signature = tc3Signature(req, nil, auth, TencentSecretKey)
	req.Header.Set("Authorization", fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, Signature=%s",
		auth.secretID, auth.date, auth.service, auth.signature))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"UnknownParameter"`) {
		t.Fatalf("GET answered %d %s, want UnknownParameter for the common parameters", resp.StatusCode, body)
	}
	got := s.Requests(APITencentTask)
	want := map[string]string{"JobId": "job-happy1", "TaskName": "A", "Limit": "1",
		"Filters.0.Name": "task-instance-type", "Filters.0.Values.0": "FAILED"}
	if len(got) != 1 || !maps.Equal(got[0].Params, want) || got[0].Region != "ap-beijing" {
		t.Fatalf("recorded %+v, want Params %v in ap-beijing", got, want)
	}
}

func TestFlattenJSONBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want map[string]string
	}{
		{"scalars keep their JSON spelling", `{"JobId":"job-1","Limit":1000,"Offset":0,"Big":12345678901234567890,"Ratio":1.50,"On":true}`,
			map[string]string{"JobId": "job-1", "Limit": "1000", "Offset": "0", "Big": "12345678901234567890", "Ratio": "1.50", "On": "true"}},
		{"arrays by index, objects by name", `{"Filters":[{"Name":"a","Values":["x","y"]},{"Name":"b","Values":[]}],"Tag":{"Key":"k"}}`,
			map[string]string{"Filters.0.Name": "a", "Filters.0.Values.0": "x", "Filters.0.Values.1": "y", "Filters.1.Name": "b", "Tag.Key": "k"}},
		{"null is not sent", `{"JobId":null,"TaskName":"A"}`, map[string]string{"TaskName": "A"}},
		{"empty body", ``, map[string]string{}},
		{"not an object", `["JobId"]`, map[string]string{}},
		{"broken JSON", `{"JobId":`, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{}
			flattenJSONBody([]byte(tt.body), got)
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
