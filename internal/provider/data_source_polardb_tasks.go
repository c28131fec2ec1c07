package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

var (
	_ datasource.DataSource                   = (*polarDBTasksDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*polarDBTasksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*polarDBTasksDataSource)(nil)
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
	// polarDBTaskDefaultStatuses are what the API lists when Status is not sent.
	polarDBTaskDefaultStatuses = []string{polarDBTaskWaiting, polarDBTaskRunning}
	polarDBTaskPageSizes       = []int64{30, 50, 100}
)

// polarDBStatusPageSize is the page size of the queries that only learn statuses in
// page_number mode: their pages are not stored, so the largest size saves requests.
const polarDBStatusPageSize = 100

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
			"creating a cluster, with the PolarDB `DescribeTasks` API (2017-08-01), and can wait until none of them " +
			"is `Waiting`, `Running` or `Pause`. The API's task object has no status of its own, so each task's " +
			"`status` is learned by querying each status of the filter on its own. Values are stored as the API " +
			"returns them.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes(ctx, "task list",
			"no listed task is `Waiting`, `Running` or `Pause`",
			"terminal, and no task is `Stop` or carries a task error code (`task_error_code` other than empty or `\"null\"`)",
			map[string]schema.Attribute{
				"db_cluster_id": schema.StringAttribute{
					Optional: true,
					Computed: true,
					MarkdownDescription: "ID of the cluster (`DBClusterId`), such as `pc-xxx`. Exactly one of " +
						"`db_cluster_id` and `db_node_id` must be set; with `db_node_id`, this holds the cluster " +
						"ID the API returned.",
					Validators: []validator.String{
						idValidator{},
						stringvalidator.ExactlyOneOf(path.MatchRoot("db_node_id")),
					},
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
					MarkdownDescription: "Statuses of the tasks to list (`Status`), separated by commas: " +
						backtickList(polarDBTaskStatuses) + ". When unset, the API lists `Waiting` and `Running` " +
						"tasks only; with `wait_for_completion`, the read instead waits until no task is `Waiting`, " +
						"`Running` or `Pause` and then lists the tasks of every status, in their final states.",
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
					MarkdownDescription: "Page to read (`PageNumber`), from `1`. When set, only that page is read, " +
						"with `status` sent as written. When unset, every page of every status is read.",
					Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
				},
				"total_record_count": number("Number of tasks that match. With `page_number`, the API's " +
					"`TotalRecordCount` for that page's query. Without it, the sum of `TotalRecordCount` over the " +
					"queries of each status."),
				"page_record_count": number("Number of tasks read. With `page_number`, the API's `PageRecordCount` " +
					"for that page. Without it, the number of tasks in `tasks` (every page of every status)."),
				"tasks": schema.ListNestedAttribute{
					Computed: true,
					MarkdownDescription: "The tasks (`Tasks.Task`). Without `page_number`, grouped by status in the " +
						"order of the status filter, each group in the API's order; with it, the page in the API's order.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"status": computed("Status of the task: the status of the filter whose query listed it, " +
								"one of " + backtickList(polarDBTaskStatuses) + " (the API's task object has none). " +
								"Null when no query listed the task, as when it changed status between queries."),
							"task_id":     computed("ID of the task (`TaskId`)."),
							"task_action": computed("API operation that created the task (`TaskAction`), such as `CreateDBInstance`."),
							"db_name":     computed("Database name (`DBName`), for tasks on a database."),
							"begin_time":  computed("Time the task started (`BeginTime`), verbatim, such as `2020-12-02T02:39:15Z`."),
							"finish_time": computed("Time the task finished (`FinishTime`), verbatim."),
							"expected_finish_time": computed("Estimated end time (`ExpectedFinishTime`), verbatim; " +
								"often the string `\"null\"`."),
							"progress": number("Progress of the task in percent (`Progress`)."),
							"remain":   number("Estimated remaining time of the task in seconds (`Remain`)."),
							"current_step_name": computed("Name of the current step (`CurrentStepName`), such as " +
								"`create_instance`."),
							"step_progress_info": computed("Progress of the steps (`StepProgressInfo`), such as `1/4`: " +
								"the first of four steps is in progress."),
							"steps_info": computed("Details of the steps (`StepsInfo`), the API's JSON text verbatim; " +
								"parsed into `steps`."),
							"progress_info": computed("Description of the progress (`ProgressInfo`), verbatim; often " +
								"the string `\"null\"`."),
							"task_error_code": computed("Error code of the task (`TaskErrorCode`), verbatim; the string " +
								"`\"null\"` when there is none."),
							"task_error_message": computed("Error message of the task (`TaskErrorMessage`), verbatim; " +
								"the string `\"null\"` when there is none."),
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

// ValidateConfig checks at plan time what attribute validators cannot: that the window ends
// after it starts.
func (d *polarDBTasksDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var start, end types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("start_time"), &start)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("end_time"), &end)...)
	if resp.Diagnostics.HasError() || start.IsNull() || start.IsUnknown() || end.IsNull() || end.IsUnknown() {
		return
	}
	from, okFrom := parseMinuteTime(start.ValueString())
	to, okTo := parseMinuteTime(end.ValueString())
	// A malformed time is reported by its attribute validator.
	if okFrom && okTo && !to.After(from) {
		addInvalidTimeRange(&resp.Diagnostics, path.Root("end_time"), start.ValueString(), end.ValueString())
	}
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
			return polarDBTasksOutcome(r.tasks), nil
		},
		isNotFound: alibaba.IsNotFound,
	}
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenPolarDBTasks(result, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// polarDBTasksAPI is the adapter call this data source makes; *alibaba.Client implements it.
type polarDBTasksAPI interface {
	DescribeTasks(ctx context.Context, r alibaba.TasksRequest) (*alibaba.TasksPage, error)
}

// polarDBTasksQuery is what a read asks DescribeTasks for, derived once from the configuration.
type polarDBTasksQuery struct {
	base       alibaba.TasksRequest // ids, window and page size; Status and PageNumber set per request
	filter     []string             // the user's status filter; nil when unset
	statuses   []string             // the statuses whose tasks are listed, each queried on its own
	pageNumber int                  // 0 = every page
	pageStatus string               // Status sent with the page_number query; "" = the API's default
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
		pageNumber: int(m.PageNumber.ValueInt64()),
	}
	switch {
	case m.Status.ValueString() != "":
		q.pageStatus = m.Status.ValueString()
		for _, s := range strings.Split(q.pageStatus, ",") {
			if !slices.Contains(q.filter, s) {
				q.filter = append(q.filter, s)
			}
		}
		q.statuses = q.filter
	case m.WaitForCompletion.ValueBool():
		// After the wait the API's default list (Waiting, Running) would be empty: list the
		// tasks in their final states instead.
		q.statuses = polarDBTaskStatuses
		q.pageStatus = strings.Join(polarDBTaskStatuses, ",")
	default:
		q.statuses = polarDBTaskDefaultStatuses
	}
	return q
}

func (q polarDBTasksQuery) target() string {
	if q.base.DBNodeID != "" {
		return fmt.Sprintf("the tasks of PolarDB node %q", q.base.DBNodeID)
	}
	return fmt.Sprintf("the tasks of PolarDB cluster %q", q.base.DBClusterID)
}

// activeStatuses are the statuses the wait polls for: Waiting, Running and Pause, narrowed to
// the user's filter when there is one.
func (q polarDBTasksQuery) activeStatuses() []string {
	if q.filter == nil {
		return polarDBTaskActiveStatuses
	}
	var out []string
	for _, s := range polarDBTaskActiveStatuses {
		if slices.Contains(q.filter, s) {
			out = append(out, s)
		}
	}
	return out
}

// polarDBListedTask is a task with the status learned from the query that listed it.
type polarDBListedTask struct {
	status *string // nil when no per-status query listed the task
	task   alibaba.PolarDBTask
}

// polarDBTasksResult is one full read.
type polarDBTasksResult struct {
	tasks                             []polarDBListedTask
	totalRecordCount, pageRecordCount *int64
	dbClusterID                       *string
	requestID                         string // of the last call
}

// pollPolarDBTasks is the cheap "terminal yet?" question: one page of the tasks still Waiting,
// Running or Pause, terminal when the API counts none.
func pollPolarDBTasks(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (outcome, error) {
	active := q.activeStatuses()
	if len(active) == 0 {
		return outcome{terminal: true, status: "terminal",
			summary: "the status filter lists no status a task can still leave"}, nil
	}
	req := q.base
	req.Status = strings.Join(active, ",")
	req.PageNumber = 1
	page, err := c.DescribeTasks(ctx, req)
	if err != nil {
		return outcome{}, err
	}
	return polarDBPollOutcome(page, active), nil
}

func polarDBPollOutcome(page *alibaba.TasksPage, active []string) outcome {
	count := int64(len(page.Tasks))
	if page.TotalRecordCount != nil {
		count = *page.TotalRecordCount
	}
	out := outcome{terminal: count == 0, status: "terminal",
		summary: fmt.Sprintf("%s still %s", plural(count, "task"), joinOr(active))}
	if !out.terminal {
		out.status = "in progress"
	}
	var smallest *int64
	for _, t := range page.Tasks {
		if t.Remain != nil && *t.Remain >= 0 && (smallest == nil || *t.Remain < *smallest) {
			smallest = t.Remain
		}
	}
	if smallest != nil {
		out.hint = time.Duration(*smallest) * time.Second
	}
	return out
}

// readPolarDBTasks is the full read: every page of each status on its own (so each task's
// status is known), or the one page asked for and then the statuses of its tasks.
func readPolarDBTasks(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (*polarDBTasksResult, error) {
	if q.pageNumber > 0 {
		return readPolarDBTasksPage(ctx, c, q)
	}
	r := &polarDBTasksResult{tasks: []polarDBListedTask{}}
	byID := map[string]int{}
	var total int64
	for _, status := range q.statuses {
		req := q.base
		req.Status = status
		first := true
		err := eachPolarDBTasksPage(ctx, c, req, func(p *alibaba.TasksPage) bool {
			r.requestID = p.RequestID
			if r.dbClusterID == nil {
				r.dbClusterID = p.DBClusterID
			}
			if first && p.TotalRecordCount != nil {
				total += *p.TotalRecordCount
			}
			first = false
			for _, t := range p.Tasks {
				listed := polarDBListedTask{status: &status, task: t}
				// A task that changed status between two queries is listed by both; the later
				// query saw it last.
				if t.TaskID != nil {
					if i, ok := byID[*t.TaskID]; ok {
						r.tasks[i] = listed
						continue
					}
					byID[*t.TaskID] = len(r.tasks)
				}
				r.tasks = append(r.tasks, listed)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	r.totalRecordCount = &total
	read := int64(len(r.tasks))
	r.pageRecordCount = &read
	return r, nil
}

// readPolarDBTasksPage reads page q.pageNumber with the filter as the user wrote it, then
// learns the statuses of its tasks from the per-status queries, matching by TaskId.
func readPolarDBTasksPage(ctx context.Context, c polarDBTasksAPI, q polarDBTasksQuery) (*polarDBTasksResult, error) {
	req := q.base
	req.Status = q.pageStatus
	req.PageNumber = q.pageNumber
	page, err := c.DescribeTasks(ctx, req)
	if err != nil {
		return nil, err
	}
	r := &polarDBTasksResult{
		totalRecordCount: page.TotalRecordCount,
		pageRecordCount:  page.PageRecordCount,
		dbClusterID:      page.DBClusterID,
		requestID:        page.RequestID,
	}
	unknown := map[string][]int{}
	if page.Tasks != nil {
		r.tasks = make([]polarDBListedTask, len(page.Tasks))
	}
	for i, t := range page.Tasks {
		r.tasks[i] = polarDBListedTask{task: t}
		if t.TaskID != nil {
			unknown[*t.TaskID] = append(unknown[*t.TaskID], i)
		}
	}
	for _, status := range q.statuses {
		if len(unknown) == 0 {
			break
		}
		req := q.base
		req.Status = status
		req.PageSize = polarDBStatusPageSize
		err := eachPolarDBTasksPage(ctx, c, req, func(p *alibaba.TasksPage) bool {
			r.requestID = p.RequestID
			for _, t := range p.Tasks {
				if t.TaskID == nil {
					continue
				}
				for _, i := range unknown[*t.TaskID] {
					r.tasks[i].status = &status
				}
				delete(unknown, *t.TaskID)
			}
			return len(unknown) > 0
		})
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// eachPolarDBTasksPage hands page 1, 2, ... of req to visit until the pages have held
// TotalRecordCount tasks, a page comes back empty, or visit returns false.
func eachPolarDBTasksPage(ctx context.Context, c polarDBTasksAPI, req alibaba.TasksRequest, visit func(*alibaba.TasksPage) bool) error {
	var seen int64
	for n := 1; ; n++ {
		req.PageNumber = n
		page, err := c.DescribeTasks(ctx, req)
		if err != nil {
			return err
		}
		if !visit(page) {
			return nil
		}
		seen += int64(len(page.Tasks))
		if len(page.Tasks) == 0 || page.TotalRecordCount == nil || seen >= *page.TotalRecordCount {
			return nil
		}
	}
}

// polarDBTasksOutcome applies the terminal and success rules of SPEC section 3. A task whose
// status could not be learned counts as not terminal.
func polarDBTasksOutcome(tasks []polarDBListedTask) outcome {
	out := outcome{terminal: true}
	counts := map[string]int{}
	unknown := 0
	for _, t := range tasks {
		status := ""
		if t.status == nil {
			unknown++
			out.terminal = false
		} else {
			status = *t.status
			counts[status]++
			if slices.Contains(polarDBTaskActiveStatuses, status) {
				out.terminal = false
			}
		}
		if status == polarDBTaskStop || polarDBTaskErrorCode(t.task.TaskErrorCode) != "" {
			out.failures = append(out.failures, fmt.Sprintf("task %s (%s, status %s): error code %s, message %s",
				quotedOrNone(t.task.TaskID), quotedOrNone(t.task.TaskAction), quotedOrNone(t.status),
				quotedOrNone(t.task.TaskErrorCode), quotedOrNone(t.task.TaskErrorMessage)))
		}
	}
	out.succeeded = out.terminal && len(out.failures) == 0

	var parts []string
	for _, s := range polarDBTaskStatuses {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d of unknown status", unknown))
	}
	out.status = strings.Join(parts, ", ")
	if out.status == "" {
		out.status = "no tasks"
	}
	out.summary = fmt.Sprintf("%d of %s failed", len(out.failures), plural(int64(len(tasks)), "task"))
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

// polarDBStepJSON is one entry of StepsInfo; json.Number keeps integers exact.
type polarDBStepJSON struct {
	Name     *string      `json:"name"`
	Progress *json.Number `json:"progress"`
	Remain   *json.Number `json:"remain"`
}

// parsePolarDBSteps parses a task's StepsInfo. The API has been seen to send the list
// JSON-escaped once more (`[{\"remain\":0,...}]`), so an escaped text is unescaped and tried
// again. Anything that is not a list of steps gives nil (a null attribute), never an error.
func parsePolarDBSteps(stepsInfo *string) []polarDBTaskStepModel {
	if stepsInfo == nil {
		return nil
	}
	text := strings.TrimSpace(*stepsInfo)
	for range 3 {
		var items []*polarDBStepJSON
		if err := json.Unmarshal([]byte(text), &items); err == nil {
			return polarDBStepModels(items)
		}
		var inner string
		switch {
		case strings.HasPrefix(text, `"`) && json.Unmarshal([]byte(text), &inner) == nil:
		case json.Unmarshal([]byte(`"`+text+`"`), &inner) == nil && inner != text:
		default:
			return nil
		}
		text = strings.TrimSpace(inner)
	}
	return nil
}

func polarDBStepModels(items []*polarDBStepJSON) []polarDBTaskStepModel {
	if items == nil {
		return nil
	}
	steps := make([]polarDBTaskStepModel, len(items))
	for i, item := range items {
		if item == nil {
			steps[i] = polarDBTaskStepModel{Name: types.StringNull(), Progress: types.Int64Null(), Remain: types.Int64Null()}
			continue
		}
		progress, ok1 := jsonInt64(item.Progress)
		remain, ok2 := jsonInt64(item.Remain)
		if !ok1 || !ok2 {
			return nil
		}
		steps[i] = polarDBTaskStepModel{Name: stringValue(item.Name), Progress: progress, Remain: remain}
	}
	return steps
}

// jsonInt64 converts an integral JSON number; ok is false for a fraction or a non-number.
func jsonInt64(n *json.Number) (types.Int64, bool) {
	if n == nil {
		return types.Int64Null(), true
	}
	if v, err := n.Int64(); err == nil {
		return types.Int64Value(v), true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return types.Int64Null(), false
	}
	return types.Int64Value(int64(f)), true
}

// plural renders "1 task" or "3 tasks".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
