package emulator

import (
	"strings"
	"testing"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// twoPhaseBDRC is a BDRC task RUNNING for one read, then COMPLETE.
func twoPhaseBDRC() *Scenario {
	return &Scenario{BDRCTasks: []BDRCTask{{TaskID: "t-two", Phases: []Phase{
		{Calls: 1, Response: raw(`{"TaskId":"t-two","TaskStatus":"RUNNING","Progress":10}`)},
		{Response: raw(`{"TaskId":"t-two","TaskStatus":"COMPLETE","Progress":10000}`)},
	}}}}
}

// TestVanishFault shows a vanished task answers the API's not-found code without moving its
// lifecycle, then reappears where it was.
func TestVanishFault(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, twoPhaseBDRC())
	s.AddFault(Fault{API: APIBDRCTask, Kind: FaultVanish, Times: 2})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	for i := range 2 {
		if _, status, code := alibabaCall(t, ali, roaRequest(t, s, "t-two")); status != 404 || code != "NotFound.Task" {
			t.Fatalf("vanished read %d: %d %q", i, status, code)
		}
	}
	body, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-two"))
	if code != "" || !strings.Contains(string(body), `"RUNNING"`) {
		t.Fatalf("reappeared: %q %s, want the first phase (RUNNING)", code, body)
	}
	if got := s.Answered(APIBDRCTask, "NotFound.Task"); got != 2 {
		t.Errorf("Answered(NotFound.Task) = %d, want 2", got)
	}
	if got, other := s.Injected(APIBDRCTask, FaultVanish), s.Injected(APIPolarDBBatchTask, FaultVanish); got != 2 || other != 0 {
		t.Errorf("Injected(vanish) = %d on BDRC and %d on PolarDB, want 2 and 0", got, other)
	}
}

// TestVanishFaultTencent shows the Tencent shape of a vanished task: the documented code in a 200.
func TestVanishFaultTencent(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	s.AddFault(Fault{API: APITencentTask, Kind: FaultVanish, Times: 1})
	tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
	err := tc.Send(tencentRequest(t, map[string]any{"JobId": "job-happy1", "TaskName": "A"}), tchttp.NewCommonResponse())
	if code := tencentCode(err); code != "ResourceNotFound.Task" {
		t.Fatalf("code %q (%v), want ResourceNotFound.Task", code, err)
	}
	if err := tc.Send(tencentRequest(t, map[string]any{"JobId": "job-happy1", "TaskName": "A"}), tchttp.NewCommonResponse()); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
}

// TestTruncatedFault shows a truncated answer is a transport error for both SDKs, that the API
// did answer (the lifecycle moved on), and that the counters record it.
func TestTruncatedFault(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, twoPhaseBDRC())
	s.AddFault(Fault{API: APIBDRCTask, Kind: FaultTruncated, Times: 1})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	if _, status, code, err := alibabaTry(ali, roaRequest(t, s, "t-two")); err == nil {
		t.Fatalf("truncated answer read as %d %q, want a transport error", status, code)
	}
	body, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-two"))
	if code != "" || !strings.Contains(string(body), `"COMPLETE"`) {
		t.Fatalf("after the fault: %q %s, want the second phase", code, body)
	}
	if got := s.Answered(APIBDRCTask, CodeTruncated); got != 1 {
		t.Errorf("Answered(CodeTruncated) = %d, want 1", got)
	}

	tcSrv := NewTestServer(t, happyScenario())
	tcSrv.AddFault(Fault{API: APITencentTask, Kind: FaultTruncated, Times: 1})
	tc := tencentClient(t, tcSrv, TencentSecretID, TencentSecretKey, "ap-guangzhou")
	if err := tc.Send(tencentRequest(t, map[string]any{"JobId": "job-happy1", "TaskName": "A"}), tchttp.NewCommonResponse()); err == nil {
		t.Fatal("Tencent truncated answer: want an error")
	}
	if got := tcSrv.Answered(APITencentTask, CodeTruncated); got != 1 {
		t.Errorf("Tencent Answered(CodeTruncated) = %d, want 1", got)
	}
}
