package emulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var (
	upperUUID = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	lowerUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func happyScenario() *Scenario {
	return &Scenario{
		PolarDBBatchTasks: []BatchTask{{BatchID: "pcb-happy", Phases: []Phase{{
			Response: raw(`{"BatchId":"pcb-happy","TaskName":"batch_task_test","Status":"RUNNING ","TotalCount":10,"SuccessCount":8,"TaskEnd":null,"SubTasks":[]}`),
		}}}},
		PolarDBTasks: []PolarDBTask{{DBClusterID: "pc-happy", Phases: []PolarDBTaskPhase{{
			Status: "Running",
			Task:   raw(`{"TaskId":"111111111","BeginTime":"2020-12-02T02:39:15Z","ExpectedFinishTime":"null","Progress":50}`),
		}}}},
		BDRCTasks: []BDRCTask{{TaskID: "t-happy", Phases: []Phase{{
			Response: raw(`{"TaskId":"t-happy","TaskStatus":"COMPLETE","Progress":10000,"StartTime":1724983927}`),
		}}}},
		TencentTasks: []TencentTask{{JobID: "job-happy1", TaskName: "A", Phases: []TencentPhase{{
			Response:  raw(`{"JobId":"job-happy1","TaskName":"A","TaskState":"SUCCEED","CreateTime":"2018-02-07T09:29:09Z","EndTime":"2018-02-07T09:30:31Z"}`),
			Instances: []json.RawMessage{raw(`{"TaskInstanceIndex":0,"TaskInstanceState":"SUCCEED","ExitCode":0}`)},
		}}}},
		AlidnsTasks: []AlidnsTask{{TaskID: 123456, Phases: []Phase{{
			Response: raw(`{"Status":1,"TotalCount":4,"TaskId":123456,"FailedCount":2,"SuccessCount":2,"BatchType":"DOMAIN_ADD","Reason":"failed_reason"}`),
		}}}},
	}
}

// TestSDKHappyPaths drives all five APIs with the official SDKs and checks
// that scenario values come back verbatim with fresh request ids.
func TestSDKHappyPaths(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)

	t.Run("polardb batch task", func(t *testing.T) {
		body, status, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"}))
		if code != "" || status != http.StatusOK {
			t.Fatalf("got status %d code %q", status, code)
		}
		m := decodeObject(t, body)
		if got := jsonString(t, m["Status"]); got != "RUNNING " {
			t.Errorf("Status = %q, want the scenario's verbatim %q", got, "RUNNING ")
		}
		if string(m["TaskEnd"]) != "null" {
			t.Errorf("TaskEnd = %s, want null", m["TaskEnd"])
		}
		if id := jsonString(t, m["RequestId"]); !upperUUID.MatchString(id) {
			t.Errorf("RequestId %q is not an upper-case UUID", id)
		}
	})
	t.Run("polardb tasks", func(t *testing.T) {
		body, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeTasks", map[string]string{
			"DBClusterId": "pc-happy", "StartTime": "2020-11-30T00:00Z", "EndTime": "2020-12-02T03:00Z",
		}))
		if code != "" {
			t.Fatalf("code %q", code)
		}
		var got describeTasksBody
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.TotalRecordCount != 1 || got.PageRecordCount != 1 || got.PageNumber != 1 || got.DBClusterID != "pc-happy" ||
			got.StartTime != "2020-11-30T00:00Z" || got.EndTime != "2020-12-02T03:00Z" || len(got.Tasks.Task) != 1 {
			t.Fatalf("unexpected body %s", body)
		}
		if !strings.Contains(string(got.Tasks.Task[0]), `"ExpectedFinishTime":"null"`) {
			t.Errorf("task not verbatim: %s", got.Tasks.Task[0])
		}
	})
	t.Run("bdrc task", func(t *testing.T) {
		body, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-happy"))
		if code != "" {
			t.Fatalf("code %q", code)
		}
		m := decodeObject(t, body)
		data := decodeObject(t, m["Data"])
		if jsonString(t, data["TaskStatus"]) != "COMPLETE" || jsonInt(t, data["Progress"]) != 10000 {
			t.Errorf("unexpected Data %s", m["Data"])
		}
		if jsonString(t, data["RequestId"]) != jsonString(t, m["RequestId"]) {
			t.Errorf("Data.RequestId %s differs from RequestId %s", data["RequestId"], m["RequestId"])
		}
	})
	t.Run("tencent task", func(t *testing.T) {
		tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
		resp, code := tencentCall(t, tc, map[string]any{"JobId": "job-happy1", "TaskName": "A"})
		if code != "" {
			t.Fatalf("code %q", code)
		}
		if jsonString(t, resp["TaskState"]) != "SUCCEED" || jsonInt(t, resp["TaskInstanceTotalCount"]) != 1 {
			t.Errorf("unexpected response %v", resp)
		}
		var metrics tencentMetrics
		if err := json.Unmarshal(resp["TaskInstanceMetrics"], &metrics); err != nil || metrics.SucceedCount != 1 {
			t.Errorf("metrics %s, err %v", resp["TaskInstanceMetrics"], err)
		}
		if id := jsonString(t, resp["RequestId"]); !lowerUUID.MatchString(id) {
			t.Errorf("RequestId %q is not a lower-case UUID", id)
		}
		if got := s.LastTencentRegion(); got != "ap-guangzhou" {
			t.Errorf("LastTencentRegion = %q", got)
		}
	})
	t.Run("alidns batch result", func(t *testing.T) {
		body, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2015-01-09", "DescribeBatchResultCount", map[string]string{"TaskId": "123456"}))
		if code != "" {
			t.Fatalf("code %q", code)
		}
		m := decodeObject(t, body)
		if jsonInt(t, m["Status"]) != 1 || jsonString(t, m["Reason"]) != "failed_reason" {
			t.Errorf("unexpected body %s", body)
		}
	})

	for _, api := range []string{APIPolarDBBatchTask, APIPolarDBTasks, APIBDRCTask, APITencentTask, APIAlidnsBatchResult} {
		if s.Calls(api) != 1 || s.Answered(api, "") != 1 {
			t.Errorf("%s: Calls = %d, successes = %d, want 1 and 1", api, s.Calls(api), s.Answered(api, ""))
		}
	}
	if s.TotalCalls() != 5 {
		t.Errorf("TotalCalls = %d, want 5", s.TotalCalls())
	}
	s.ResetCounters()
	if s.TotalCalls() != 0 || s.Calls(APIBDRCTask) != 0 {
		t.Error("ResetCounters left counts behind")
	}
}
