package tencent

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// TestEventStreamAnswerIsClosed answers once with an event stream, which the SDK used to
// reject without closing (leaving the connection and its goroutines behind), then with a
// task. The call must be retried, succeed, and leave no goroutine once the server is gone.
// Not parallel: it counts goroutines.
func TestEventStreamAnswerIsClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = fmt.Fprint(w, "data: {}\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"Response":{"JobId":"job-1","TaskName":"A","TaskState":"SUCCEED","RequestId":"r-2"}}`)
	}))
	c := newTestClient(t, srv.URL)
	task, err := c.DescribeTask(t.Context(), req("job-1", "A"))
	srv.Close()
	CloseIdleConnections()
	if err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	if task.RequestID != "r-2" || calls.Load() != 2 {
		t.Errorf("request id %q after %d calls, want r-2 after 2", task.RequestID, calls.Load())
	}
}

// TestTruncatedAnswerIsClosed has the emulator cut its first answer off mid-body (the SDK
// returns the read error without closing the body), then answer in full. The call must be
// retried, succeed, and leave no goroutine behind: with the SDK's own request timeout, its timer
// goroutine stayed for the whole timeout. Not parallel: it counts goroutines.
func TestTruncatedAnswerIsClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := emulator.New(emulator.Options{Scenario: &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{generatedTask("job-t1", "A", "SUCCEED", 1, 0)},
		Faults:       []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultTruncated, Times: 1}},
	}})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, srv.URL())
	_, err := c.DescribeTask(t.Context(), req("job-t1", "A"))
	served := srv.Injected(emulator.APITencentTask, emulator.FaultTruncated)
	_ = srv.Close()
	CloseIdleConnections()
	if err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	if served != 1 {
		t.Fatalf("the emulator cut %d answers short, want 1", served)
	}
}
