package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait/waittest"
)

// TestDefaultNotFoundGrace runs a wait of the provider as production builds it (New, whose
// tuning is zero) on a fake clock, against a task that is never found: the wait must retry the
// not-found answers for the engine's 30 s, not give up sooner or keep going.
func TestDefaultNotFoundGrace(t *testing.T) {
	t.Parallel()
	p, ok := New("test")().(*cloudtaskProvider)
	if !ok {
		t.Fatal("New does not build a *cloudtaskProvider")
	}
	tun := p.tuning
	start := time.Date(2026, 5, 28, 8, 0, 0, 0, time.UTC)
	clock := waittest.NewFakeClock(start)
	tun.clock = clock // only the clock changes: the grace is production's
	data := newProviderData("test", tun, alibaba.Config{}, tencent.Config{})

	errNotFound := errors.New("NotFound.Task")
	var polls []time.Duration
	never := func(context.Context) (outcome, error) {
		polls = append(polls, clock.Now().Sub(start))
		return outcome{}, errNotFound
	}
	plan := readPlan{noun: "Test Task", target: "task t-1", poll: never, full: never, pollIsFull: true,
		isNotFound: func(err error) bool { return errors.Is(err, errNotFound) }}
	common := &commonModel{PollInterval: types.StringValue("1s")}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := waitUntilTerminal(ctx, data, common, plan, time.Hour, newStatusWarner(plan))
		done <- err
	}()
	var err error
	for err == nil {
		select {
		case err = <-done:
			if err == nil {
				t.Fatal("the wait ended without an error for a task never found")
			}
		default:
			waitCtx, stop := context.WithTimeout(ctx, 10*time.Millisecond)
			if clock.BlockUntilContext(waitCtx, 1) == nil {
				clock.AdvanceToNext()
			}
			stop()
		}
	}

	var nf *wait.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, errNotFound) {
		t.Fatalf("err = %v, want a *wait.NotFoundError wrapping the not-found answer", err)
	}
	if nf.Elapsed < wait.DefaultNotFoundGrace || nf.Elapsed > wait.DefaultNotFoundGrace+time.Second {
		t.Errorf("gave up after %v of fake time, want the first poll at or after the default grace %v", nf.Elapsed, wait.DefaultNotFoundGrace)
	}
	if n := len(polls); n < 2 || polls[n-2] >= wait.DefaultNotFoundGrace {
		t.Errorf("polls at %v: want not-found answers retried until the grace ends", polls)
	}
}

// notFoundCase is a data source whose wait must treat a not-found answer as "not there yet"
// for the grace period (testTuning: 2 s) and then fail with "<noun> Not Found".
type notFoundCase struct {
	name, api, code, noun string
	scenario              *emulator.Scenario
	config                func(url string) string
}

func notFoundCases() []notFoundCase {
	return []notFoundCase{
		{
			name: "bdrc", api: emulator.APIBDRCTask, code: "NotFound.Task", noun: "BDRC Task",
			scenario: &emulator.Scenario{BDRCTasks: []emulator.BDRCTask{{TaskID: "t-late", Phases: []emulator.Phase{
				phase(0, bdrcTaskBody("t-late", "COMPLETE", 10000, "")),
			}}}},
			config: func(url string) string {
				return bdrcConfig(url, "  task_id = \"t-late\"\n  wait_for_completion = true\n  poll_interval = \"1s\"\n  timeouts { read = \"1m\" }")
			},
		},
		{
			name: "alidns", api: emulator.APIAlidnsBatchResult, code: "TaskNotExist", noun: "Alidns Batch Result",
			scenario: &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{{TaskID: 31, Phases: []emulator.Phase{
				phase(0, alidnsBody(31, 1, 2, 0, "")),
			}}}},
			config: func(url string) string {
				return alidnsConfig(url, "  task_id = 31\n  wait_for_completion = true\n  poll_interval = \"1s\"\n  timeouts { read = \"1m\" }")
			},
		},
		{
			name: "polardb_tasks", api: emulator.APIPolarDBTasks, code: "InvalidDBClusterId.NotFound", noun: "PolarDB Tasks",
			scenario: &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-late", Phases: []emulator.PolarDBTaskPhase{
				polarDBTaskPhase(0, "Finished", polarDBTaskBody("t-late", 100, 0, "null", "null")),
			}}}},
			config: func(url string) string {
				return polarDBTasksConfig(url, "  db_cluster_id = \"pc-late\"\n  wait_for_completion = true\n  poll_interval = \"1s\"\n  timeouts { read = \"1m\" }")
			},
		},
	}
}

// TestAccNotFoundGrace: a task that the API reports missing for its first two polls (as a
// freshly created one can be) is waited for; one that stays missing past the grace fails with
// the data source's "Not Found" summary after more than one poll. The not-found answers are
// injected as faults with the documented codes, so the test does not depend on how the
// emulator answers unknown ids.
func TestAccNotFoundGrace(t *testing.T) {
	t.Parallel()
	for _, tc := range notFoundCases() {
		t.Run(tc.name+" appears", func(t *testing.T) {
			t.Parallel()
			sc := *tc.scenario
			sc.Faults = []emulator.Fault{{API: tc.api, Kind: emulator.FaultError, Code: tc.code, HTTPStatus: 404, Times: 2}}
			srv := emulator.NewTestServer(t, &sc)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config: tc.config(srv.URL()),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.cloudtask_"+tc.name+tfAddrSuffix(tc.name), tfjsonpath.New("succeeded"), knownvalue.Bool(true)),
					},
				}},
			})
			if n := srv.Answered(tc.api, tc.code); n != 2 {
				t.Errorf("%s answered %d times, want both injected not-found answers served", tc.code, n)
			}
		})
		t.Run(tc.name+" never appears", func(t *testing.T) {
			t.Parallel()
			sc := *tc.scenario
			sc.Faults = []emulator.Fault{{API: tc.api, Kind: emulator.FaultError, Code: tc.code, HTTPStatus: 404}}
			srv := emulator.NewTestServer(t, &sc)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      tc.config(srv.URL()),
					ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(fmt.Sprintf(summaryNotFound, tc.noun)) + `.*` + regexp.QuoteMeta(tc.code)),
				}},
			})
			if n := srv.Answered(tc.api, tc.code); n < 2 {
				t.Errorf("%s answered %d times, want the not-found answer retried during the grace", tc.code, n)
			}
		})
	}
}

// tfAddrSuffix is the rest of the address of the data source "t" of type cloudtask_<name>.
func tfAddrSuffix(name string) string {
	if name == "bdrc" {
		return "_task.t"
	}
	if name == "alidns" {
		return "_batch_result.t"
	}
	return ".t"
}
