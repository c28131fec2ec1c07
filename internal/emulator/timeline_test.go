package emulator

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// TestTaskTimelines checks the bookkeeping the end-to-end benchmark reads: the end of a
// time-based lifecycle is on the timeline of the first read, not at the read that noticed it.
func TestTaskTimelines(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, Options{Now: clock.Now, Scenario: &Scenario{PolarDBBatchTasks: []BatchTask{
		{BatchID: "pcb-time", Phases: []Phase{batchPhase(0, "2s", "DISPATCHING"), batchPhase(0, "3s", "RUNNING"), batchPhase(0, "", "COMPLETED")}},
		{BatchID: "pcb-calls", Phases: []Phase{batchPhase(2, "", "RUNNING"), batchPhase(0, "", "COMPLETED")}},
		{BatchID: "pcb-unread", Phases: []Phase{batchPhase(0, "", "COMPLETED")}},
	}}})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	read := func(id string) {
		if _, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": id})); code != "" {
			t.Fatalf("%s: %s", id, code)
		}
	}
	first := clock.Now()
	for _, step := range []time.Duration{0, time.Second, 3 * time.Second, 2500 * time.Millisecond, time.Second} {
		clock.Advance(step)
		read("pcb-time") // at 0, 1, 4, 6.5 (first COMPLETED) and 7.5 s
	}
	for range 4 {
		read("pcb-calls")
	}

	got := s.TaskTimelines()
	if len(got) != 2 || got[0].Key != "batch/pcb-calls" || got[1].Key != "batch/pcb-time" {
		t.Fatalf("timelines %+v, want batch/pcb-calls and batch/pcb-time only", got)
	}
	calls, timed := got[0], got[1]
	if timed.Reads != 5 || timed.ReadsToEnd != 4 || !timed.FirstRead.Equal(first) {
		t.Errorf("pcb-time: %d reads, %d to the end, first at %v; want 5, 4, %v", timed.Reads, timed.ReadsToEnd, timed.FirstRead, first)
	}
	if want := first.Add(5 * time.Second); !timed.Ended.Equal(want) {
		t.Errorf("pcb-time ended %v, want %v (first read + 2s + 3s)", timed.Ended, want)
	}
	if lat, ok := timed.Latency(); !ok || lat != 1500*time.Millisecond {
		t.Errorf("pcb-time latency %v %v, want 1.5s", lat, ok)
	}
	if lat, ok := calls.Latency(); !ok || lat != 0 || calls.ReadsToEnd != 3 || calls.Reads != 4 {
		t.Errorf("pcb-calls: latency %v %v, %d to the end of %d reads; want 0, 3 of 4", lat, ok, calls.ReadsToEnd, calls.Reads)
	}
}

// TestTaskTimelineNotEnded reports no latency before the last phase is reached.
func TestTaskTimelineNotEnded(t *testing.T) {
	t.Parallel()
	var tl TaskTimeline
	tl.observe(time.Now(), 0, 2, time.Now())
	if _, ok := tl.Latency(); ok || tl.Reads != 1 {
		t.Errorf("after one read of phase 0 of 2: %+v", tl)
	}
}

// TestConnections counts accepted connections: a keep-alive client reuses one, a client
// without keep-alive opens one per request.
func TestConnections(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	get := func(c *http.Client) {
		resp, err := c.Get(s.URL() + "/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // read to the end, or the connection is not reused
		_ = resp.Body.Close()
	}
	keep := &http.Client{Transport: &http.Transport{}}
	for range 3 {
		get(keep)
	}
	if got := s.Connections(); got != 1 {
		t.Errorf("keep-alive client: %d connections, want 1", got)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 2 {
		get(fresh)
	}
	if got := s.Connections(); got != 3 {
		t.Errorf("after two requests without keep-alive: %d connections, want 3", got)
	}
	if got := s.TotalCalls(); got != 5 {
		t.Errorf("%d requests, want 5", got)
	}
}
