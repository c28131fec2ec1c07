package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

var jobIDPattern = regexp.MustCompile(`^job-[a-z0-9]+$`)

const (
	tencentDefaultLimit = 100
	tencentMaxLimit     = 1000
)

// tencentFilter is one element of Filters.
type tencentFilter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

// tencentQuery is a parsed DescribeTask request.
type tencentQuery struct {
	jobID, taskName string
	offset, limit   int64
	hasLimit        bool
	filters         []tencentFilter
}

func tencentParamError(code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// parseTencentQuery reads the JSON body of a POST, or the flattened query of
// a GET (Filters.0.Name, Filters.0.Values.0, ...). Unknown parameters are
// rejected with UnknownParameter as the real API does.
func parseTencentQuery(c *call) (tencentQuery, *apiError) {
	var q tencentQuery
	if c.r.Method == "GET" {
		return parseTencentGet(c.r.URL.Query())
	}
	fields := map[string]json.RawMessage{}
	if len(strings.TrimSpace(string(c.body))) > 0 {
		if err := json.Unmarshal(c.body, &fields); err != nil {
			return q, tencentParamError("InvalidParameter", "The request body is not a JSON object.")
		}
	}
	for name, raw := range fields {
		var err error
		switch name {
		case "JobId":
			err = json.Unmarshal(raw, &q.jobID)
		case "TaskName":
			err = json.Unmarshal(raw, &q.taskName)
		case "Offset":
			err = json.Unmarshal(raw, &q.offset)
		case "Limit":
			err = json.Unmarshal(raw, &q.limit)
			q.hasLimit = true
		case "Filters":
			err = json.Unmarshal(raw, &q.filters)
		default:
			return q, tencentParamError("UnknownParameter", "The parameter `%s` is not recognized.", name)
		}
		if err != nil {
			return q, tencentParamError("InvalidParameter", "The parameter `%s` has the wrong type.", name)
		}
	}
	return q, nil
}

func parseTencentGet(v url.Values) (tencentQuery, *apiError) {
	var q tencentQuery
	filters := map[int]*tencentFilter{}
	for name := range v {
		val := v.Get(name)
		switch {
		case name == "JobId":
			q.jobID = val
		case name == "TaskName":
			q.taskName = val
		case name == "Offset" || name == "Limit":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return q, tencentParamError("InvalidParameter", "The parameter `%s` has the wrong type.", name)
			}
			if name == "Offset" {
				q.offset = n
			} else {
				q.limit, q.hasLimit = n, true
			}
		case strings.HasPrefix(name, "Filters."):
			parts := strings.Split(name, ".")
			idx, err := strconv.Atoi(parts[1])
			if err != nil || idx < 0 || len(parts) < 3 {
				return q, tencentParamError("UnknownParameter", "The parameter `%s` is not recognized.", name)
			}
			f := filters[idx]
			if f == nil {
				f = &tencentFilter{}
				filters[idx] = f
			}
			switch {
			case len(parts) == 3 && parts[2] == "Name":
				f.Name = val
			case len(parts) == 4 && parts[2] == "Values":
				f.Values = append(f.Values, parts[3]+"\x00"+val)
			default:
				return q, tencentParamError("UnknownParameter", "The parameter `%s` is not recognized.", name)
			}
		default:
			return q, tencentParamError("UnknownParameter", "The parameter `%s` is not recognized.", name)
		}
	}
	idxs := make([]int, 0, len(filters))
	for i := range filters {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	for _, i := range idxs {
		f := filters[i]
		// Values arrive as "index\x00value" so they can be put back in order.
		sort.Slice(f.Values, func(a, b int) bool {
			ia, _ := strconv.Atoi(strings.SplitN(f.Values[a], "\x00", 2)[0])
			ib, _ := strconv.Atoi(strings.SplitN(f.Values[b], "\x00", 2)[0])
			return ia < ib
		})
		for j, val := range f.Values {
			f.Values[j] = strings.SplitN(val, "\x00", 2)[1]
		}
		q.filters = append(q.filters, *f)
	}
	return q, nil
}

// instanceRef is one task instance, materialized only if it lands on the page.
type instanceRef struct {
	state string
	raw   json.RawMessage // explicit instance
	gen   int             // generated instance: index within the generator
	index int             // TaskInstanceIndex of a generated instance
}

// tencentMetrics is TaskInstanceMetrics in the documented field order.
type tencentMetrics struct {
	SubmittedCount         int `json:"SubmittedCount"`
	PendingCount           int `json:"PendingCount"`
	RunnableCount          int `json:"RunnableCount"`
	StartingCount          int `json:"StartingCount"`
	RunningCount           int `json:"RunningCount"`
	SucceedCount           int `json:"SucceedCount"`
	FailedCount            int `json:"FailedCount"`
	FailedInterruptedCount int `json:"FailedInterruptedCount"`
}

func (m *tencentMetrics) add(state string) {
	switch state {
	case "SUBMITTED":
		m.SubmittedCount++
	case "PENDING":
		m.PendingCount++
	case "RUNNABLE":
		m.RunnableCount++
	case "STARTING":
		m.StartingCount++
	case "RUNNING":
		m.RunningCount++
	case "SUCCEED":
		m.SucceedCount++
	case "FAILED":
		m.FailedCount++
	case "FAILED_INTERRUPTED":
		m.FailedInterruptedCount++
	}
}

// describeTencentTask answers DescribeTask with the phase's fields plus the
// filtered, windowed TaskInstanceSet, its total count and the metrics.
func (s *Server) describeTencentTask(c *call) ([]byte, *apiError) {
	q, e := parseTencentQuery(c)
	if e != nil {
		return nil, e
	}
	switch {
	case q.jobID == "":
		return nil, tencentParamError("MissingParameter", "The request is missing a required parameter `JobId`.")
	case q.taskName == "":
		return nil, tencentParamError("MissingParameter", "The request is missing a required parameter `TaskName`.")
	case !jobIDPattern.MatchString(q.jobID):
		return nil, tencentParamError("InvalidParameter.JobIdMalformed", "Invalid job ID format.")
	case q.offset < 0:
		return nil, tencentParamError("InvalidParameterValue", "The value of `Offset` must not be negative.")
	case q.hasLimit && (q.limit < 1 || q.limit > tencentMaxLimit):
		return nil, tencentParamError("InvalidParameterValue", "The value of `Limit` must be between 1 and 1000.")
	}
	if !q.hasLimit {
		q.limit = tencentDefaultLimit
	}
	for _, f := range q.filters {
		if f.Name != "task-instance-state" && f.Name != "task-instance-type" {
			return nil, tencentParamError("InvalidFilter", "The filter `%s` is not supported; use task-instance-state or task-instance-type.", f.Name)
		}
		if len(f.Values) == 0 {
			return nil, tencentParamError("InvalidParameterValue", "The filter `%s` needs at least one value.", f.Name)
		}
	}

	s.mu.Lock()
	var phase TencentPhase
	found := false
	for _, t := range s.sc.TencentTasks {
		if t.JobID == q.jobID && t.TaskName == q.taskName {
			timings := make([]timing, len(t.Phases))
			for i, p := range t.Phases {
				timings[i] = timing{p.Calls, p.Duration}
			}
			phase = t.Phases[s.step("tencent\x00"+t.JobID+"/"+t.TaskName, timings, c.now)]
			found = true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		if s.unknownIDEmpty() {
			return tencentSuccess(c, []byte(`{"TaskInstanceSet":[],"TaskInstanceTotalCount":0}`))
		}
		return nil, tencentParamError("ResourceNotFound.Task", "The specified job task does not exist.")
	}

	// One pass counts the metrics and the matches and keeps only the requested window, so a
	// page of a large task costs the page, not the whole task (the benchmarks read 40,000).
	var metrics tencentMetrics
	var matched int64
	set := []json.RawMessage{}
	eachInstance(phase, func(in instanceRef) {
		metrics.add(in.state)
		if !matchesFilters(in.state, q.filters) {
			return
		}
		if matched >= q.offset && matched < q.offset+q.limit {
			set = append(set, materialize(in, q.jobID, q.taskName, phase))
		}
		matched++
	})
	inner, err := extendObject(phase.Response,
		field{"TaskInstanceSet", set},
		field{"TaskInstanceTotalCount", matched},
		field{"TaskInstanceMetrics", metrics},
	)
	if err != nil {
		return nil, internalError()
	}
	return tencentSuccess(c, inner)
}

func matchesFilters(state string, filters []tencentFilter) bool {
	for _, f := range filters {
		if !slices.Contains(f.Values, state) {
			return false
		}
	}
	return true
}

// eachInstance calls f with the phase's explicit instances, then its generated ones, in order.
func eachInstance(p TencentPhase, f func(instanceRef)) {
	for _, raw := range p.Instances {
		st, _ := stringField(raw, "TaskInstanceState")
		f(instanceRef{state: st, raw: raw})
	}
	if g := p.GenerateInstances; g != nil {
		base := len(p.Instances)
		for i := range g.Count {
			f(instanceRef{state: generatedState(g, i), gen: i, index: base + i})
		}
	}
}

func generatedState(g *InstanceGenerator, i int) string {
	if g.FailedEvery > 0 && (i+1)%g.FailedEvery == 0 {
		return "FAILED"
	}
	return g.State
}

type redirectInfo struct {
	StdoutRedirectPath     string `json:"StdoutRedirectPath"`
	StderrRedirectPath     string `json:"StderrRedirectPath"`
	StdoutRedirectFileName string `json:"StdoutRedirectFileName"`
	StderrRedirectFileName string `json:"StderrRedirectFileName"`
}

type taskInstanceView struct {
	TaskInstanceIndex     int          `json:"TaskInstanceIndex"`
	TaskInstanceState     string       `json:"TaskInstanceState"`
	ExitCode              *int         `json:"ExitCode"`
	StateReason           string       `json:"StateReason"`
	StateDetailedReason   string       `json:"StateDetailedReason"`
	ComputeNodeInstanceID *string      `json:"ComputeNodeInstanceId"`
	CreateTime            string       `json:"CreateTime"`
	LaunchTime            *string      `json:"LaunchTime"`
	RunningTime           *string      `json:"RunningTime"`
	EndTime               *string      `json:"EndTime"`
	RedirectInfo          redirectInfo `json:"RedirectInfo"`
}

// generatedEpoch anchors generated instance times when the phase has no
// parseable CreateTime, so answers are deterministic.
var generatedEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func materialize(in instanceRef, jobID, taskName string, p TencentPhase) json.RawMessage {
	if in.raw != nil {
		return in.raw
	}
	base := generatedEpoch
	if ct, ok := stringField(p.Response, "CreateTime"); ok {
		if t, err := time.Parse(time.RFC3339, ct); err == nil {
			base = t
		}
	}
	stamp := func(d time.Duration) *string {
		s := base.Add(d).UTC().Format(time.RFC3339)
		return &s
	}
	v := taskInstanceView{
		TaskInstanceIndex: in.index,
		TaskInstanceState: in.state,
		CreateTime:        *stamp(0),
		RedirectInfo: redirectInfo{
			StdoutRedirectPath:     "cos://emulator-1250000000.cos.ap-guangzhou.myqcloud.com/logs/",
			StderrRedirectPath:     "cos://emulator-1250000000.cos.ap-guangzhou.myqcloud.com/logs/",
			StdoutRedirectFileName: fmt.Sprintf("stdout.%s.%s.%d.log", jobID, taskName, in.index),
			StderrRedirectFileName: fmt.Sprintf("stderr.%s.%s.%d.log", jobID, taskName, in.index),
		},
	}
	switch in.state {
	case "SUBMITTED", "PENDING", "RUNNABLE":
	default:
		node := fmt.Sprintf("ins-emu%05d", in.index)
		v.ComputeNodeInstanceID = &node
		v.LaunchTime = stamp(time.Second)
	}
	switch in.state {
	case "RUNNING", "SUCCEED", "FAILED", "FAILED_INTERRUPTED":
		v.RunningTime = stamp(2 * time.Second)
	}
	switch in.state {
	case "SUCCEED":
		code := 0
		v.ExitCode = &code
		v.EndTime = stamp(time.Minute + time.Duration(in.gen)*time.Second)
	case "FAILED", "FAILED_INTERRUPTED":
		code := 1
		v.ExitCode = &code
		v.EndTime = stamp(time.Minute + time.Duration(in.gen)*time.Second)
		v.StateReason = "Exit code 1: the command exited with an error."
		v.StateDetailedReason = "Process exited with code 1."
	}
	raw, _ := json.Marshal(v)
	return raw
}
