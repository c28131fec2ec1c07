package alibaba

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/polardb"
)

const polarDBVersion = "2017-08-01"

// BatchTask is the answer of PolarDB DescribeBatchTask. Pointer fields are nil when the
// field was absent or null; strings are verbatim (Status may carry spaces).
type BatchTask struct {
	RequestID                                                                string
	BatchID, TaskName, TaskType, Status, TaskBegin, TaskEnd, ApplicationType *string
	TotalCount, SuccessCount                                                 *int64
	SubTasks                                                                 []BatchSubTask // nil when absent or null
}

// BatchSubTask is one entry of BatchTask.SubTasks.
type BatchSubTask struct {
	TaskID, InstanceID, Status, TaskBegin, TaskEnd, ErrorMsg *string
}

// DescribeBatchTask reads a PolarDB batch task.
func (c *Client) DescribeBatchTask(ctx context.Context, batchID string) (*BatchTask, error) {
	if batchID == "" {
		return nil, fmt.Errorf("%s: the batch id is empty", apiPolarDBBatchTask.name)
	}
	var out *BatchTask
	send := func(client *sdk.Client, t target) (responses.AcsResponse, error) {
		// No generated request exists for this action in the SDK.
		req := t.rpcRequest("polardb", polarDBVersion, "DescribeBatchTask")
		req.QueryParams["BatchId"] = batchID
		return client.ProcessCommonRequest(req)
	}
	err := c.do(ctx, apiPolarDBBatchTask, send, func(body object) { out = decodeBatchTask(body) })
	if err != nil {
		return nil, err
	}
	if out.BatchID == nil && out.Status == nil {
		return nil, &NoTaskError{API: apiPolarDBBatchTask.name, RequestID: out.RequestID, What: "no BatchId and no Status"}
	}
	return out, nil
}

func decodeBatchTask(o object) *BatchTask {
	t := &BatchTask{
		RequestID:       o.requestID(),
		BatchID:         o.str("BatchId"),
		TaskName:        o.str("TaskName"),
		TaskType:        o.str("TaskType"),
		Status:          o.str("Status"),
		TaskBegin:       o.str("TaskBegin"),
		TaskEnd:         o.str("TaskEnd"),
		ApplicationType: o.str("ApplicationType"),
		TotalCount:      o.int("TotalCount"),
		SuccessCount:    o.int("SuccessCount"),
	}
	if items := o.array("SubTasks"); items != nil {
		t.SubTasks = make([]BatchSubTask, len(items))
		for i, s := range items {
			t.SubTasks[i] = BatchSubTask{
				TaskID:     s.str("TaskId"),
				InstanceID: s.str("InstanceId"),
				Status:     s.str("Status"),
				TaskBegin:  s.str("TaskBegin"),
				TaskEnd:    s.str("TaskEnd"),
				ErrorMsg:   s.str("ErrorMsg"),
			}
		}
	}
	return t
}

// TasksRequest selects one page of PolarDB DescribeTasks; zero values are not sent.
type TasksRequest struct {
	DBClusterID, DBNodeID, StartTime, EndTime, Status string
	PageSize, PageNumber                              int
}

// TasksPage is one page of PolarDB DescribeTasks.
type TasksPage struct {
	RequestID                                     string
	TotalRecordCount, PageRecordCount, PageNumber *int64
	StartTime, EndTime, DBClusterID               *string
	Tasks                                         []PolarDBTask // from Tasks.Task; nil when absent or null
}

// PolarDBTask is one task of TasksPage. The API gives it no status field.
type PolarDBTask struct {
	TaskID, TaskAction, DBName, BeginTime, FinishTime, ExpectedFinishTime, CurrentStepName,
	StepProgressInfo, StepsInfo, ProgressInfo, TaskErrorCode, TaskErrorMessage *string
	Progress, Remain *int64
}

// DescribeTasks reads one page of the tasks of a PolarDB cluster or node.
func (c *Client) DescribeTasks(ctx context.Context, r TasksRequest) (*TasksPage, error) {
	var out *TasksPage
	send := func(client *sdk.Client, t target) (responses.AcsResponse, error) {
		req := polardb.CreateDescribeTasksRequest()
		t.apply(req, &req.Port)
		req.DBClusterId = r.DBClusterID
		req.DBNodeId = r.DBNodeID
		req.StartTime = r.StartTime
		req.EndTime = r.EndTime
		req.Status = r.Status
		if r.PageSize != 0 {
			req.PageSize = requests.NewInteger(r.PageSize)
		}
		if r.PageNumber != 0 {
			req.PageNumber = requests.NewInteger(r.PageNumber)
		}
		// A common response keeps the raw body; the generated one would drop nulls.
		resp := responses.NewCommonResponse()
		return resp, client.DoAction(req, resp)
	}
	err := c.do(ctx, apiPolarDBTasks, send, func(body object) { out = decodeTasksPage(body) })
	if err != nil {
		return nil, err
	}
	// An empty listing is a valid answer (no task in the window); an answer without any
	// listing is not.
	if out.Tasks == nil && out.TotalRecordCount == nil {
		return nil, &NoTaskError{API: apiPolarDBTasks.name, RequestID: out.RequestID, What: "no Tasks and no TotalRecordCount"}
	}
	return out, nil
}

func decodeTasksPage(o object) *TasksPage {
	p := &TasksPage{
		RequestID:        o.requestID(),
		TotalRecordCount: o.int("TotalRecordCount"),
		PageRecordCount:  o.int("PageRecordCount"),
		PageNumber:       o.int("PageNumber"),
		StartTime:        o.str("StartTime"),
		EndTime:          o.str("EndTime"),
		DBClusterID:      o.str("DBClusterId"),
	}
	if items := o.object("Tasks").array("Task"); items != nil {
		p.Tasks = make([]PolarDBTask, len(items))
		for i, t := range items {
			p.Tasks[i] = PolarDBTask{
				TaskID:             t.str("TaskId"),
				TaskAction:         t.str("TaskAction"),
				DBName:             t.str("DBName"),
				BeginTime:          t.str("BeginTime"),
				FinishTime:         t.str("FinishTime"),
				ExpectedFinishTime: t.str("ExpectedFinishTime"),
				CurrentStepName:    t.str("CurrentStepName"),
				StepProgressInfo:   t.str("StepProgressInfo"),
				StepsInfo:          t.str("StepsInfo"),
				ProgressInfo:       t.str("ProgressInfo"),
				TaskErrorCode:      t.str("TaskErrorCode"),
				TaskErrorMessage:   t.str("TaskErrorMessage"),
				Progress:           t.int("Progress"),
				Remain:             t.int("Remain"),
			}
		}
	}
	return p
}

// formatInt64 renders an id for a request parameter.
func formatInt64(n int64) string { return strconv.FormatInt(n, 10) }
