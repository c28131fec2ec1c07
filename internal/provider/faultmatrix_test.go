package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// matrixSource is one data source in the fault matrix: a task that runs for a few requests and
// then succeeds, optionally passing through a status its documentation does not list.
type matrixSource struct {
	typeName string
	api      string
	noun     string
	args     map[string]any
	// scenario scripts the task: running, then undocumented (when not ""), then done.
	scenario     func(undocumented string) *emulator.Scenario
	undocumented string // a status the documentation does not list; "" when none can occur
	status       func(t *testing.T, r inProcessRead) string
	final        string // the status stored at the end
	authCode     string // what an unknown key id is answered
	signCode     string // what a wrong secret is answered
	paramCode    string // a parameter error of this API
	notFound     string // what a vanished task is answered
}

func matrixSources() []matrixSource {
	topString := func(name string) func(*testing.T, inProcessRead) string {
		return func(t *testing.T, r inProcessRead) string { return r.stringAttr(t, name) }
	}
	phases := func(running, undocumented, done string) []emulator.Phase {
		out := []emulator.Phase{phase(1, running)}
		if undocumented != "" {
			out = append(out, phase(2, undocumented))
		}
		return append(out, phase(0, done))
	}
	alibabaCodes := matrixSource{authCode: "InvalidAccessKeyId.NotFound", signCode: "SignatureDoesNotMatch", paramCode: "InvalidParameter"}
	sources := []matrixSource{
		{
			typeName: "cloudtask_polardb_batch_task", api: emulator.APIPolarDBBatchTask, noun: "PolarDB Batch Task",
			args: map[string]any{"batch_id": "pcb-fm"},
			scenario: func(undocumented string) *emulator.Scenario {
				u := ""
				if undocumented != "" {
					u = batchTaskBody("pcb-fm", undocumented, 0, 1, "")
				}
				return &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-fm",
					Phases: phases(batchTaskBody("pcb-fm", "RUNNING", 0, 1, ""), u, batchTaskBody("pcb-fm", "COMPLETED", 1, 1, ""))}}}
			},
			undocumented: "PAUSED_BY_OPERATOR", status: topString("status"), final: "COMPLETED", notFound: "InvalidBatchId.NotFound",
		},
		{
			typeName: "cloudtask_bdrc_task", api: emulator.APIBDRCTask, noun: "BDRC Task",
			args: map[string]any{"task_id": "t-fm"},
			scenario: func(undocumented string) *emulator.Scenario {
				u := ""
				if undocumented != "" {
					u = bdrcTaskBody("t-fm", undocumented, 10, "")
				}
				return &emulator.Scenario{BDRCTasks: []emulator.BDRCTask{{TaskID: "t-fm",
					Phases: phases(bdrcTaskBody("t-fm", "RUNNING", 10, ""), u, bdrcTaskBody("t-fm", "COMPLETE", 10000, ""))}}}
			},
			undocumented: "SUSPENDED", status: topString("task_status"), final: "COMPLETE", notFound: "NotFound.Task",
		},
		{
			typeName: "cloudtask_alidns_batch_result", api: emulator.APIAlidnsBatchResult, noun: "Alidns Batch Result",
			args: map[string]any{"task_id": 77},
			scenario: func(undocumented string) *emulator.Scenario {
				u := ""
				if undocumented != "" {
					u = alidnsBody(77, 3, 0, 0, "")
				}
				return &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{{TaskID: 77,
					Phases: phases(alidnsBody(77, 0, 0, 0, ""), u, alidnsBody(77, 1, 4, 0, ""))}}}
			},
			undocumented: "3",
			status: func(t *testing.T, r inProcessRead) string {
				var v types.Int64
				if d := r.state.GetAttribute(context.Background(), path.Root("status"), &v); d.HasError() {
					t.Fatalf("state status: %v", d)
				}
				return fmt.Sprint(v.ValueInt64())
			},
			final: "1", notFound: "TaskNotExist",
		},
		{
			typeName: "cloudtask_polardb_tasks", api: emulator.APIPolarDBTasks, noun: "PolarDB Tasks",
			args: map[string]any{"db_cluster_id": "pc-fm", "start_time": "2020-11-30T00:00Z", "end_time": "2020-12-02T03:00Z"},
			scenario: func(string) *emulator.Scenario {
				return &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-fm", Phases: []emulator.PolarDBTaskPhase{
					polarDBTaskPhase(1, "Running", polarDBTaskBody("fm-1", 50, 10, "", "")),
					polarDBTaskPhase(0, "Finished", polarDBTaskBody("fm-1", 100, 0, "", "")),
				}}}}
			},
			// A task's status is the documented status filter that listed it: no other value can occur.
			status: func(t *testing.T, r inProcessRead) string {
				var v types.String
				if d := r.state.GetAttribute(context.Background(), path.Root("tasks").AtListIndex(0).AtName("status"), &v); d.HasError() {
					t.Fatalf("state tasks[0].status: %v", d)
				}
				return v.ValueString()
			},
			final: "Finished", notFound: "InvalidDBClusterId.NotFound",
		},
		{
			typeName: "cloudtask_tencent_batch_task", api: emulator.APITencentTask, noun: "Tencent Batch Task",
			args: map[string]any{"job_id": "job-fm", "task_name": "A"},
			scenario: func(undocumented string) *emulator.Scenario {
				ph := []emulator.TencentPhase{{Calls: 1, Response: tencentTaskBody("job-fm", "A", "RUNNING")}}
				if undocumented != "" {
					ph = append(ph, emulator.TencentPhase{Calls: 2, Response: tencentTaskBody("job-fm", "A", undocumented)})
				}
				ph = append(ph, emulator.TencentPhase{Response: tencentTaskBody("job-fm", "A", "SUCCEED")})
				return &emulator.Scenario{TencentTasks: []emulator.TencentTask{{JobID: "job-fm", TaskName: "A", Phases: ph}}}
			},
			undocumented: "QUEUED_FOR_QUOTA", status: topString("task_state"), final: "SUCCEED",
			authCode: "AuthFailure.SecretIdNotFound", signCode: "AuthFailure.SignatureFailure", paramCode: "InvalidParameterValue",
			notFound: "ResourceNotFound.Task",
		},
	}
	for i := range sources {
		if sources[i].authCode == "" {
			sources[i].authCode, sources[i].signCode, sources[i].paramCode = alibabaCodes.authCode, alibabaCodes.signCode, alibabaCodes.paramCode
		}
	}
	return sources
}

// matrixFault is one fault class: what the emulator injects and the code it answers with.
type matrixFault struct {
	name  string
	fault emulator.Fault
	code  func(s matrixSource) string // the code Answered counts; "" for none to check
}

func recoverableFaults() []matrixFault {
	tencent := func(s matrixSource) bool { return s.api == emulator.APITencentTask }
	return []matrixFault{
		{"throttling", emulator.Fault{Kind: emulator.FaultThrottling, Times: 2}, func(s matrixSource) string {
			if tencent(s) {
				return "RequestLimitExceeded"
			}
			return "Throttling.User"
		}},
		{"503", emulator.Fault{Kind: emulator.FaultServerError, Times: 2}, func(s matrixSource) string {
			if tencent(s) {
				return "InternalError"
			}
			return "ServiceUnavailable"
		}},
		{"500", emulator.Fault{Kind: emulator.FaultServerError, HTTPStatus: 500, Times: 2}, func(matrixSource) string { return "InternalError" }},
		{"slow", emulator.Fault{Kind: emulator.FaultSlow, Delay: "300ms", Times: 2}, nil},
		{"malformed", emulator.Fault{Kind: emulator.FaultMalformed, Times: 2}, func(matrixSource) string { return emulator.CodeMalformed }},
		{"truncated", emulator.Fault{Kind: emulator.FaultTruncated, Times: 2}, func(matrixSource) string { return emulator.CodeTruncated }},
		{"drop", emulator.Fault{Kind: emulator.FaultDrop, Times: 2}, func(matrixSource) string { return emulator.CodeDropped }},
		{"not yet visible", emulator.Fault{Kind: emulator.FaultVanish, Times: 2}, func(s matrixSource) string { return s.notFound }},
		{"vanish and reappear", emulator.Fault{Kind: emulator.FaultVanish, Skip: 1, Times: 2}, func(s matrixSource) string { return s.notFound }},
	}
}

// matrixTuning keeps retries short; the not-found grace is long enough that a task hidden for
// two requests always reappears inside it, however slowly a busy machine polls.
var matrixTuning = tuning{backoff: testTuning.backoff, notFoundGrace: time.Minute}

func matrixArgs(s matrixSource, wait bool, readTimeout string) map[string]any {
	args := map[string]any{"wait_for_completion": wait, "poll_interval": "1s", "timeouts": map[string]any{"read": readTimeout}}
	for k, v := range s.args {
		args[k] = v
	}
	return args
}

// TestFaultMatrix reads every data source through every fault class the emulator injects:
// a fault that passes is recovered from and the read stores the scripted final state; one that
// lasts fails with the data source's diagnostic; authentication, signature and parameter
// errors fail after exactly one request; an undocumented status is logged and not terminal.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, src := range matrixSources() {
		t.Run(src.typeName, func(t *testing.T) {
			t.Parallel()
			cases := map[string]func(t *testing.T){}
			for _, f := range recoverableFaults() {
				cases["recovers from "+f.name] = func(t *testing.T) {
					srv := emulator.NewTestServer(t, src.scenario(""))
					fault := f.fault
					fault.API = src.api
					srv.AddFault(fault)
					r := readInProcess(t, matrixTuning, emulatorProviderConfig(srv.URL(), "", ""), src.typeName, matrixArgs(src, true, "2m"))
					if r.diags.HasError() {
						t.Fatalf("read failed: %v", r.diags)
					}
					if !r.boolAttr(t, "terminal") || !r.boolAttr(t, "succeeded") || src.status(t, r) != src.final {
						t.Fatalf("terminal %v succeeded %v status %q, want true true %q",
							r.boolAttr(t, "terminal"), r.boolAttr(t, "succeeded"), src.status(t, r), src.final)
					}
					if got := srv.Injected(src.api, fault.Kind); got != fault.Times {
						t.Errorf("the %s fault fired %d times, want %d", fault.Kind, got, fault.Times)
					}
					if f.code != nil {
						if got := srv.Answered(src.api, f.code(src)); got < fault.Times {
							t.Errorf("Answered(%q) = %d, want at least %d", f.code(src), got, fault.Times)
						}
					}
				}
			}
			for _, f := range lastingFaults() {
				cases["fails under lasting "+f.name] = func(t *testing.T) {
					srv := emulator.NewTestServer(t, src.scenario(""))
					fault := f.fault
					fault.API = src.api
					srv.AddFault(fault)
					tn := matrixTuning
					if f.fault.Kind == emulator.FaultVanish {
						tn = testTuning
					}
					r := readInProcess(t, tn, emulatorProviderConfig(srv.URL(), "", ""), src.typeName, matrixArgs(src, true, f.timeout))
					summary, detail := diagText(t, r.diags)
					want := fmt.Sprintf(f.summary, src.noun)
					// Retries that end with the read's deadline report either the last error or,
					// when the deadline came during an attempt, the timeout or "did not finish": all
					// are this read's own diagnostic, and only the first names the API's code.
					timedOut := f.summary == summaryReadFailed &&
						(summary == fmt.Sprintf(summaryTimedOut, src.noun) || strings.Contains(detail, "did not finish"))
					if summary != want && !timedOut {
						t.Fatalf("summary %q, want %q (detail: %s)", summary, want, detail)
					}
					if f.code != nil && !timedOut {
						code := f.code(src)
						if !strings.Contains(detail, "Error code: "+code) || !requestIDLine.MatchString(detail) {
							t.Errorf("detail does not name the code %q and a request id: %s", code, detail)
						}
					}
					if srv.Injected(src.api, fault.Kind) == 0 {
						t.Errorf("the %s fault never fired", fault.Kind)
					}
				}
			}
			for _, c := range neverRetried(src) {
				cases["does not retry "+c.name] = func(t *testing.T) {
					srv := emulator.NewTestServer(t, src.scenario(""))
					if c.fault != nil {
						fault := *c.fault
						fault.API = src.api
						srv.AddFault(fault)
					}
					r := readInProcess(t, matrixTuning, emulatorProviderConfig(srv.URL(), c.key, c.secret), src.typeName, matrixArgs(src, true, "2m"))
					summary, detail := diagText(t, r.diags)
					if !strings.HasPrefix(summary, "Error Reading") && !strings.HasPrefix(summary, "Unable to") {
						t.Errorf("summary %q", summary)
					}
					if !strings.Contains(detail, c.code) {
						t.Errorf("detail does not name %q: %s", c.code, detail)
					}
					if n := srv.Calls(src.api); n != 1 {
						t.Errorf("%d requests reached %s, want exactly 1", n, src.api)
					}
					if n := srv.Answered(src.api, c.code); n != 1 {
						t.Errorf("Answered(%q) = %d, want 1", c.code, n)
					}
				}
			}
			if src.undocumented != "" {
				cases["undocumented status"] = func(t *testing.T) {
					srv := emulator.NewTestServer(t, src.scenario(src.undocumented))
					// Two reads without waiting: the second meets the undocumented status.
					for range 2 {
						r := readInProcess(t, matrixTuning, emulatorProviderConfig(srv.URL(), "", ""), src.typeName, matrixArgs(src, false, "1m"))
						if r.diags.HasError() {
							t.Fatalf("read failed: %v", r.diags)
						}
						if src.api == emulator.APITencentTask && src.status(t, r) == "RUNNING" {
							continue // Tencent's single read sends one request; the next one meets the status
						}
						if src.status(t, r) == src.undocumented {
							if r.boolAttr(t, "terminal") {
								t.Fatalf("status %q was taken as terminal", src.undocumented)
							}
							assertWarned(t, r, src.undocumented)
						}
					}
					r := readInProcess(t, matrixTuning, emulatorProviderConfig(srv.URL(), "", ""), src.typeName, matrixArgs(src, true, "2m"))
					if r.diags.HasError() {
						t.Fatalf("wait failed: %v", r.diags)
					}
					if !r.boolAttr(t, "terminal") || !r.boolAttr(t, "succeeded") || src.status(t, r) != src.final {
						t.Fatalf("the wait ended at status %q, want %q", src.status(t, r), src.final)
					}
					assertWarned(t, r, src.undocumented)
				}
			}
			runConcurrently(t, cases)
		})
	}
}

// requestIDLine is the request id line of an API error's detail, with an id.
var requestIDLine = regexp.MustCompile(`Request ID: \S+`)

// runConcurrently runs every case as a subtest at once. The cases mostly sleep between polls,
// and t.Parallel would run only -parallel (GOMAXPROCS by default) of them at a time, which on a
// small machine turns seconds into minutes; t.Run may be called from several goroutines.
func runConcurrently(t *testing.T, cases map[string]func(t *testing.T)) {
	var wg sync.WaitGroup
	for name, run := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, run)
		}()
	}
	wg.Wait()
}

// assertWarned checks that exactly one warning names the undocumented status.
func assertWarned(t *testing.T, r inProcessRead, status string) {
	t.Helper()
	quoted, _ := json.Marshal(status)
	n := 0
	for _, w := range r.warnings(t) {
		if strings.Contains(w, string(quoted)) && strings.Contains(w, "does not list") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d warnings name status %s, want 1; warnings: %q", n, quoted, r.warnings(t))
	}
}

// lastingFault is a fault that never stops, and the diagnostic the read must end with.
type lastingFault struct {
	matrixFault
	timeout string
	summary string // a format with the data source's noun
}

func lastingFaults() []lastingFault {
	lasting := func(f matrixFault, timeout, summary string) lastingFault {
		f.fault.Times = 0
		return lastingFault{matrixFault: f, timeout: timeout, summary: summary}
	}
	all := recoverableFaults()
	byName := map[string]matrixFault{}
	for _, f := range all {
		byName[f.name] = f
	}
	slow := byName["slow"]
	slow.fault.Delay = "1m"
	// Transport failures carry no error code or request id; their detail names the transport error.
	noCode := func(f matrixFault) matrixFault {
		f.code = nil
		return f
	}
	// The retries outlast the read's deadline: the read fails with the last error and the
	// number of attempts. A request that never answers runs into the deadline: a timeout.
	return []lastingFault{
		lasting(byName["throttling"], "2s", summaryReadFailed),
		lasting(byName["503"], "2s", summaryReadFailed),
		lasting(noCode(byName["malformed"]), "2s", summaryReadFailed),
		lasting(noCode(byName["truncated"]), "2s", summaryReadFailed),
		lasting(noCode(byName["drop"]), "2s", summaryReadFailed),
		lasting(noCode(slow), "1s", summaryTimedOut),
		lasting(byName["not yet visible"], "5s", summaryNotFound),
	}
}

// neverRetriedCase is an error that must fail the read after one request.
type neverRetriedCase struct {
	name        string
	key, secret string
	fault       *emulator.Fault
	code        string
}

func neverRetried(s matrixSource) []neverRetriedCase {
	key := "LTAIunknownKey0009"
	if s.api == emulator.APITencentTask {
		key = "AKIDunknownKey0009"
	}
	return []neverRetriedCase{
		{name: "an unknown access key", key: key, code: s.authCode},
		{name: "a bad signature", secret: "not-the-secret", code: s.signCode},
		{name: "a parameter error", fault: &emulator.Fault{Kind: emulator.FaultError, Code: s.paramCode}, code: s.paramCode},
	}
}
