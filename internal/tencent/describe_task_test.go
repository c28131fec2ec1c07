package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait/waittest"
)

// fastBackoff keeps retry tests quick; the schedule itself is tested in package wait.
var fastBackoff = wait.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2, Jitter: 0.2}

// newTestClient returns a Client for the emulator (or any URL) with the default credentials.
func newTestClient(t *testing.T, url string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		SecretID:  emulator.TencentSecretID,
		SecretKey: emulator.TencentSecretKey,
		Region:    "ap-shanghai",
		Endpoints: Endpoints{Batch: url},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	backoff := fastBackoff
	c, err := NewClient(cfg, ClientOptions{Getenv: envOf(nil), UserAgent: "terraform-provider-cloudtask/test", Backoff: &backoff})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// generatedTask is a task whose instances the emulator generates.
func generatedTask(jobID, name, state string, count, failedEvery int) emulator.TencentTask {
	return emulator.TencentTask{
		JobID:    jobID,
		TaskName: name,
		Phases: []emulator.TencentPhase{{
			Response:          json.RawMessage(fmt.Sprintf(`{"JobId":%q,"TaskName":%q,"TaskState":%q,"CreateTime":"2026-01-02T03:04:05Z","EndTime":null}`, jobID, name, state)),
			GenerateInstances: &emulator.InstanceGenerator{Count: count, State: state, FailedEvery: failedEvery},
		}},
	}
}

func req(jobID, name string) DescribeTaskRequest {
	return DescribeTaskRequest{JobID: jobID, TaskName: name}
}

// recorder is a reverse proxy in front of the emulator that keeps every request body. The Host
// header passes through unchanged, so the emulator still verifies the client's signature.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
	tokens []string
}

func newRecorder(t *testing.T, target string) (*recorder, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("request body is not JSON: %q", body)
		}
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, m)
		rec.tokens = append(rec.tokens, r.Header.Get("X-TC-Token"))
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

func TestDescribeTaskSeedThroughEmulator(t *testing.T) {
	t.Parallel()
	sample, err := os.ReadFile("testdata/describe_task_sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Response map[string]json.RawMessage }
	if err := json.Unmarshal(sample, &doc); err != nil {
		t.Fatal(err)
	}
	var instances []json.RawMessage
	if err := json.Unmarshal(doc.Response["TaskInstanceSet"], &instances); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"TaskInstanceSet", "TaskInstanceTotalCount", "RequestId"} {
		delete(doc.Response, k)
	}
	fields, _ := json.Marshal(doc.Response)
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{{
		JobID: "job-97zcl3wt", TaskName: "A",
		Phases: []emulator.TencentPhase{{Response: fields, Instances: instances}},
	}}})

	got, err := newTestClient(t, srv.URL()).DescribeTask(context.Background(), req("job-97zcl3wt", "A"))
	if err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	want, err := decodeTask(sample)
	if err != nil {
		t.Fatal(err)
	}
	if got.RequestID == "" {
		t.Error("RequestID is empty")
	}
	want.RequestID = got.RequestID
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answer differs from the sample:\n got  %s\n want %s", dumpTask(got), dumpTask(want))
	}
	if n := srv.Calls(emulator.APITencentTask); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestDescribeTaskRegionAndToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		region     string
		token      string
		wantRegion string
	}{
		{name: "configured region", region: "eu-frankfurt", wantRegion: "eu-frankfurt"},
		{name: "default region", wantRegion: DefaultRegion},
		{name: "security token", region: "ap-beijing", token: "sts-token-1", wantRegion: "ap-beijing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-r1", "A", "RUNNING", 2, 0)}})
			rec, url := newRecorder(t, srv.URL())
			c := newTestClient(t, url, func(cfg *Config) { cfg.Region, cfg.SecurityToken = tt.region, tt.token })
			if c.Region() != tt.wantRegion {
				t.Errorf("Region() = %q, want %q", c.Region(), tt.wantRegion)
			}
			task, err := c.DescribeTask(context.Background(), req("job-r1", "A"))
			if err != nil {
				t.Fatalf("DescribeTask: %v", err)
			}
			assertStr(t, "TaskState", task.TaskState, "RUNNING")
			if got := srv.LastTencentRegion(); got != tt.wantRegion {
				t.Errorf("server saw region %q, want %q", got, tt.wantRegion)
			}
			if len(rec.tokens) != 1 || rec.tokens[0] != tt.token {
				t.Errorf("X-TC-Token headers = %q, want [%q]", rec.tokens, tt.token)
			}
		})
	}
}

// TestDescribeTaskUserAgent checks the provider's name and version reach the server in the
// User-Agent header (the SDK alone sends Go's) and that the signature still verifies.
func TestDescribeTaskUserAgent(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-ua1", "A", "RUNNING", 2, 0)}})
	backoff := fastBackoff
	c, err := NewClient(Config{
		SecretID: emulator.TencentSecretID, SecretKey: emulator.TencentSecretKey,
		Endpoints: Endpoints{Batch: srv.URL()},
	}, ClientOptions{Getenv: envOf(nil), UserAgent: "terraform-provider-cloudtask/1.2.3", Backoff: &backoff})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if _, err := c.DescribeTask(context.Background(), req("job-ua1", "A")); err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	got := srv.Requests(emulator.APITencentTask)
	if len(got) == 0 {
		t.Fatal("the emulator recorded no DescribeTask request")
	}
	for i, r := range got {
		if r.UserAgent != "terraform-provider-cloudtask/1.2.3" {
			t.Errorf("request %d: User-Agent %q, want %q", i, r.UserAgent, "terraform-provider-cloudtask/1.2.3")
		}
	}
}

func TestDescribeTaskAllPages(t *testing.T) {
	t.Parallel()
	const total = 2500
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-big01", "A", "SUCCEED", total, 7)}})
	rec, url := newRecorder(t, srv.URL())

	// Offset and Limit in the request are ignored by DescribeTaskAll.
	r := req("job-big01", "A")
	r.Offset, r.Limit = i64(5), i64(10)
	task, err := newTestClient(t, url).DescribeTaskAll(context.Background(), r)
	if err != nil {
		t.Fatalf("DescribeTaskAll: %v", err)
	}
	if n := len(task.TaskInstanceSet); n != total {
		t.Fatalf("read %d instances, want %d", n, total)
	}
	for i, inst := range task.TaskInstanceSet {
		if inst.TaskInstanceIndex == nil || *inst.TaskInstanceIndex != int64(i) {
			t.Fatalf("instance %d has index %v", i, deref(inst.TaskInstanceIndex))
		}
	}
	assertInt(t, "TaskInstanceTotalCount", task.TaskInstanceTotalCount, total)
	if task.TaskInstanceMetrics == nil {
		t.Fatal("TaskInstanceMetrics is nil")
	}
	assertInt(t, "FailedCount", task.TaskInstanceMetrics.FailedCount, total/7)
	assertInt(t, "SucceedCount", task.TaskInstanceMetrics.SucceedCount, total-total/7)

	if n := srv.Calls(emulator.APITencentTask); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
	wantPages := []struct{ offset, limit float64 }{{0, 1000}, {1000, 1000}, {2000, 1000}}
	if len(rec.bodies) != len(wantPages) {
		t.Fatalf("recorded %d requests, want %d", len(rec.bodies), len(wantPages))
	}
	for i, want := range wantPages {
		b := rec.bodies[i]
		if b["Offset"] != want.offset || b["Limit"] != want.limit || b["JobId"] != "job-big01" || b["TaskName"] != "A" {
			t.Errorf("request %d = %v, want Offset %v Limit %v", i, b, want.offset, want.limit)
		}
	}
}

func TestDescribeTaskFiltersAsWritten(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		filters   []Filter
		wantState string
		wantTotal int64
		wantWire  string
	}{
		{
			name:      "task-instance-state",
			filters:   []Filter{{Name: "task-instance-state", Values: []string{"FAILED"}}},
			wantState: "FAILED", wantTotal: 10,
			wantWire: `[{"Name":"task-instance-state","Values":["FAILED"]}]`,
		},
		{
			name:      "task-instance-type",
			filters:   []Filter{{Name: "task-instance-type", Values: []string{"SUCCEED"}}},
			wantState: "SUCCEED", wantTotal: 20,
			wantWire: `[{"Name":"task-instance-type","Values":["SUCCEED"]}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-f1", "A", "SUCCEED", 30, 3)}})
			rec, url := newRecorder(t, srv.URL())
			r := req("job-f1", "A")
			r.Filters = tt.filters
			task, err := newTestClient(t, url).DescribeTask(context.Background(), r)
			if err != nil {
				t.Fatalf("DescribeTask: %v", err)
			}
			assertInt(t, "TaskInstanceTotalCount", task.TaskInstanceTotalCount, tt.wantTotal)
			if int64(len(task.TaskInstanceSet)) != tt.wantTotal {
				t.Errorf("got %d instances, want %d", len(task.TaskInstanceSet), tt.wantTotal)
			}
			for _, inst := range task.TaskInstanceSet {
				assertStr(t, "TaskInstanceState", inst.TaskInstanceState, tt.wantState)
			}
			wire, _ := json.Marshal(rec.bodies[0]["Filters"])
			if string(wire) != tt.wantWire {
				t.Errorf("Filters on the wire = %s, want %s", wire, tt.wantWire)
			}
			if _, ok := rec.bodies[0]["Offset"]; ok {
				t.Errorf("Offset sent although unset: %v", rec.bodies[0])
			}
		})
	}
}

func TestDescribeTaskRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     emulator.Fault
		wantCalls int
		wantCode  string // code the fault answered
	}{
		{name: "throttled three times", fault: emulator.Fault{Kind: emulator.FaultThrottling, Times: 3}, wantCalls: 4, wantCode: "RequestLimitExceeded"},
		{name: "throttled with a sub-code", fault: emulator.Fault{Kind: emulator.FaultThrottling, Code: "RequestLimitExceeded.UinLimitExceeded", Times: 1}, wantCalls: 2, wantCode: "RequestLimitExceeded.UinLimitExceeded"},
		{name: "internal error", fault: emulator.Fault{Kind: emulator.FaultServerError, Times: 1}, wantCalls: 2, wantCode: "InternalError"},
		{name: "dropped connection", fault: emulator.Fault{Kind: emulator.FaultDrop, Times: 1}, wantCalls: 2, wantCode: emulator.CodeDropped},
		{name: "truncated answer", fault: emulator.Fault{Kind: emulator.FaultMalformed, Times: 1}, wantCalls: 2, wantCode: emulator.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fault.API = emulator.APITencentTask
			srv := emulator.NewTestServer(t, &emulator.Scenario{
				TencentTasks: []emulator.TencentTask{generatedTask("job-rt1", "A", "RUNNING", 3, 0)},
				Faults:       []emulator.Fault{tt.fault},
			})
			task, err := newTestClient(t, srv.URL()).DescribeTask(context.Background(), req("job-rt1", "A"))
			if err != nil {
				t.Fatalf("DescribeTask: %v", err)
			}
			assertStr(t, "TaskState", task.TaskState, "RUNNING")
			if n := srv.Calls(emulator.APITencentTask); n != tt.wantCalls {
				t.Errorf("calls = %d, want %d", n, tt.wantCalls)
			}
			if n := srv.Answered(emulator.APITencentTask, tt.wantCode); n != tt.wantCalls-1 {
				t.Errorf("answered %s %d times, want %d", tt.wantCode, n, tt.wantCalls-1)
			}
		})
	}
}

func TestDescribeTaskFailsAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		request  DescribeTaskRequest
		mutate   func(*Config)
		faults   []emulator.Fault
		wantCode string
		class    func(error) bool
	}{
		{
			name: "wrong secret key", request: req("job-x1", "A"),
			mutate:   func(cfg *Config) { cfg.SecretKey = "not-the-key" },
			wantCode: "AuthFailure.SignatureFailure", class: IsAuthError,
		},
		{
			name: "unknown secret id", request: req("job-x1", "A"),
			mutate:   func(cfg *Config) { cfg.SecretID = "AKIDunknown" },
			wantCode: "AuthFailure.SecretIdNotFound", class: IsAuthError,
		},
		{name: "unknown task", request: req("job-x1", "B"), wantCode: "ResourceNotFound.Task", class: IsNotFound},
		{
			name: "parameter error", request: req("job-x1", "A"),
			faults:   []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultError, Code: "InvalidParameter.JobIdMalformed", Message: "Invalid job ID format."}},
			wantCode: "InvalidParameter.JobIdMalformed", class: func(err error) bool { return !IsRetryable(err) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{
				TencentTasks: []emulator.TencentTask{generatedTask("job-x1", "A", "RUNNING", 1, 0)},
				Faults:       tt.faults,
			})
			var mutate []func(*Config)
			if tt.mutate != nil {
				mutate = append(mutate, tt.mutate)
			}
			_, err := newTestClient(t, srv.URL(), mutate...).DescribeTask(context.Background(), tt.request)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Code != tt.wantCode || apiErr.API != APIDescribeTask || apiErr.RequestID == "" {
				t.Errorf("err = %+v, want code %s with a request id", apiErr, tt.wantCode)
			}
			if !tt.class(err) {
				t.Errorf("%v not classified as expected", err)
			}
			for _, secret := range []string{emulator.TencentSecretKey, "not-the-key"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a secret key", err)
				}
			}
			if n := srv.Calls(emulator.APITencentTask); n != 1 {
				t.Errorf("calls = %d, want 1", n)
			}
		})
	}
}

// TestDescribeTaskSharedLimiter sends 24 requests from 8 goroutines through two Clients with the
// same key and endpoint; the shared limiter must keep the emulator from ever throttling. The
// limiter and the emulator share a fake clock, advanced only while every goroutine still at
// work is waiting for a slot, so the emulator sees each request at its slot's time however
// slow the machine is.
func TestDescribeTaskSharedLimiter(t *testing.T) {
	t.Parallel()
	clock := waittest.NewFakeClock(time.Now())
	srv := emulator.New(emulator.Options{
		Scenario: &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-l1", "A", "RUNNING", 1, 0)}},
		Now:      clock.Now,
	})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	clients := []*Client{newTestClient(t, srv.URL()), newTestClient(t, srv.URL())}
	if clients[0].limiter != clients[1].limiter {
		t.Fatal("two Clients for the same key and endpoint got different limiters")
	}
	if other := newTestClient(t, srv.URL(), func(cfg *Config) { cfg.SecretID = "AKIDother" }); other.limiter == clients[0].limiter {
		t.Error("a different SecretId shares the limiter")
	}
	// The shared limiter, on the fake clock; both Clients hold the same one, as sharedLimiter made them.
	shared := wait.NewAdaptiveLimiter(DefaultRatePerSecond, time.Second, limiterGuard, clock)
	for _, c := range clients {
		c.limiter = shared
	}

	const goroutines, perGoroutine = 8, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	active := goroutines
	errs := make(chan error, goroutines*perGoroutine)
	for g := range goroutines {
		wg.Add(1)
		go func(c *Client) {
			defer wg.Done()
			defer func() { mu.Lock(); active--; mu.Unlock() }()
			for range perGoroutine {
				if _, err := c.DescribeTask(context.Background(), req("job-l1", "A")); err != nil {
					errs <- err
				}
			}
		}(clients[g%2])
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for {
		select {
		case <-finished:
		default:
			mu.Lock()
			idle := active > 0 && clock.Waiters() == active
			mu.Unlock()
			if idle {
				clock.AdvanceToNext()
			} else {
				time.Sleep(time.Millisecond)
			}
			continue
		}
		break
	}
	close(errs)
	for err := range errs {
		t.Errorf("DescribeTask: %v", err)
	}
	if n := srv.Answered(emulator.APITencentTask, ""); n != goroutines*perGoroutine {
		t.Errorf("accepted calls = %d, want %d", n, goroutines*perGoroutine)
	}
	// On the shared fake clock each request reaches the emulator at its slot's time, so the
	// shared limiter must keep every one within the limit.
	if n := srv.Answered(emulator.APITencentTask, "RequestLimitExceeded"); n != 0 {
		t.Errorf("emulator answered RequestLimitExceeded %d times, want 0", n)
	}
}

func TestDescribeTaskContextEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		ctx           func() (context.Context, context.CancelFunc)
		cancelOnServe bool
		wantErr       error
	}{
		{
			name: "cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithCancel(context.Background()) // cancelled once the slow answer holds the request
			},
			cancelOnServe: true,
			wantErr:       context.Canceled,
		},
		{
			name: "deadline",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 300*time.Millisecond)
			},
			wantErr: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{
				TencentTasks: []emulator.TencentTask{generatedTask("job-s1", "A", "RUNNING", 1, 0)},
				Faults:       []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultSlow, Delay: "20s"}},
			})
			ctx, cancel := tt.ctx()
			defer cancel()
			if tt.cancelOnServe {
				go func() {
					for srv.Slow(emulator.APITencentTask).Served == 0 {
						time.Sleep(5 * time.Millisecond)
					}
					cancel()
				}()
			}
			_, err := newTestClient(t, srv.URL()).DescribeTask(ctx, req("job-s1", "A"))
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want one wrapping %v", err, tt.wantErr)
			}
			// The request reached the slow answer, and the call returned without waiting for it.
			if got := srv.Slow(emulator.APITencentTask); got.Delayed != 0 || tt.cancelOnServe && got.Served != 1 {
				t.Errorf("slow answers %+v, want none waited out", got)
			}
		})
	}
}

// TestDescribeTaskAllShortPages serves pages that stop short of the announced total: the reader
// must stop at the first empty page instead of asking forever.
func TestDescribeTaskAllShortPages(t *testing.T) {
	t.Parallel()
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		set := `[]`
		if n == 1 {
			set = `[{"TaskInstanceIndex":0},{"TaskInstanceIndex":1}]`
		}
		_, _ = fmt.Fprintf(w, `{"Response":{"TaskState":"RUNNING","TaskInstanceTotalCount":5000,"TaskInstanceSet":%s,"RequestId":"req-%d"}}`, set, n)
	}))
	t.Cleanup(srv.Close)

	task, err := newTestClient(t, srv.URL).DescribeTaskAll(context.Background(), req("job-p1", "A"))
	if err != nil {
		t.Fatalf("DescribeTaskAll: %v", err)
	}
	if len(task.TaskInstanceSet) != 2 || calls != 2 || task.RequestID != "req-2" {
		t.Errorf("got %d instances after %d calls (request id %q), want 2 after 2 (req-2)", len(task.TaskInstanceSet), calls, task.RequestID)
	}
}

// TestDescribeTaskThrottledUntilDeadline keeps answering RequestLimitExceeded: each answer
// slows the shared limiter down and pauses it, the retries stop when the next slot would cross
// the deadline, and the error is the API's, not a bare context error. The limiter and the
// retrier run on a fake clock, so the counts do not depend on how fast the machine is.
func TestDescribeTaskThrottledUntilDeadline(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{generatedTask("job-d1", "A", "RUNNING", 1, 0)},
		Faults:       []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultThrottling}},
	})
	// The fake time starts an hour ahead of the wall clock, so the context's deadline, 1.5 s
	// later in fake time, is real too but never reached while the test runs.
	start := time.Now().Add(time.Hour)
	clock := waittest.NewFakeClock(start)
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(1500*time.Millisecond))
	defer cancel()
	c := newTestClient(t, srv.URL())
	c.clock = clock
	c.limiter = wait.NewAdaptiveLimiter(DefaultRatePerSecond, time.Second, limiterGuard, clock)
	// The first answer halves the pace (1.36/s) and pauses one interval (0.73s); the second cuts
	// it by 30% and pauses at least one interval at 0.95/s (1.05s), past the deadline.
	c.backoff = wait.Backoff{Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond, Multiplier: 1, Jitter: -1}

	done := make(chan error, 1)
	go func() {
		_, err := c.DescribeTask(ctx, req("job-d1", "A"))
		done <- err
	}()
	var err error
advance:
	for {
		select {
		case err = <-done:
			break advance
		default:
		}
		waitCtx, stop := context.WithTimeout(context.Background(), 10*time.Millisecond)
		if clock.BlockUntilContext(waitCtx, 1) == nil {
			clock.AdvanceToNext()
		}
		stop()
	}

	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "RequestLimitExceeded" {
		t.Fatalf("err = %v, want the RequestLimitExceeded answer", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the context ended before the call returned, want it to give up once no slot fits")
	}
	if elapsed := clock.Now().Sub(start); elapsed >= 1500*time.Millisecond {
		t.Errorf("returned after %v of fake time, want it to give up once no slot fits before the deadline", elapsed)
	}
	if n := srv.Calls(emulator.APITencentTask); n != 2 {
		t.Errorf("calls = %d, want 2 (the pace slows down after each throttling answer)", n)
	}
	if r := c.limiter.Rate(); r > float64(DefaultRatePerSecond)/1.1/2 {
		t.Errorf("limiter rate %v after two throttling answers, want at most half the ceiling", r)
	}
}

// TestDescribeTaskWrongShape serves valid JSON that is not a DescribeTask answer: it is retried
// like a truncated answer, and when it persists the error names the request id.
func TestDescribeTaskWrongShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		goodAfter int // calls answered with the wrong shape before a good answer; -1 = never
		wantCalls int
	}{
		{name: "recovers", goodAfter: 1, wantCalls: 2},
		{name: "persists", goodAfter: -1, wantCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if tt.goodAfter < 0 || n <= tt.goodAfter {
					_, _ = fmt.Fprintf(w, `{"Response":{"TaskInstanceTotalCount":"many","RequestId":"bad-%d"}}`, n)
					return
				}
				_, _ = fmt.Fprint(w, `{"Response":{"TaskState":"SUCCEED","RequestId":"good"}}`)
			}))
			t.Cleanup(srv.Close)
			c := newTestClient(t, srv.URL)
			c.backoff.MaxAttempts = 3

			task, err := c.DescribeTask(context.Background(), req("job-w1", "A"))
			mu.Lock()
			gotCalls := calls
			mu.Unlock()
			if gotCalls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", gotCalls, tt.wantCalls)
			}
			if tt.goodAfter >= 0 {
				if err != nil {
					t.Fatalf("DescribeTask: %v", err)
				}
				assertStr(t, "TaskState", task.TaskState, "SUCCEED")
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != codeMalformedResponse || apiErr.RequestID != "bad-3" {
				t.Errorf("err = %#v, want %s with request id bad-3", err, codeMalformedResponse)
			}
		})
	}
}

func TestNewClientEndpoint(t *testing.T) {
	t.Parallel()
	base := Config{SecretID: "AKIDx", SecretKey: "k"}
	tests := []struct {
		raw     string
		want    string
		wantErr bool
	}{
		{raw: "", want: DefaultBatchEndpoint},
		{raw: "https://batch.internal.example:8443", want: "batch.internal.example:8443"},
		{raw: "batch.example", want: "batch.example"},
		{raw: "ftp://batch.example", wantErr: true},
		{raw: "https://batch.example/path", wantErr: true},
	}
	for _, tt := range tests {
		cfg := base
		cfg.Endpoints.Batch = tt.raw
		c, err := NewClient(cfg, ClientOptions{Getenv: envOf(nil)})
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "endpoints.batch") {
				t.Errorf("%q: err = %v, want an endpoints.batch error", tt.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.raw, err)
			continue
		}
		if c.endpoint != tt.want {
			t.Errorf("%q: endpoint = %q, want %q", tt.raw, c.endpoint, tt.want)
		}
	}
	if _, err := NewClient(Config{}, ClientOptions{Getenv: envOf(nil)}); !errors.As(err, new(*MissingCredentialsError)) {
		t.Errorf("no credentials: err = %v, want *MissingCredentialsError", err)
	}
}

// TestDescribeTaskLogs checks the debug log of a retried call: one entry per attempt with its
// code and request id, one per retry, and no secret or signature anywhere.
func TestDescribeTaskLogs(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		TencentTasks: []emulator.TencentTask{generatedTask("job-g1", "A", "RUNNING", 1, 0)},
		Faults:       []emulator.Fault{{API: emulator.APITencentTask, Kind: emulator.FaultServerError, Times: 1}},
	})
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	if _, err := newTestClient(t, srv.URL(), func(cfg *Config) { cfg.SecurityToken = "sts-secret-token" }).DescribeTask(ctx, req("job-g1", "A")); err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	for _, secret := range []string{emulator.TencentSecretKey, "sts-secret-token", "Signature", "TC3-HMAC"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	var sent, retries []map[string]any
	for _, e := range entries {
		switch e["@message"] {
		case "Tencent Cloud request sent":
			sent = append(sent, e)
		case "Retrying Tencent Cloud request":
			retries = append(retries, e)
		}
	}
	if len(sent) != 2 || len(retries) != 1 {
		t.Fatalf("got %d request entries and %d retry entries, want 2 and 1:\n%v", len(sent), len(retries), entries)
	}
	if sent[0]["code"] != "InternalError" || sent[0]["request_id"] == nil || sent[0]["request_id"] == "" || sent[0]["attempt"] != float64(1) || sent[0]["api"] != APIDescribeTask {
		t.Errorf("first attempt logged as %v", sent[0])
	}
	if _, ok := sent[1]["code"]; ok || sent[1]["attempt"] != float64(2) || sent[1]["request_id"] == nil || sent[1]["request_id"] == "" {
		t.Errorf("second attempt logged as %v", sent[1])
	}
}
