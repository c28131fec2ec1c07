package tencent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The wire types mirror the DescribeTask answer. Their fields use optString and optInt so that
// JSON null and absent fields both become nil, strings stay verbatim, and integers sent as
// numeric strings are still read.

type describeTaskAnswer struct {
	Response *describeTaskWire `json:"Response"`
}

type describeTaskWire struct {
	JobID                  optString           `json:"JobId"`
	TaskName               optString           `json:"TaskName"`
	TaskState              optString           `json:"TaskState"`
	CreateTime             optString           `json:"CreateTime"`
	EndTime                optString           `json:"EndTime"`
	TaskInstanceTotalCount optInt              `json:"TaskInstanceTotalCount"`
	TaskInstanceSet        []*taskInstanceWire `json:"TaskInstanceSet"`
	TaskInstanceMetrics    *metricsWire        `json:"TaskInstanceMetrics"`
	RequestID              optString           `json:"RequestId"`
}

type taskInstanceWire struct {
	TaskInstanceIndex     optInt        `json:"TaskInstanceIndex"`
	TaskInstanceState     optString     `json:"TaskInstanceState"`
	ExitCode              optInt        `json:"ExitCode"`
	StateReason           optString     `json:"StateReason"`
	StateDetailedReason   optString     `json:"StateDetailedReason"`
	ComputeNodeInstanceID optString     `json:"ComputeNodeInstanceId"`
	CreateTime            optString     `json:"CreateTime"`
	LaunchTime            optString     `json:"LaunchTime"`
	RunningTime           optString     `json:"RunningTime"`
	EndTime               optString     `json:"EndTime"`
	RedirectInfo          *redirectWire `json:"RedirectInfo"`
}

type redirectWire struct {
	StdoutRedirectPath     optString `json:"StdoutRedirectPath"`
	StderrRedirectPath     optString `json:"StderrRedirectPath"`
	StdoutRedirectFileName optString `json:"StdoutRedirectFileName"`
	StderrRedirectFileName optString `json:"StderrRedirectFileName"`
}

type metricsWire struct {
	SubmittedCount         optInt `json:"SubmittedCount"`
	PendingCount           optInt `json:"PendingCount"`
	RunnableCount          optInt `json:"RunnableCount"`
	StartingCount          optInt `json:"StartingCount"`
	RunningCount           optInt `json:"RunningCount"`
	SucceedCount           optInt `json:"SucceedCount"`
	FailedInterruptedCount optInt `json:"FailedInterruptedCount"`
	FailedCount            optInt `json:"FailedCount"`
}

// decodeTask parses a successful DescribeTask body. Error answers never get here: the SDK turns
// them into errors first.
func decodeTask(body []byte) (*Task, error) {
	var answer describeTaskAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("the answer is not a DescribeTask response: %w", err)
	}
	w := answer.Response
	if w == nil {
		return nil, fmt.Errorf("the answer has no Response object")
	}
	task := &Task{
		JobID:                  w.JobID.v,
		TaskName:               w.TaskName.v,
		TaskState:              w.TaskState.v,
		CreateTime:             w.CreateTime.v,
		EndTime:                w.EndTime.v,
		TaskInstanceTotalCount: w.TaskInstanceTotalCount.v,
	}
	if w.RequestID.v != nil {
		task.RequestID = *w.RequestID.v
	}
	if w.TaskInstanceSet != nil {
		task.TaskInstanceSet = make([]TaskInstance, 0, len(w.TaskInstanceSet))
		for _, iw := range w.TaskInstanceSet {
			if iw == nil {
				continue
			}
			task.TaskInstanceSet = append(task.TaskInstanceSet, iw.instance())
		}
	}
	if m := w.TaskInstanceMetrics; m != nil {
		task.TaskInstanceMetrics = &TaskInstanceMetrics{
			SubmittedCount:         m.SubmittedCount.v,
			PendingCount:           m.PendingCount.v,
			RunnableCount:          m.RunnableCount.v,
			StartingCount:          m.StartingCount.v,
			RunningCount:           m.RunningCount.v,
			SucceedCount:           m.SucceedCount.v,
			FailedInterruptedCount: m.FailedInterruptedCount.v,
			FailedCount:            m.FailedCount.v,
		}
	}
	return task, nil
}

func (w *taskInstanceWire) instance() TaskInstance {
	inst := TaskInstance{
		TaskInstanceIndex:     w.TaskInstanceIndex.v,
		TaskInstanceState:     w.TaskInstanceState.v,
		ExitCode:              w.ExitCode.v,
		StateReason:           w.StateReason.v,
		StateDetailedReason:   w.StateDetailedReason.v,
		ComputeNodeInstanceID: w.ComputeNodeInstanceID.v,
		CreateTime:            w.CreateTime.v,
		LaunchTime:            w.LaunchTime.v,
		RunningTime:           w.RunningTime.v,
		EndTime:               w.EndTime.v,
	}
	if r := w.RedirectInfo; r != nil {
		inst.RedirectInfo = &RedirectInfo{
			StdoutRedirectPath:     r.StdoutRedirectPath.v,
			StderrRedirectPath:     r.StderrRedirectPath.v,
			StdoutRedirectFileName: r.StdoutRedirectFileName.v,
			StderrRedirectFileName: r.StderrRedirectFileName.v,
		}
	}
	return inst
}

// optString is a string that may be absent or null (v nil). A number or boolean where a string
// is documented is kept as its JSON text rather than failing the whole answer.
type optString struct{ v *string }

func (s *optString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		s.v = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s.v = &str
		return nil
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return fmt.Errorf("expected a string, got %s", jsonKind(b[0]))
	default:
		str := string(b)
		s.v = &str
		return nil
	}
}

// optInt is an integer that may be absent or null (v nil), sent as a JSON number or as a numeric
// string; an empty string counts as absent.
type optInt struct{ v *int64 }

func (n *optInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		n.v = nil
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		text = strings.TrimSpace(text)
		if text == "" {
			n.v = nil
			return nil
		}
	} else if len(b) > 0 && (b[0] == '{' || b[0] == '[' || b[0] == 't' || b[0] == 'f') {
		return fmt.Errorf("expected an integer, got %s", jsonKind(b[0]))
	}
	v, err := parseInteger(text)
	if err != nil {
		return err
	}
	n.v = &v
	return nil
}

// parseInteger accepts "42", "-1" and integral floats such as "42.0" or "1e3".
func parseInteger(text string) (int64, error) {
	if v, err := strconv.ParseInt(text, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("expected an integer, got %q", clip(text, 40))
	}
	return int64(f), nil
}

func jsonKind(first byte) string {
	switch first {
	case '{':
		return "an object"
	case '[':
		return "an array"
	default:
		return "a boolean"
	}
}

// requestIDOf extracts Response.RequestId from an answer that failed to decode, best effort, so
// that the error can still name the request.
func requestIDOf(body []byte) string {
	var answer struct {
		Response struct {
			RequestID any `json:"RequestId"`
		} `json:"Response"`
	}
	if json.Unmarshal(body, &answer) != nil {
		return ""
	}
	if id, ok := answer.Response.RequestID.(string); ok {
		return id
	}
	return ""
}
