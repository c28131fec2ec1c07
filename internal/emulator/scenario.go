package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// Scenario is the emulator's world: credentials, the tasks each API knows with
// their scripted lifecycles, and the faults to inject. The zero value is a valid,
// empty scenario that accepts the default credentials.
type Scenario struct {
	// AlibabaCredentials maps AccessKeyId to AccessKeySecret; nil accepts
	// AlibabaAccessKeyID/AlibabaAccessKeySecret.
	AlibabaCredentials map[string]string `json:"alibaba_credentials"`
	// TencentCredentials maps SecretId to SecretKey; nil accepts
	// TencentSecretID/TencentSecretKey.
	TencentCredentials map[string]string `json:"tencent_credentials"`
	// AlibabaSTSLifetime is a Go duration string: how long the temporary credentials of
	// STS AssumeRole stay valid. Empty means the DurationSeconds of the request. Tests set a
	// short one to make a wait outlive its first temporary credentials.
	AlibabaSTSLifetime string `json:"alibaba_sts_lifetime,omitempty"`
	// AlibabaOIDC is the OIDC identity provider whose tokens STS AssumeRoleWithOIDC
	// accepts; nil refuses every OIDC exchange.
	AlibabaOIDC *AlibabaOIDC `json:"alibaba_oidc,omitempty"`
	// TencentSTSLifetime is the same for Tencent STS AssumeRole and
	// AssumeRoleWithWebIdentity; empty means the DurationSeconds of the request.
	TencentSTSLifetime string `json:"tencent_sts_lifetime,omitempty"`
	// TencentOIDC is the OIDC identity provider whose tokens Tencent STS
	// AssumeRoleWithWebIdentity accepts, rotating them; nil accepts any JWT-shaped token
	// from any provider.
	TencentOIDC *TencentOIDC `json:"tencent_oidc,omitempty"`
	// TencentRoles are the CAM role ARNs Tencent STS knows; nil knows every well-formed ARN.
	// Any other is refused with ResourceNotFound.RoleNotExist.
	TencentRoles []string `json:"tencent_roles,omitempty"`
	// TencentRateLimit is the number of Tencent DescribeTask requests allowed in
	// any sliding one-second window; 0 means 3 (the documented limit) and a
	// negative value disables the limit. Only requests with a valid signature
	// count. The documentation does not say whether a rejected request uses up
	// the budget: by default it does not, so a client that backs off recovers.
	TencentRateLimit int `json:"tencent_rate_limit"`
	// TencentRateCountsRejected makes requests rejected with
	// RequestLimitExceeded count against the limit too, the stricter reading:
	// a client that keeps knocking keeps the window full.
	TencentRateCountsRejected bool `json:"tencent_rate_counts_rejected,omitempty"`
	// PolarDBBatchTasks are answered by DescribeBatchTask.
	PolarDBBatchTasks []BatchTask `json:"polardb_batch_tasks"`
	// PolarDBTasks are listed by DescribeTasks.
	PolarDBTasks []PolarDBTask `json:"polardb_tasks"`
	// PolarDBTaskGenerators add many fixed-status tasks for pagination tests;
	// they are listed after PolarDBTasks.
	PolarDBTaskGenerators []PolarDBTaskGenerator `json:"polardb_task_generators"`
	// BDRCTasks are answered by the BDRC DescribeTask ROA API.
	BDRCTasks []BDRCTask `json:"bdrc_tasks"`
	// TencentTasks are answered by Tencent Batch DescribeTask.
	TencentTasks []TencentTask `json:"tencent_tasks"`
	// AlidnsTasks are answered by DescribeBatchResultCount.
	AlidnsTasks []AlidnsTask `json:"alidns_tasks"`
	// Faults are injected after signature verification, in list order.
	Faults []Fault `json:"faults"`
	// UnknownIDAnswer is how an id the scenario does not know is answered:
	// UnknownIDError (the default) or UnknownIDEmpty. The documentation gives
	// neither for most of the APIs; the package doc lists both per API.
	UnknownIDAnswer string `json:"unknown_id_answer,omitempty"`
}

// Values of Scenario.UnknownIDAnswer.
const (
	// UnknownIDError answers an unknown id with an error code ("" means this).
	UnknownIDError = "error"
	// UnknownIDEmpty answers an unknown id with HTTP 200 and no task.
	UnknownIDEmpty = "empty"
)

// Phase is one step of a task's lifecycle. It lasts Calls requests for the
// task or until Duration has passed (whichever comes first when both are set);
// the last phase lasts forever.
type Phase struct {
	// Calls is the number of requests this phase answers.
	Calls int `json:"calls,omitempty"`
	// Duration is a Go duration string. Durations are measured on one timeline
	// that starts at the task's first request.
	Duration string `json:"duration,omitempty"`
	// Response is the API-specific JSON object answered during this phase.
	Response json.RawMessage `json:"response"`
}

// BatchTask is a PolarDB batch task. Each phase's Response is the
// DescribeBatchTask body without RequestId (the emulator adds a fresh one).
type BatchTask struct {
	// BatchID is the BatchId the task answers to.
	BatchID string `json:"batch_id"`
	// Phases is the lifecycle.
	Phases []Phase `json:"phases"`
}

// BDRCTask is a BDRC asynchronous task. Each phase's Response is the Data
// object; the emulator answers {"Data":{...,"RequestId"},"RequestId"}.
type BDRCTask struct {
	// TaskID is the TaskId path parameter the task answers to.
	TaskID string `json:"task_id"`
	// Phases is the lifecycle.
	Phases []Phase `json:"phases"`
}

// AlidnsTask is an Alidns batch operation. Each phase's Response is the
// DescribeBatchResultCount body without RequestId.
type AlidnsTask struct {
	// TaskID is the numeric TaskId.
	TaskID int64 `json:"task_id"`
	// Latest marks the task answered when the request has no TaskId; without
	// any Latest task the last one in the list is answered.
	Latest bool `json:"latest,omitempty"`
	// Phases is the lifecycle.
	Phases []Phase `json:"phases"`
}

// PolarDBTask is one task of a PolarDB cluster as DescribeTasks lists it.
type PolarDBTask struct {
	// DBClusterID is the cluster the task belongs to.
	DBClusterID string `json:"db_cluster_id"`
	// DBNodeID optionally ties the task to a node, for DBNodeId queries.
	DBNodeID string `json:"db_node_id,omitempty"`
	// Phases is the lifecycle.
	Phases []PolarDBTaskPhase `json:"phases"`
}

// PolarDBTaskPhase is one step of a PolarDB task's lifecycle. Status drives
// the DescribeTasks status filter; Task is the object listed verbatim (the real
// Task object has no status field).
type PolarDBTaskPhase struct {
	// Calls is the number of requests this phase answers.
	Calls int `json:"calls,omitempty"`
	// Duration is a Go duration string, as in Phase.
	Duration string `json:"duration,omitempty"`
	// Status is one of Waiting, Running, Finished, Closed, Pause, Stop.
	Status string `json:"status"`
	// Task is the Task object as the API lists it.
	Task json.RawMessage `json:"task"`
}

// PolarDBTaskGenerator adds Count tasks to a cluster, with ids
// TaskIDPrefix+index (index from 0), all in one status and without a lifecycle.
type PolarDBTaskGenerator struct {
	// DBClusterID is the cluster the tasks belong to.
	DBClusterID string `json:"db_cluster_id"`
	// Count is the number of tasks.
	Count int `json:"count"`
	// Status is one of Waiting, Running, Finished, Closed, Pause, Stop.
	Status string `json:"status"`
	// TaskIDPrefix prefixes each task's index to form its TaskId.
	TaskIDPrefix string `json:"task_id_prefix"`
	// BeginTime is every task's BeginTime (YYYY-MM-DDThh:mm:ssZ); empty omits it.
	BeginTime string `json:"begin_time,omitempty"`
}

// TencentTask is a task of a Tencent Batch job.
type TencentTask struct {
	// JobID is the JobId, for example job-demo01.
	JobID string `json:"job_id"`
	// TaskName is the TaskName within the job.
	TaskName string `json:"task_name"`
	// Phases is the lifecycle.
	Phases []TencentPhase `json:"phases"`
}

// TencentPhase is one step of a Tencent task's lifecycle. Response holds the
// DescribeTask fields other than TaskInstanceSet, TaskInstanceTotalCount and
// RequestId (TaskState, CreateTime, EndTime, JobId, TaskName and optionally
// TaskInstanceMetrics, which is otherwise computed from the instances).
type TencentPhase struct {
	// Calls is the number of requests this phase answers.
	Calls int `json:"calls,omitempty"`
	// Duration is a Go duration string, as in Phase.
	Duration string `json:"duration,omitempty"`
	// Response is the DescribeTask body fields for this phase.
	Response json.RawMessage `json:"response"`
	// Instances are explicit TaskInstanceView objects.
	Instances []json.RawMessage `json:"instances,omitempty"`
	// GenerateInstances appends generated instances after Instances.
	GenerateInstances *InstanceGenerator `json:"generate_instances,omitempty"`
}

// InstanceGenerator produces Count plausible TaskInstanceView objects in State.
// Generated indexes continue after the phase's explicit Instances (0..Count-1
// when there are none).
type InstanceGenerator struct {
	// Count is the number of instances.
	Count int `json:"count"`
	// State is every instance's TaskInstanceState (except the failed ones).
	State string `json:"state"`
	// FailedEvery makes every Nth instance (the Nth, 2Nth, ...) FAILED with
	// ExitCode 1 and a StateReason; 0 fails none.
	FailedEvery int `json:"failed_every,omitempty"`
}

// polardbStatuses are the task statuses DescribeTasks knows, in documented order.
var polardbStatuses = []string{"Waiting", "Running", "Finished", "Closed", "Pause", "Stop"}

// LoadScenario reads and validates a JSON scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("parse scenario %s: %w", path, err)
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return &sc, nil
}

// Validate reports the first problem that would make the scenario ambiguous:
// duplicate ids, bad durations, phases that never end before the last one,
// responses that are not JSON objects, unknown statuses and invalid faults.
func (sc *Scenario) Validate() error {
	if sc == nil {
		return nil
	}
	var errs []error
	if sc.TencentSTSLifetime != "" {
		if d, err := time.ParseDuration(sc.TencentSTSLifetime); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("tencent_sts_lifetime %q is not a positive duration", sc.TencentSTSLifetime))
		}
	}
	if sc.AlibabaSTSLifetime != "" {
		if d, err := time.ParseDuration(sc.AlibabaSTSLifetime); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("alibaba_sts_lifetime %q is not a positive duration", sc.AlibabaSTSLifetime))
		}
	}
	if sc.AlibabaOIDC != nil {
		if err := sc.AlibabaOIDC.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if sc.TencentOIDC != nil {
		if err := sc.TencentOIDC.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	seen := map[string]bool{}
	dup := func(kind, id string) {
		key := kind + "\x00" + id
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s %q is listed twice", kind, id))
		}
		seen[key] = true
	}
	for i, t := range sc.PolarDBBatchTasks {
		where := fmt.Sprintf("polardb_batch_tasks[%d]", i)
		if t.BatchID == "" {
			errs = append(errs, fmt.Errorf("%s: batch_id is empty", where))
		}
		dup("batch task", t.BatchID)
		errs = append(errs, validatePhases(where, phaseTimings(t.Phases), responses(t.Phases))...)
	}
	for i, t := range sc.PolarDBTasks {
		where := fmt.Sprintf("polardb_tasks[%d]", i)
		if t.DBClusterID == "" {
			errs = append(errs, fmt.Errorf("%s: db_cluster_id is empty", where))
		}
		timings := make([]timing, len(t.Phases))
		objects := make([]json.RawMessage, len(t.Phases))
		for j, p := range t.Phases {
			timings[j] = timing{p.Calls, p.Duration}
			objects[j] = p.Task
			if !slices.Contains(polardbStatuses, p.Status) {
				errs = append(errs, fmt.Errorf("%s.phases[%d]: status %q is not one of %v", where, j, p.Status, polardbStatuses))
			}
		}
		errs = append(errs, validatePhases(where, timings, objects)...)
	}
	for i, g := range sc.PolarDBTaskGenerators {
		where := fmt.Sprintf("polardb_task_generators[%d]", i)
		if g.DBClusterID == "" || g.Count < 0 {
			errs = append(errs, fmt.Errorf("%s: needs db_cluster_id and a count >= 0", where))
		}
		if !slices.Contains(polardbStatuses, g.Status) {
			errs = append(errs, fmt.Errorf("%s: status %q is not one of %v", where, g.Status, polardbStatuses))
		}
	}
	for i, t := range sc.BDRCTasks {
		where := fmt.Sprintf("bdrc_tasks[%d]", i)
		if t.TaskID == "" {
			errs = append(errs, fmt.Errorf("%s: task_id is empty", where))
		}
		dup("bdrc task", t.TaskID)
		errs = append(errs, validatePhases(where, phaseTimings(t.Phases), responses(t.Phases))...)
	}
	latest := 0
	for i, t := range sc.AlidnsTasks {
		where := fmt.Sprintf("alidns_tasks[%d]", i)
		dup("alidns task", fmt.Sprint(t.TaskID))
		if t.Latest {
			latest++
		}
		errs = append(errs, validatePhases(where, phaseTimings(t.Phases), responses(t.Phases))...)
	}
	if latest > 1 {
		errs = append(errs, errors.New("alidns_tasks: more than one task sets latest"))
	}
	for i, t := range sc.TencentTasks {
		where := fmt.Sprintf("tencent_tasks[%d]", i)
		if t.JobID == "" || t.TaskName == "" {
			errs = append(errs, fmt.Errorf("%s: job_id and task_name are required", where))
		}
		dup("tencent task", t.JobID+"/"+t.TaskName)
		timings := make([]timing, len(t.Phases))
		objects := make([]json.RawMessage, len(t.Phases))
		for j, p := range t.Phases {
			timings[j] = timing{p.Calls, p.Duration}
			objects[j] = p.Response
			for k, inst := range p.Instances {
				if !isJSONObject(inst) {
					errs = append(errs, fmt.Errorf("%s.phases[%d].instances[%d]: not a JSON object", where, j, k))
				}
			}
			if g := p.GenerateInstances; g != nil && (g.Count < 0 || g.FailedEvery < 0 || g.State == "") {
				errs = append(errs, fmt.Errorf("%s.phases[%d].generate_instances: needs a state and non-negative count and failed_every", where, j))
			}
		}
		errs = append(errs, validatePhases(where, timings, objects)...)
	}
	if a := sc.UnknownIDAnswer; a != "" && a != UnknownIDError && a != UnknownIDEmpty {
		errs = append(errs, fmt.Errorf("unknown_id_answer %q is not %q or %q", a, UnknownIDError, UnknownIDEmpty))
	}
	for i, f := range sc.Faults {
		if err := f.validate(); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// timing is the part of a phase that decides when it ends.
type timing struct {
	calls    int
	duration string
}

func phaseTimings(phases []Phase) []timing {
	out := make([]timing, len(phases))
	for i, p := range phases {
		out[i] = timing{p.Calls, p.Duration}
	}
	return out
}

func responses(phases []Phase) []json.RawMessage {
	out := make([]json.RawMessage, len(phases))
	for i, p := range phases {
		out[i] = p.Response
	}
	return out
}

func validatePhases(where string, timings []timing, objects []json.RawMessage) []error {
	var errs []error
	if len(timings) == 0 {
		return []error{fmt.Errorf("%s: needs at least one phase", where)}
	}
	for i, t := range timings {
		if t.calls < 0 {
			errs = append(errs, fmt.Errorf("%s.phases[%d]: calls is negative", where, i))
		}
		if t.duration != "" {
			if d, err := time.ParseDuration(t.duration); err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s.phases[%d]: duration %q is not a non-negative Go duration", where, i, t.duration))
			}
		}
		if i < len(timings)-1 && t.calls == 0 && t.duration == "" {
			errs = append(errs, fmt.Errorf("%s.phases[%d]: only the last phase may omit both calls and duration", where, i))
		}
		if !isJSONObject(objects[i]) {
			errs = append(errs, fmt.Errorf("%s.phases[%d]: response is not a JSON object", where, i))
		}
	}
	return errs
}
