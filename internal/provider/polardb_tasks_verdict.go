package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

// The wait's cheap poll of polardb_tasks and the verdict over the time window; the queries that
// gather what they judge are in polardb_tasks_query.go.

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
