package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

var (
	_ datasource.DataSource              = (*bdrcTaskDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*bdrcTaskDataSource)(nil)
)

// NewBDRCTaskDataSource returns the cloudtask_bdrc_task data source.
func NewBDRCTaskDataSource() datasource.DataSource {
	return &bdrcTaskDataSource{}
}

type bdrcTaskDataSource struct {
	data *providerData
}

type bdrcTaskModel struct {
	TaskID          types.String `tfsdk:"task_id"`
	TaskName        types.String `tfsdk:"task_name"`
	TaskDescription types.String `tfsdk:"task_description"`
	TaskType        types.String `tfsdk:"task_type"`
	TaskPriority    types.String `tfsdk:"task_priority"`
	TaskDetail      types.String `tfsdk:"task_detail"`
	ExecutionID     types.String `tfsdk:"execution_id"`
	Progress        types.Int64  `tfsdk:"progress"`
	TaskStatus      types.String `tfsdk:"task_status"`
	ErrorMessage    types.String `tfsdk:"error_message"`
	StartTime       types.Int64  `tfsdk:"start_time"`
	CompleteTime    types.Int64  `tfsdk:"complete_time"`
	ExpireTime      types.Int64  `tfsdk:"expire_time"`
	commonModel
}

const bdrcStatusComplete = "COMPLETE"

// bdrcTerminalStatuses are the TaskStatus values after which the task no longer changes.
var bdrcTerminalStatuses = []string{bdrcStatusComplete, "FAILED", "EXPIRED", "CANCELED"}

// bdrcProgressScale is the API's Progress value of a finished task (0..10000).
const bdrcProgressScale = 10000

func (d *bdrcTaskDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bdrc_task"
}

func (d *bdrcTaskDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	unixSeconds := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description + " Unix time in seconds."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an asynchronous BDRC (Backup and Disaster Recovery Center) task with the BDRC " +
			"`DescribeTask` API (2023-08-08, `GET /api/v1/tasks/{TaskId}`), and can wait until it is " +
			"`COMPLETE`, `FAILED`, `EXPIRED` or `CANCELED`. Values are those of the answer's `Data`, as returned.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes("BDRC task",
			"`task_status` is `COMPLETE`, `FAILED`, `EXPIRED` or `CANCELED`",
			"`task_status` is `COMPLETE`",
			map[string]schema.Attribute{
				"task_id": schema.StringAttribute{
					Required: true,
					MarkdownDescription: "ID of the task (`TaskId`), such as `t-0004d9ctt1ii********`. Only id " +
						"characters are accepted, since the id becomes part of the request's URL path.",
					Validators: []validator.String{idValidator{}},
				},
				"task_name":        computed("Name of the task (`TaskName`)."),
				"task_description": computed("Description of the task (`TaskDescription`), verbatim."),
				"task_type":        computed("Type of the task (`TaskType`): `UPDATE_RESOURCES` (update resources and their state) or `CHECK_RULES`."),
				"task_priority": computed("Priority (`TaskPriority`): `HIGH` for tasks a user started in the " +
					"console, `LOW` for background tasks."),
				"task_detail":  computed("Details of the execution (`TaskDetail`), a JSON text kept verbatim."),
				"execution_id": computed("Execution ID (`ExecutionId`); documented as not used yet and returned empty."),
				"progress": schema.Int64Attribute{
					Computed: true,
					MarkdownDescription: "Progress (`Progress`) on the API's scale of 0 to 10000 " +
						"(divide by 100 for a percentage); null when the API returns none.",
				},
				"task_status": computed("Status (`TaskStatus`): `CREATED`, `RUNNING`, `COMPLETE`, `FAILED`, " +
					"`EXPIRED` or `CANCELED`."),
				"error_message": computed("Error message of a failed task (`ErrorMessage`)."),
				"start_time":    unixSeconds("Time the task started (`StartTime`)."),
				"complete_time": unixSeconds("Time the task completed (`CompleteTime`)."),
				"expire_time":   unixSeconds("Time the task expires (`ExpireTime`)."),
			}),
	}
}

func (d *bdrcTaskDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureProviderData(req, resp)
}

func (d *bdrcTaskDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model bdrcTaskModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.alibaba(&resp.Diagnostics)
	if client == nil {
		return
	}

	taskID := model.TaskID.ValueString()
	var task *alibaba.BDRCTask
	plan := singleRequestPlan("BDRC Task", fmt.Sprintf("BDRC task %q", taskID), alibaba.IsNotFound, &task,
		func(ctx context.Context) (*alibaba.BDRCTask, error) { return client.DescribeBDRCTask(ctx, taskID) },
		bdrcTaskOutcome)
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenBDRCTask(task, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// bdrcTaskOutcome applies the terminal and success rules of SPEC section 3.
func bdrcTaskOutcome(t *alibaba.BDRCTask) outcome {
	status := trimmedStatus(t.TaskStatus)
	out := outcome{
		status:    status,
		terminal:  slices.Contains(bdrcTerminalStatuses, status),
		succeeded: status == bdrcStatusComplete,
		// A status outside the documented list is not terminal (bdrcTerminalStatuses is a subset).
		undocumented: !slices.Contains(bdrcTaskStatuses, status),
	}
	if t.Progress != nil {
		out.summary = fmt.Sprintf("progress %.2f%%", float64(*t.Progress)*100/bdrcProgressScale)
		out.progress, out.hasProgress = fractionOf(*t.Progress, bdrcProgressScale)
	}
	if out.terminal && !out.succeeded {
		out.failures = []string{fmt.Sprintf("task %s ended %s: %s", quotedOrNone(t.TaskID), status, quotedOrNone(t.ErrorMessage))}
	}
	return out
}

func flattenBDRCTask(t *alibaba.BDRCTask, m *bdrcTaskModel) {
	m.TaskName = stringValue(t.TaskName)
	m.TaskDescription = stringValue(t.TaskDescription)
	m.TaskType = stringValue(t.TaskType)
	m.TaskPriority = stringValue(t.TaskPriority)
	m.TaskDetail = stringValue(t.TaskDetail)
	m.ExecutionID = stringValue(t.ExecutionID)
	m.Progress = int64Value(t.Progress)
	m.TaskStatus = stringValue(t.TaskStatus)
	m.ErrorMessage = stringValue(t.ErrorMessage)
	m.StartTime = int64Value(t.StartTime)
	m.CompleteTime = int64Value(t.CompleteTime)
	m.ExpireTime = int64Value(t.ExpireTime)
	m.RequestID = types.StringValue(t.RequestID)
}
