// Command soak runs many reads of all five data sources through the built provider binary and
// the terraform CLI against the emulator, with seeded random faults, and counts the reads that
// end with a state other than the one scripted (wrong answers, which must be 0). It samples the
// provider process from /proc (open files, threads, peak memory) and reads its goroutine count
// from the provider's DEBUG log line at the end of each read. Run it with `make soak`.
//
// Each round writes two configurations: one whose reads must all succeed (mostly waits, some
// single reads, faults mixed in) and one whose reads must each fail with a diagnostic that names
// what failed (fail_on_failure on a failed task, a wrong secret, an unknown id).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type settings struct {
	rounds, reads, parallelism int
	seed                       uint64
	work, terraform, rc, bin   string
	runLimit                   time.Duration
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("soak", flag.ContinueOnError)
	flags.SetOutput(stderr)
	s := settings{}
	flags.IntVar(&s.rounds, "rounds", 8, "terraform applies of the succeeding configuration (each followed by one of the failing one)")
	flags.IntVar(&s.reads, "reads", 25, "reads per succeeding apply, spread over the five data sources")
	flags.IntVar(&s.parallelism, "parallelism", 25, "terraform -parallelism")
	flags.Uint64Var(&s.seed, "seed", 1, "seed of the random scripts and faults")
	flags.StringVar(&s.work, "work", ".soak", "working directory (recreated)")
	flags.DurationVar(&s.runLimit, "apply-timeout", 4*time.Minute, "bound on one terraform apply")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if s.rounds < 1 || s.reads < 5 {
		return errors.New("-rounds must be at least 1 and -reads at least 5")
	}
	s.terraform = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if s.terraform == "" {
		s.terraform = "terraform"
	}
	var err error
	if s.work, err = filepath.Abs(s.work); err != nil {
		return err
	}
	if err := os.RemoveAll(s.work); err != nil {
		return err
	}
	binDir := filepath.Join(s.work, "bin")
	s.bin = filepath.Join(binDir, "terraform-provider-cloudtask")
	_, _ = fmt.Fprintln(stderr, "==> building the provider")
	build := exec.Command("go", "build", "-trimpath", "-o", s.bin, ".")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	s.rc = filepath.Join(s.work, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cloudtask/cloudtask\" = %q\n  }\n  direct {}\n}\n", binDir)
	if err := os.WriteFile(s.rc, []byte(rcText), 0o600); err != nil {
		return err
	}

	srv := emulator.New(emulator.Options{})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()

	rnd := rand.New(rand.NewPCG(s.seed, s.seed^0x50a4))
	var tot totals
	start := time.Now()
	for round := range s.rounds {
		sc, good, bad, faults := s.script(rnd, round)
		srv.SetScenario(sc)
		for _, f := range faults {
			srv.AddFault(f)
		}
		before := injectedCounts(srv)
		goodRes, err := s.apply(srv.URL(), fmt.Sprintf("round%02d-ok", round), good)
		if err != nil {
			return err
		}
		badRes, err := s.apply(srv.URL(), fmt.Sprintf("round%02d-fail", round), bad)
		if err != nil {
			return err
		}
		tot.add(check(good, goodRes, stderr), check(bad, badRes, stderr))
		tot.faults += injectedCounts(srv) - before
		tot.stats = append(tot.stats, goodRes.stats, badRes.stats)
		_, _ = fmt.Fprintf(stderr, "==> round %d: %d reads, %d wrong so far, %d faults served so far\n",
			round+1, len(good)+len(bad), tot.wrong, tot.faults)
	}
	tot.elapsed = time.Since(start)
	tot.report(stdout, s)
	if tot.wrong > 0 || tot.unverified > 0 {
		return fmt.Errorf("%d wrong answers, %d reads not verified", tot.wrong, tot.unverified)
	}
	return nil
}

// injectedCounts is the number of faults the emulator has fired so far, every API and kind.
func injectedCounts(srv *emulator.Server) int {
	n := 0
	for _, api := range apis {
		for _, kind := range faultKinds {
			n += srv.Injected(api, kind)
		}
	}
	return n
}

var apis = []string{emulator.APIPolarDBBatchTask, emulator.APIPolarDBTasks, emulator.APIBDRCTask, emulator.APITencentTask, emulator.APIAlidnsBatchResult}

var faultKinds = []string{emulator.FaultThrottling, emulator.FaultServerError, emulator.FaultSlow, emulator.FaultMalformed,
	emulator.FaultTruncated, emulator.FaultDrop, emulator.FaultVanish}

// read is one scripted data source read and what it must end with.
type read struct {
	name, kind string // data source address parts: data.<kind>.<name>
	args       string // HCL arguments
	provider   string // "" or an alias
	wait       bool
	// For a succeeding read: the scripted final state.
	terminal, succeeded bool
	status              string
	// For a failing read: the diagnostic's summary and what its detail must name.
	summaries  []string
	mustDetail []string
}

func (r read) address() string { return "data." + r.kind + "." + r.name }

// Data source kinds, their nouns in diagnostics, and their status attribute expression.
var (
	kinds = []string{"cloudtask_polardb_batch_task", "cloudtask_polardb_tasks", "cloudtask_bdrc_task",
		"cloudtask_tencent_batch_task", "cloudtask_alidns_batch_result"}
	nouns = map[string]string{
		"cloudtask_polardb_batch_task": "PolarDB Batch Task", "cloudtask_polardb_tasks": "PolarDB Tasks",
		"cloudtask_bdrc_task": "BDRC Task", "cloudtask_tencent_batch_task": "Tencent Batch Task",
		"cloudtask_alidns_batch_result": "Alidns Batch Result",
	}
	kindAPI = map[string]string{
		"cloudtask_polardb_batch_task": emulator.APIPolarDBBatchTask, "cloudtask_polardb_tasks": emulator.APIPolarDBTasks,
		"cloudtask_bdrc_task": emulator.APIBDRCTask, "cloudtask_tencent_batch_task": emulator.APITencentTask,
		"cloudtask_alidns_batch_result": emulator.APIAlidnsBatchResult,
	}
	// Statuses the documentation does not list, met on the way by some waits.
	undocumented = map[string]string{
		"cloudtask_polardb_batch_task": "PAUSED_BY_OPERATOR", "cloudtask_bdrc_task": "SUSPENDED",
		"cloudtask_tencent_batch_task": "QUEUED_FOR_QUOTA", "cloudtask_alidns_batch_result": "3",
	}
)

// script builds one round: the scenario, the reads that must succeed, the reads that must fail,
// and the faults.
func (s settings) script(rnd *rand.Rand, round int) (*emulator.Scenario, []read, []read, []emulator.Fault) {
	sc := &emulator.Scenario{}
	// Single reads (no waiting) go to one API per round; a vanished task fails a single read at
	// once (not found), so vanish faults go only to the other APIs, where every read waits.
	singleKind := kinds[round%len(kinds)]
	var good []read
	for i := range s.reads {
		kind := kinds[i%len(kinds)]
		wait := kind != singleKind || rnd.IntN(2) == 0
		good = append(good, addTask(sc, rnd, kind, fmt.Sprintf("r%d_%d", round, i), wait, rnd.IntN(4) != 0))
	}
	bad := []read{
		failedTask(sc, rnd, kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_failed", round)),
		wrongSecret(sc, rnd, kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_secret", round)),
		unknownID(kinds[rnd.IntN(len(kinds))], fmt.Sprintf("r%d_unknown", round)),
	}
	var faults []emulator.Fault
	for range 4 + rnd.IntN(6) {
		kind := faultKinds[rnd.IntN(len(faultKinds))]
		api := apis[rnd.IntN(len(apis))]
		if kind == emulator.FaultVanish && api == kindAPI[singleKind] {
			kind = emulator.FaultDrop
		}
		f := emulator.Fault{API: api, Kind: kind, Skip: rnd.IntN(15), Times: 1 + rnd.IntN(2)}
		switch kind {
		case emulator.FaultSlow:
			f.Delay = fmt.Sprintf("%dms", 200+rnd.IntN(1800))
		case emulator.FaultServerError:
			if rnd.IntN(2) == 0 {
				f.HTTPStatus = 500
			}
		}
		faults = append(faults, f)
	}
	return sc, good, bad, faults
}

func raw(format string, args ...any) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(format, args...))
}

// taskBodies are a kind's answers for a running task, an undocumented status, and its end.
func taskBodies(kind, id string, undoc string, succeed bool) (running, odd, done json.RawMessage, final string) {
	switch kind {
	case "cloudtask_polardb_batch_task":
		body := func(status string, ok int, sub string) json.RawMessage {
			return raw(`{"BatchId":%q,"TaskName":"soak","TaskType":"install","Status":%q,"TotalCount":2,"SuccessCount":%d,"TaskBegin":"2026/05/28T16:38:20Z","TaskEnd":null,"SubTasks":[%s]}`,
				id, status, ok, sub)
		}
		if succeed {
			return body("RUNNING", 0, ""), body(undoc, 0, ""), body("COMPLETED", 2, ""), "COMPLETED"
		}
		return body("RUNNING", 0, ""), body(undoc, 0, ""),
			body("FAILED", 1, `{"TaskId":"s1","InstanceId":"i-1","Status":"FAILED","ErrorMsg":"disk full"}`), "FAILED"
	case "cloudtask_bdrc_task":
		body := func(status string, progress int) json.RawMessage {
			return raw(`{"TaskId":%q,"TaskName":"soak","TaskType":"CHECK_RULES","TaskStatus":%q,"Progress":%d,"StartTime":1724983927}`, id, status, progress)
		}
		final := "COMPLETE"
		if !succeed {
			final = "FAILED"
		}
		return body("RUNNING", 100), body(undoc, 200), body(final, 10000), final
	case "cloudtask_tencent_batch_task":
		body := func(state string) json.RawMessage {
			return raw(`{"JobId":%q,"TaskName":"A","TaskState":%q,"CreateTime":"2026-05-28T08:00:00Z","EndTime":null}`, id, state)
		}
		final := "SUCCEED"
		if !succeed {
			final = "FAILED"
		}
		return body("RUNNING"), body(undoc), body(final), final
	default: // alidns
		body := func(status string, ok, failed int) json.RawMessage {
			return raw(`{"Status":%s,"TotalCount":4,"TaskId":%s,"FailedCount":%d,"SuccessCount":%d,"BatchType":"RR_ADD","Reason":""}`, status, id, failed, ok)
		}
		if succeed {
			return body("0", 0, 0), body(undoc, 0, 0), body("1", 4, 0), "1"
		}
		return body("0", 0, 0), body(undoc, 0, 0), body("2", 2, 2), "2"
	}
}

// addTask scripts one task of kind in sc and returns the read of it.
func addTask(sc *emulator.Scenario, rnd *rand.Rand, kind, name string, wait, succeed bool) read {
	r := read{name: name, kind: kind, wait: wait, terminal: true, succeeded: succeed}
	runningCalls := 1 + rnd.IntN(3)
	undoc := undocumented[kind]
	if rnd.IntN(6) != 0 {
		undoc = ""
	}
	single := !wait
	if single {
		// A single read meets one state, which stays: running (not terminal) or the end.
		r.terminal = rnd.IntN(2) == 0
		r.succeeded = r.terminal && succeed
	}
	id := strings.ReplaceAll(name, "_", "-")
	switch kind {
	case "cloudtask_polardb_tasks":
		task := func(progress int) json.RawMessage {
			return raw(`{"TaskId":%q,"TaskAction":"CreateDBCluster","BeginTime":"2020-12-01T10:00:00Z","Progress":%d,"Remain":0,"StepsInfo":"[]","TaskErrorCode":"","TaskErrorMessage":""}`,
				id, progress)
		}
		final := "Finished"
		if !succeed {
			final = "Stop"
		}
		var phases []emulator.PolarDBTaskPhase
		switch {
		case single && !r.terminal:
			phases = []emulator.PolarDBTaskPhase{{Status: "Running", Task: task(40)}}
			final = "Running"
		case single:
			phases = []emulator.PolarDBTaskPhase{{Status: final, Task: task(100)}}
		default:
			phases = []emulator.PolarDBTaskPhase{{Calls: runningCalls, Status: "Running", Task: task(40)}, {Status: final, Task: task(100)}}
		}
		sc.PolarDBTasks = append(sc.PolarDBTasks, emulator.PolarDBTask{DBClusterID: "pc-" + id, Phases: phases})
		r.status = final
		r.args = fmt.Sprintf("db_cluster_id = %q\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T03:00Z\"", "pc-"+id)
		if single {
			r.args += fmt.Sprintf("\n  status = %q", final)
		}
	default:
		taskID := id
		switch kind {
		case "cloudtask_alidns_batch_result":
			taskID = strconv.Itoa(100000 + len(sc.AlidnsTasks))
		case "cloudtask_tencent_batch_task":
			// Job ids are job- and lower-case letters and digits.
			taskID = "job-" + strings.NewReplacer("-", "", "_", "").Replace(id)
		}
		running, odd, done, final := taskBodies(kind, taskID, undoc, succeed)
		type step struct {
			calls int
			body  json.RawMessage
		}
		var steps []step
		switch {
		case single && !r.terminal:
			steps = []step{{0, running}}
			final = map[string]string{"cloudtask_polardb_batch_task": "RUNNING", "cloudtask_bdrc_task": "RUNNING",
				"cloudtask_tencent_batch_task": "RUNNING", "cloudtask_alidns_batch_result": "0"}[kind]
		case single:
			steps = []step{{0, done}}
		default:
			steps = []step{{runningCalls, running}}
			if undoc != "" {
				steps = append(steps, step{1 + rnd.IntN(2), odd})
			}
			steps = append(steps, step{0, done})
		}
		r.status = final
		switch kind {
		case "cloudtask_polardb_batch_task":
			t := emulator.BatchTask{BatchID: taskID}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.PolarDBBatchTasks = append(sc.PolarDBBatchTasks, t)
			r.args = fmt.Sprintf("batch_id = %q", taskID)
		case "cloudtask_bdrc_task":
			t := emulator.BDRCTask{TaskID: taskID}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.BDRCTasks = append(sc.BDRCTasks, t)
			r.args = fmt.Sprintf("task_id = %q", taskID)
		case "cloudtask_tencent_batch_task":
			t := emulator.TencentTask{JobID: taskID, TaskName: "A"}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.TencentPhase{Calls: st.calls, Response: st.body})
			}
			sc.TencentTasks = append(sc.TencentTasks, t)
			r.args = fmt.Sprintf("job_id = %q\n  task_name = \"A\"", taskID)
		default:
			n, _ := strconv.ParseInt(taskID, 10, 64)
			t := emulator.AlidnsTask{TaskID: n}
			for _, st := range steps {
				t.Phases = append(t.Phases, emulator.Phase{Calls: st.calls, Response: st.body})
			}
			sc.AlidnsTasks = append(sc.AlidnsTasks, t)
			r.args = fmt.Sprintf("task_id = %s", taskID)
		}
	}
	if wait {
		r.args += "\n  wait_for_completion = true\n  poll_interval = \"1s\""
	}
	r.args += "\n  timeouts {\n    read = \"2m\"\n  }"
	return r
}

// failedTask is a wait on a task that fails, with fail_on_failure: the read must fail with
// "<noun> Failed".
func failedTask(sc *emulator.Scenario, rnd *rand.Rand, kind, name string) read {
	r := addTask(sc, rnd, kind, name, true, false)
	r.args += "\n  fail_on_failure = true"
	r.summaries = []string{nouns[kind] + " Failed"}
	return r
}

// wrongSecret reads a task through a provider whose secrets are wrong: one request, refused.
func wrongSecret(sc *emulator.Scenario, rnd *rand.Rand, kind, name string) read {
	r := addTask(sc, rnd, kind, name, true, true)
	r.provider = "cloudtask.wrong"
	r.summaries = []string{"Error Reading " + nouns[kind]}
	r.mustDetail = []string{"Error code: ", "Request ID: "}
	return r
}

// unknownID reads, once, a task nobody scripted: the API's not-found answer.
func unknownID(kind, name string) read {
	r := read{name: name, kind: kind}
	switch kind {
	case "cloudtask_polardb_batch_task":
		r.args = `batch_id = "pcb-nobody"`
	case "cloudtask_polardb_tasks":
		r.args = "db_cluster_id = \"pc-nobody\"\n  start_time = \"2020-11-30T00:00Z\"\n  end_time = \"2020-12-02T03:00Z\""
	case "cloudtask_bdrc_task":
		r.args = `task_id = "t-nobody"`
	case "cloudtask_tencent_batch_task":
		r.args = "job_id = \"job-nobody\"\n  task_name = \"A\""
	default:
		r.args = "task_id = 999999"
	}
	r.summaries = []string{"Error Reading " + nouns[kind], nouns[kind] + " Not Found"}
	r.mustDetail = []string{"Error code: ", "Request ID: "}
	return r
}

// config is the HCL of a set of reads, with an output per read of what the check compares.
func config(url string, reads []read) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    cloudtask = { source = "cloudtask/cloudtask" }
  }
}
`)
	for _, alias := range []string{"", "wrong"} {
		aliSecret, tcSecret := emulator.AlibabaAccessKeySecret, emulator.TencentSecretKey
		aliasLine := ""
		if alias != "" {
			aliSecret, tcSecret, aliasLine = "not-the-secret", "not-the-secret", fmt.Sprintf("alias = %q\n  ", alias)
		}
		fmt.Fprintf(&b, `
provider "cloudtask" {
  %salibaba {
    access_key = %q
    secret_key = %q
    endpoints {
      polardb = %q
      bdrc    = %[4]q
      alidns  = %[4]q
    }
  }
  tencent {
    secret_id  = %q
    secret_key = %q
    endpoints { batch = %[4]q }
  }
}
`, aliasLine, emulator.AlibabaAccessKeyID, aliSecret, url, emulator.TencentSecretID, tcSecret)
	}
	for _, r := range reads {
		providerLine := ""
		if r.provider != "" {
			providerLine = "provider = " + r.provider + "\n  "
		}
		fmt.Fprintf(&b, "\ndata %q %q {\n  %s%s\n}\n", r.kind, r.name, providerLine, r.args)
		status := r.address() + ".status"
		switch r.kind {
		case "cloudtask_polardb_tasks":
			status = "length(" + r.address() + ".tasks) > 0 ? " + r.address() + ".tasks[0].status : \"none\""
		case "cloudtask_bdrc_task":
			status = r.address() + ".task_status"
		case "cloudtask_tencent_batch_task":
			status = r.address() + ".task_state"
		}
		fmt.Fprintf(&b, "output %q {\n  value = { terminal = %s.terminal, succeeded = %[2]s.succeeded, status = tostring(%s) }\n}\n",
			r.name, r.address(), status)
	}
	return b.String()
}

// applyResult is what one terraform apply left: outputs, diagnostics by address, process stats.
type applyResult struct {
	outputs map[string]struct {
		Value struct {
			Terminal  bool   `json:"terminal"`
			Succeeded bool   `json:"succeeded"`
			Status    string `json:"status"`
		} `json:"value"`
	}
	diags map[string][]diagnostic
	stats procStats
}

type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// apply writes the configuration of reads into dir and runs terraform apply there.
func (s settings) apply(url, dir string, reads []read) (applyResult, error) {
	dir = filepath.Join(s.work, dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return applyResult{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config(url, reads)), 0o600); err != nil {
		return applyResult{}, err
	}
	logPath := filepath.Join(dir, "provider.log")
	ctx, cancel := context.WithTimeout(context.Background(), s.runLimit)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, s.terraform, "-chdir="+dir, "apply", "-auto-approve", "-input=false", "-json",
		"-parallelism="+strconv.Itoa(s.parallelism))
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+s.rc, "TF_IN_AUTOMATION=1",
		"TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)
	cmd.Stdout, cmd.Stderr = &out, &out
	sampler := startSampler(s.bin)
	runErr := cmd.Run()
	res := applyResult{diags: map[string][]diagnostic{}, stats: sampler.stop()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("terraform apply in %s did not finish within %s", dir, s.runLimit)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var line struct {
			Type       string     `json:"type"`
			Diagnostic diagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Type == "diagnostic" && line.Diagnostic.Severity == "error" {
			res.diags[line.Diagnostic.Address] = append(res.diags[line.Diagnostic.Address], line.Diagnostic)
		}
	}
	if runErr != nil && len(res.diags) == 0 {
		return res, fmt.Errorf("terraform apply in %s: %v\n%s", dir, runErr, out.String())
	}
	if runErr == nil {
		show := exec.Command(s.terraform, "-chdir="+dir, "output", "-json")
		show.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+s.rc)
		text, err := show.Output()
		if err != nil {
			return res, fmt.Errorf("terraform output in %s: %w", dir, err)
		}
		if err := json.Unmarshal(text, &res.outputs); err != nil {
			return res, fmt.Errorf("terraform output in %s: %w", dir, err)
		}
	}
	res.stats.goroutines = lastGoroutines(logPath)
	return res, nil
}

var goroutinesField = regexp.MustCompile(`goroutines=(\d+)`)

// lastGoroutines is the goroutine count of the provider's last "read finished" log line.
func lastGoroutines(path string) int {
	text, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	all := goroutinesField.FindAllSubmatch(text, -1)
	if len(all) == 0 {
		return -1
	}
	n, _ := strconv.Atoi(string(all[len(all)-1][1]))
	return n
}

// outcome of checking reads.
type outcome struct {
	reads, waits, right, diagnosed, wrong, unverified int
}

// check compares each read with its script and prints every wrong answer.
func check(reads []read, res applyResult, stderr io.Writer) outcome {
	var o outcome
	for _, r := range reads {
		o.reads++
		if r.wait {
			o.waits++
		}
		ds := res.diags[r.address()]
		got, haveOutput := res.outputs[r.name]
		switch {
		case len(r.summaries) > 0: // must fail with its diagnostic
			if len(ds) != 1 || !slices.Contains(r.summaries, ds[0].Summary) || !containsAll(ds[0].Detail, r.mustDetail) {
				o.wrong++
				_, _ = fmt.Fprintf(stderr, "WRONG %s: want one diagnostic %q naming %q, got %+v\n", r.address(), r.summaries, r.mustDetail, ds)
				continue
			}
			o.diagnosed++
		case len(ds) > 0:
			o.wrong++
			_, _ = fmt.Fprintf(stderr, "WRONG %s: want %v/%v/%q, got diagnostics %+v\n", r.address(), r.terminal, r.succeeded, r.status, ds)
		case !haveOutput:
			// Another read's error failed the apply: this one's answer is unknown.
			o.unverified++
			_, _ = fmt.Fprintf(stderr, "UNVERIFIED %s\n", r.address())
		case got.Value.Terminal != r.terminal || got.Value.Succeeded != r.succeeded || got.Value.Status != r.status:
			o.wrong++
			_, _ = fmt.Fprintf(stderr, "WRONG %s: want terminal %v succeeded %v status %q, got %+v\n",
				r.address(), r.terminal, r.succeeded, r.status, got.Value)
		default:
			o.right++
		}
	}
	return o
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
		// "Request ID: " must be followed by an id.
		if i := strings.Index(s, p); p == "Request ID: " && (i+len(p) >= len(s) || s[i+len(p)] == '\n') {
			return false
		}
	}
	return true
}

type totals struct {
	outcome
	faults  int
	stats   []procStats
	elapsed time.Duration
}

func (t *totals) add(os ...outcome) {
	for _, o := range os {
		t.reads += o.reads
		t.waits += o.waits
		t.right += o.right
		t.diagnosed += o.diagnosed
		t.wrong += o.wrong
		t.unverified += o.unverified
	}
}

func (t *totals) report(w io.Writer, s settings) {
	var peakKB, peakFDs, endFDs, peakThreads, endGoroutines, maxEndGoroutines int
	for _, st := range t.stats {
		peakKB = max(peakKB, st.hwmKB)
		peakFDs = max(peakFDs, st.peakFDs)
		endFDs = max(endFDs, st.lastFDs)
		peakThreads = max(peakThreads, st.peakThreads)
		if st.goroutines > 0 {
			endGoroutines = st.goroutines
			maxEndGoroutines = max(maxEndGoroutines, st.goroutines)
		}
	}
	_, _ = fmt.Fprintf(w, "soak: %d rounds x (%d + 3) reads, seed %d, -parallelism %d, %s\n", s.rounds, s.reads, s.seed, s.parallelism, t.elapsed.Round(time.Second))
	_, _ = fmt.Fprintf(w, "| reads | waiting | right final state | expected diagnostic | wrong answers | not verified | faults served |\n|---|---|---|---|---|---|---|\n")
	_, _ = fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %d | %d |\n", t.reads, t.waits, t.right, t.diagnosed, t.wrong, t.unverified, t.faults)
	_, _ = fmt.Fprintf(w, "provider process: peak memory (VmHWM) %.1f MiB; open files at most %d during a read, %d at the last sample; threads at most %d; goroutines at the end of the last read %d (at most %d over all applies)\n",
		float64(peakKB)/1024, peakFDs, endFDs, peakThreads, endGoroutines, maxEndGoroutines)
}

// procStats are the /proc figures of the provider processes of one apply.
type procStats struct {
	hwmKB, peakFDs, lastFDs, peakThreads, goroutines int
}

// sampler polls /proc for processes running the provider binary until stopped.
type sampler struct {
	stopWatch func()
	mu        sync.Mutex
	stats     procStats
}

func startSampler(bin string) *sampler {
	s := &sampler{}
	s.stopWatch = tfbench.WatchProcesses(bin, 100*time.Millisecond, s.sample)
	return s
}

func (s *sampler) stop() procStats {
	s.stopWatch()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *sampler) sample(dir string) {
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.peakFDs = max(s.stats.peakFDs, len(fds))
	s.stats.lastFDs = len(fds)
	s.stats.hwmKB = max(s.stats.hwmKB, int(tfbench.StatusField(status, "VmHWM:")))
	s.stats.peakThreads = max(s.stats.peakThreads, int(tfbench.StatusField(status, "Threads:")))
}
