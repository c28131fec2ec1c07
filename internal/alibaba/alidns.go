package alibaba

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/alidns"
)

// BatchResultRequest selects the task of Alidns DescribeBatchResultCount; a nil TaskID means
// the latest task, empty strings are not sent.
type BatchResultRequest struct {
	TaskID    *int64
	BatchType string
	Lang      string
}

// BatchResultCount is the answer of Alidns DescribeBatchResultCount. Status is -1 (no task),
// 0 (processing), 1 (completed) or 2 (failed).
type BatchResultCount struct {
	RequestID                                             string
	TaskID, Status, TotalCount, SuccessCount, FailedCount *int64
	BatchType, Reason                                     *string
}

// DescribeBatchResultCount reads the outcome of an Alidns batch operation.
func (c *Client) DescribeBatchResultCount(ctx context.Context, r BatchResultRequest) (*BatchResultCount, error) {
	var out *BatchResultCount
	send := func(client *sdk.Client, t target) (responses.AcsResponse, error) {
		req := alidns.CreateDescribeBatchResultCountRequest()
		t.apply(req, &req.Port)
		if r.TaskID != nil {
			req.TaskId = requests.Integer(formatInt64(*r.TaskID))
		}
		req.BatchType = r.BatchType
		req.Lang = r.Lang
		// A common response keeps the raw body; the generated one would drop nulls.
		resp := responses.NewCommonResponse()
		return resp, client.DoAction(req, resp)
	}
	err := c.do(ctx, apiAlidnsBatchResult, send, func(body object) { out = decodeBatchResultCount(body) })
	if err != nil {
		return nil, err
	}
	// Status -1 ("no task submitted") is an answer; no Status and no TaskId at all is not.
	if out.Status == nil && out.TaskID == nil {
		return nil, &NoTaskError{API: apiAlidnsBatchResult.name, RequestID: out.RequestID, What: "no TaskId and no Status"}
	}
	return out, nil
}

func decodeBatchResultCount(o object) *BatchResultCount {
	return &BatchResultCount{
		RequestID:    o.requestID(),
		TaskID:       o.int("TaskId"),
		Status:       o.int("Status"),
		TotalCount:   o.int("TotalCount"),
		SuccessCount: o.int("SuccessCount"),
		FailedCount:  o.int("FailedCount"),
		BatchType:    o.str("BatchType"),
		Reason:       o.str("Reason"),
	}
}
