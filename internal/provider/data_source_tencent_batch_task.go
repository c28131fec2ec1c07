package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
)

var (
	_ datasource.DataSource              = (*tencentBatchTaskDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*tencentBatchTaskDataSource)(nil)
)

// NewTencentBatchTaskDataSource returns the cloudtask_tencent_batch_task data source.
func NewTencentBatchTaskDataSource() datasource.DataSource {
	return &tencentBatchTaskDataSource{}
}

type tencentBatchTaskDataSource struct {
	data *providerData
}

type tencentBatchTaskModel struct {
	JobID                  types.String                     `tfsdk:"job_id"`
	TaskName               types.String                     `tfsdk:"task_name"`
	Offset                 types.Int64                      `tfsdk:"offset"`
	Limit                  types.Int64                      `tfsdk:"limit"`
	Filters                []tencentTaskFilterModel         `tfsdk:"filters"`
	TaskState              types.String                     `tfsdk:"task_state"`
	CreateTime             types.String                     `tfsdk:"create_time"`
	EndTime                types.String                     `tfsdk:"end_time"`
	TaskInstanceTotalCount types.Int64                      `tfsdk:"task_instance_total_count"`
	TaskInstanceSet        []tencentTaskInstanceModel       `tfsdk:"task_instance_set"`
	TaskInstanceMetrics    *tencentTaskInstanceMetricsModel `tfsdk:"task_instance_metrics"`
	commonModel
}

type tencentTaskFilterModel struct {
	Name   types.String   `tfsdk:"name"`
	Values []types.String `tfsdk:"values"`
}

type tencentTaskInstanceModel struct {
	TaskInstanceIndex     types.Int64               `tfsdk:"task_instance_index"`
	TaskInstanceState     types.String              `tfsdk:"task_instance_state"`
	ExitCode              types.Int64               `tfsdk:"exit_code"`
	StateReason           types.String              `tfsdk:"state_reason"`
	StateDetailedReason   types.String              `tfsdk:"state_detailed_reason"`
	ComputeNodeInstanceID types.String              `tfsdk:"compute_node_instance_id"`
	CreateTime            types.String              `tfsdk:"create_time"`
	LaunchTime            types.String              `tfsdk:"launch_time"`
	RunningTime           types.String              `tfsdk:"running_time"`
	EndTime               types.String              `tfsdk:"end_time"`
	RedirectInfo          *tencentRedirectInfoModel `tfsdk:"redirect_info"`
}

type tencentRedirectInfoModel struct {
	StdoutRedirectPath     types.String `tfsdk:"stdout_redirect_path"`
	StderrRedirectPath     types.String `tfsdk:"stderr_redirect_path"`
	StdoutRedirectFileName types.String `tfsdk:"stdout_redirect_file_name"`
	StderrRedirectFileName types.String `tfsdk:"stderr_redirect_file_name"`
}

type tencentTaskInstanceMetricsModel struct {
	SubmittedCount         types.Int64 `tfsdk:"submitted_count"`
	PendingCount           types.Int64 `tfsdk:"pending_count"`
	RunnableCount          types.Int64 `tfsdk:"runnable_count"`
	StartingCount          types.Int64 `tfsdk:"starting_count"`
	RunningCount           types.Int64 `tfsdk:"running_count"`
	SucceedCount           types.Int64 `tfsdk:"succeed_count"`
	FailedInterruptedCount types.Int64 `tfsdk:"failed_interrupted_count"`
	FailedCount            types.Int64 `tfsdk:"failed_count"`
}

// Task and instance states that decide the outcome. TaskState has no documented list; it is assumed
// to use the instance vocabulary, so any other value (SUBMITTED ... RUNNING, or one not known yet) is
// not terminal.
const (
	tencentStateSucceed           = "SUCCEED"
	tencentStateFailed            = "FAILED"
	tencentStateFailedInterrupted = "FAILED_INTERRUPTED"
)

// tencentInstanceStates are the documented TaskInstanceState values, in lifecycle order.
var tencentInstanceStates = []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING",
	tencentStateSucceed, tencentStateFailed, tencentStateFailedInterrupted}

func (d *tencentBatchTaskDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tencent_batch_task"
}

func (d *tencentBatchTaskDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	count := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a task of a Tencent Cloud Batch job and its task instances with the Batch " +
			"`DescribeTask` API (2017-03-12), and can wait until the task is `SUCCEED`, `FAILED` or " +
			"`FAILED_INTERRUPTED`. Values are stored as the API returns them. Requests stay within the API's " +
			"limit of 3 per second, shared by every read of the provider.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes("task",
			"`task_state` is `SUCCEED`, `FAILED` or `FAILED_INTERRUPTED`",
			"`task_state` is `SUCCEED` and no instance failed (`failed_count` and `failed_interrupted_count` "+
				"are 0 and no listed instance is `FAILED` or `FAILED_INTERRUPTED`)",
			map[string]schema.Attribute{
				"job_id": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "ID of the job (`JobId`), such as `job-97zcl3wt`.",
					Validators:          []validator.String{idValidator{}},
				},
				"task_name": schema.StringAttribute{
					Required: true,
					MarkdownDescription: "Name of the task within the job (`TaskName`), such as `A`. The API documentation " +
						"gives no length limit, so only an empty name is rejected at plan time; a name the service " +
						"refuses fails the read with the API's error.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"offset": schema.Int64Attribute{
					Optional: true,
					MarkdownDescription: "Offset of the first task instance to read (`Offset`), 0 or more. With " +
						"`offset` or `limit`, only that window of `task_instance_set` is read; without both, every " +
						"instance is read, in pages of 1000.",
					Validators: []validator.Int64{int64validator.AtLeast(0)},
				},
				"limit": schema.Int64Attribute{
					Optional: true,
					MarkdownDescription: "Number of task instances to read (`Limit`), 1 to 1000. When only `offset` " +
						"is set, the API's default of 100 applies.",
					Validators: []validator.Int64{int64validator.Between(1, tencent.MaxPageSize)},
				},
				"filters": schema.ListNestedAttribute{
					Optional: true,
					MarkdownDescription: "Filters on the task instances (`Filters`), sent exactly as written. The " +
						"documentation describes one filter, on the instance state (values such as `SUCCEED` or " +
						"`FAILED`), and names it `task-instance-type` in its parameter list but `task-instance-state` " +
						"in its example. It does not say whether filters change `task_instance_total_count` or " +
						"`task_instance_metrics` as well as `task_instance_set`: those are stored as the API returns them.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"name": schema.StringAttribute{
								Required:            true,
								MarkdownDescription: "Name of the filter (`Name`), such as `task-instance-state`.",
								Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
							},
							"values": schema.ListAttribute{
								Required:            true,
								ElementType:         types.StringType,
								MarkdownDescription: "Values to match (`Values`), such as `[\"FAILED\"]`.",
							},
						},
					},
				},
				"task_state": computed("Task state (`TaskState`), verbatim. The documentation lists no values; the " +
					"provider assumes the instance states (" + backtickList(tencentInstanceStates) + ") and treats " +
					"any other value as not terminal. Decisions ignore surrounding spaces."),
				"create_time": computed("Time the task was created (`CreateTime`), verbatim, such as `2018-02-07T09:29:09Z`."),
				"end_time":    computed("Time the task ended (`EndTime`), verbatim; null when the API returns none."),
				"task_instance_total_count": count("Total number of task instances (`TaskInstanceTotalCount`), as " +
					"the API returns it. Whether `filters` narrow this count is not documented: the documentation's " +
					"only example filters on `SUCCEED` for a task whose instances all succeeded."),
				"task_instance_set": schema.ListNestedAttribute{
					Computed: true,
					MarkdownDescription: "The task instances read (`TaskInstanceSet`), in the API's order: all of " +
						"them, or the window of `offset` and `limit`.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"task_instance_index": count("Index of the instance within the task (`TaskInstanceIndex`)."),
							"task_instance_state": computed("Instance state (`TaskInstanceState`): " + backtickList(tencentInstanceStates) + "."),
							"exit_code":           count("Exit code of the instance's command (`ExitCode`); null when the API returns none."),
							"state_reason":        computed("Why the instance is in its state (`StateReason`)."),
							"state_detailed_reason": computed("Detailed reason for the instance's state " +
								"(`StateDetailedReason`)."),
							"compute_node_instance_id": computed("ID of the compute node the instance runs on " +
								"(`ComputeNodeInstanceId`); null when it has none."),
							"create_time":  computed("Time the instance was created (`CreateTime`), verbatim."),
							"launch_time":  computed("Time the instance was launched on a node (`LaunchTime`), verbatim."),
							"running_time": computed("Time the instance started running (`RunningTime`), verbatim."),
							"end_time":     computed("Time the instance ended (`EndTime`), verbatim."),
							"redirect_info": schema.SingleNestedAttribute{
								Computed:            true,
								MarkdownDescription: "Where the instance's standard output and error were written (`RedirectInfo`).",
								Attributes: map[string]schema.Attribute{
									"stdout_redirect_path":      computed("Location of standard output (`StdoutRedirectPath`), such as a `cos://` URL."),
									"stderr_redirect_path":      computed("Location of standard error (`StderrRedirectPath`)."),
									"stdout_redirect_file_name": computed("File name of standard output (`StdoutRedirectFileName`)."),
									"stderr_redirect_file_name": computed("File name of standard error (`StderrRedirectFileName`)."),
								},
							},
						},
					},
				},
				"task_instance_metrics": schema.SingleNestedAttribute{
					Computed: true,
					MarkdownDescription: "Number of the task's instances in each state (`TaskInstanceMetrics`). The " +
						"documentation does not say whether `filters` narrow these counts. Null when the API returns none.",
					Attributes: map[string]schema.Attribute{
						"submitted_count":          count("Instances `SUBMITTED` (`SubmittedCount`)."),
						"pending_count":            count("Instances `PENDING` (`PendingCount`)."),
						"runnable_count":           count("Instances `RUNNABLE` (`RunnableCount`)."),
						"starting_count":           count("Instances `STARTING` (`StartingCount`)."),
						"running_count":            count("Instances `RUNNING` (`RunningCount`)."),
						"succeed_count":            count("Instances `SUCCEED` (`SucceedCount`)."),
						"failed_interrupted_count": count("Instances `FAILED_INTERRUPTED` (`FailedInterruptedCount`)."),
						"failed_count":             count("Instances `FAILED` (`FailedCount`)."),
					},
				},
			}),
	}
}

func (d *tencentBatchTaskDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureProviderData(req, resp)
}

func (d *tencentBatchTaskDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model tencentBatchTaskModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.tencent(&resp.Diagnostics)
	if client == nil {
		return
	}

	request := tencentTaskRequest(&model)
	windowed := request.Offset != nil || request.Limit != nil
	var task *tencent.Task
	full := func(ctx context.Context) (outcome, error) {
		var (
			t   *tencent.Task
			err error
		)
		if windowed {
			t, err = client.DescribeTask(ctx, request)
		} else {
			t, err = client.DescribeTaskAll(ctx, request)
		}
		if err != nil {
			return outcome{}, err
		}
		task = t
		return tencentTaskOutcome(t), nil
	}
	// One instance is enough to learn TaskState and the metrics; the full read follows at the end.
	pollRequest := request
	one := int64(1)
	pollRequest.Offset, pollRequest.Limit = nil, &one
	poll := func(ctx context.Context) (outcome, error) {
		t, err := client.DescribeTask(ctx, pollRequest)
		if err != nil {
			return outcome{}, err
		}
		return tencentTaskOutcome(t), nil
	}
	plan := readPlan{
		noun:       "Tencent Batch Task",
		target:     fmt.Sprintf("Tencent Batch task %q of job %q", request.TaskName, request.JobID),
		poll:       poll,
		full:       full,
		isNotFound: tencent.IsNotFound,
	}
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenTencentTask(task, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// tencentTaskRequest builds the DescribeTask request from the arguments, filters as written.
func tencentTaskRequest(m *tencentBatchTaskModel) tencent.DescribeTaskRequest {
	request := tencent.DescribeTaskRequest{JobID: m.JobID.ValueString(), TaskName: m.TaskName.ValueString()}
	if !m.Offset.IsNull() {
		v := m.Offset.ValueInt64()
		request.Offset = &v
	}
	if !m.Limit.IsNull() {
		v := m.Limit.ValueInt64()
		request.Limit = &v
	}
	for _, f := range m.Filters {
		values := make([]string, 0, len(f.Values))
		for _, v := range f.Values {
			values = append(values, v.ValueString())
		}
		request.Filters = append(request.Filters, tencent.Filter{Name: f.Name.ValueString(), Values: values})
	}
	return request
}

// tencentTaskOutcome applies the terminal and success rules of SPEC section 3.
func tencentTaskOutcome(t *tencent.Task) outcome {
	state := trimmedStatus(t.TaskState)
	out := outcome{
		status:       state,
		terminal:     state == tencentStateSucceed || state == tencentStateFailed || state == tencentStateFailedInterrupted,
		undocumented: !slices.Contains(tencentInstanceStates, state),
	}
	failedByMetrics := false
	if m := t.TaskInstanceMetrics; m != nil {
		failed := countOf(m.FailedCount) + countOf(m.FailedInterruptedCount)
		failedByMetrics = failed > 0
		succeeded := countOf(m.SucceedCount)
		running := countOf(m.RunningCount)
		queued := countOf(m.SubmittedCount) + countOf(m.PendingCount) + countOf(m.RunnableCount) + countOf(m.StartingCount)
		total := succeeded + failed + running + queued
		out.summary = fmt.Sprintf("%d of %d instances succeeded, %d failed, %d running", succeeded, total, failed, running)
		out.progress, out.hasProgress = fractionOf(succeeded+failed, total)
		if queued > 0 {
			out.summary += fmt.Sprintf(", %d queued", queued)
		}
	}
	for _, in := range t.TaskInstanceSet {
		switch trimmedStatus(in.TaskInstanceState) {
		case tencentStateFailed, tencentStateFailedInterrupted:
			out.failures = append(out.failures, tencentInstanceFailure(in))
		}
	}
	out.succeeded = state == tencentStateSucceed && !failedByMetrics && len(out.failures) == 0
	return out
}

// tencentInstanceFailure is one fail_on_failure line: index, state, exit code and both reasons.
func tencentInstanceFailure(in tencent.TaskInstance) string {
	index, exitCode := "<none>", "<none>"
	if in.TaskInstanceIndex != nil {
		index = fmt.Sprint(*in.TaskInstanceIndex)
	}
	if in.ExitCode != nil {
		exitCode = fmt.Sprint(*in.ExitCode)
	}
	return fmt.Sprintf("instance %s: state %s, exit code %s, reason %s, detailed reason %s",
		index, quotedOrNone(in.TaskInstanceState), exitCode,
		quotedOrNone(in.StateReason), quotedOrNone(in.StateDetailedReason))
}

func countOf(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func flattenTencentTask(t *tencent.Task, m *tencentBatchTaskModel) {
	m.TaskState = stringValue(t.TaskState)
	m.CreateTime = stringValue(t.CreateTime)
	m.EndTime = stringValue(t.EndTime)
	m.TaskInstanceTotalCount = int64Value(t.TaskInstanceTotalCount)
	m.RequestID = types.StringValue(t.RequestID)
	m.TaskInstanceSet = nil // an absent or null TaskInstanceSet stays null, as the API answered
	if t.TaskInstanceSet != nil {
		m.TaskInstanceSet = make([]tencentTaskInstanceModel, 0, len(t.TaskInstanceSet))
	}
	for _, in := range t.TaskInstanceSet {
		instance := tencentTaskInstanceModel{
			TaskInstanceIndex:     int64Value(in.TaskInstanceIndex),
			TaskInstanceState:     stringValue(in.TaskInstanceState),
			ExitCode:              int64Value(in.ExitCode),
			StateReason:           stringValue(in.StateReason),
			StateDetailedReason:   stringValue(in.StateDetailedReason),
			ComputeNodeInstanceID: stringValue(in.ComputeNodeInstanceID),
			CreateTime:            stringValue(in.CreateTime),
			LaunchTime:            stringValue(in.LaunchTime),
			RunningTime:           stringValue(in.RunningTime),
			EndTime:               stringValue(in.EndTime),
		}
		if r := in.RedirectInfo; r != nil {
			instance.RedirectInfo = &tencentRedirectInfoModel{
				StdoutRedirectPath:     stringValue(r.StdoutRedirectPath),
				StderrRedirectPath:     stringValue(r.StderrRedirectPath),
				StdoutRedirectFileName: stringValue(r.StdoutRedirectFileName),
				StderrRedirectFileName: stringValue(r.StderrRedirectFileName),
			}
		}
		m.TaskInstanceSet = append(m.TaskInstanceSet, instance)
	}
	m.TaskInstanceMetrics = nil
	if x := t.TaskInstanceMetrics; x != nil {
		m.TaskInstanceMetrics = &tencentTaskInstanceMetricsModel{
			SubmittedCount:         int64Value(x.SubmittedCount),
			PendingCount:           int64Value(x.PendingCount),
			RunnableCount:          int64Value(x.RunnableCount),
			StartingCount:          int64Value(x.StartingCount),
			RunningCount:           int64Value(x.RunningCount),
			SucceedCount:           int64Value(x.SucceedCount),
			FailedInterruptedCount: int64Value(x.FailedInterruptedCount),
			FailedCount:            int64Value(x.FailedCount),
		}
	}
}
