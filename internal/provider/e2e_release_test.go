package provider

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// releaseScenario serves one finished task of each cloud, read once without waiting.
func releaseScenario() *emulator.Scenario {
	return &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-release", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-release", "COMPLETED", 2, 2, "")),
		}}},
		TencentTasks: []emulator.TencentTask{{JobID: "job-release1", TaskName: "A", Phases: []emulator.TencentPhase{{
			Response: []byte(`{"JobId":"job-release1","TaskName":"A","TaskState":"SUCCEED",` +
				`"CreateTime":"2026-05-28T09:29:09Z","EndTime":"2026-05-28T09:30:31Z"}`),
			GenerateInstances: &emulator.InstanceGenerator{Count: 2, State: "SUCCEED"},
		}}}},
	}
}

// releaseDataSources reads both tasks of releaseScenario and outputs their states.
const releaseDataSources = `
data "cloudtask_polardb_batch_task" "t" {
  batch_id = "pcb-release"
}

data "cloudtask_tencent_batch_task" "t" {
  job_id    = "job-release1"
  task_name = "A"
}

output "polardb_status" { value = data.cloudtask_polardb_batch_task.t.status }
output "tencent_state"  { value = data.cloudtask_tencent_batch_task.t.task_state }
`

// TestAccVersionInUserAgentAndFirstLogLine builds the provider with -X main.version, as the release
// does, and checks that version reaches both clouds in the User-Agent header and opens the
// provider's own log.
func TestAccVersionInUserAgentAndFirstLogLine(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	srv := emulator.NewTestServer(t, releaseScenario())
	ws := newTerraformWorkspace(t, terraform, providerBlock(srv.URL())+releaseDataSources)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	var stdout, stderr bytes.Buffer
	cmd := ws.command(ctx, []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logPath}, &stdout, &stderr,
		"plan", "-no-color", "-input=false")
	if err := cmd.Run(); err != nil {
		t.Fatalf("terraform plan: %v\n%s%s", err, stdout.String(), stderr.String())
	}

	const wantAgent = "terraform-provider-cloudtask/" + e2eProviderVersion
	for _, api := range []string{emulator.APIPolarDBBatchTask, emulator.APITencentTask} {
		requests := srv.Requests(api)
		if len(requests) == 0 {
			t.Errorf("%s: no request reached the emulator", api)
		}
		for i, r := range requests {
			if !strings.Contains(r.UserAgent, wantAgent) {
				t.Errorf("%s request %d: User-Agent %q lacks %q", api, i, r.UserAgent, wantAgent)
			}
		}
	}

	logData, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("read the terraform log: %v", err)
	}
	first, ok := firstProviderLogLine(string(logData))
	if !ok {
		t.Fatalf("the TRACE log has no line of the provider's own:\n%s", logData)
	}
	want := "Configuring terraform-provider-cloudtask " + e2eProviderVersion
	if !strings.Contains(first, want) || !strings.Contains(first, "version="+e2eProviderVersion) {
		t.Errorf("the provider's first log line is %q, want it to say %q with version=%s", first, want, e2eProviderVersion)
	}
}

// providerModule matches the provider's own log lines, whose module is the provider's type name;
// the framework's and the protocol's carry @module=sdk.framework and @module=sdk.proto.
var providerModule = regexp.MustCompile(`@module=cloudtask(\s|$)`)

// firstProviderLogLine returns the first line of a Terraform log that the provider's code wrote.
func firstProviderLogLine(log string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "terraform-provider-cloudtask") && providerModule.MatchString(line) {
			return line, true
		}
	}
	return "", false
}

func TestFirstProviderLogLine(t *testing.T) {
	t.Parallel()
	log := strings.Join([]string{
		`2026-05-28T09:29:09.001Z [TRACE] provider.terraform-provider-cloudtask: Calling provider defined Provider Configure: @module=sdk.framework tf_req_id=1`,
		`2026-05-28T09:29:09.002Z [INFO]  provider.terraform-provider-cloudtask: Configuring terraform-provider-cloudtask 1.2.3: version=1.2.3 @module=cloudtask tf_req_id=1`,
		`2026-05-28T09:29:09.003Z [DEBUG] provider.terraform-provider-cloudtask: Alibaba Cloud API request: api=x @module=cloudtask`,
	}, "\n")
	got, ok := firstProviderLogLine(log)
	if !ok || !strings.Contains(got, "Configuring terraform-provider-cloudtask 1.2.3") {
		t.Errorf("firstProviderLogLine = %q, %v; want the Configure line", got, ok)
	}
	if _, ok := firstProviderLogLine(strings.SplitN(log, "\n", 2)[0]); ok {
		t.Error("a framework line was taken for the provider's")
	}
}

// lockEntry matches the lock file entry terraform init writes for the provider from the registry
// host: the version it selected, the constraint it honoured and at least one h1: hash.
func lockEntry(registryHost string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)provider "` + regexp.QuoteMeta(registryHost) + `/cloudtask/cloudtask" \{\s*` +
		`version\s*=\s*"` + regexp.QuoteMeta(e2eProviderVersion) + `"\s*` +
		`constraints\s*=\s*"~> 0\.1"\s*` +
		`hashes\s*=\s*\[[^\]]*"h1:[A-Za-z0-9+/]{43}="`)
}

// TestAccInstallFromLocalMirror does what README's Install section tells a user: install the
// provider into the implied local mirror of a fresh HOME (with the script make install runs), then
// terraform init with a registry source and a version constraint, no dev_overrides, and plan. Any
// attempt to reach the network goes to a proxy that refuses connections, so a registry lookup
// fails the test instead of passing on a machine that happens to be online.
func TestAccInstallFromLocalMirror(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	binary := filepath.Join(builtProviderDir(t), "terraform-provider-cloudtask")
	srv := emulator.NewTestServer(t, releaseScenario())

	root := t.TempDir()
	home, dir := filepath.Join(root, "home"), filepath.Join(root, "work")
	for _, d := range []string{home, dir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	osArch := runtime.GOOS + "_" + runtime.GOARCH
	// Under OpenTofu (make test-tofu) "cloudtask/cloudtask" means its own registry's host.
	registryHost := os.Getenv("TF_ACC_PROVIDER_HOST")
	if registryHost == "" {
		registryHost = "registry.terraform.io"
	}
	install := exec.Command("scripts/install-provider.sh", binary, e2eProviderVersion,
		filepath.Join(home, ".terraform.d", "plugins"), osArch)
	install.Dir = filepath.Join("..", "..")
	install.Env = append(os.Environ(), "REGISTRY_HOST="+registryHost)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("scripts/install-provider.sh: %v\n%s", err, out)
	}

	writeFile(t, filepath.Join(dir, "main.tf"), `
terraform {
  required_providers {
    cloudtask = {
      source  = "cloudtask/cloudtask"
      version = "~> 0.1"
    }
  }
}
`+providerBlock(srv.URL())+releaseDataSources)

	// No TF_CLI_CONFIG_FILE and an empty HOME: the CLI configuration is Terraform's default, whose
	// implied local mirror is HOME/.terraform.d/plugins. Loopback requests bypass the proxy, so the
	// provider still reaches the emulator.
	ws := &terraformWorkspace{terraform: terraform, dir: dir, env: []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + os.TempDir(),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"HTTPS_PROXY=http://127.0.0.1:9",
		"HTTP_PROXY=http://127.0.0.1:9",
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := ws.command(ctx, nil, &stdout, &stderr, args...).Run(); err != nil {
			t.Fatalf("terraform %s: %v\n%s%s", args[0], err, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}

	initOut := run("init", "-no-color", "-input=false")
	if want := "Installing cloudtask/cloudtask v" + e2eProviderVersion; !strings.Contains(initOut, want) {
		t.Errorf("terraform init output lacks %q:\n%s", want, initOut)
	}
	lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatalf("terraform init wrote no lock file: %v", err)
	}
	if !lockEntry(registryHost).Match(lock) {
		t.Errorf("the lock file lacks cloudtask/cloudtask %s with constraint \"~> 0.1\" and an h1: hash:\n%s", e2eProviderVersion, lock)
	}
	installed := filepath.Join(dir, ".terraform", "providers", registryHost, "cloudtask", "cloudtask",
		e2eProviderVersion, osArch, "terraform-provider-cloudtask_v"+e2eProviderVersion)
	if _, err := os.Stat(installed); err != nil {
		t.Errorf("terraform init did not install the mirror's binary: %v", err)
	}

	planOut := run("plan", "-no-color", "-input=false")
	for _, want := range []string{`polardb_status = "COMPLETED"`, `tencent_state  = "SUCCEED"`} {
		if !strings.Contains(planOut, want) {
			t.Errorf("terraform plan output lacks %s:\n%s", want, planOut)
		}
	}
	for _, api := range []string{emulator.APIPolarDBBatchTask, emulator.APITencentTask} {
		if n := srv.Answered(api, ""); n == 0 {
			t.Errorf("%s: the emulator answered no successful read; plan did not read from it", api)
		}
	}
	if t.Failed() {
		t.Logf("terraform init:\n%s", initOut)
	}
}
