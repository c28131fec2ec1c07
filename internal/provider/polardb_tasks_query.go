package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

// The documented task statuses of DescribeTasks, in the documentation's order.
const (
	polarDBTaskWaiting  = "Waiting"
	polarDBTaskRunning  = "Running"
	polarDBTaskFinished = "Finished"
	polarDBTaskClosed   = "Closed"
	polarDBTaskPause    = "Pause"
	polarDBTaskStop     = "Stop"
)

var (
	polarDBTaskStatuses = []string{polarDBTaskWaiting, polarDBTaskRunning, polarDBTaskFinished,
		polarDBTaskClosed, polarDBTaskPause, polarDBTaskStop}
	// polarDBTaskActiveStatuses are the statuses a task can still leave.
	polarDBTaskActiveStatuses = []string{polarDBTaskWaiting, polarDBTaskRunning, polarDBTaskPause}
	// polarDBSweepOrder is the order of the per-status queries: active statuses and Stop first,
	// so that by the time Finished and Closed are queried the read knows whether success is
	// still possible and their every page must be checked for error codes.
	polarDBSweepOrder = []string{polarDBTaskWaiting, polarDBTaskRunning, polarDBTaskPause,
		polarDBTaskStop, polarDBTaskFinished, polarDBTaskClosed}
	polarDBTaskPageSizes = []int64{30, 50, 100}
)

const (
	// polarDBSweepPageSize is the page size of the per-status queries. Their first page answers
	// the count (TotalRecordCount) and usually holds every task of that status, whose statuses
	// and error codes the read needs anyway, so the largest page costs the fewest requests.
	polarDBSweepPageSize = 100
	// polarDBDefaultPageSize is the API's PageSize when none is sent.
	polarDBDefaultPageSize = 30
)

// polarDBTasksAPI is the adapter call this data source makes; *alibaba.Client implements it.
type polarDBTasksAPI interface {
	DescribeTasks(ctx context.Context, r alibaba.TasksRequest) (*alibaba.TasksPage, error)
}

// polarDBTasksQuery is what a read asks DescribeTasks for, derived once from the configuration.
type polarDBTasksQuery struct {
	base       alibaba.TasksRequest // ids, window and page size; Status and PageNumber set per request
	listStatus string               // Status of the listing query: the filter as written; "" = the API's default
	pageNumber int                  // 0 = every page of the listing
}

func newPolarDBTasksQuery(m *polarDBTasksModel) polarDBTasksQuery {
	q := polarDBTasksQuery{
		base: alibaba.TasksRequest{
			DBClusterID: m.DBClusterID.ValueString(),
			DBNodeID:    m.DBNodeID.ValueString(),
			StartTime:   m.StartTime.ValueString(),
			EndTime:     m.EndTime.ValueString(),
			PageSize:    int(m.PageSize.ValueInt64()),
		},
		listStatus: m.Status.ValueString(),
		pageNumber: int(m.PageNumber.ValueInt64()),
	}
	if q.listStatus == "" && m.WaitForCompletion.ValueBool() {
		// After the wait the API's default list (Waiting, Running) would be empty: list the
		// tasks in their final states instead.
		q.listStatus = strings.Join(polarDBTaskStatuses, ",")
	}
	return q
}

func (q polarDBTasksQuery) target() string {
	if q.base.DBNodeID != "" {
		return fmt.Sprintf("the tasks of PolarDB node %q", q.base.DBNodeID)
	}
	return fmt.Sprintf("the tasks of PolarDB cluster %q", q.base.DBClusterID)
}

// polarDBListedTask is a task with the status learned from the per-status query that listed it.
type polarDBListedTask struct {
	status *string // nil when no per-status query listed the task
	task   alibaba.PolarDBTask
}

// polarDBWindow is what the per-status queries learned about every task in the time window.
type polarDBWindow struct {
	counts   map[string]int64    // tasks per documented status
	tasks    []polarDBListedTask // the tasks read, once each; status nil for a listed task no query found
	complete bool                // every counted task was read, so every error code was seen
}

// polarDBTasksResult is one full read.
type polarDBTasksResult struct {
	tasks                             []polarDBListedTask // the listing, in the API's order
	totalRecordCount, pageRecordCount *int64
	dbClusterID                       *string
	requestID                         string // of the last call
	window                            polarDBWindow
}

// pollPolarDBTasks is the cheap "terminal yet?" question: one page of the tasks of the whole
// window still Waiting, Running or Pause, whatever the listing filter; terminal when there are none.
func pollPolarDBTasks(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (outcome, error) {
	req := q.base
	req.Status = strings.Join(polarDBTaskActiveStatuses, ",")
	req.PageNumber = 1
	page, err := c.DescribeTasks(ctx, req)
	if err != nil {
		return outcome{}, err
	}
	return polarDBPollOutcome(page, time.Now()), nil
}

// polarDBPollOutcome judges one page of the still active tasks. The wait ends with the last of
// them, so the hint is the longest time left and the progress the least advanced task, and
// both only when the page holds every active task and each one tells.
func polarDBPollOutcome(page *alibaba.TasksPage, now time.Time) outcome {
	count := int64(len(page.Tasks))
	if page.TotalRecordCount != nil {
		count = max(count, *page.TotalRecordCount)
	}
	out := outcome{terminal: count == 0, status: "terminal",
		summary: fmt.Sprintf("%s still %s", plural(count, "task"), joinOr(polarDBTaskActiveStatuses))}
	if !out.terminal {
		out.status = "in progress"
	}
	if out.terminal || int64(len(page.Tasks)) < count {
		return out
	}
	out.hasProgress, out.progress = true, 1
	hintsAll := true
	for _, t := range page.Tasks {
		left := polarDBTimeLeft(t, now)
		hintsAll = hintsAll && left > 0
		out.hint = max(out.hint, left)
		p, ok := polarDBTaskProgress(t)
		out.hasProgress = out.hasProgress && ok
		out.progress = min(out.progress, p)
	}
	if !hintsAll {
		out.hint = 0
	}
	if !out.hasProgress {
		out.progress = 0
	}
	return out
}

// polarDBTimeLeft is a task's Remain, or else its ExpectedFinishTime less now; 0 when neither
// tells (the documentation says ExpectedFinishTime is mostly empty, and shows "null").
func polarDBTimeLeft(t alibaba.PolarDBTask, now time.Time) time.Duration {
	if t.Remain != nil && *t.Remain > 0 {
		return time.Duration(*t.Remain) * time.Second
	}
	if t.ExpectedFinishTime != nil {
		if end, err := time.Parse(time.RFC3339, strings.TrimSpace(*t.ExpectedFinishTime)); err == nil && end.After(now) {
			return end.Sub(now)
		}
	}
	return 0
}

// polarDBTaskProgress is a task's Progress (percent), or else the mean progress of its
// StepsInfo steps (percent each).
func polarDBTaskProgress(t alibaba.PolarDBTask) (float64, bool) {
	if t.Progress != nil {
		return fractionOf(*t.Progress, 100)
	}
	steps := parsePolarDBSteps(t.StepsInfo)
	if len(steps) == 0 {
		return 0, false
	}
	var sum int64
	for _, s := range steps {
		if s.Progress.IsNull() {
			return 0, false
		}
		sum += min(max(s.Progress.ValueInt64(), 0), 100)
	}
	return fractionOf(sum, 100*int64(len(steps)))
}

// readPolarDBTasks is the full read: the listing the user asked for, then the per-status
// queries over the whole window that give each listed task its status and decide the verdict.
func readPolarDBTasks(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (*polarDBTasksResult, error) {
	r, err := listPolarDBTasks(ctx, c, q)
	if err != nil {
		return nil, err
	}
	w, err := sweepPolarDBWindow(ctx, c, q, r)
	if err != nil {
		return nil, err
	}
	r.window = w
	return r, nil
}

// listPolarDBTasks runs the listing query with Status as the user wrote it: the one page asked
// for, or every page in turn. The API's order is kept; a task repeated on a later page (the list
// moved while it was paged) is kept once, at its first place.
func listPolarDBTasks(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (*polarDBTasksResult, error) {
	req := q.base
	req.Status = q.listStatus
	if q.pageNumber > 0 {
		req.PageNumber = q.pageNumber
		page, err := c.DescribeTasks(ctx, req)
		if err != nil {
			return nil, err
		}
		r := &polarDBTasksResult{totalRecordCount: page.TotalRecordCount, pageRecordCount: page.PageRecordCount,
			dbClusterID: page.DBClusterID, requestID: page.RequestID}
		if page.Tasks != nil {
			r.tasks = make([]polarDBListedTask, 0, len(page.Tasks))
		}
		for _, t := range page.Tasks {
			r.tasks = append(r.tasks, polarDBListedTask{task: t})
		}
		return r, nil
	}
	r := &polarDBTasksResult{tasks: []polarDBListedTask{}}
	seen := map[string]bool{}
	first := true
	_, err := eachPolarDBTasksPage(ctx, c, req, func(p *alibaba.TasksPage) bool {
		r.requestID = p.RequestID
		if first {
			r.totalRecordCount = p.TotalRecordCount
			first = false
		}
		if r.dbClusterID == nil {
			r.dbClusterID = p.DBClusterID
		}
		for _, t := range p.Tasks {
			if t.TaskID != nil {
				if seen[*t.TaskID] {
					continue
				}
				seen[*t.TaskID] = true
			}
			r.tasks = append(r.tasks, polarDBListedTask{task: t})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	read := int64(len(r.tasks))
	r.pageRecordCount = &read
	return r, nil
}

// sweepPolarDBWindow queries each documented status on its own over the whole window, in
// polarDBSweepOrder, and sets the status of each listed task it finds. The first page of each
// status always; the further pages of Stop always (every failure is listed), of Finished and
// Closed when no task is active (every error code must be seen before success is reported), and
// of any status while a listed task has no status yet. A full listing of exactly one status is
// that status's query already and is not repeated.
func sweepPolarDBWindow(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery, r *polarDBTasksResult) (polarDBWindow, error) {
	w := polarDBWindow{counts: map[string]int64{}, complete: true}
	byID := map[string]int{}
	unmatched := map[string]bool{}
	for _, lt := range r.tasks {
		if lt.task.TaskID != nil {
			unmatched[*lt.task.TaskID] = true
		}
	}
	record := func(status string, t alibaba.PolarDBTask) {
		listed := polarDBListedTask{status: &status, task: t}
		if t.TaskID == nil {
			w.tasks = append(w.tasks, listed)
			return
		}
		delete(unmatched, *t.TaskID)
		// A task that changed status between two queries is listed by both; the later query saw it last.
		if i, ok := byID[*t.TaskID]; ok {
			w.tasks[i] = listed
			return
		}
		byID[*t.TaskID] = len(w.tasks)
		w.tasks = append(w.tasks, listed)
	}
	active := false
	for _, status := range polarDBSweepOrder {
		var total *int64
		var read int64
		complete := true
		if q.pageNumber == 0 && q.listStatus == status {
			total = r.totalRecordCount
			for i, lt := range r.tasks {
				r.tasks[i].status = &status
				record(status, lt.task)
				read++
			}
		} else {
			readAll := status == polarDBTaskStop ||
				(!active && (status == polarDBTaskFinished || status == polarDBTaskClosed))
			req := q.base
			req.Status = status
			req.PageSize = polarDBSweepPageSize
			first := true
			var err error
			complete, err = eachPolarDBTasksPage(ctx, c, req, func(p *alibaba.TasksPage) bool {
				r.requestID = p.RequestID
				if first {
					total = p.TotalRecordCount
					first = false
				}
				for _, t := range p.Tasks {
					record(status, t)
					read++
				}
				return readAll || len(unmatched) > 0
			})
			if err != nil {
				return w, err
			}
		}
		count := read
		if total != nil {
			count = max(count, *total)
		}
		w.counts[status] = count
		w.complete = w.complete && complete
		if count > 0 && slices.Contains(polarDBTaskActiveStatuses, status) {
			active = true
		}
	}
	for i, lt := range r.tasks {
		if lt.task.TaskID == nil {
			if lt.status == nil { // no query can match a task without an id to a status
				w.tasks = append(w.tasks, lt)
			}
			continue
		}
		if j, ok := byID[*lt.task.TaskID]; ok {
			r.tasks[i].status = w.tasks[j].status
		} else {
			w.tasks = append(w.tasks, lt)
		}
	}
	return w, nil
}

// eachPolarDBTasksPage hands page 1, 2, ... of req to visit until the pages have held
// TotalRecordCount tasks, a page comes back empty or repeats only tasks already seen, or visit
// returns false. Without TotalRecordCount, a page shorter than the page size is the last.
// It reports whether every page was read (visit did not stop it).
func eachPolarDBTasksPage(ctx context.Context, c polarDBTasksAPI, req alibaba.TasksRequest, visit func(*alibaba.TasksPage) bool) (bool, error) {
	size := req.PageSize
	if size == 0 {
		size = polarDBDefaultPageSize
	}
	var held int64
	ids := map[string]bool{}
	for n := 1; ; n++ {
		req.PageNumber = n
		page, err := c.DescribeTasks(ctx, req)
		if err != nil {
			return false, err
		}
		more := visit(page)
		fresh := 0
		for _, t := range page.Tasks {
			if t.TaskID == nil || !ids[*t.TaskID] {
				fresh++
			}
			if t.TaskID != nil {
				ids[*t.TaskID] = true
			}
		}
		held += int64(len(page.Tasks))
		switch {
		case fresh == 0:
			return true, nil
		case page.TotalRecordCount != nil && held >= *page.TotalRecordCount:
			return true, nil
		case page.TotalRecordCount == nil && len(page.Tasks) < size:
			return true, nil
		case !more:
			return false, nil
		}
	}
}

// polarDBTasksOutcome applies the terminal and success rules of SPEC section 3 to every task in
// the window. A task of unknown status counts as not terminal, and success needs every task read.
func polarDBTasksOutcome(w polarDBWindow) outcome {
	out := outcome{terminal: true}
	for _, s := range polarDBTaskActiveStatuses {
		if w.counts[s] > 0 {
			out.terminal = false
		}
	}
	var unknown, stops int64
	for _, t := range w.tasks {
		status := trimmedStatus(t.status)
		switch {
		case t.status == nil || !slices.Contains(polarDBTaskStatuses, status):
			unknown++
			out.terminal = false
		case slices.Contains(polarDBTaskActiveStatuses, status):
			out.terminal = false
		case status == polarDBTaskStop:
			stops++
		}
		if status == polarDBTaskStop || polarDBTaskErrorCode(t.task.TaskErrorCode) != "" {
			out.failures = append(out.failures, fmt.Sprintf("task %s (%s, status %s): error code %s, message %s",
				quotedOrNone(t.task.TaskID), quotedOrNone(t.task.TaskAction), quotedOrNone(t.status),
				quotedOrNone(t.task.TaskErrorCode), quotedOrNone(t.task.TaskErrorMessage)))
		}
	}
	if more := w.counts[polarDBTaskStop] - stops; more > 0 {
		out.failures = append(out.failures, fmt.Sprintf("%s more in status \"Stop\", not read", plural(more, "task")))
	}
	out.succeeded = out.terminal && len(out.failures) == 0 && w.complete

	var parts []string
	total := unknown
	for _, s := range polarDBTaskStatuses {
		if n := w.counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
			total += n
		}
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d of unknown status", unknown))
	}
	out.status = strings.Join(parts, ", ")
	if out.status == "" {
		out.status = "no tasks"
	}
	out.summary = fmt.Sprintf("%d of %s failed", len(out.failures), plural(total, "task"))
	return out
}

// polarDBTaskErrorCode is a task's error code for decisions: "" when absent, empty or the
// literal "null" the API writes when there is none.
func polarDBTaskErrorCode(code *string) string {
	c := trimmedStatus(code)
	if c == "null" {
		return ""
	}
	return c
}

// plural renders "1 task" or "3 tasks".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
