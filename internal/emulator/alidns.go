package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

var alidnsBatchTypes = []string{"DOMAIN_ADD", "DOMAIN_DEL", "RR_ADD", "RR_DEL"}

type alidnsNoTaskBody struct {
	Status       int    `json:"Status"`
	TotalCount   int    `json:"TotalCount"`
	SuccessCount int    `json:"SuccessCount"`
	FailedCount  int    `json:"FailedCount"`
	TaskID       int64  `json:"TaskId"`
	BatchType    string `json:"BatchType"`
	Reason       string `json:"Reason"`
	RequestID    string `json:"RequestId"`
}

// describeBatchResultCount answers the task named by TaskId, or the latest
// task without one. An unknown TaskId is 404 TaskNotExist (or, with
// UnknownIDEmpty, the Status -1 answer). When BatchType is
// given and the chosen task's BatchType differs, or there is no task at all,
// the answer is Status -1 ("no task submitted") with zero counts.
func (s *Server) describeBatchResultCount(c *call) ([]byte, *apiError) {
	p := c.params
	batchType := p["BatchType"]
	if batchType != "" && !slices.Contains(alidnsBatchTypes, batchType) {
		return nil, &apiError{http.StatusBadRequest, "InvalidBatchType", "The specified parameter BatchType is not valid."}
	}
	var taskID int64
	hasID := p["TaskId"] != ""
	if hasID {
		id, err := strconv.ParseInt(p["TaskId"], 10, 64)
		if err != nil {
			return nil, invalidParam("TaskId")
		}
		taskID = id
	}

	s.mu.Lock()
	tasks := s.sc.AlidnsTasks
	chosen := -1
	for i, t := range tasks {
		if (hasID && t.TaskID == taskID) || (!hasID && t.Latest) {
			chosen = i
			break
		}
	}
	if chosen < 0 && !hasID && len(tasks) > 0 {
		chosen = len(tasks) - 1
	}
	var resp json.RawMessage
	if chosen >= 0 {
		t := tasks[chosen]
		resp = t.Phases[s.step("alidns\x00"+strconv.FormatInt(t.TaskID, 10), phaseTimings(t.Phases), c.now)].Response
		taskID = t.TaskID
	}
	s.mu.Unlock()

	// With UnknownIDEmpty an unknown TaskId falls through to the Status -1 answer below.
	if chosen < 0 && hasID && !s.unknownIDEmpty() {
		return nil, &apiError{http.StatusNotFound, "TaskNotExist", "The specified task does not exist."}
	}
	if chosen >= 0 {
		if bt, _ := stringField(resp, "BatchType"); batchType == "" || bt == batchType {
			return alibabaSuccess(c, resp)
		}
	}
	body, err := json.Marshal(alidnsNoTaskBody{Status: -1, TaskID: taskID, BatchType: batchType, RequestID: c.requestID})
	if err != nil {
		return nil, internalError()
	}
	return body, nil
}
