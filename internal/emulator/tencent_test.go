package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

func tencentScenario() *Scenario {
	return &Scenario{
		TencentRateLimit: -1,
		TencentTasks: []TencentTask{
			{JobID: "job-big", TaskName: "A", Phases: []TencentPhase{{
				Response:          raw(`{"JobId":"job-big","TaskName":"A","TaskState":"RUNNING","CreateTime":"2026-05-28T09:29:09Z","EndTime":null}`),
				GenerateInstances: &InstanceGenerator{Count: 2500, State: "SUCCEED", FailedEvery: 10},
			}}},
			{JobID: "job-mixed", TaskName: "B", Phases: []TencentPhase{
				{Calls: 1, Response: raw(`{"TaskState":"RUNNING"}`), Instances: []json.RawMessage{
					raw(`{"TaskInstanceIndex":0,"TaskInstanceState":"RUNNING"}`),
					raw(`{"TaskInstanceIndex":1,"TaskInstanceState":"PENDING"}`),
				}},
				{Response: raw(`{"TaskState":"FAILED","TaskInstanceMetrics":{"FailedCount":42}}`), Instances: []json.RawMessage{
					raw(`{"TaskInstanceIndex":0,"TaskInstanceState":"SUCCEED"}`),
				}, GenerateInstances: &InstanceGenerator{Count: 1, State: "FAILED_INTERRUPTED"}},
			}},
		},
	}
}

type tencentTaskBody struct {
	TaskState              string            `json:"TaskState"`
	TaskInstanceTotalCount int               `json:"TaskInstanceTotalCount"`
	TaskInstanceSet        []json.RawMessage `json:"TaskInstanceSet"`
	TaskInstanceMetrics    map[string]int    `json:"TaskInstanceMetrics"`
}

func decodeTencentTask(t *testing.T, resp map[string]json.RawMessage) tencentTaskBody {
	t.Helper()
	b, _ := json.Marshal(resp)
	var out tencentTaskBody
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTencentDescribeTask covers paging 2,500 generated instances in 1000s,
// filters, parameter validation and phase-provided metrics.
func TestTencentDescribeTask(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, tencentScenario())
	tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")

	seen := map[int]bool{}
	for offset, wantLen := range map[int]int{0: 1000, 1000: 1000, 2000: 500, 2500: 0} {
		resp, code := tencentCall(t, tc, map[string]any{"JobId": "job-big", "TaskName": "A", "Offset": offset, "Limit": 1000})
		if code != "" {
			t.Fatalf("offset %d: %s", offset, code)
		}
		got := decodeTencentTask(t, resp)
		if got.TaskInstanceTotalCount != 2500 || len(got.TaskInstanceSet) != wantLen {
			t.Errorf("offset %d: total %d, page %d", offset, got.TaskInstanceTotalCount, len(got.TaskInstanceSet))
		}
		if got.TaskInstanceMetrics["SucceedCount"] != 2250 || got.TaskInstanceMetrics["FailedCount"] != 250 {
			t.Errorf("metrics %v", got.TaskInstanceMetrics)
		}
		for _, inst := range got.TaskInstanceSet {
			var v taskInstanceView
			if err := json.Unmarshal(inst, &v); err != nil {
				t.Fatal(err)
			}
			seen[v.TaskInstanceIndex] = true
			if failed := (v.TaskInstanceIndex+1)%10 == 0; failed != (v.TaskInstanceState == "FAILED") || v.ExitCode == nil || v.EndTime == nil {
				t.Fatalf("instance %s", inst)
			}
		}
	}
	if len(seen) != 2500 {
		t.Errorf("paging returned %d distinct instances, want 2500", len(seen))
	}

	resp, _ := tencentCall(t, tc, map[string]any{"JobId": "job-big", "TaskName": "A"})
	if got := decodeTencentTask(t, resp); len(got.TaskInstanceSet) != 100 {
		t.Errorf("default Limit gave %d instances", len(got.TaskInstanceSet))
	}
	// A filtered TaskInstanceTotalCount counting the matching instances is a guess: see the package doc.
	for _, name := range []string{"task-instance-state", "task-instance-type"} {
		resp, code := tencentCall(t, tc, map[string]any{"JobId": "job-big", "TaskName": "A", "Offset": 200, "Limit": 1000,
			"Filters": []map[string]any{{"Name": name, "Values": []string{"FAILED"}}}})
		got := decodeTencentTask(t, resp)
		if code != "" || got.TaskInstanceTotalCount != 250 || len(got.TaskInstanceSet) != 50 {
			t.Errorf("%s filter: %q total %d page %d", name, code, got.TaskInstanceTotalCount, len(got.TaskInstanceSet))
		}
	}

	mixed := decodeTencentTask(t, mustTencent(t, tc, map[string]any{"JobId": "job-mixed", "TaskName": "B",
		"Filters": []map[string]any{{"Name": "task-instance-state", "Values": []string{"RUNNING", "SUCCEED"}}}}))
	if mixed.TaskState != "RUNNING" || mixed.TaskInstanceTotalCount != 1 || mixed.TaskInstanceMetrics["PendingCount"] != 1 {
		t.Errorf("mixed first phase: %+v", mixed)
	}
	mixed = decodeTencentTask(t, mustTencent(t, tc, map[string]any{"JobId": "job-mixed", "TaskName": "B"}))
	var last taskInstanceView
	_ = json.Unmarshal(mixed.TaskInstanceSet[1], &last)
	if mixed.TaskState != "FAILED" || mixed.TaskInstanceMetrics["FailedCount"] != 42 || mixed.TaskInstanceTotalCount != 2 ||
		last.TaskInstanceIndex != 1 || last.TaskInstanceState != "FAILED_INTERRUPTED" {
		t.Errorf("mixed second phase: %+v / %+v", mixed, last)
	}

	errorsTable := []struct {
		params   map[string]any
		wantCode string
	}{
		{map[string]any{"TaskName": "A"}, "MissingParameter"},
		{map[string]any{"JobId": "job-big"}, "MissingParameter"},
		{map[string]any{"JobId": "JOB_1", "TaskName": "A"}, "InvalidParameter.JobIdMalformed"},
		{map[string]any{"JobId": "job-nope", "TaskName": "A"}, "ResourceNotFound.Task"},
		{map[string]any{"JobId": "job-big", "TaskName": "Z"}, "ResourceNotFound.Task"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Offset": -1}, "InvalidParameterValue"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Limit": 0}, "InvalidParameterValue"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Limit": 1001}, "InvalidParameterValue"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Limit": "ten"}, "InvalidParameter"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Filters": []map[string]any{{"Name": "zone", "Values": []string{"x"}}}}, "InvalidFilter"},
		{map[string]any{"JobId": "job-big", "TaskName": "A", "Filter": []any{}}, "UnknownParameter"},
	}
	for _, tt := range errorsTable {
		if _, code := tencentCall(t, tc, tt.params); code != tt.wantCode {
			t.Errorf("%v: code %q, want %q", tt.params, code, tt.wantCode)
		}
	}
}

func mustTencent(t *testing.T, tc *tccommon.Client, params map[string]any) map[string]json.RawMessage {
	t.Helper()
	resp, code := tencentCall(t, tc, params)
	if code != "" {
		t.Fatalf("%v: %s", params, code)
	}
	return resp
}

// TestTencentRateLimit sends four requests inside one second of an injected
// clock: the fourth is rejected, and one second later requests pass again.
func TestTencentRateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	sc := happyScenario()
	s := startServer(t, Options{Scenario: sc, Now: clock.Now})
	tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
	params := map[string]any{"JobId": "job-happy1", "TaskName": "A"}
	var codes []string
	for _, step := range []time.Duration{0, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 100 * time.Millisecond, time.Second} {
		clock.Advance(step)
		_, code := tencentCall(t, tc, params)
		codes = append(codes, code)
	}
	// At +1000ms the first request has left the window, so the fifth passes.
	want := []string{"", "", "", "RequestLimitExceeded", "", ""}
	if strings.Join(codes, ",") != strings.Join(want, ",") {
		t.Errorf("codes %q, want %q", codes, want)
	}
	if s.Answered(APITencentTask, "RequestLimitExceeded") != 1 || s.Calls(APITencentTask) != 6 {
		t.Errorf("counters: %d limited of %d", s.Answered(APITencentTask, "RequestLimitExceeded"), s.Calls(APITencentTask))
	}
}

// TestTencentRateCountsRejected knocks on a full window every 200ms: where a
// rejected request does not count, the window frees as soon as the first
// request leaves it; where it counts, each rejection keeps the window full.
func TestTencentRateCountsRejected(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	steps := []time.Duration{0, 0, 0, 200 * ms, 200 * ms, 200 * ms, 200 * ms, 200 * ms, 200 * ms} // the 4th to 7th fall in the first second
	tests := []struct {
		countsRejected bool
		want           string
		answered       int
	}{
		{false, ",,,RLE,RLE,RLE,RLE,,", 5},
		{true, ",,,RLE,RLE,RLE,RLE,RLE,RLE", 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("counts rejected %v", tt.countsRejected), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			sc := happyScenario()
			sc.TencentRateCountsRejected = tt.countsRejected
			s := startServer(t, Options{Scenario: sc, Now: clock.Now})
			tc := tencentClient(t, s, TencentSecretID, TencentSecretKey, "ap-guangzhou")
			params := map[string]any{"JobId": "job-happy1", "TaskName": "A"}
			var codes []string
			for _, step := range steps {
				clock.Advance(step)
				_, code := tencentCall(t, tc, params)
				codes = append(codes, strings.ReplaceAll(code, "RequestLimitExceeded", "RLE"))
			}
			if got := strings.Join(codes, ","); got != tt.want {
				t.Errorf("codes %q, want %q", got, tt.want)
			}
			answered, rejected := s.TencentRateCounts()
			if answered != tt.answered || rejected != len(steps)-tt.answered {
				t.Errorf("TencentRateCounts = %d answered, %d rejected; want %d, %d", answered, rejected, tt.answered, len(steps)-tt.answered)
			}
			s.ResetCounters()
			if a, r := s.TencentRateCounts(); a != 0 || r != 0 {
				t.Errorf("after ResetCounters: %d, %d", a, r)
			}
		})
	}
}

// TestTencentGetParams checks that the flattened GET form of the parameters
// is parsed like the JSON body, with Values put back in index order.
func TestTencentGetParams(t *testing.T) {
	t.Parallel()
	v := url.Values{
		"JobId": {"job-a1"}, "TaskName": {"A"}, "Offset": {"5"}, "Limit": {"7"},
		"Filters.0.Name": {"task-instance-state"}, "Filters.0.Values.1": {"FAILED"}, "Filters.0.Values.0": {"SUCCEED"},
	}
	q, e := parseTencentGet(v)
	if e != nil {
		t.Fatal(e.message)
	}
	if q.jobID != "job-a1" || q.taskName != "A" || q.offset != 5 || q.limit != 7 || !q.hasLimit ||
		len(q.filters) != 1 || strings.Join(q.filters[0].Values, ",") != "SUCCEED,FAILED" {
		t.Errorf("parsed %+v", q)
	}
	if _, e := parseTencentGet(url.Values{"Filters.x.Name": {"a"}}); e == nil || e.code != "UnknownParameter" {
		t.Errorf("bad filter index: %+v", e)
	}
}

// TestTencentSignedGet uses the SDK's GET mode. The common client sends no
// action parameters on GET, so a verified signature shows up as
// MissingParameter rather than an AuthFailure code.
func TestTencentSignedGet(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = strings.TrimPrefix(s.URL(), "http://")
	prof.HttpProfile.Scheme = "http"
	prof.HttpProfile.ReqMethod = "GET"
	tc := tccommon.NewCommonClient(tccommon.NewCredential(TencentSecretID, TencentSecretKey), "ap-guangzhou", prof)
	if _, code := tencentCall(t, tc, map[string]any{"JobId": "job-happy1", "TaskName": "A"}); code != "MissingParameter" {
		t.Errorf("code %q, want MissingParameter", code)
	}
	if s.LastTencentRegion() != "ap-guangzhou" {
		t.Errorf("GET request did not verify")
	}
}

// TestTencentUnsignedRejected sends a request without Authorization.
func TestTencentUnsignedRejected(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, happyScenario())
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(`{"JobId":"job-happy1","TaskName":"A"}`))
	req.Header.Set("X-TC-Action", "DescribeTask")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	var out tencentErrorBody
	_ = json.Unmarshal(body, &out)
	if resp.StatusCode != 200 || out.Response.Error.Code != "AuthFailure.InvalidAuthorization" {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
}
