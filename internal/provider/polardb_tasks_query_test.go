package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// newPolarDBTasksTestClient is an Alibaba client signing for the emulator, for the tests that
// count the requests of one read exactly.
func newPolarDBTasksTestClient(t *testing.T, srv *emulator.Server) *alibaba.Client {
	t.Helper()
	c, err := alibaba.NewClient(alibaba.Config{
		AccessKey: emulator.AlibabaAccessKeyID,
		SecretKey: emulator.AlibabaAccessKeySecret,
		Endpoints: alibaba.Endpoints{PolarDB: srv.URL()},
	}, alibaba.ClientOptions{Getenv: func(string) string { return "" }, Home: t.TempDir(), Backoff: testTuning.backoff})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// TestPolarDBTasksRequests counts the requests of one full read against the emulator and checks
// what the read keeps: the listing in the API's order, each task's status, and the verdict.
func TestPolarDBTasksRequests(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTaskGenerators: []emulator.PolarDBTaskGenerator{
			{DBClusterID: "pc-run", Count: 130, Status: "Running", TaskIDPrefix: "r-"},
			{DBClusterID: "pc-fin", Count: 130, Status: "Finished", TaskIDPrefix: "f-"},
			{DBClusterID: "pc-fin", Count: 3, Status: "Stop", TaskIDPrefix: "s-"},
		},
	})
	client := newPolarDBTasksTestClient(t, srv)
	str := types.StringValue
	null := types.StringNull()
	tests := []struct {
		name                   string
		model                  polarDBTasksModel
		wantCalls              int
		wantTasks              int
		wantTotal              int64
		firstID, lastID        string
		wantStatuses           map[string]int
		wantTerminal, wantGood bool
	}{
		{
			name:  "default statuses, every page",
			model: polarDBTasksModel{DBClusterID: str("pc-run"), Status: null, PageSize: types.Int64Value(30)},
			// The listing: 30+30+30+30+10. Per status, pages of 100: Waiting, Running 1 and 2 (to
			// find the last 30 listed ids), Pause, Stop, Finished, Closed.
			wantCalls: 5 + 7,
			wantTasks: 130, wantTotal: 130, firstID: "r-0", lastID: "r-129",
			wantStatuses: map[string]int{"Running": 130},
		},
		{
			name:  "API default page size",
			model: polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Finished,Stop")},
			// The listing: 30+30+30+30+13. Per status: W, R, P, Stop, Finished 1 and 2 (no task is
			// active, so every error code is read), Closed.
			wantCalls: 5 + 7,
			wantTasks: 133, wantTotal: 133, firstID: "f-0", lastID: "s-2",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
			wantTerminal: true,
		},
		{
			name:      "the API's order, not the filter's",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Stop,Finished"), PageSize: types.Int64Value(100)},
			wantCalls: 2 + 7,
			wantTasks: 133, wantTotal: 133, firstID: "f-0", lastID: "s-2",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
			wantTerminal: true,
		},
		{
			name:      "one status listed is that status's query",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Finished"), PageSize: types.Int64Value(100)},
			wantCalls: 2 + 5,
			wantTasks: 130, wantTotal: 130, firstID: "f-0", lastID: "f-129",
			wantStatuses: map[string]int{"Finished": 130},
			wantTerminal: true,
		},
		{
			name:      "waiting without a filter lists every status",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), PageSize: types.Int64Value(100), commonModel: commonModel{WaitForCompletion: types.BoolValue(true)}},
			wantCalls: 2 + 7,
			wantTasks: 133, wantTotal: 133, firstID: "f-0", lastID: "s-2",
			wantStatuses: map[string]int{"Finished": 130, "Stop": 3},
			wantTerminal: true,
		},
		{
			name:      "one page; the verdict still covers the Stop tasks on another",
			model:     polarDBTasksModel{DBClusterID: str("pc-fin"), Status: str("Finished"), PageSize: types.Int64Value(30), PageNumber: types.Int64Value(5)},
			wantCalls: 1 + 7, // the page (f-120..f-129), then W, R, P, Stop, Finished 1 and 2, Closed
			wantTasks: 10, wantTotal: 130, firstID: "f-120", lastID: "f-129",
			wantStatuses: map[string]int{"Finished": 10},
			wantTerminal: true,
		},
		{
			name:      "one page of the API's default filter",
			model:     polarDBTasksModel{DBClusterID: str("pc-run"), PageNumber: types.Int64Value(2)},
			wantCalls: 1 + 6, // the page (r-30..r-59); Running page 1 holds them all
			wantTasks: 30, wantTotal: 130, firstID: "r-30", lastID: "r-59",
			wantStatuses: map[string]int{"Running": 30},
		},
		{
			name:      "page past the end",
			model:     polarDBTasksModel{DBClusterID: str("pc-run"), PageNumber: types.Int64Value(9)},
			wantCalls: 1 + 6,
			wantTasks: 0, wantTotal: 130,
			wantStatuses: map[string]int{},
		},
	}
	for _, tt := range tests {
		tt.model.StartTime = str("2020-11-30T00:00Z")
		tt.model.EndTime = str("2020-12-02T03:00Z")
		// Subtests share the emulator's counters, so they run one after another.
		before := srv.Calls(emulator.APIPolarDBTasks)
		r, err := readPolarDBTasks(context.Background(), client, newPolarDBTasksQuery(&tt.model))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := srv.Calls(emulator.APIPolarDBTasks) - before; got != tt.wantCalls {
			t.Errorf("%s: %d requests, want %d", tt.name, got, tt.wantCalls)
		}
		if len(r.tasks) != tt.wantTasks || r.totalRecordCount == nil || *r.totalRecordCount != tt.wantTotal {
			t.Errorf("%s: %d tasks, total %v; want %d, %d", tt.name, len(r.tasks), polarDBDeref(r.totalRecordCount), tt.wantTasks, tt.wantTotal)
		}
		if tt.firstID != "" && (len(r.tasks) == 0 || polarDBDeref(r.tasks[0].task.TaskID) != tt.firstID ||
			polarDBDeref(r.tasks[len(r.tasks)-1].task.TaskID) != tt.lastID) {
			t.Errorf("%s: tasks do not run from %s to %s", tt.name, tt.firstID, tt.lastID)
		}
		statuses := map[string]int{}
		for _, lt := range r.tasks {
			statuses[fmt.Sprint(polarDBDeref(lt.status))]++
		}
		if fmt.Sprint(statuses) != fmt.Sprint(tt.wantStatuses) {
			t.Errorf("%s: statuses %v, want %v", tt.name, statuses, tt.wantStatuses)
		}
		// pc-run has running tasks; pc-fin has three Stop tasks: never a success.
		if out := polarDBTasksOutcome(r.window); out.terminal != tt.wantTerminal || out.succeeded != tt.wantGood {
			t.Errorf("%s: terminal=%v succeeded=%v, want %v, %v", tt.name, out.terminal, out.succeeded, tt.wantTerminal, tt.wantGood)
		}
		if r.requestID == "" {
			t.Errorf("%s: no request id", tt.name)
		}
	}
}

// TestPollPolarDBTasks: each poll is one request for the window's active tasks, whatever the
// listing filter names.
func TestPollPolarDBTasks(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBTasks: []emulator.PolarDBTask{
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Running", polarDBTaskBody("t-1", 10, 600, "null", "null")),
			}},
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Pause", polarDBTaskBody("t-2", 10, 120, "null", "null")),
			}},
			{DBClusterID: "pc-poll", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-3", 100, 0, "null", "null")),
			}},
			{DBClusterID: "pc-done", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Stop", polarDBTaskBody("t-4", 10, 0, "InternalError", "Failed.")),
			}},
		},
	})
	client := newPolarDBTasksTestClient(t, srv)
	tests := []struct {
		cluster, status string
		wantTerminal    bool
		wantSummary     string
		wantHint        time.Duration
	}{
		// The hint is the longest time left of the active tasks (600s and 120s): the wait
		// ends with the last one.
		{"pc-poll", "", false, "2 tasks still Waiting, Running or Pause", 600 * time.Second},
		{"pc-poll", "Running,Finished", false, "2 tasks still Waiting, Running or Pause", 600 * time.Second},
		// A filter naming no active status does not end the wait: the window's Pause task does.
		{"pc-poll", "Finished,Stop", false, "2 tasks still Waiting, Running or Pause", 600 * time.Second},
		{"pc-done", "Waiting", true, "0 tasks still Waiting, Running or Pause", 0},
	}
	for _, tt := range tests {
		m := polarDBTasksModel{
			DBClusterID: types.StringValue(tt.cluster),
			StartTime:   types.StringValue("2020-11-30T00:00Z"),
			EndTime:     types.StringValue("2020-12-02T03:00Z"),
			Status:      types.StringValue(tt.status),
			commonModel: commonModel{WaitForCompletion: types.BoolValue(true)},
		}
		if tt.status == "" {
			m.Status = types.StringNull()
		}
		before := srv.Calls(emulator.APIPolarDBTasks)
		out, err := pollPolarDBTasks(context.Background(), client, newPolarDBTasksQuery(&m))
		if err != nil {
			t.Fatalf("status %q: %v", tt.status, err)
		}
		if got := srv.Calls(emulator.APIPolarDBTasks) - before; got != 1 {
			t.Errorf("status %q: %d requests, want 1", tt.status, got)
		}
		if out.terminal != tt.wantTerminal || out.summary != tt.wantSummary || out.hint != tt.wantHint {
			t.Errorf("status %q: got terminal=%v summary=%q hint=%s", tt.status, out.terminal, out.summary, out.hint)
		}
	}
}

// TestPolarDBTasksOutcome is the verdict over the window, row by row of the status table.
func TestPolarDBTasksOutcome(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	task := func(id string, status *string, code string) polarDBListedTask {
		lt := polarDBListedTask{status: status, task: alibaba.PolarDBTask{TaskID: s(id), TaskAction: s("CreateDBCluster")}}
		if code != "" {
			lt.task.TaskErrorCode = s(code)
		}
		return lt
	}
	// window counts the tasks by status, as the per-status queries would, every one read.
	window := func(tasks ...polarDBListedTask) polarDBWindow {
		w := polarDBWindow{counts: map[string]int64{}, tasks: tasks, complete: true}
		for _, t := range tasks {
			if t.status != nil && slices.Contains(polarDBTaskStatuses, *t.status) {
				w.counts[*t.status]++
			}
		}
		return w
	}
	fine := task("t-fine", s("Finished"), "null")
	tests := []struct {
		name                string
		window              polarDBWindow
		terminal, succeeded bool
		failures            int
		status              string
	}{
		{"no tasks", window(), true, true, 0, "no tasks"},
		{"waiting", window(fine, task("t-1", s("Waiting"), "null")), false, false, 0, "1 Waiting, 1 Finished"},
		{"running", window(fine, task("t-1", s("Running"), "null")), false, false, 0, "1 Running, 1 Finished"},
		{"pause", window(fine, task("t-1", s("Pause"), "null")), false, false, 0, "1 Finished, 1 Pause"},
		{"finished", window(task("t-1", s("Finished"), "null")), true, true, 0, "1 Finished"},
		{"finished, code absent", window(task("t-1", s("Finished"), "")), true, true, 0, "1 Finished"},
		{"closed", window(fine, task("t-1", s("Closed"), "")), true, true, 0, "1 Finished, 1 Closed"},
		{"stop without a code", window(fine, task("t-1", s("Stop"), "null")), true, false, 1, "1 Finished, 1 Stop"},
		{"stop with a code", window(task("t-1", s("Stop"), "InternalError")), true, false, 1, "1 Stop"},
		{"error code on a finished task", window(fine, task("t-1", s("Finished"), "InternalError")), true, false, 1, "2 Finished"},
		{"error code on a closed task", window(task("t-1", s("Closed"), "InternalError")), true, false, 1, "1 Closed"},
		{"error code blank", window(task("t-1", s("Finished"), " ")), true, true, 0, "1 Finished"},
		{"running with an error code", window(task("t-1", s("Running"), "InternalError")), false, false, 1, "1 Running"},
		{"status the documentation does not list", window(fine, task("t-1", s("Cancelled"), "null")), false, false, 0,
			"1 Finished, 1 of unknown status"},
		{"listed, but no per-status query found it", window(fine, task("t-1", nil, "null")), false, false, 0,
			"1 Finished, 1 of unknown status"},
		// The per-status queries counted tasks the read did not fetch.
		{"a Pause task counted, not read", polarDBWindow{counts: map[string]int64{"Pause": 1}, complete: false}, false, false, 0, "1 Pause"},
		{"a Stop task counted, not read", polarDBWindow{counts: map[string]int64{"Stop": 2}, tasks: []polarDBListedTask{task("t-1", s("Stop"), "X")}, complete: true},
			true, false, 2, "2 Stop"},
		{"finished tasks counted, not all read", polarDBWindow{counts: map[string]int64{"Finished": 2}, tasks: []polarDBListedTask{fine}, complete: false},
			true, false, 0, "2 Finished"},
	}
	for _, tt := range tests {
		got := polarDBTasksOutcome(tt.window)
		if got.terminal != tt.terminal || got.succeeded != tt.succeeded || len(got.failures) != tt.failures || got.status != tt.status {
			t.Errorf("%s: got terminal=%v succeeded=%v failures=%d status=%q", tt.name, got.terminal, got.succeeded, len(got.failures), got.status)
		}
	}
}

// fakePolarDBTasks answers DescribeTasks from a fixed list, in the API's order, with the
// variations a real service might show where the documentation is silent.
type fakePolarDBTasks struct {
	tasks          []fakePolarDBTask
	defaultListing []string // the statuses listed when Status is not sent
	noTotal        bool     // TotalRecordCount absent from every answer
	calls          int
}

type fakePolarDBTask struct{ id, status, code string }

func (f *fakePolarDBTasks) DescribeTasks(_ context.Context, r alibaba.TasksRequest) (*alibaba.TasksPage, error) {
	f.calls++
	statuses := f.defaultListing
	if r.Status != "" {
		statuses = strings.Split(r.Status, ",")
	}
	var matched []alibaba.PolarDBTask
	for _, t := range f.tasks {
		if slices.Contains(statuses, t.status) {
			matched = append(matched, alibaba.PolarDBTask{TaskID: polarDBPtr(t.id), TaskErrorCode: polarDBPtr(t.code)})
		}
	}
	size, number := max(r.PageSize, 30), max(r.PageNumber, 1)
	page := &alibaba.TasksPage{RequestID: fmt.Sprint("REQ-", f.calls), Tasks: []alibaba.PolarDBTask{}}
	if from := (number - 1) * size; from < len(matched) {
		page.Tasks = matched[from:min(from+size, len(matched))]
	}
	if !f.noTotal {
		total := int64(len(matched))
		page.TotalRecordCount = &total
	}
	return page, nil
}

// TestPolarDBTasksRobustness: the read stays correct when the service behaves the other
// plausible way: no TotalRecordCount (pages are counted until a short one), or a status the
// documentation does not list in the default listing (no per-status query finds the task).
func TestPolarDBTasksRobustness(t *testing.T) {
	t.Parallel()
	many := func(n int, prefix, status string) []fakePolarDBTask {
		out := make([]fakePolarDBTask, n)
		for i := range out {
			out[i] = fakePolarDBTask{fmt.Sprint(prefix, i), status, "null"}
		}
		return out
	}
	failedLast := append(many(64, "f-", "Finished"), fakePolarDBTask{"f-64", "Finished", "InternalError"})
	tests := []struct {
		name                string
		api                 fakePolarDBTasks
		status              string
		wantCalls, wantLen  int
		terminal, succeeded bool
		wantUnknown         string // a listed task whose status stays null
	}{
		{"no total: 30+30+5, then W, R, P, Stop, Closed",
			fakePolarDBTasks{tasks: many(65, "f-", "Finished"), noTotal: true}, "Finished", 3 + 5, 65, true, true, ""},
		{"no total: a full last page needs an empty one",
			fakePolarDBTasks{tasks: many(60, "f-", "Finished"), noTotal: true}, "Finished", 3 + 5, 60, true, true, ""},
		{"no total: the error code on the last page is seen",
			fakePolarDBTasks{tasks: failedLast, noTotal: true}, "Finished", 3 + 5, 65, true, false, ""},
		{"no total: a Finished error code outside a Closed listing is seen",
			fakePolarDBTasks{tasks: append(many(2, "c-", "Closed"), failedLast...), noTotal: true}, "Closed", 1 + 4 + 1, 2, true, false, ""},
		{"a default listing with an undocumented status",
			fakePolarDBTasks{tasks: append(many(1, "f-", "Finished"), fakePolarDBTask{"m-0", "Migrating", "null"}),
				defaultListing: []string{"Waiting", "Running", "Migrating"}}, "", 1 + 6, 1, false, false, "m-0"},
	}
	for _, tt := range tests {
		m := polarDBTasksModel{DBClusterID: types.StringValue("pc-1"), Status: types.StringValue(tt.status)}
		if tt.status == "" {
			m.Status = types.StringNull()
		}
		api := tt.api
		r, err := readPolarDBTasks(context.Background(), &api, newPolarDBTasksQuery(&m))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		out := polarDBTasksOutcome(r.window)
		if api.calls != tt.wantCalls || len(r.tasks) != tt.wantLen || out.terminal != tt.terminal || out.succeeded != tt.succeeded {
			t.Errorf("%s: %d calls, %d tasks, terminal=%v succeeded=%v; want %d, %d, %v, %v",
				tt.name, api.calls, len(r.tasks), out.terminal, out.succeeded, tt.wantCalls, tt.wantLen, tt.terminal, tt.succeeded)
		}
		for _, lt := range r.tasks {
			if unknown := *lt.task.TaskID == tt.wantUnknown; unknown != (lt.status == nil) {
				t.Errorf("%s: task %s has status %v", tt.name, *lt.task.TaskID, polarDBDeref(lt.status))
			}
		}
	}
}

func TestPolarDBPollOutcome(t *testing.T) {
	t.Parallel()
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	now := time.Date(2020, 12, 2, 2, 40, 0, 0, time.UTC)
	tests := []struct {
		name     string
		page     alibaba.TasksPage
		terminal bool
		hint     time.Duration
	}{
		{"none left", alibaba.TasksPage{TotalRecordCount: n(0)}, true, 0},
		{"longest remain: the wait ends with the last task", alibaba.TasksPage{TotalRecordCount: n(2), Tasks: []alibaba.PolarDBTask{{Remain: n(90)}, {Remain: n(30)}}}, false, 90 * time.Second},
		{"a task without one: no hint", alibaba.TasksPage{TotalRecordCount: n(3), Tasks: []alibaba.PolarDBTask{{Remain: n(90)}, {}, {Remain: n(30)}}}, false, 0},
		{"tasks beyond the page: no hint", alibaba.TasksPage{TotalRecordCount: n(5), Tasks: []alibaba.PolarDBTask{{Remain: n(90)}}}, false, 0},
		{"expected finish time", alibaba.TasksPage{TotalRecordCount: n(1), Tasks: []alibaba.PolarDBTask{{ExpectedFinishTime: s("2020-12-02T03:00:00Z")}}}, false, 20 * time.Minute},
		{"expected finish time \"null\"", alibaba.TasksPage{TotalRecordCount: n(1), Tasks: []alibaba.PolarDBTask{{ExpectedFinishTime: s("null")}}}, false, 0},
		{"expected finish time passed", alibaba.TasksPage{TotalRecordCount: n(1), Tasks: []alibaba.PolarDBTask{{ExpectedFinishTime: s("2020-12-02T02:00:00Z")}}}, false, 0},
		{"remain zero means no hint", alibaba.TasksPage{TotalRecordCount: n(1), Tasks: []alibaba.PolarDBTask{{Remain: n(0)}}}, false, 0},
		{"no total counts the page", alibaba.TasksPage{Tasks: []alibaba.PolarDBTask{{}}}, false, 0},
		{"a total of 0 beside a task", alibaba.TasksPage{TotalRecordCount: n(0), Tasks: []alibaba.PolarDBTask{{}}}, false, 0},
		{"no total and no tasks", alibaba.TasksPage{}, true, 0},
	}
	for _, tt := range tests {
		got := polarDBPollOutcome(&tt.page, now)
		if got.terminal != tt.terminal || got.hint != tt.hint {
			t.Errorf("%s: got terminal=%v hint=%s", tt.name, got.terminal, got.hint)
		}
	}
}

func TestParsePolarDBSteps(t *testing.T) {
	t.Parallel()
	step := func(name string, progress, remain int64) polarDBTaskStepModel {
		return polarDBTaskStepModel{Name: types.StringValue(name), Progress: types.Int64Value(progress), Remain: types.Int64Value(remain)}
	}
	tests := []struct {
		name  string
		input *string
		want  []polarDBTaskStepModel
	}{
		{"absent", nil, nil},
		{"seed, escaped once more", polarDBPtr(seedStepsInfo), []polarDBTaskStepModel{
			step("init_task", 100, 0), step("create_instance", 0, 1764), step("init_cluster", 0, 1), step("create_backup", 0, 2)}},
		{"plain JSON", polarDBPtr(`[{"name":"a","progress":50,"remain":10}]`), []polarDBTaskStepModel{step("a", 50, 10)}},
		{"a JSON string holding the list", polarDBPtr(`"[{\"name\":\"a\",\"progress\":1,\"remain\":2}]"`), []polarDBTaskStepModel{step("a", 1, 2)}},
		{"integral float and numeric string", polarDBPtr(`[{"name":"a","progress":100.0,"remain":"7"}]`), []polarDBTaskStepModel{step("a", 100, 7)}},
		{"missing fields", polarDBPtr(`[{"name":"a"}]`), []polarDBTaskStepModel{{Name: types.StringValue("a"), Progress: types.Int64Null(), Remain: types.Int64Null()}}},
		{"empty list", polarDBPtr(`[]`), []polarDBTaskStepModel{}},
		{"the string null", polarDBPtr("null"), nil},
		{"empty", polarDBPtr(""), nil},
		{"not JSON", polarDBPtr("init_task 1/4"), nil},
		{"an object", polarDBPtr(`{"name":"a"}`), nil},
		{"a fraction", polarDBPtr(`[{"name":"a","progress":33.3,"remain":1}]`), nil},
		{"a name that is a number", polarDBPtr(`[{"name":5,"progress":1,"remain":1}]`), nil},
	}
	for _, tt := range tests {
		got := parsePolarDBSteps(tt.input)
		if (got == nil) != (tt.want == nil) || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func polarDBPtr(s string) *string { return &s }

func polarDBDeref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
