package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// longGraceFactories serves a provider whose not-found grace (1m) outlasts the 2s timeouts.read
// of the tests below, so that the read's deadline, not the grace, ends their waits.
func longGraceFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	longGrace := testTuning
	longGrace.notFoundGrace = time.Minute
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cloudtask": providerserver.NewProtocol6WithError(&cloudtaskProvider{version: "test", tuning: longGrace}),
	}
}

const waitTwoSeconds = `
  wait_for_completion = true
  timeouts { read = "2s" }
`

// TestAccNotFoundWithShortTimeout waits on an id that does not exist with a timeouts.read
// shorter than the not-found grace: every poll answers not found, and the read must say so,
// with the API's code and request id, rather than "Timed Out ... Raise timeouts.read".
func TestAccNotFoundWithShortTimeout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, api, noun, idKind, code string
		config                        func(url string) string
	}{
		{"polardb batch task", emulator.APIPolarDBBatchTask, "PolarDB Batch Task", "batch id", "InvalidBatchId.NotFound",
			func(url string) string { return batchTaskConfig(url, `  batch_id = "pcb-missing"`+waitTwoSeconds) }},
		{"polardb tasks", emulator.APIPolarDBTasks, "PolarDB Tasks", "cluster or node id", "InvalidDBClusterId.NotFound",
			func(url string) string {
				return polarDBTasksConfig(url, `  db_cluster_id = "pc-missing"`+waitTwoSeconds)
			}},
		{"bdrc task", emulator.APIBDRCTask, "BDRC Task", "task id", "NotFound.Task",
			func(url string) string { return bdrcConfig(url, `  task_id = "t-missing"`+waitTwoSeconds) }},
		{"tencent batch task", emulator.APITencentTask, "Tencent Batch Task", "job id and task name", "ResourceNotFound.Task",
			func(url string) string {
				return tencentTaskConfig(url, `  job_id = "job-missing"
  task_name = "A"`+waitTwoSeconds)
			}},
		{"alidns batch result", emulator.APIAlidnsBatchResult, "Alidns Batch Result", "task id", "TaskNotExist",
			func(url string) string { return alidnsConfig(url, `  task_id = 404404`+waitTwoSeconds) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{})
			want := regexp.MustCompile(`(?s)` + summary(fmt.Sprintf(summaryNotFound, c.noun)).String() +
				`.*was\s+not\s+found:\s+all\s+\d+\s+polls.*answered\s+not\s+found.*Check\s+the\s+` +
				strings.Join(strings.Fields(c.idKind), `\s+`) + `\s+and\s+the\s+region.*Error\s+code:\s+` +
				regexp.QuoteMeta(c.code) + `.*Request\s+ID:\s+[0-9A-Fa-f-]{36}`)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: longGraceFactories(),
				Steps:                    []resource.TestStep{{Config: c.config(srv.URL()), ExpectError: want}},
			})
			// More than one poll answered not found: the wait went on within the grace.
			if n := srv.Calls(c.api); n < 2 {
				t.Errorf("emulator saw %d %s calls, want at least 2 polls", n, c.api)
			}
		})
	}
}

// closedLoopbackURL returns an http URL on a loopback port nothing listens on any more.
func closedLoopbackURL(t *testing.T) (url, hostPort string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostPort = l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + hostPort, hostPort
}

// TestAccUnreachableEndpoint points the endpoints at a closed loopback port: the read, waiting
// or not, with the default timeouts.read (20m), must fail after the network budget with a
// diagnostic that names the endpoint and what to check. The budget itself is counted in
// package wait and the adapters; here the attempts are read from the message.
func TestAccUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, service, settings string
		config                  func(url string) string
	}{
		{"polardb batch task, waiting", "PolarDB", "alibaba", func(url string) string {
			return batchTaskConfig(url, `  batch_id = "pcb-1"
  wait_for_completion = true`)
		}},
		{"tencent batch task, waiting", "Tencent Batch", "tencent", func(url string) string {
			return tencentTaskConfig(url, `  job_id = "job-1"
  task_name = "A"
  wait_for_completion = true`)
		}},
		{"alidns batch result, one read", "Alidns", "alibaba", func(url string) string {
			return alidnsConfig(url, `  task_id = 7`)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			url, hostPort := closedLoopbackURL(t)
			want := regexp.MustCompile(`(?s)` + summary(fmt.Sprintf(summaryUnreachable, c.service)).String() +
				`.*Could\s+not\s+connect\s+to\s+` + regexp.QuoteMeta(hostPort) +
				fmt.Sprintf(`.*\(%d\s+attempts\).*refused.*Check\s+%s.region,\s+the\s+%[2]s.endpoints\s+block\s+and\s+the\s+network`,
					wait.DefaultNetworkAttempts, c.settings))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps:                    []resource.TestStep{{Config: c.config(url), ExpectError: want}},
			})
		})
	}
}

// TestAccRetryHintCountsAttempts: a service that keeps answering 503 is retried, and the hint
// gives the number of attempts rather than a bare "after retries".
func TestAccRetryHintCountsAttempts(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks: []emulator.BDRCTask{{TaskID: "t-busy", Phases: []emulator.Phase{phase(0, bdrcTaskBody("t-busy", "COMPLETE", 10000, ""))}}},
		Faults:    []emulator.Fault{{API: emulator.APIBDRCTask, Kind: emulator.FaultServerError}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: bdrcConfig(srv.URL(), `  task_id = "t-busy"
  timeouts { read = "5s" }`),
			// 5 s leaves room for several attempts on a loaded machine; the count must be one of them.
			ExpectError: regexp.MustCompile(`(?s)Error\s+Reading\s+BDRC\s+Task.*kept\s+failing\s+after\s+([2-9]|\d\d+)\s+attempts.*ServiceUnavailable`),
		}},
	})
	if n := srv.Calls(emulator.APIBDRCTask); n < 2 {
		t.Errorf("emulator saw %d calls, want the retries the message speaks of", n)
	}
}

// TestAccTencentCredentialHint: a rejected Tencent signature names Tencent's credentials.
func TestAccTencentCredentialHint(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	config := strings.Replace(tencentTaskConfig(srv.URL(), `  job_id = "job-1"
  task_name = "A"`), fmt.Sprintf("%q", emulator.TencentSecretKey), `"wrong-secret-key"`, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Error\s+Reading\s+Tencent\s+Batch\s+Task.*check\s+the\s+SecretId\s+and\s+SecretKey.*AuthFailure`),
		}},
	})
}

// TestAccAlidnsLatestTaskFailedWithoutReason: the latest task (no task_id) is named by its id,
// and an empty Reason is not printed as "".
func TestAccAlidnsLatestTaskFailedWithoutReason(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 8080, Latest: true, Phases: []emulator.Phase{phase(0, alidnsBody(8080, 2, 3, 2, ""))}}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: alidnsConfig(srv.URL(), `  fail_on_failure = true`),
			ExpectError: regexp.MustCompile(`(?s)Alidns\s+Batch\s+Result\s+Failed.*The\s+latest\s+Alidns\s+batch\s+task\s+\(task\s+id\s+8080\)` +
				`.*2\s+entries\s+failed\s+\(the\s+API\s+gave\s+no\s+reason\)`),
		}},
	})
}

// TestAccPolarDBTasksPageSizeMessage: the allowed page sizes print as numbers.
func TestAccPolarDBTasksPageSizeMessage(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      polarDBTasksConfig(srv.URL(), `  db_cluster_id = "pc-1"`+"\n  page_size = 40"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Attribute\s+Value\s+Match.*page_size\s+value\s+must\s+be\s+one\s+of:\s+30,\s+50,\s+100,\s+got:\s+40`),
		}},
	})
	if n := srv.TotalCalls(); n != 0 {
		t.Errorf("emulator saw %d calls, want none for a rejected page_size", n)
	}
}

func TestInt64OneOfMessage(t *testing.T) {
	t.Parallel()
	v := int64OneOf(polarDBTaskPageSizes)
	resp := &validator.Int64Response{}
	v.ValidateInt64(context.Background(), validator.Int64Request{Path: path.Root("page_size"), ConfigValue: types.Int64Value(40)}, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("40 was accepted")
	}
	if got := resp.Diagnostics[0].Detail(); !strings.Contains(got, "30, 50, 100") {
		t.Errorf("detail %q does not list the sizes as numbers", got)
	}
	if got := v.Description(context.Background()); got != "value must be one of: 30, 50, 100" {
		t.Errorf("description = %q", got)
	}
	resp = &validator.Int64Response{}
	v.ValidateInt64(context.Background(), validator.Int64Request{Path: path.Root("page_size"), ConfigValue: types.Int64Value(50)}, resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("50 was refused: %v", resp.Diagnostics)
	}
}

// diagText is the summary and detail of the only diagnostic.
func diagText(t *testing.T, diags diag.Diagnostics) (string, string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	return diags[0].Summary(), diags[0].Detail()
}

// TestReadErrorWording checks the hints against errors as the retrier and the adapters build
// them: attempts only when there were several, interruption during retries, and each cloud's
// credential names and each API's kind of id.
func TestReadErrorWording(t *testing.T) {
	t.Parallel()
	throttled := &alibaba.APIError{API: "BDRC DescribeTask", HTTPStatus: 400, Code: "Throttling.User", Message: "slow down", RequestID: "R-1"}
	unavailable := &alibaba.APIError{API: "BDRC DescribeTask", HTTPStatus: 503, Code: "ServiceUnavailable", Message: "busy", RequestID: "R-2"}
	// A Retrier that made three attempts and one the context cancelled during its first sleep.
	calls := 0
	afterThree := wait.Retrier{Backoff: wait.Backoff{Initial: time.Millisecond, Jitter: -1, MaxAttempts: 3}, Retryable: alibaba.IsRetryable}.
		Do(context.Background(), func(context.Context) error { calls++; return throttled })
	ctx, cancel := context.WithCancel(context.Background())
	interrupted := wait.Retrier{Retryable: alibaba.IsRetryable, OnRetry: func(int, error, time.Duration) { cancel() }}.
		Do(ctx, func(context.Context) error { return throttled })
	cancel()

	bdrc := readPlan{noun: "BDRC Task", target: `BDRC task "t-1"`}
	tests := []struct {
		name        string
		plan        readPlan
		wait        bool
		err         error
		wantSummary string
		want        []string
		notWant     []string
	}{
		{
			name: "retried three times", plan: bdrc, err: afterThree,
			wantSummary: "Error Reading BDRC Task", want: []string{"kept failing after 3 attempts", "Throttling.User", "R-1"},
		},
		{
			name: "a single attempt", plan: bdrc, err: unavailable,
			wantSummary: "Error Reading BDRC Task", want: []string{"temporary error", "ServiceUnavailable"},
			notWant: []string{"kept failing", "after retries"},
		},
		{
			name: "Ctrl-C during retries of a read", plan: bdrc, err: interrupted,
			wantSummary: "Read of BDRC Task Interrupted", want: []string{"interrupted", "did not time out", "after 1 attempt", "Throttling.User"},
			notWant: []string{"raise timeouts.read", "Raise timeouts.read"},
		},
		{
			name: "Ctrl-C during retries of the read after a wait", plan: bdrc, wait: true, err: interrupted,
			wantSummary: "Wait for BDRC Task Interrupted", want: []string{"interrupted", "did not time out"},
			notWant: []string{"raise timeouts.read", "Raise timeouts.read"},
		},
		{
			name: "Alibaba credentials", plan: bdrc,
			err:         &alibaba.APIError{API: "BDRC DescribeTask", HTTPStatus: 400, Code: "SignatureDoesNotMatch", Message: "bad"},
			wantSummary: "Error Reading BDRC Task", want: []string{"AccessKey ID and AccessKey secret"}, notWant: []string{"SecretId"},
		},
		{
			name: "Tencent credentials", plan: readPlan{noun: "Tencent Batch Task", target: "x"},
			err:         &tencent.APIError{API: tencent.APIDescribeTask, Code: "AuthFailure.SignatureFailure", Message: "bad"},
			wantSummary: "Error Reading Tencent Batch Task", want: []string{"SecretId and SecretKey"}, notWant: []string{"AccessKey", "access key"},
		},
		{
			name: "unreachable after retries", plan: bdrc,
			err: &wait.RetryError{Attempts: 4, Err: &alibaba.RequestError{API: "BDRC DescribeTask", Host: "bdrc.cn-x.aliyuncs.com:443",
				Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "bdrc.cn-x.aliyuncs.com", IsNotFound: true}}}},
			wantSummary: "Unable to Reach BDRC Endpoint",
			want:        []string{"bdrc.cn-x.aliyuncs.com:443", "4 attempts", "no such host", "alibaba.region", "alibaba.endpoints", "network"},
		},
		{
			// timeouts.read ended a poll whose request was still retrying throttling: the detail
			// gives the service's answer, not only "timed out".
			name: "timed out while a poll retried", plan: bdrc, wait: true,
			err: &wait.TimeoutError{Seen: true, Last: wait.State{Status: "RUNNING"}, Polls: 3, Elapsed: 2 * time.Minute,
				CutErr: &wait.RetryError{Err: throttled, Attempts: 4, Cause: context.DeadlineExceeded}},
			wantSummary: "Timed Out Waiting for BDRC Task",
			want:        []string{"still retrying (4 attempts)", "Throttling.User", "R-1", "Raise timeouts.read"},
		},
	}
	for name, kind := range idKinds {
		tests = append(tests, struct {
			name        string
			plan        readPlan
			wait        bool
			err         error
			wantSummary string
			want        []string
			notWant     []string
		}{
			name: "not found: " + name, plan: readPlan{noun: name, target: "x"},
			err:         &alibaba.APIError{API: "x", HTTPStatus: 404, Code: "NotFound.Task", Message: "gone", RequestID: "R-9"},
			wantSummary: "Error Reading " + name, want: []string{"check the " + kind + " and the region", "R-9"},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			if tt.wait {
				addWaitError(&diags, tt.plan, tt.err, time.Minute)
			} else {
				addReadError(&diags, tt.plan, tt.err)
			}
			summary, detail := diagText(t, diags)
			if summary != tt.wantSummary {
				t.Errorf("summary = %q, want %q", summary, tt.wantSummary)
			}
			for _, w := range tt.want {
				if !strings.Contains(detail, w) {
					t.Errorf("detail %q lacks %q", detail, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("detail %q contains %q", detail, w)
				}
			}
		})
	}
	if calls != 3 {
		t.Errorf("the retrier made %d calls, want 3", calls)
	}
	if !errors.Is(interrupted, context.Canceled) {
		t.Errorf("interrupted = %v, want context.Canceled in it", interrupted)
	}
}

// TestIDKinds pins the kind of id each data source's not-found hint names.
func TestIDKinds(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"PolarDB Batch Task":  "batch id",
		"PolarDB Tasks":       "cluster or node id",
		"BDRC Task":           "task id",
		"Tencent Batch Task":  "job id and task name",
		"Alidns Batch Result": "task id",
	}
	for noun, kind := range want {
		if got := idKind(readPlan{noun: noun}); got != kind {
			t.Errorf("idKind(%q) = %q, want %q", noun, got, kind)
		}
	}
}
