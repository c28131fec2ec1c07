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
	_ datasource.DataSource              = (*polarDBBatchTaskDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*polarDBBatchTaskDataSource)(nil)
)

// NewPolarDBBatchTaskDataSource returns the cloudtask_polardb_batch_task data source.
func NewPolarDBBatchTaskDataSource() datasource.DataSource {
	return &polarDBBatchTaskDataSource{}
}

type polarDBBatchTaskDataSource struct {
	data *providerData
}

type polarDBBatchTaskModel struct {
	BatchID         types.String          `tfsdk:"batch_id"`
	TaskName        types.String          `tfsdk:"task_name"`
	TaskType        types.String          `tfsdk:"task_type"`
	Status          types.String          `tfsdk:"status"`
	TotalCount      types.Int64           `tfsdk:"total_count"`
	SuccessCount    types.Int64           `tfsdk:"success_count"`
	TaskBegin       types.String          `tfsdk:"task_begin"`
	TaskEnd         types.String          `tfsdk:"task_end"`
	ApplicationType types.String          `tfsdk:"application_type"`
	SubTasks        []polarDBSubTaskModel `tfsdk:"sub_tasks"`
	commonModel
}

type polarDBSubTaskModel struct {
	TaskID     types.String `tfsdk:"task_id"`
	InstanceID types.String `tfsdk:"instance_id"`
	Status     types.String `tfsdk:"status"`
	TaskBegin  types.String `tfsdk:"task_begin"`
	TaskEnd    types.String `tfsdk:"task_end"`
	ErrorMsg   types.String `tfsdk:"error_msg"`
}

const (
	batchTaskStatusCompleted = "COMPLETED"
	batchTaskStatusFailed    = "FAILED"
)

func (d *polarDBBatchTaskDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_polardb_batch_task"
}

func (d *polarDBBatchTaskDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a PolarDB batch task and its sub tasks with the PolarDB `DescribeBatchTask` " +
			"API (2017-08-01), and can wait until the task is `COMPLETED` or `FAILED`. Values are stored as " +
			"the API returns them.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes("batch task",
			"`status` is `COMPLETED` or `FAILED`",
			"`status` is `COMPLETED` and no sub task is `FAILED`",
			map[string]schema.Attribute{
				"batch_id": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "ID of the batch task (`BatchId`), such as `pcb-xxx`.",
					Validators:          []validator.String{idValidator{}},
				},
				"task_name": computed("Name of the task (`TaskName`)."),
				"task_type": computed("Type of the task (`TaskType`), such as `polarclaw_install_skills`."),
				"status": computed("Task status (`Status`), verbatim: `DISPATCHING`, `RUNNING`, `COMPLETED` or " +
					"`FAILED`. The documentation's sample answer pads it with a space (`\"RUNNING \"`); decisions " +
					"ignore surrounding spaces."),
				"total_count":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Total number of sub tasks (`TotalCount`)."},
				"success_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of sub tasks that succeeded (`SuccessCount`)."},
				"task_begin":    computed("Time the task started (`TaskBegin`), verbatim, such as `2026/05/28T16:38:20Z`."),
				"task_end":      computed("Time the task ended (`TaskEnd`), verbatim."),
				"application_type": computed("Application type (`ApplicationType`), verbatim. The documentation " +
					"does not describe it; its sample answer has an empty string."),
				"sub_tasks": schema.ListNestedAttribute{
					Computed: true,
					MarkdownDescription: "The sub tasks (`SubTasks`), in the API's order; null when the API returns " +
						"none. Each names the instance it ran on; the documentation does not say whether an instance " +
						"can have more than one sub task.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"task_id":     computed("ID of the sub task (`TaskId`)."),
							"instance_id": computed("ID of the instance the sub task runs on (`InstanceId`)."),
							"status": computed("Sub task status (`Status`): `COMPLETED`, `FAILED`, `PAUSE`, `RUNNING`, " +
								"`TEMP_TERMINATED`, `WAITING`, `HUMAN_PROCESSING` or `BLOCKING`."),
							"task_begin": computed("Time the sub task started (`TaskBegin`), verbatim."),
							"task_end":   computed("Time the sub task ended (`TaskEnd`), verbatim."),
							"error_msg":  computed("Error message of the sub task (`ErrorMsg`), when it has one."),
						},
					},
				},
			}),
	}
}

func (d *polarDBBatchTaskDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureProviderData(req, resp)
}

func (d *polarDBBatchTaskDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model polarDBBatchTaskModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.alibaba(&resp.Diagnostics)
	if client == nil {
		return
	}

	batchID := model.BatchID.ValueString()
	var task *alibaba.BatchTask
	plan := singleRequestPlan("PolarDB Batch Task", fmt.Sprintf("PolarDB batch task %q", batchID), alibaba.IsNotFound, &task,
		func(ctx context.Context) (*alibaba.BatchTask, error) { return client.DescribeBatchTask(ctx, batchID) },
		batchTaskOutcome)
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenBatchTask(task, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// batchTaskOutcome applies the terminal and success rules of SPEC section 3.
func batchTaskOutcome(t *alibaba.BatchTask) outcome {
	status := trimmedStatus(t.Status)
	out := outcome{
		status:       status,
		terminal:     status == batchTaskStatusCompleted || status == batchTaskStatusFailed,
		undocumented: !slices.Contains(polarDBBatchTaskStatuses, status),
	}
	if t.TotalCount != nil && t.SuccessCount != nil {
		out.summary = fmt.Sprintf("%d of %d sub tasks succeeded", *t.SuccessCount, *t.TotalCount)
		out.progress, out.hasProgress = fractionOf(*t.SuccessCount, *t.TotalCount)
	}
	for _, st := range t.SubTasks {
		if trimmedStatus(st.Status) == batchTaskStatusFailed {
			out.failures = append(out.failures, fmt.Sprintf("sub task %s on instance %s: %s",
				quotedOrNone(st.TaskID), quotedOrNone(st.InstanceID), quotedOrNone(st.ErrorMsg)))
		}
	}
	out.succeeded = status == batchTaskStatusCompleted && len(out.failures) == 0
	return out
}

func flattenBatchTask(t *alibaba.BatchTask, m *polarDBBatchTaskModel) {
	m.TaskName = stringValue(t.TaskName)
	m.TaskType = stringValue(t.TaskType)
	m.Status = stringValue(t.Status)
	m.TotalCount = int64Value(t.TotalCount)
	m.SuccessCount = int64Value(t.SuccessCount)
	m.TaskBegin = stringValue(t.TaskBegin)
	m.TaskEnd = stringValue(t.TaskEnd)
	m.ApplicationType = stringValue(t.ApplicationType)
	m.RequestID = types.StringValue(t.RequestID)
	m.SubTasks = nil // an absent or null SubTasks stays null, as the API answered
	if t.SubTasks != nil {
		m.SubTasks = make([]polarDBSubTaskModel, 0, len(t.SubTasks))
	}
	for _, st := range t.SubTasks {
		m.SubTasks = append(m.SubTasks, polarDBSubTaskModel{
			TaskID:     stringValue(st.TaskID),
			InstanceID: stringValue(st.InstanceID),
			Status:     stringValue(st.Status),
			TaskBegin:  stringValue(st.TaskBegin),
			TaskEnd:    stringValue(st.TaskEnd),
			ErrorMsg:   stringValue(st.ErrorMsg),
		})
	}
}
