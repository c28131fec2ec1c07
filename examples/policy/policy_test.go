package policy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"
)

// The test plans testdata/main.tf twice against the emulator, once where tasks failed and once
// where all succeeded, and evaluates policy.rego on `terraform show -json` of each plan, as a CI
// gate would.

// moduleRoot is the provider module, seen from examples/policy where the test runs.
var moduleRoot = filepath.Join("..", "..")

// The emulator's built-in credentials: not secrets, they only open the local emulator.
var emulatorCredentials = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorKey0001",
	"ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-alibaba-secret",
	"TENCENTCLOUD_SECRET_ID=AKIDemulatorKey0001",
	"TENCENTCLOUD_SECRET_KEY=emulator-tencent-secret",
}

func TestAccPolicy(t *testing.T) {
	terraform := requireTerraform(t)
	bin := buildBinaries(t)
	for _, tc := range []struct {
		scenario string
		wantDeny []string
	}{
		{
			scenario: "failed.json",
			wantDeny: []string{
				"data.cloudtask_polardb_batch_task.install: PolarDB batch task pcb-policy01: sub task 629271342 " +
					"on instance pc-policy000000002 FAILED: skill package checksum mismatch",
				"data.cloudtask_polardb_tasks.cluster: PolarDB cluster pc-policy000000001: task 111111121 " +
					"(CreateDBNodes) status Stop, error InternalError: The task was interrupted.",
				"data.cloudtask_tencent_batch_task.render: Tencent Batch job job-policy01 task A: instance 0 " +
					"FAILED_INTERRUPTED (exit code <none>): The compute node was reclaimed.",
				"data.cloudtask_tencent_batch_task.render: Tencent Batch job job-policy01 task A: instance 2 " +
					"FAILED (exit code 1): Exit code 1: the command exited with an error.",
			},
		},
		{scenario: "clean.json"},
	} {
		t.Run(strings.TrimSuffix(tc.scenario, ".json"), func(t *testing.T) {
			t.Parallel()
			url := startEmulator(t, bin, filepath.Join("testdata", tc.scenario))
			plan := planJSON(t, terraform, bin, url)

			// The data sources must be where the policy looks, or an allow would prove nothing.
			read := evalStrings(t, plan, "x := data.cloudtask.read_data_sources[_].address")
			wantRead := []string{
				"data.cloudtask_polardb_batch_task.install",
				"data.cloudtask_polardb_tasks.cluster",
				"data.cloudtask_tencent_batch_task.render",
			}
			if !slices.Equal(read, wantRead) {
				t.Fatalf("the policy found data sources %q in the plan, want %q", read, wantRead)
			}
			if deny := evalStrings(t, plan, "x := data.cloudtask.deny[_]"); !slices.Equal(deny, tc.wantDeny) {
				t.Errorf("deny:\n  %s\nwant:\n  %s", strings.Join(deny, "\n  "), strings.Join(tc.wantDeny, "\n  "))
			}
			if warn := evalStrings(t, plan, "x := data.cloudtask.warn[_]"); len(warn) != 0 {
				t.Errorf("warn = %q, want none: every data source was read at plan time", warn)
			}
		})
	}
}

// TestPolicyShapes covers the plan shapes the emulator run does not make: a data source in a child
// module, and one deferred to apply, which the policy cannot check and warns about.
func TestPolicyShapes(t *testing.T) {
	t.Parallel()
	var plan map[string]any
	err := json.Unmarshal([]byte(`{
  "prior_state": {"values": {"root_module": {"child_modules": [{"address": "module.db", "resources": [{
    "address": "module.db.data.cloudtask_polardb_batch_task.install", "mode": "data",
    "type": "cloudtask_polardb_batch_task",
    "values": {"batch_id": "pcb-1", "sub_tasks": [
      {"task_id": "1", "instance_id": "pc-1", "status": "FAILED ", "error_msg": null}]}}]}]}}},
  "resource_changes": [{"address": "data.cloudtask_tencent_batch_task.later", "mode": "data",
    "type": "cloudtask_tencent_batch_task", "change": {"actions": ["read"]}}]
}`), &plan)
	if err != nil {
		t.Fatal(err)
	}
	wantDeny := []string{"module.db.data.cloudtask_polardb_batch_task.install: PolarDB batch task pcb-1: " +
		"sub task 1 on instance pc-1 FAILED: <none>"}
	if deny := evalStrings(t, plan, "x := data.cloudtask.deny[_]"); !slices.Equal(deny, wantDeny) {
		t.Errorf("deny = %q, want %q", deny, wantDeny)
	}
	wantWarn := []string{"data.cloudtask_tencent_batch_task.later: read during apply, not at plan time, " +
		"so this policy cannot check it"}
	if warn := evalStrings(t, plan, "x := data.cloudtask.warn[_]"); !slices.Equal(warn, wantWarn) {
		t.Errorf("warn = %q, want %q", warn, wantWarn)
	}
}

// requireTerraform skips unless TF_ACC is set and a terraform CLI is available, and returns its path.
func requireTerraform(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run the terraform CLI against the built provider")
	}
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		return path
	}
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform CLI not found on PATH; install it or set TF_ACC_TERRAFORM_PATH")
	}
	return path
}

// buildBinaries builds the provider and the emulator from the provider module into a directory
// that lives as long as the test.
func buildBinaries(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, target := range []struct{ out, pkg string }{
		{"terraform-provider-cloudtask", "."},
		{"cloudtask-emulator", "./internal/emulator/cmd/cloudtask-emulator"},
	} {
		wg.Go(func() {
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, target.out), target.pkg)
			cmd.Dir = moduleRoot
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go build %s: %w\n%s", target.pkg, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startEmulator runs the emulator command on a free port with the scenario and returns its URL;
// the emulator is stopped when the test ends.
func startEmulator(t *testing.T, bin, scenario string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "cloudtask-emulator"), "-addr", "127.0.0.1:0", "-scenario", scenario)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	// The first line is the command's contract: CLOUDTASK_EMULATOR_URL=http://127.0.0.1:PORT.
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("the emulator printed no URL: %v\n%s", lines.Err(), stderr.String())
	}
	url, ok := strings.CutPrefix(lines.Text(), "CLOUDTASK_EMULATOR_URL=")
	if !ok {
		t.Fatalf("the emulator's first line is %q, want CLOUDTASK_EMULATOR_URL=...", lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // the guide that follows
	return url
}

// planJSON plans testdata/main.tf in a fresh working directory, through a CLI configuration whose
// dev_overrides point at the built provider, and returns `terraform show -json` of the saved plan.
func planJSON(t *testing.T, terraform, bin, url string) map[string]any {
	t.Helper()
	root := t.TempDir()
	work, home := filepath.Join(root, "work"), filepath.Join(root, "home")
	for _, d := range []string{work, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	config, err := os.ReadFile(filepath.Join("testdata", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(root, "terraformrc")
	files := map[string]string{
		filepath.Join(work, "main.tf"): string(config),
		rc: fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
			"cloudtask/cloudtask", bin),
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A minimal environment: no credentials or settings of the machine running the test leak in.
	env := append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + os.TempDir(),
		"TF_CLI_CONFIG_FILE=" + rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	}, emulatorCredentials...)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(args ...string) []byte {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, terraform, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("terraform %s: %v\n%s%s", args[0], err, stdout.String(), stderr.String())
		}
		return stdout.Bytes()
	}
	run("plan", "-input=false", "-no-color", "-out=tfplan", "-var", "emulator_url="+url)
	var plan map[string]any
	if err := json.Unmarshal(run("show", "-json", "tfplan"), &plan); err != nil {
		t.Fatalf("decode terraform show -json: %v", err)
	}
	return plan
}

// evalStrings evaluates a query of policy.rego that binds x to strings, on the plan, and returns
// the values of x, sorted.
func evalStrings(t *testing.T, plan map[string]any, query string) []string {
	t.Helper()
	rs, err := rego.New(rego.Query(query), rego.Load([]string{"policy.rego"}, nil), rego.Input(plan)).
		Eval(context.Background())
	if err != nil {
		t.Fatalf("evaluate %s: %v", query, err)
	}
	var out []string
	for _, r := range rs {
		s, ok := r.Bindings["x"].(string)
		if !ok {
			t.Fatalf("%s: x = %v (%T), want a string", query, r.Bindings["x"], r.Bindings["x"])
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
