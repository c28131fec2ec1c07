package provider

import (
	"context"
	"fmt"
	"runtime"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The status values each API's documentation lists (SPEC section 3 and the API pages). A value
// outside its list is taken as not terminal and logged as a warning, so a status the service adds
// later neither ends a wait early nor goes unnoticed. PolarDB DescribeTasks has no list here: a
// task's status there is the status filter that found it, always a documented one.
var (
	polarDBBatchTaskStatuses = []string{batchTaskStatusCompleted, "DISPATCHING", batchTaskStatusFailed, "RUNNING"}
	bdrcTaskStatuses         = []string{"CREATED", "RUNNING", bdrcStatusComplete, "FAILED", "EXPIRED", "CANCELED"}
)

// statusWarner logs each undocumented status once per read, however many polls answer it.
type statusWarner struct {
	plan   readPlan
	warned map[string]bool
}

func newStatusWarner(plan readPlan) *statusWarner {
	return &statusWarner{plan: plan, warned: map[string]bool{}}
}

// check warns when out carries a status the documentation does not list.
func (w *statusWarner) check(ctx context.Context, out outcome) {
	if !out.undocumented || w.warned[out.status] {
		return
	}
	w.warned[out.status] = true
	tflog.Warn(ctx, undocumentedStatusMessage(w.plan.what(), out.status), map[string]any{
		"status":   out.status,
		"terminal": out.terminal,
	})
}

// undocumentedStatusMessage is the warning's text: it reads without its fields.
func undocumentedStatusMessage(target, status string) string {
	return fmt.Sprintf("%s answered status %q, which the API documentation does not list; "+
		"treating it as not terminal", target, status)
}

// logReadFinished records, at DEBUG, how many goroutines the provider process runs as a read
// ends: a number that keeps growing over reads is a leak (the soak run reads it from TF_LOG).
func logReadFinished(ctx context.Context) {
	tflog.Debug(ctx, "read finished", map[string]any{"goroutines": runtime.NumGoroutine()})
}
