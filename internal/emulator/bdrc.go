package emulator

import (
	"encoding/json"
	"net/http"
)

type bdrcBody struct {
	Data      json.RawMessage `json:"Data"`
	RequestID string          `json:"RequestId"`
}

// describeBDRCTask answers {"Data":{...},"RequestId"}; the documented sample
// also carries a RequestId inside Data, so the emulator adds the same id there.
func (s *Server) describeBDRCTask(c *call) ([]byte, *apiError) {
	s.mu.Lock()
	var resp json.RawMessage
	found := false
	for _, t := range s.sc.BDRCTasks {
		if t.TaskID == c.taskID {
			resp = t.Phases[s.step("bdrc\x00"+t.TaskID, phaseTimings(t.Phases), c.now)].Response
			found = true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		if s.unknownIDEmpty() {
			return alibabaSuccess(c, json.RawMessage(`{}`))
		}
		return nil, &apiError{http.StatusNotFound, "NotFound.Task", "The specified task does not exist."}
	}
	data, err := extendObject(resp, field{"RequestId", c.requestID})
	if err != nil {
		return nil, internalError()
	}
	body, err := json.Marshal(bdrcBody{Data: data, RequestID: c.requestID})
	if err != nil {
		return nil, internalError()
	}
	return body, nil
}
