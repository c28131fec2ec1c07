package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
