package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
)

var (
	_ datasource.DataSource              = (*alidnsBatchResultDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*alidnsBatchResultDataSource)(nil)
)

// NewAlidnsBatchResultDataSource returns the cloudtask_alidns_batch_result data source.
func NewAlidnsBatchResultDataSource() datasource.DataSource {
	return &alidnsBatchResultDataSource{}
}

type alidnsBatchResultDataSource struct {
	data *providerData
}

type alidnsBatchResultModel struct {
	TaskID       types.Int64  `tfsdk:"task_id"`
	BatchType    types.String `tfsdk:"batch_type"`
	Lang         types.String `tfsdk:"lang"`
	Status       types.Int64  `tfsdk:"status"`
	TotalCount   types.Int64  `tfsdk:"total_count"`
	SuccessCount types.Int64  `tfsdk:"success_count"`
	FailedCount  types.Int64  `tfsdk:"failed_count"`
	Reason       types.String `tfsdk:"reason"`
	commonModel
}

// The documented Status values of DescribeBatchResultCount.
const (
	alidnsStatusNoTask     = -1
	alidnsStatusProcessing = 0
	alidnsStatusCompleted  = 1
	alidnsStatusFailed     = 2
)

var (
	alidnsBatchTypes = []string{"DOMAIN_ADD", "DOMAIN_DEL", "RR_ADD", "RR_DEL"}
	alidnsLangs      = []string{"zh", "en"}
	alidnsStatusText = map[int64]string{
		alidnsStatusNoTask:     "no task submitted",
		alidnsStatusProcessing: "processing",
		alidnsStatusCompleted:  "completed",
		alidnsStatusFailed:     "failed",
	}
)

func (d *alidnsBatchResultDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alidns_batch_result"
}

func (d *alidnsBatchResultDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	count := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the result of an Alidns batch operation (adding or deleting domains or records " +
			"in bulk) with the Alidns `DescribeBatchResultCount` API (2015-01-09), and can wait until the " +
			"batch is done. Without `task_id`, the account's latest batch task is read.",
		Blocks: commonBlocks(ctx),
		Attributes: commonAttributes("batch operation",
			"`status` is `1` (done), `2` (failed) or `-1` (no task submitted)",
			"`status` is `1` and `failed_count` is 0",
			map[string]schema.Attribute{
				"task_id": schema.Int64Attribute{
					Optional: true,
					Computed: true,
					MarkdownDescription: "ID of the batch task (`TaskId`), a number such as `123456`. When unset, " +
						"the latest batch task is read and this holds the ID the API returned; while waiting, the " +
						"polls after the first ask for that ID, so a batch task started meanwhile is not followed.",
					Validators: []validator.Int64{int64validator.AtLeast(1)},
				},
				"batch_type": schema.StringAttribute{
					Optional: true,
					Computed: true,
					MarkdownDescription: "Type of the batch operation (`BatchType`): " + backtickList(alidnsBatchTypes) +
						". When set, it is sent as a filter; the documentation does not say what the API answers when " +
						"the task is of another type. When unset, this holds the type the API returned.",
					Validators: []validator.String{stringvalidator.OneOf(alidnsBatchTypes...)},
				},
				"lang": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "Language of the request and the answer (`Lang`), which sets the language of " +
						"`reason`: " + backtickList(alidnsLangs) + ". Default `zh`.",
					Validators: []validator.String{stringvalidator.OneOf(alidnsLangs...)},
				},
				"status": count("Status of the batch task (`Status`): `-1` no task submitted, `0` processing, " +
					"`1` completed, `2` failed."),
				"total_count":   count("Number of entries in the batch (`TotalCount`)."),
				"success_count": count("Number of entries that succeeded (`SuccessCount`)."),
				"failed_count":  count("Number of entries that failed (`FailedCount`)."),
				"reason":        schema.StringAttribute{Computed: true, MarkdownDescription: "Why the task failed (`Reason`), in the language `lang` asks for."},
			}),
	}
}

func (d *alidnsBatchResultDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureProviderData(req, resp)
}

func (d *alidnsBatchResultDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model alidnsBatchResultModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.alibaba(&resp.Diagnostics)
	if client == nil {
		return
	}

	request := alibaba.BatchResultRequest{BatchType: model.BatchType.ValueString(), Lang: model.Lang.ValueString()}
	target := latestAlidnsTarget(nil)
	if !model.TaskID.IsNull() && !model.TaskID.IsUnknown() {
		id := model.TaskID.ValueInt64()
		request.TaskID = &id
		target = fmt.Sprintf("Alidns batch task %d", id)
	}
	var result *alibaba.BatchResultCount
	call := func(ctx context.Context) (*alibaba.BatchResultCount, error) {
		r, err := client.DescribeBatchResultCount(ctx, request)
		// Later polls follow the task found first, even if another batch starts meanwhile.
		if err == nil && request.TaskID == nil && r.TaskID != nil && *r.TaskID > 0 {
			id := *r.TaskID
			request.TaskID = &id
		}
		return r, err
	}
	plan := singleRequestPlan("Alidns Batch Result", target, alibaba.IsNotFound, &result, call, alidnsBatchResultOutcome)
	if request.TaskID == nil {
		// Once the latest task's id is known, messages give it.
		plan.targetNow = func() string { return latestAlidnsTarget(request.TaskID) }
	}
	if !runRead(ctx, d.data, &model.commonModel, plan, &resp.Diagnostics) {
		return
	}
	flattenAlidnsBatchResult(result, &model)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// alidnsBatchResultOutcome applies the terminal and success rules of SPEC section 3.
func alidnsBatchResultOutcome(r *alibaba.BatchResultCount) outcome {
	var out outcome
	if r.Status == nil {
		out.status, out.undocumented = "null", true
		return out
	}
	status := *r.Status
	out.status = fmt.Sprintf("%d", status)
	if text, ok := alidnsStatusText[status]; ok {
		out.status += " (" + text + ")"
	} else {
		out.undocumented = true
	}
	out.terminal = status == alidnsStatusCompleted || status == alidnsStatusFailed || status == alidnsStatusNoTask
	failed := int64(0)
	if r.FailedCount != nil {
		failed = *r.FailedCount
	}
	out.succeeded = status == alidnsStatusCompleted && failed == 0
	if r.TotalCount != nil && r.SuccessCount != nil {
		out.summary = fmt.Sprintf("%d of %d entries succeeded, %d failed", *r.SuccessCount, *r.TotalCount, failed)
		out.progress, out.hasProgress = fractionOf(*r.SuccessCount+failed, *r.TotalCount)
	}
	if out.terminal && !out.succeeded {
		switch {
		case status == alidnsStatusNoTask:
			out.failures = []string{"no batch task has been submitted"}
		case r.Reason != nil && strings.TrimSpace(*r.Reason) != "":
			out.failures = []string{fmt.Sprintf("%d entries failed: %q", failed, *r.Reason)}
		case failed > 0:
			out.failures = []string{alidnsFailedNoReason(failed)}
		}
	}
	return out
}

func flattenAlidnsBatchResult(r *alibaba.BatchResultCount, m *alidnsBatchResultModel) {
	// Arguments given in the configuration stay as written; otherwise store the answer's.
	if m.TaskID.IsNull() || m.TaskID.IsUnknown() {
		m.TaskID = int64Value(r.TaskID)
	}
	if m.BatchType.IsNull() || m.BatchType.IsUnknown() {
		m.BatchType = stringValue(r.BatchType)
	}
	m.Status = int64Value(r.Status)
	m.TotalCount = int64Value(r.TotalCount)
	m.SuccessCount = int64Value(r.SuccessCount)
	m.FailedCount = int64Value(r.FailedCount)
	m.Reason = stringValue(r.Reason)
	m.RequestID = types.StringValue(r.RequestID)
}
