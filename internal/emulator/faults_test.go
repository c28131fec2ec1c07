package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// TestAlibabaFaults injects every fault kind into PolarDB DescribeBatchTask
// and checks what the SDK sees and what the counters record.
func TestAlibabaFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		wantCode   string // as answered and counted
		wantErr    bool   // transport error instead of an answer
	}{
		{"throttling", Fault{Kind: FaultThrottling}, 400, "Throttling.User", false},
		{"throttling code override", Fault{Kind: FaultThrottling, Code: "Throttling.Api"}, 400, "Throttling.Api", false},
		{"error", Fault{Kind: FaultError, Code: "Forbidden.RAM", HTTPStatus: 403}, 403, "Forbidden.RAM", false},
		{"server error default", Fault{Kind: FaultServerError}, 503, "ServiceUnavailable", false},
		{"server error 500", Fault{Kind: FaultServerError, HTTPStatus: 500}, 500, "InternalError", false},
		{"malformed", Fault{Kind: FaultMalformed}, 200, CodeMalformed, false},
		{"drop", Fault{Kind: FaultDrop}, 0, CodeDropped, true},
		{"other API is untouched", Fault{API: APIBDRCTask, Kind: FaultDrop}, 200, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fault.Times = 1
			if tt.fault.API == "" {
				tt.fault.API = APIPolarDBBatchTask
			}
			sc := happyScenario()
			sc.Faults = []Fault{tt.fault}
			s := NewTestServer(t, sc)
			ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
			req := rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})
			body, status, code, err := alibabaTry(ali, req)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && tt.wantCode != CodeMalformed && (status != tt.wantStatus || code != tt.wantCode) {
				t.Fatalf("got %d %q, want %d %q", status, code, tt.wantStatus, tt.wantCode)
			}
			if tt.wantCode == CodeMalformed && (status != 200 || json.Valid(body)) {
				t.Fatalf("malformed: status %d body %s", status, body)
			}
			if s.Calls(APIPolarDBBatchTask) != 1 || s.Answered(APIPolarDBBatchTask, tt.wantCode) != 1 {
				t.Errorf("counters: Calls %d Answered(%q) %d", s.Calls(APIPolarDBBatchTask), tt.wantCode, s.Answered(APIPolarDBBatchTask, tt.wantCode))
			}
			// Times 1: the next request is answered normally.
			if _, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})); code != "" {
				t.Errorf("second request: %q", code)
			}
		})
	}
}

// TestTencentFaults injects the Tencent-shaped faults.
func TestTencentFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    Fault
		wantCode string
		wantErr  bool
	}{
		{"throttling", Fault{Kind: FaultThrottling}, "RequestLimitExceeded", false},
		{"server error", Fault{Kind: FaultServerError}, "InternalError", false},
		{"error", Fault{Kind: FaultError, Code: "ResourceUnavailable"}, "ResourceUnavailable", false},
		{"malformed", Fault{Kind: FaultMalformed}, CodeMalformed, true},
		{"drop", Fault{Kind: FaultDrop}, CodeDropped, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewTestServer(t, happyScenario())
			s.AddFault(tt.fault)
			tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
			err := tc.Send(tencentRequest(t, map[string]any{"JobId": "job-happy1", "TaskName": "A"}), tchttp.NewCommonResponse())
			code := tencentCode(err)
			if tt.wantErr {
				if err == nil || code != "" && !strings.HasPrefix(code, "ClientError.") {
					t.Fatalf("want a client-side error, got %v", err)
				}
			} else if code != tt.wantCode {
				t.Fatalf("code %q (%v), want %q", code, err, tt.wantCode)
			}
			if s.Answered(APITencentTask, tt.wantCode) != 1 {
				t.Errorf("Answered(%q) = %d", tt.wantCode, s.Answered(APITencentTask, tt.wantCode))
			}
		})
	}
}

// TestFaultWindowAndSignatures checks Skip/Times, that a bad signature never
// consumes a fault, and that faults for "" match every API.
func TestFaultWindowAndSignatures(t *testing.T) {
	t.Parallel()
	sc := happyScenario()
	sc.Faults = []Fault{
		{API: APIPolarDBBatchTask, Kind: FaultThrottling, Skip: 1, Times: 2},
		{Kind: FaultServerError, Skip: 4, Times: 1},
	}
	s := NewTestServer(t, sc)
	good := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	bad := alibabaClient(t, AlibabaAccessKeyID, "wrong")
	call := func(ok bool) string {
		c := good
		if !ok {
			c = bad
		}
		_, _, code := alibabaCall(t, c, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"}))
		return code
	}
	got := []string{call(true), call(false), call(true), call(true), call(true)}
	want := []string{"", "SignatureDoesNotMatch", "Throttling.User", "Throttling.User", ""}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sequence %q, want %q", got, want)
		}
	}
	// The "" fault has seen four verified requests; the fifth (any API) fires.
	if _, status, code := alibabaCall(t, good, roaRequest(t, s, "t-happy")); status != 503 || code != "ServiceUnavailable" {
		t.Errorf("catch-all fault: %d %q", status, code)
	}
}

// TestSlowFault checks that a slow answer waits its delay and then answers
// normally, and that a client that gives up releases the server's wait. It
// reads the emulator's counters, not the wall clock: the counters say which
// event ended each wait.
func TestSlowFault(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	s.AddFault(Fault{API: APIBDRCTask, Kind: FaultSlow, Delay: "50ms", Times: 1})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	if _, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-happy")); code != "" {
		t.Fatalf("slow answer: %q", code)
	}
	if got, want := s.Slow(APIBDRCTask), (SlowAnswers{Served: 1, Delayed: 1}); got != want {
		t.Fatalf("after a patient client: %+v, want %+v", got, want)
	}

	// An hour-long delay: only the client leaving can end this wait while the test runs.
	s.AddFault(Fault{API: APIBDRCTask, Kind: FaultSlow, Delay: "1h", Times: 1})
	impatient := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	impatient.SetReadTimeout(100 * time.Millisecond)
	if _, _, _, err := alibabaTry(impatient, roaRequest(t, s, "t-happy")); err == nil {
		t.Fatal("want a timeout")
	}
	// The server may reach the request, and learns of the closed connection, only after the
	// client gave up; wait for those events.
	for tries := 0; s.Slow(APIBDRCTask).Abandoned != 1; tries++ {
		if tries == 3000 {
			t.Fatalf("the emulator still holds the abandoned answer: %+v", s.Slow(APIBDRCTask))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, want := s.Slow(APIBDRCTask), (SlowAnswers{Served: 2, Delayed: 1, Abandoned: 1}); got != want {
		t.Fatalf("after an impatient client: %+v, want %+v: the second slow answer served and not delivered", got, want)
	}
	if s.Calls(APIBDRCTask) != 2 {
		t.Errorf("calls = %d, want 2", s.Calls(APIBDRCTask))
	}
	if got := s.Injected(APIBDRCTask, FaultSlow); got != 2 {
		t.Errorf("Injected(slow) = %d, want 2", got)
	}
}
