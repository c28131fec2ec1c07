package provider

import (
	"context"
	"fmt"
	"math"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

var (
	_ datasource.DataSource                     = (*polarDBTasksDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*polarDBTasksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*polarDBTasksDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*polarDBTasksDataSource)(nil)
)

// NewPolarDBTasksDataSource returns the cloudtask_polardb_tasks data source.
func NewPolarDBTasksDataSource() datasource.DataSource {
	return &polarDBTasksDataSource{}
}

type polarDBTasksDataSource struct {
	data *providerData
}

type polarDBTasksModel struct {
	DBClusterID      types.String       `tfsdk:"db_cluster_id"`
	DBNodeID         types.String       `tfsdk:"db_node_id"`
	StartTime        types.String       `tfsdk:"start_time"`
	EndTime          types.String       `tfsdk:"end_time"`
	Status           types.String       `tfsdk:"status"`
	PageSize         types.Int64        `tfsdk:"page_size"`
	PageNumber       types.Int64        `tfsdk:"page_number"`
	TotalRecordCount types.Int64        `tfsdk:"total_record_count"`
	PageRecordCount  types.Int64        `tfsdk:"page_record_count"`
	Tasks            []polarDBTaskModel `tfsdk:"tasks"`
	commonModel
}

type polarDBTaskModel struct {
	Status             types.String           `tfsdk:"status"`
	TaskID             types.String           `tfsdk:"task_id"`
	TaskAction         types.String           `tfsdk:"task_action"`
	DBName             types.String           `tfsdk:"db_name"`
	BeginTime          types.String           `tfsdk:"begin_time"`
	FinishTime         types.String           `tfsdk:"finish_time"`
	ExpectedFinishTime types.String           `tfsdk:"expected_finish_time"`
	Progress           types.Int64            `tfsdk:"progress"`
	Remain             types.Int64            `tfsdk:"remain"`
	CurrentStepName    types.String           `tfsdk:"current_step_name"`
	StepProgressInfo   types.String           `tfsdk:"step_progress_info"`
	StepsInfo          types.String           `tfsdk:"steps_info"`
	ProgressInfo       types.String           `tfsdk:"progress_info"`
	TaskErrorCode      types.String           `tfsdk:"task_error_code"`
	TaskErrorMessage   types.String           `tfsdk:"task_error_message"`
	Steps              []polarDBTaskStepModel `tfsdk:"steps"`
}

type polarDBTaskStepModel struct {
	Name     types.String `tfsdk:"name"`
	Progress types.Int64  `tfsdk:"progress"`
	Remain   types.Int64  `tfsdk:"remain"`
}

func (d *polarDBTasksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_polardb_tasks"
}

func (d *polarDBTasksDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	number := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	pageSizes := make([]string, len(polarDBTaskPageSizes))
	for i, n := range polarDBTaskPageSizes {
		pageSizes[i] = fmt.Sprint(n)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tasks of a PolarDB cluster or node in a time window, such as the steps of " +
			"creating a cluster, with the PolarDB `DescribeTasks` API (2017-08-01), judges every task in the window, " +
			"and can wait until none of them is `Waiting`, `Running` or `Pause`. Values are stored as the API " +
			"returns them.\n\n" +
			"The API's task object has no status of its own: the status filter is the only way to learn it. So a " +
			"read makes the listing query (`status` as written, every page or the one `page_number`), then one query " +
			"per status over the whole window, whatever `status` and `page_number` list, with pages of 100. The " +
			"first page of each status counts its tasks (`TotalRecordCount`); further pages are read for `Stop` " +
			"always, for `Finished` and `Closed` when no task is still active (so that every task's error code is " +
			"seen before `succeeded` is reported), and for any status while a listed task's status is still " +
			"unknown. A read of a window with fewer than 100 tasks of each status thus costs the listing's pages " +
			"plus six requests (five when `status` names a single status and `page_number` is unset). While " +
			"waiting, each poll is one request for the window's `Waiting`, `Running` and `Pause` tasks.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes("set of tasks in the time window",
			"no task in the time window is `Waiting`, `Running` or `Pause` (or of a status no per-status query "+
				"found), whatever `status` and `page_number` list",
			"terminal, and no task in the time window is `Stop` or carries a task error code (`task_error_code` "+
				"other than empty or `\"null\"`), whatever `status` and `page_number` list; it is `true` only when "+
				"every task of the window has been read and seen to be clean",
			map[string]schema.Attribute{
				"db_cluster_id": schema.StringAttribute{
					Optional: true,
					Computed: true,
					MarkdownDescription: "ID of the cluster (`DBClusterId`), such as `pc-xxx`. Exactly one of " +
						"`db_cluster_id` and `db_node_id` must be set; with `db_node_id`, this holds the cluster " +
						"ID the API returned.",
					Validators: []validator.String{idValidator{}},
				},
				"db_node_id": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "ID of the node (`DBNodeId`), such as `pi-xxx`, to list the tasks of " +
						"one node instead of a whole cluster. Exactly one of `db_cluster_id` and `db_node_id` must be set.",
					Validators: []validator.String{idValidator{}},
				},
				"start_time": schema.StringAttribute{
					Required: true,
					MarkdownDescription: "Beginning of the time window (`StartTime`), in UTC as " + minuteTimeDescription +
						", such as `2020-11-30T00:00Z`.",
					Validators: []validator.String{minuteTimeValidator{}},
				},
				"end_time": schema.StringAttribute{
					Required: true,
					MarkdownDescription: "End of the time window (`EndTime`), in UTC as " + minuteTimeDescription +
						"; must be later than `start_time`.",
					Validators: []validator.String{minuteTimeValidator{}},
				},
				"status": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "Statuses of the tasks to list in `tasks` (`Status`), separated by commas: " +
						backtickList(polarDBTaskStatuses) + ". It selects what is listed only: `terminal`, " +
						"`succeeded` and `wait_for_completion` cover every task in the time window, whatever it names. " +
						"When unset, the API lists `Waiting` and `Running` tasks only; with `wait_for_completion`, the " +
						"read instead lists the tasks of every status, in their final states. With " +
						"`wait_for_completion` and a filter, the wait too is on the whole window: with `Finished,Stop`, " +
						"for example, the read waits until no task in the window is `Waiting`, `Running` or `Pause`, " +
						"then lists the `Finished` and `Stop` tasks.",
					Validators: []validator.String{statusListValidator{allowed: polarDBTaskStatuses}},
				},
				"page_size": schema.Int64Attribute{
					Optional: true,
					MarkdownDescription: "Number of tasks per page (`PageSize`): " + backtickList(pageSizes) +
						". Default `30`. Without `page_number`, every page is read at this size.",
					Validators: []validator.Int64{int64OneOf(polarDBTaskPageSizes)},
				},
				"page_number": schema.Int64Attribute{
					Optional: true,
					MarkdownDescription: "Page of the listing to read (`PageNumber`), from `1`. When set, only " +
						"that page is listed in `tasks`; when unset, every page is. Either way `terminal` and " +
						"`succeeded` judge every task in the time window, on every page.",
					Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
				},
				"total_record_count": number("The API's `TotalRecordCount` for the listing query: the number of " +
					"tasks in the window that `status` selects (all pages). Null when the API sends none. The " +
					"per-status queries of the verdict are not counted here."),
				"page_record_count": number("With `page_number`, the API's `PageRecordCount` for that page, " +
					"verbatim. Without it, the number of tasks in `tasks`."),
				"tasks": schema.ListNestedAttribute{
					Computed: true,
					MarkdownDescription: "The tasks (`Tasks.Task`) the listing query returned for `status`, in the " +
						"API's order: without `page_number` every page in turn (a task the API repeats on a later " +
						"page is kept once, at its first place), with it that page. Only what `status` and " +
						"`page_number` select; `terminal` and `succeeded` cover the whole window.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"status": computed("Status of the task, one of " + backtickList(polarDBTaskStatuses) +
								": the status whose own query listed this `task_id` (the API's task object has none). " +
								"Null when no per-status query listed the task, as when it changed status between " +
								"queries; such a task counts as not terminal."),
							"task_id":     computed("ID of the task (`TaskId`)."),
							"task_action": computed("API operation that created the task (`TaskAction`), such as `CreateDBInstance`."),
							"db_name":     computed("Database name (`DBName`), for tasks on a database."),
							"begin_time":  computed("Time the task started (`BeginTime`), verbatim, such as `2020-12-02T02:39:15Z`."),
							"finish_time": computed("Time the task finished (`FinishTime`), verbatim."),
							"expected_finish_time": computed("Estimated end time (`ExpectedFinishTime`), verbatim. " +
								"Documented as empty in most cases; the documentation's sample answer shows the string `\"null\"`."),
							"progress": number("Progress of the task in percent (`Progress`)."),
							"remain":   number("Estimated remaining time of the task in seconds (`Remain`)."),
							"current_step_name": computed("Name of the current step (`CurrentStepName`), such as " +
								"`create_instance`."),
							"step_progress_info": computed("Progress of the steps (`StepProgressInfo`), such as `1/4`: " +
								"the first of four steps is in progress."),
							"steps_info": computed("Details of the steps (`StepsInfo`), the API's JSON text verbatim; " +
								"parsed into `steps`."),
							"progress_info": computed("Description of the progress (`ProgressInfo`), verbatim. " +
								"Documented as empty when the task has none; the documentation's sample answer shows the string `\"null\"`."),
							"task_error_code": computed("Error code of the task (`TaskErrorCode`), verbatim. Documented as returned " +
								"only for a task in the `Stop` state; the documentation's sample answer shows the string `\"null\"` " +
								"for a task without an error, and whether other tasks get it absent, empty or `\"null\"` is not " +
								"documented. For `succeeded`, null, empty and `\"null\"` all mean no error."),
							"task_error_message": computed("Error message of the task (`TaskErrorMessage`), verbatim. Like " +
								"`task_error_code`, documented only for `Stop` tasks; the sample answer shows `\"null\"` for none."),
							"steps": schema.ListNestedAttribute{
								Computed: true,
								MarkdownDescription: "The steps parsed from `steps_info`, in its order. Null when " +
									"`steps_info` is not a JSON list of steps.",
								NestedObject: schema.NestedAttributeObject{
									Attributes: map[string]schema.Attribute{
										"name":     computed("Name of the step (`name`), such as `init_task`."),
										"progress": number("Progress of the step in percent (`progress`)."),
										"remain":   number("Estimated remaining time of the step in seconds (`remain`)."),
									},
								},
							},
						},
					},
				},
			}),
	}
}

// ConfigValidators checks at plan time that exactly one of the two ids is set, with an error
// that names both.
func (d *polarDBTasksDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("db_cluster_id"), path.MatchRoot("db_node_id")),
	}
}

// ValidateConfig checks at plan time what attribute validators cannot: that the window ends
// after it starts.
func (d *polarDBTasksDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var start, end types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("start_time"), &start)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("end_time"), &end)...)
	if resp.Diagnostics.HasError() || start.IsNull() || start.IsUnknown() || end.IsNull() || end.IsUnknown() {
		return
	}
	if !timeWindowOrdered(start.ValueString(), end.ValueString()) {
		addInvalidTimeRange(&resp.Diagnostics, path.Root("end_time"), start.ValueString(), end.ValueString())
	}
}

// timeWindowOrdered reports whether a window does not end before it starts. A malformed
// time passes here: its attribute validator reports it.
func timeWindowOrdered(start, end string) bool {
	from, okFrom := parseMinuteTime(start)
	to, okTo := parseMinuteTime(end)
	return !okFrom || !okTo || to.After(from)
}

func (d *polarDBTasksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureProviderData(req, resp)
}

func (d *polarDBTasksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model polarDBTasksModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.alibaba(&resp.Diagnostics)
	if client == nil {
		return
	}

	q := newPolarDBTasksQuery(&model)
	var result *polarDBTasksResult
	plan := readPlan{
		noun:   "PolarDB Tasks",
		target: q.target(),
		poll: func(ctx context.Context) (outcome, error) {
			return pollPolarDBTasks(ctx, client, q)
		},
		full: func(ctx context.Context) (outcome, error) {
			r, err := readPolarDBTasks(ctx, client, q)
			if err != nil {
				return outcome{}, err
			}
			result = r
			return polarDBTasksOutcome(r.window), nil
		},
		isNotFound: alibaba.IsNotFound,
	}
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenPolarDBTasks(result, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

func flattenPolarDBTasks(r *polarDBTasksResult, m *polarDBTasksModel) {
	// The cluster ID given in the configuration stays as written; with a node ID, store the answer's.
	if m.DBClusterID.IsNull() || m.DBClusterID.IsUnknown() {
		m.DBClusterID = stringValue(r.dbClusterID)
	}
	m.TotalRecordCount = int64Value(r.totalRecordCount)
	m.PageRecordCount = int64Value(r.pageRecordCount)
	m.RequestID = types.StringValue(r.requestID)
	m.Tasks = nil // an absent or null Tasks.Task stays null, as the API answered
	if r.tasks != nil {
		m.Tasks = make([]polarDBTaskModel, 0, len(r.tasks))
	}
	for _, lt := range r.tasks {
		t := lt.task
		m.Tasks = append(m.Tasks, polarDBTaskModel{
			Status:             stringValue(lt.status),
			TaskID:             stringValue(t.TaskID),
			TaskAction:         stringValue(t.TaskAction),
			DBName:             stringValue(t.DBName),
			BeginTime:          stringValue(t.BeginTime),
			FinishTime:         stringValue(t.FinishTime),
			ExpectedFinishTime: stringValue(t.ExpectedFinishTime),
			Progress:           int64Value(t.Progress),
			Remain:             int64Value(t.Remain),
			CurrentStepName:    stringValue(t.CurrentStepName),
			StepProgressInfo:   stringValue(t.StepProgressInfo),
			StepsInfo:          stringValue(t.StepsInfo),
			ProgressInfo:       stringValue(t.ProgressInfo),
			TaskErrorCode:      stringValue(t.TaskErrorCode),
			TaskErrorMessage:   stringValue(t.TaskErrorMessage),
			Steps:              parsePolarDBSteps(t.StepsInfo),
		})
	}
}
