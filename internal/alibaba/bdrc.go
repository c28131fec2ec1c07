package alibaba

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
)

const bdrcVersion = "2023-08-08"

// BDRCTask is the Data object of BDRC DescribeTask; RequestID is the top-level one. Times
// are unix seconds, Progress is 0..10000.
type BDRCTask struct {
	RequestID                                                                                                    string
	TaskID, TaskName, TaskDescription, TaskType, TaskPriority, TaskDetail, ExecutionID, TaskStatus, ErrorMessage *string
	Progress, StartTime, CompleteTime, ExpireTime                                                                *int64
}

// DescribeBDRCTask reads a BDRC task (GET /api/v1/tasks/{TaskId}).
func (c *Client) DescribeBDRCTask(ctx context.Context, taskID string) (*BDRCTask, error) {
	if err := checkPathID(taskID); err != nil {
		return nil, fmt.Errorf("%s: task id %q %v", apiBDRCTask.name, taskID, err)
	}
	var out *BDRCTask
	send := func(client *sdk.Client, t target) (responses.AcsResponse, error) {
		// No generated client exists for BDRC in the SDK.
		req := requests.NewCommonRequest()
		req.Method = requests.GET
		req.Product = "bdrc"
		req.Version = bdrcVersion
		req.ApiName = "DescribeTask"
		req.PathPattern = "/api/v1/tasks/[TaskId]"
		req.PathParams["TaskId"] = taskID
		t.apply(req, &req.Port)
		return client.ProcessCommonRequest(req)
	}
	err := c.do(ctx, apiBDRCTask, send, func(body object) { out = decodeBDRCTask(body) })
	if err != nil {
		return nil, err
	}
	if out.TaskID == nil && out.TaskStatus == nil {
		return nil, &NoTaskError{API: apiBDRCTask.name, RequestID: out.RequestID, What: "no Data.TaskId and no Data.TaskStatus"}
	}
	return out, nil
}

func decodeBDRCTask(o object) *BDRCTask {
	d := o.object("Data")
	return &BDRCTask{
		RequestID:       o.requestID(),
		TaskID:          d.str("TaskId"),
		TaskName:        d.str("TaskName"),
		TaskDescription: d.str("TaskDescription"),
		TaskType:        d.str("TaskType"),
		TaskPriority:    d.str("TaskPriority"),
		TaskDetail:      d.str("TaskDetail"),
		ExecutionID:     d.str("ExecutionId"),
		TaskStatus:      d.str("TaskStatus"),
		ErrorMessage:    d.str("ErrorMessage"),
		Progress:        d.int("Progress"),
		StartTime:       d.int("StartTime"),
		CompleteTime:    d.int("CompleteTime"),
		ExpireTime:      d.int("ExpireTime"),
	}
}

// checkPathID refuses an id that would change the URL path it is placed in: the SDK puts
// path parameters in unescaped.
func checkPathID(id string) error {
	if id == "" {
		return fmt.Errorf("is empty")
	}
	if id == "." || id == ".." {
		return fmt.Errorf("is not an id")
	}
	if i := strings.IndexFunc(id, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`/?#%\`, r)
	}); i >= 0 {
		return fmt.Errorf("contains %q, which ids do not use", id[i:i+1])
	}
	return nil
}
