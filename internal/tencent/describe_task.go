package tencent

import (
	"context"
)

// MaxPageSize is DescribeTask's largest Limit, the page size of DescribeTaskAll.
const MaxPageSize = 1000

// Filter is one DescribeTask filter, sent exactly as given (the documentation spells the state
// filter both task-instance-state and task-instance-type).
type Filter struct {
	Name   string
	Values []string
}

// DescribeTaskRequest holds DescribeTask's parameters; nil Offset and Limit are not sent.
type DescribeTaskRequest struct {
	JobID    string
	TaskName string
	Offset   *int64
	Limit    *int64
	Filters  []Filter
}

// Task is a DescribeTask answer. Pointer fields are nil when the field was absent or JSON null.
type Task struct {
	RequestID              string
	JobID                  *string
	TaskName               *string
	TaskState              *string
	CreateTime             *string
	EndTime                *string
	TaskInstanceTotalCount *int64
	TaskInstanceSet        []TaskInstance
	TaskInstanceMetrics    *TaskInstanceMetrics
}

// TaskInstance is one TaskInstanceView.
type TaskInstance struct {
	TaskInstanceIndex     *int64
	TaskInstanceState     *string
	ExitCode              *int64
	StateReason           *string
	StateDetailedReason   *string
	ComputeNodeInstanceID *string
	CreateTime            *string
	LaunchTime            *string
	RunningTime           *string
	EndTime               *string
	RedirectInfo          *RedirectInfo
}

// RedirectInfo says where an instance's standard output and error were written.
type RedirectInfo struct {
	StdoutRedirectPath     *string
	StderrRedirectPath     *string
	StdoutRedirectFileName *string
	StderrRedirectFileName *string
}

// TaskInstanceMetrics counts the task's instances by state.
type TaskInstanceMetrics struct {
	SubmittedCount         *int64
	PendingCount           *int64
	RunnableCount          *int64
	StartingCount          *int64
	RunningCount           *int64
	SucceedCount           *int64
	FailedInterruptedCount *int64
	FailedCount            *int64
}

// DescribeTask sends one DescribeTask request (one page), with retries of transient errors
// inside ctx's deadline.
func (c *Client) DescribeTask(ctx context.Context, req DescribeTaskRequest) (*Task, error) {
	var task *Task
	err := c.call(ctx, req.params(), func(body []byte) (string, error) {
		t, err := decodeTask(body)
		if err != nil {
			return "", err
		}
		task = t
		return t.RequestID, nil
	})
	if err != nil {
		return nil, err
	}
	if task.JobID == nil && task.TaskName == nil && task.TaskState == nil {
		return nil, &APIError{API: APIDescribeTask, Code: codeNoTask, RequestID: task.RequestID,
			Message: "the answer has no JobId, TaskName or TaskState; taken as not found"}
	}
	return task, nil
}

// DescribeTaskAll reads every instance of the task: pages of MaxPageSize from offset 0 until
// TaskInstanceTotalCount instances are read, or a page comes back empty (a server that answers
// short pages cannot make it loop). req's Offset and Limit are ignored. The scalar fields and
// metrics are those of the last page, RequestID that of the last call.
func (c *Client) DescribeTaskAll(ctx context.Context, req DescribeTaskRequest) (*Task, error) {
	limit := int64(MaxPageSize)
	var (
		offset int64
		all    []TaskInstance
		last   *Task
		pages  int
	)
	for {
		page := req
		pageOffset := offset
		page.Offset, page.Limit = &pageOffset, &limit
		t, err := c.DescribeTask(ctx, page)
		if err != nil {
			return nil, err
		}
		pages++
		last = t
		all = append(all, t.TaskInstanceSet...)
		n := int64(len(t.TaskInstanceSet))
		offset += n
		total := t.TaskInstanceTotalCount
		if n == 0 || (total != nil && offset >= *total) || (total == nil && n < limit) {
			break
		}
	}
	// A single page keeps its own set, so an empty list stays distinct from a null one.
	if pages > 1 {
		last.TaskInstanceSet = all
	}
	return last, nil
}

// params builds the action parameters with the documented names.
func (r DescribeTaskRequest) params() map[string]any {
	p := map[string]any{"JobId": r.JobID, "TaskName": r.TaskName}
	if r.Offset != nil {
		p["Offset"] = *r.Offset
	}
	if r.Limit != nil {
		p["Limit"] = *r.Limit
	}
	if len(r.Filters) > 0 {
		filters := make([]map[string]any, 0, len(r.Filters))
		for _, f := range r.Filters {
			values := f.Values
			if values == nil {
				values = []string{}
			}
			filters = append(filters, map[string]any{"Name": f.Name, "Values": values})
		}
		p["Filters"] = filters
	}
	return p
}
