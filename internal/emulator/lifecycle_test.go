package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLifecycleStep(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		timings []timing
		reads   []time.Duration // offsets from t0 of each read
		want    []int
	}{
		{
			name:    "by calls",
			timings: []timing{{calls: 2}, {calls: 1}, {}},
			reads:   []time.Duration{0, 0, 0, 0, 0},
			want:    []int{0, 0, 1, 2, 2},
		},
		{
			name:    "by duration on one timeline",
			timings: []timing{{duration: "2s"}, {duration: "4s"}, {}},
			reads:   []time.Duration{0, time.Second, 2 * time.Second, 5900 * time.Millisecond, 6 * time.Second, time.Hour},
			want:    []int{0, 0, 1, 1, 2, 2},
		},
		{
			name:    "a late read skips whole phases",
			timings: []timing{{duration: "1s"}, {duration: "1s"}, {}},
			reads:   []time.Duration{0, 10 * time.Second},
			want:    []int{0, 2},
		},
		{
			name:    "calls then duration",
			timings: []timing{{calls: 1}, {duration: "3s"}, {}},
			reads:   []time.Duration{0, 10 * time.Second, 12 * time.Second, 13 * time.Second},
			want:    []int{0, 1, 1, 2},
		},
		{
			name:    "whichever comes first",
			timings: []timing{{calls: 5, duration: "1s"}, {}},
			reads:   []time.Duration{0, 1500 * time.Millisecond},
			want:    []int{0, 1},
		},
		{
			name:    "single phase lasts forever",
			timings: []timing{{}},
			reads:   []time.Duration{0, time.Hour},
			want:    []int{0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var l lifecycle
			for i, d := range tt.reads {
				if got := l.step(t0.Add(d), tt.timings); got != tt.want[i] {
					t.Fatalf("read %d at +%s: phase %d, want %d", i, d, got, tt.want[i])
				}
			}
		})
	}
}

func batchPhase(calls int, duration, status string) Phase {
	return Phase{Calls: calls, Duration: duration, Response: raw(fmt.Sprintf(`{"BatchId":"pcb-life","Status":%q}`, status))}
}

// TestBatchTaskLifecycle runs call- and time-based lifecycles through the SDK.
func TestBatchTaskLifecycle(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, Options{Now: clock.Now, Scenario: &Scenario{PolarDBBatchTasks: []BatchTask{
		{BatchID: "pcb-calls", Phases: []Phase{batchPhase(2, "", "DISPATCHING"), batchPhase(1, "", "RUNNING"), batchPhase(0, "", "COMPLETED")}},
		{BatchID: "pcb-time", Phases: []Phase{batchPhase(0, "2s", "DISPATCHING"), batchPhase(0, "4s", "RUNNING"), batchPhase(0, "", "COMPLETED")}},
	}}})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	status := func(id string) string {
		body, _, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": id}))
		if code != "" {
			t.Fatalf("%s: %s", id, code)
		}
		return jsonString(t, decodeObject(t, body)["Status"])
	}
	var got []string
	for range 5 {
		got = append(got, status("pcb-calls"))
	}
	if want := "DISPATCHING DISPATCHING RUNNING COMPLETED COMPLETED"; strings.Join(got, " ") != want {
		t.Errorf("by calls: %v, want %s", got, want)
	}

	got = nil
	for _, step := range []time.Duration{0, time.Second, time.Second, 3 * time.Second, time.Second} {
		clock.Advance(step)
		got = append(got, status("pcb-time"))
	}
	if want := "DISPATCHING DISPATCHING RUNNING RUNNING COMPLETED"; strings.Join(got, " ") != want {
		t.Errorf("by duration: %v, want %s", got, want)
	}

	// SetScenario restarts lifecycles.
	s.SetScenario(&Scenario{PolarDBBatchTasks: []BatchTask{{BatchID: "pcb-calls", Phases: []Phase{batchPhase(1, "", "DISPATCHING"), batchPhase(0, "", "COMPLETED")}}}})
	if got := status("pcb-calls"); got != "DISPATCHING" {
		t.Errorf("after SetScenario: %s", got)
	}
	// The not-found answer is a guess: see the package doc.
	_, st, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-time"}))
	if st != 404 || code != "InvalidBatchId.NotFound" {
		t.Errorf("unknown batch: %d %q", st, code)
	}
	_, st, code = alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", nil))
	if st != 400 || code != "MissingBatchId" {
		t.Errorf("no BatchId: %d %q", st, code)
	}
}

func polardbScenario() *Scenario {
	task := func(id, begin string) json.RawMessage {
		return raw(fmt.Sprintf(`{"TaskId":%q,"BeginTime":%q,"Progress":10}`, id, begin))
	}
	return &Scenario{
		PolarDBTasks: []PolarDBTask{
			{DBClusterID: "pc-a", Phases: []PolarDBTaskPhase{{Calls: 1, Status: "Running", Task: task("t1", "2026-05-01T10:00:00Z")}, {Status: "Finished", Task: task("t1", "2026-05-01T10:00:00Z")}}},
			{DBClusterID: "pc-a", DBNodeID: "pi-a1", Phases: []PolarDBTaskPhase{{Status: "Waiting", Task: task("t2", "2026-05-02T10:00:00Z")}}},
			{DBClusterID: "pc-a", Phases: []PolarDBTaskPhase{{Status: "Running", Task: task("t3-old", "2020-01-01T00:00:00Z")}}},
			{DBClusterID: "pc-a", Phases: []PolarDBTaskPhase{{Status: "Stop", Task: raw(`{"TaskId":"t4-nobegin"}`)}}},
		},
		PolarDBTaskGenerators: []PolarDBTaskGenerator{{DBClusterID: "pc-big", Count: 250, Status: "Running", TaskIDPrefix: "gen-", BeginTime: "2026-05-01T00:00:00Z"}},
	}
}

func taskIDs(t *testing.T, body describeTasksBody) []string {
	t.Helper()
	var ids []string
	for _, raw := range body.Tasks.Task {
		id, _ := stringField(raw, "TaskId")
		ids = append(ids, id)
	}
	return ids
}

// TestDescribeTasks covers validation, filtering, lifecycle counting per
// cluster read and pagination.
func TestDescribeTasks(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, polardbScenario())
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	call := func(params map[string]string) (describeTasksBody, int, string) {
		base := map[string]string{"StartTime": "2026-04-30T00:00Z", "EndTime": "2026-05-31T00:00Z"}
		for k, v := range params {
			if v == "-" {
				delete(base, k)
				continue
			}
			base[k] = v
		}
		body, status, code := alibabaCall(t, ali, rpcRequest(t, s, "2017-08-01", "DescribeTasks", base))
		var out describeTasksBody
		if code == "" {
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
		}
		return out, status, code
	}

	errorsTable := []struct {
		params     map[string]string
		wantStatus int
		wantCode   string
	}{
		{map[string]string{}, 400, "MissingParameter"},
		{map[string]string{"DBClusterId": "pc-a", "DBNodeId": "pi-a1"}, 400, "InvalidParameter"},
		{map[string]string{"DBClusterId": "pc-a", "StartTime": "-"}, 400, "MissingStartTime"},
		{map[string]string{"DBClusterId": "pc-a", "StartTime": "2026-04-30"}, 400, "InvalidStartTime.Malformed"},
		{map[string]string{"DBClusterId": "pc-a", "EndTime": "2026-04-29T00:00Z"}, 400, "InvalidEndTime.Malformed"},
		{map[string]string{"DBClusterId": "pc-a", "Status": "Running,Done"}, 400, "InvalidStatus.Malformed"},
		{map[string]string{"DBClusterId": "pc-a", "PageSize": "20"}, 400, "InvalidPageSize.Malformed"},
		{map[string]string{"DBClusterId": "pc-a", "PageNumber": "0"}, 400, "InvalidPageNumber.Malformed"},
		{map[string]string{"DBClusterId": "pc-none"}, 404, "InvalidDBClusterId.NotFound"}, // a guess: see the package doc
		{map[string]string{"DBNodeId": "pi-none"}, 404, "InvalidDBNodeId.NotFound"},
	}
	for _, tt := range errorsTable {
		if _, status, code := call(tt.params); status != tt.wantStatus || code != tt.wantCode {
			t.Errorf("%v: got %d %q, want %d %q", tt.params, status, code, tt.wantStatus, tt.wantCode)
		}
	}

	// Default status filter is Waiting,Running; t3-old is outside the window. The window rule
	// and PageRecordCount are guesses: see the package doc.
	got, _, _ := call(map[string]string{"DBClusterId": "pc-a"})
	if ids := strings.Join(taskIDs(t, got), ","); ids != "t1,t2" || got.TotalRecordCount != 2 || got.PageRecordCount != 2 {
		t.Errorf("first read: %s (total %d)", ids, got.TotalRecordCount)
	}
	// That read counted once for every task of the cluster, so t1 is Finished now.
	got, _, _ = call(map[string]string{"DBClusterId": "pc-a"})
	if ids := strings.Join(taskIDs(t, got), ","); ids != "t2" {
		t.Errorf("second read: %s", ids)
	}
	// One listing in scenario order, and a task without BeginTime always listed: guesses, see
	// the package doc.
	got, _, _ = call(map[string]string{"DBClusterId": "pc-a", "Status": "Finished,Stop"})
	if ids := strings.Join(taskIDs(t, got), ","); ids != "t1,t4-nobegin" {
		t.Errorf("Finished,Stop: %s", ids)
	}
	got, _, _ = call(map[string]string{"DBClusterId": "pc-a", "Status": "Running", "StartTime": "2019-12-31T00:00Z"})
	if ids := strings.Join(taskIDs(t, got), ","); ids != "t3-old" {
		t.Errorf("wide window: %s", ids)
	}
	got, _, _ = call(map[string]string{"DBNodeId": "pi-a1"})
	if ids := strings.Join(taskIDs(t, got), ","); ids != "t2" || got.DBClusterID != "pc-a" {
		t.Errorf("by node: %s in %s", ids, got.DBClusterID)
	}

	pages := []struct {
		size, number, wantCount int
		wantFirst               string
	}{
		{100, 1, 100, "gen-0"},
		{100, 2, 100, "gen-100"},
		{100, 3, 50, "gen-200"},
		{100, 4, 0, ""},
		{30, 0, 30, "gen-0"}, // defaults
		{50, 5, 50, "gen-200"},
	}
	for _, p := range pages {
		params := map[string]string{"DBClusterId": "pc-big"}
		if p.number > 0 {
			params["PageSize"], params["PageNumber"] = fmt.Sprint(p.size), fmt.Sprint(p.number)
		}
		got, _, code := call(params)
		ids := taskIDs(t, got)
		first := ""
		if len(ids) > 0 {
			first = ids[0]
		}
		if code != "" || got.TotalRecordCount != 250 || got.PageRecordCount != p.wantCount || len(ids) != p.wantCount || first != p.wantFirst {
			t.Errorf("page %d/%d: code %q total %d page %d first %q", p.number, p.size, code, got.TotalRecordCount, got.PageRecordCount, first)
		}
	}
}

func TestBDRCAndAlidns(t *testing.T) {
	t.Parallel()
	s := NewTestServer(t, &Scenario{
		BDRCTasks: []BDRCTask{{TaskID: "t-run", Phases: []Phase{{Calls: 1, Response: raw(`{"TaskStatus":"RUNNING","Progress":100}`)}, {Response: raw(`{"TaskStatus":"COMPLETE","Progress":10000}`)}}}},
		AlidnsTasks: []AlidnsTask{
			{TaskID: 1, Latest: true, Phases: []Phase{{Response: raw(`{"Status":1,"TaskId":1,"BatchType":"RR_ADD","TotalCount":3}`)}}},
			{TaskID: 2, Phases: []Phase{{Calls: 1, Response: raw(`{"Status":0,"TaskId":2,"BatchType":"DOMAIN_ADD"}`)}, {Response: raw(`{"Status":2,"TaskId":2,"BatchType":"DOMAIN_ADD","Reason":"quota"}`)}}},
		},
	})
	ali := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)
	for _, want := range []string{"RUNNING", "COMPLETE"} {
		body, _, code := alibabaCall(t, ali, roaRequest(t, s, "t-run"))
		if code != "" {
			t.Fatal(code)
		}
		if got := jsonString(t, decodeObject(t, decodeObject(t, body)["Data"])["TaskStatus"]); got != want {
			t.Errorf("TaskStatus %s, want %s", got, want)
		}
	}
	// The not-found answer is a guess: see the package doc.
	if _, status, code := alibabaCall(t, ali, roaRequest(t, s, "t-missing")); status != 404 || code != "NotFound.Task" {
		t.Errorf("unknown bdrc task: %d %q", status, code)
	}

	dns := func(params map[string]string) (map[string]json.RawMessage, int, string) {
		body, status, code := alibabaCall(t, ali, rpcRequest(t, s, "2015-01-09", "DescribeBatchResultCount", params))
		if code != "" {
			return nil, status, code
		}
		return decodeObject(t, body), status, ""
	}
	tests := []struct {
		params     map[string]string
		wantStatus int // Alidns Status field, or HTTP status when wantCode is set
		wantCode   string
	}{
		{map[string]string{}, 1, ""},                                         // latest:true wins over the last task
		{map[string]string{"TaskId": "2"}, 0, ""},                            // first read of task 2
		{map[string]string{"TaskId": "2", "BatchType": "DOMAIN_ADD"}, 2, ""}, // second read
		{map[string]string{"TaskId": "2", "BatchType": "RR_DEL"}, -1, ""},    // BatchType differs: a guess, see the package doc
		{map[string]string{"TaskId": "99"}, 404, "TaskNotExist"},
		{map[string]string{"TaskId": "abc"}, 400, "InvalidParameter"},
		{map[string]string{"BatchType": "DOMAIN_MOVE"}, 400, "InvalidBatchType"},
	}
	for _, tt := range tests {
		m, status, code := dns(tt.params)
		if tt.wantCode != "" {
			if status != tt.wantStatus || code != tt.wantCode {
				t.Errorf("%v: got %d %q", tt.params, status, code)
			}
			continue
		}
		if code != "" || jsonInt(t, m["Status"]) != tt.wantStatus {
			t.Errorf("%v: code %q body %v", tt.params, code, m)
		}
	}

	s.SetScenario(&Scenario{})
	m, _, code := dns(map[string]string{"Lang": "en"})
	if code != "" || jsonInt(t, m["Status"]) != -1 || jsonInt(t, m["TotalCount"]) != 0 {
		t.Errorf("no tasks: %q %v", code, m)
	}
}

func TestLoadScenario(t *testing.T) {
	t.Parallel()
	sc, err := LoadScenario(filepath.Join("testdata", "demo.json"))
	if err != nil {
		t.Fatalf("demo.json: %v", err)
	}
	if len(sc.PolarDBBatchTasks) == 0 || len(sc.TencentTasks) == 0 || len(sc.BDRCTasks) == 0 || len(sc.AlidnsTasks) == 0 || len(sc.PolarDBTasks) == 0 {
		t.Errorf("demo.json is missing a task of some API: %d %d %d %d %d", len(sc.PolarDBBatchTasks), len(sc.PolarDBTasks), len(sc.BDRCTasks), len(sc.TencentTasks), len(sc.AlidnsTasks))
	}

	bad := []struct {
		name, json, wantErr string
	}{
		{"unknown field", `{"polardb_batch_task":[]}`, "unknown field"},
		{"open-ended middle phase", `{"bdrc_tasks":[{"task_id":"t","phases":[{"response":{}},{"response":{}}]}]}`, "only the last phase"},
		{"bad duration", `{"bdrc_tasks":[{"task_id":"t","phases":[{"duration":"soon","response":{}},{"response":{}}]}]}`, "duration"},
		{"response not object", `{"alidns_tasks":[{"task_id":1,"phases":[{"response":[1]}]}]}`, "not a JSON object"},
		{"duplicate", `{"bdrc_tasks":[{"task_id":"t","phases":[{"response":{}}]},{"task_id":"t","phases":[{"response":{}}]}]}`, "listed twice"},
		{"bad status", `{"polardb_tasks":[{"db_cluster_id":"pc","phases":[{"status":"Done","task":{}}]}]}`, "status"},
		{"bad fault", `{"faults":[{"kind":"explode"}]}`, "kind"},
		{"error without code", `{"faults":[{"kind":"error"}]}`, "needs a code"},
		{"no phases", `{"polardb_batch_tasks":[{"batch_id":"b"}]}`, "at least one phase"},
		{"bad unknown id answer", `{"unknown_id_answer":"silence"}`, "unknown_id_answer"},
	}
	for _, tt := range bad {
		path := filepath.Join(t.TempDir(), "sc.json")
		if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadScenario(path)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if err := New(Options{Scenario: &Scenario{Faults: []Fault{{Kind: "nope"}}}}).Start("127.0.0.1:0"); err == nil {
		t.Error("Start accepted an invalid scenario")
	}
}
