package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

const (
	defaultReadTimeout = 20 * time.Minute
	minReadTimeout     = time.Second
	minPollInterval    = time.Second
)

// commonModel holds the arguments and attributes every data source shares. It is embedded in each
// data source's model, so its fields are promoted into that schema.
type commonModel struct {
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	PollInterval      types.String   `tfsdk:"poll_interval"`
	FailOnFailure     types.Bool     `tfsdk:"fail_on_failure"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	Terminal          types.Bool     `tfsdk:"terminal"`
	Succeeded         types.Bool     `tfsdk:"succeeded"`
	RequestID         types.String   `tfsdk:"request_id"`
}

// commonAttributes adds the shared attributes to a data source's own; noun names the task kind in
// the descriptions ("PolarDB batch task").
func commonAttributes(noun string, terminalRule, successRule string, own map[string]schema.Attribute) map[string]schema.Attribute {
	own["wait_for_completion"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "When `true`, poll until the " + noun + " is terminal (" + terminalRule +
			") and store the final detail. Polls about every second at first, then backs off toward " +
			"`poll_interval`. Default `false`: read once, whatever the state.",
	}
	own["poll_interval"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Steady interval between polls while waiting, as a duration such as `\"30s\"` " +
			"or `\"2m\"`. At least `\"1s\"`. Default `\"" + wait.DefaultInterval.String() + "\"`.",
		Validators: []validator.String{durationValidator{min: minPollInterval, tooShort: pollIntervalTooShort}},
	}
	own["fail_on_failure"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "When `true` and the " + noun + " ended in failure, the read fails with an " +
			"error that lists what failed and why. This applies to a single read without `wait_for_completion` " +
			"as well: it fails when it finds the " + noun + " already ended in failure, and succeeds while the " +
			noun + " is still running. " +
			"Default `false`: the outcome is only reported in `succeeded`.",
	}
	own["terminal"] = schema.BoolAttribute{
		Computed:            true,
		MarkdownDescription: "Whether the " + noun + " has reached a terminal state: " + terminalRule + ".",
	}
	own["succeeded"] = schema.BoolAttribute{
		Computed:            true,
		MarkdownDescription: "Whether the " + noun + " ended successfully: " + successRule + ".",
	}
	own["request_id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Request ID of the last API call, for support cases.",
	}
	return own
}

// outcome is one read's answer in the vocabulary shared by all five data sources.
type outcome struct {
	terminal  bool
	succeeded bool
	status    string        // the status as the API names it, for messages and logs
	summary   string        // counts or progress in words
	failures  []string      // one line per failed subtask or instance, for fail_on_failure
	hint      time.Duration // the API's estimate of the time left, when it gives one
	// progress is the fraction done (0..1) as the API counts it, when hasProgress; the wait
	// engine estimates the end from how fast it moves.
	progress    float64
	hasProgress bool
	// undocumented is set when the status is none the API documentation lists; such a status
	// is never terminal, and the read logs a warning.
	undocumented bool
}

// fractionOf is done/total as an outcome's progress; false when total is unknown or 0.
func fractionOf(done, total int64) (float64, bool) {
	if total <= 0 || done < 0 {
		return 0, false
	}
	return min(float64(done)/float64(total), 1), true
}

// readPlan is how one data source reads: the cheapest "terminal yet?" poll and the full read.
type readPlan struct {
	noun   string // "PolarDB Batch Task", used in diagnostics
	target string // what is read, e.g. `batch task "pcb-1"`
	// targetNow, when set, names what is read as known so far (the latest Alidns task, once
	// its id is read); diagnostics use it instead of target.
	targetNow  func() string
	poll       func(ctx context.Context) (outcome, error)
	full       func(ctx context.Context) (outcome, error)
	pollIsFull bool // the poll already reads the full detail: nothing more to read at the end
	isNotFound func(error) bool
}

// what names what is read, as known so far.
func (p readPlan) what() string {
	if p.targetNow != nil {
		return p.targetNow()
	}
	return p.target
}

// singleRequestPlan is the plan of a data source whose one request answers both "terminal yet?"
// and the full detail, so the last poll is what gets stored: the answer is kept in *last.
func singleRequestPlan[T any](noun, target string, isNotFound func(error) bool, last *T,
	call func(context.Context) (T, error), outcomeOf func(T) outcome) readPlan {
	read := func(ctx context.Context) (outcome, error) {
		answer, err := call(ctx)
		if err != nil {
			return outcome{}, err
		}
		*last = answer
		return outcomeOf(answer), nil
	}
	return readPlan{noun: noun, target: target, poll: read, full: read, pollIsFull: true, isNotFound: isNotFound}
}

// commonBlocks are the blocks every data source shares: `timeouts { read = "..." }`. A block,
// unlike an object attribute, rejects a misspelled key ("Unsupported argument") at validate.
func commonBlocks(ctx context.Context) map[string]schema.Block {
	block, ok := timeouts.BlockWithOpts(ctx, timeouts.Opts{}).(schema.SingleNestedBlock)
	if !ok {
		panic("terraform-plugin-framework-timeouts: Block is no longer a SingleNestedBlock")
	}
	block.MarkdownDescription = "Time limits, written `timeouts { read = \"40m\" }`."
	// The library's own validator accepts "0s" and "-1m" and its message offers "-1.5h" as an
	// example: check for a positive duration with the same wording as poll_interval instead.
	block.Attributes = map[string]schema.Attribute{
		"read": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Bound on the whole read, waiting included, as a duration such as `\"40m\"`. " +
				"At least `\"" + minReadTimeout.String() + "\"`. Default `\"" + shortDuration(defaultReadTimeout) + "\"`.",
			Validators: []validator.String{durationValidator{min: minReadTimeout, tooShort: readTimeoutTooShort}},
		},
	}
	return map[string]schema.Block{"timeouts": block}
}

// configureProviderData is the shared Configure of the data sources.
func configureProviderData(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *providerData {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		addUnexpectedProviderData(&resp.Diagnostics, req.ProviderData)
		return nil
	}
	return data
}

// runRead performs a read per the common arguments: one full read, or a wait followed by one full
// read. It fills the common computed attributes and reports false when the read failed.
func runRead(ctx context.Context, data *providerData, common *commonModel, plan readPlan, diags *diag.Diagnostics) bool {
	timeout, d := common.Timeouts.Read(ctx, defaultReadTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer logReadFinished(ctx)

	var (
		out outcome
		err error
	)
	warner := newStatusWarner(plan)
	if common.WaitForCompletion.ValueBool() {
		out, err = waitUntilTerminal(ctx, data, common, plan, timeout, warner)
		if err != nil {
			addWaitError(diags, plan, err, timeout)
			return false
		}
	} else {
		out, err = plan.full(ctx)
		if err != nil {
			addReadError(diags, plan, err)
			return false
		}
	}

	warner.check(ctx, out)
	common.Terminal = types.BoolValue(out.terminal)
	common.Succeeded = types.BoolValue(out.succeeded)
	if out.terminal && !out.succeeded && common.FailOnFailure.ValueBool() {
		addTaskFailed(diags, plan, out)
		return false
	}
	return true
}

// waitUntilTerminal polls with the plan's cheap poll, then reads the full detail once.
func waitUntilTerminal(ctx context.Context, data *providerData, common *commonModel, plan readPlan, timeout time.Duration,
	warner *statusWarner) (outcome, error) {
	// Zero values leave the engine's defaults: a 10s interval (the documented default of
	// poll_interval) and a 30s not-found grace. poll_interval was validated at plan time.
	interval, _ := time.ParseDuration(common.PollInterval.ValueString())
	var last outcome
	poller := wait.Poller{
		Interval:      interval,
		NotFoundGrace: data.tuning.notFoundGrace,
		Clock:         data.tuning.clock,
		IsNotFound:    plan.isNotFound,
		OnPoll: func(s wait.State, elapsed time.Duration, polls int) {
			tflog.Info(ctx, progressMessage(plan.target, s, elapsed, polls), map[string]any{
				"status":   s.Status,
				"progress": s.Summary,
				"terminal": s.Terminal,
				"elapsed":  elapsed.Round(time.Second).String(),
				"polls":    polls,
				"timeout":  timeout.String(),
			})
		},
	}
	_, err := poller.Until(ctx, func(ctx context.Context) (wait.State, error) {
		o, err := plan.poll(ctx)
		if err != nil {
			return wait.State{}, err
		}
		last = o
		warner.check(ctx, o)
		return wait.State{Terminal: o.terminal, Status: o.status, Summary: o.summary, Hint: o.hint,
			Progress: o.progress, HasProgress: o.hasProgress}, nil
	})
	if err != nil {
		return outcome{}, err
	}
	if plan.pollIsFull {
		return last, nil
	}
	return plan.full(ctx)
}

// progressMessage is a wait's INFO line, which states the facts so that it reads without its
// fields: `waiting for batch task "pcb-1": status RUNNING (3 of 10 sub tasks succeeded), 12s
// elapsed, 4 polls`.
func progressMessage(target string, s wait.State, elapsed time.Duration, polls int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "waiting for %s: status %s", target, s.Status)
	if s.Summary != "" {
		fmt.Fprintf(&b, " (%s)", s.Summary)
	}
	fmt.Fprintf(&b, ", %s elapsed, %s", elapsed.Round(time.Second), plural(int64(polls), "poll"))
	if s.Terminal {
		b.WriteString(", terminal")
	}
	return b.String()
}

// trimmedStatus is the status used for decisions: the PolarDB DescribeBatchTask documentation's
// sample answer pads one ("RUNNING "), so surrounding spaces are ignored for comparisons only; stored
// values stay verbatim.
func trimmedStatus(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// isContextError reports whether err came from the read's own deadline or cancellation.
func isContextError(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// quotedOrNone renders an API string for a message: quoted, or <none> when the API sent none.
func quotedOrNone(s *string) string {
	if s == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *s)
}

// plural renders "1 task" or "3 tasks".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
