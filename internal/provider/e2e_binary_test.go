package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// These tests run the real terraform CLI against the provider built as a binary, the way users run
// it: through Terraform's plugin protocol, with Terraform's own signal handling and log capture,
// which the in-process acceptance tests cannot show.

// e2eRequiredProviders pins the provider to the source the dev_overrides CLI configuration maps.
const e2eRequiredProviders = `
terraform {
  required_providers {
    cloudtask = { source = "cloudtask/cloudtask" }
  }
}
`

// providerBinary hands out the directory of a provider binary built from the module root. The build
// is shared by the tests that overlap in time and removed when the last of them finishes, so that
// parallel tests never run a binary another test's cleanup has deleted.
var providerBinary struct {
	mu    sync.Mutex
	users int
	dir   string
	err   error
}

// builtProviderDir returns the directory holding terraform-provider-cloudtask, building it if no
// running test holds a build.
func builtProviderDir(t *testing.T) string {
	t.Helper()
	providerBinary.mu.Lock()
	defer providerBinary.mu.Unlock()
	if providerBinary.users == 0 {
		providerBinary.dir, providerBinary.err = buildProvider()
	}
	if providerBinary.err != nil {
		t.Fatalf("build the provider: %v", providerBinary.err)
	}
	providerBinary.users++
	t.Cleanup(func() {
		providerBinary.mu.Lock()
		defer providerBinary.mu.Unlock()
		providerBinary.users--
		if providerBinary.users == 0 {
			if err := os.RemoveAll(providerBinary.dir); err != nil {
				t.Errorf("remove the provider build: %v", err)
			}
			providerBinary.dir = ""
		}
	})
	return providerBinary.dir
}

// e2eProviderVersion is the version the binary is built as, the way a release sets it with
// -X main.version; a semantic version, so that a registry-style constraint ("~> 0.1") selects it.
const e2eProviderVersion = "0.1.0"

func buildProvider() (string, error) {
	dir, err := os.MkdirTemp("", "cloudtask-e2e-provider-")
	if err != nil {
		return "", err
	}
	// The test runs in internal/provider; the module root holds the provider's main package.
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+e2eProviderVersion,
		"-o", filepath.Join(dir, "terraform-provider-cloudtask"), ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return dir, nil
}

// terraformWorkspace is one terraform working directory with its own CLI configuration and
// environment; the environment is passed to each command, never set on the test process.
type terraformWorkspace struct {
	terraform string
	dir       string
	env       []string
}

// requireTerraform skips unless TF_ACC is set and a terraform CLI is available, and returns its path.
func requireTerraform(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run the terraform CLI against the built provider")
	}
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Skipf("TF_ACC_TERRAFORM_PATH does not name a terraform CLI: %v", err)
		}
		return path
	}
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform CLI not found on PATH; install it or set TF_ACC_TERRAFORM_PATH")
	}
	return path
}

// newTerraformWorkspace writes config as main.tf, after the required_providers block that the
// dev_overrides apply to, next to a CLI configuration whose dev_overrides point at the built provider.
func newTerraformWorkspace(t *testing.T, terraform, config string) *terraformWorkspace {
	t.Helper()
	return newTerraformWorkspaceFiles(t, terraform, map[string]string{"main.tf": e2eRequiredProviders + config})
}

// newTerraformWorkspaceFiles is newTerraformWorkspace for a configuration of several files, written
// as given (name to content): they must pin the provider to cloudtask/cloudtask themselves.
func newTerraformWorkspaceFiles(t *testing.T, terraform string, files map[string]string) *terraformWorkspace {
	t.Helper()
	pluginDir := builtProviderDir(t)

	root := t.TempDir()
	dir := filepath.Join(root, "work")
	home := filepath.Join(root, "home")
	for _, d := range []string{dir, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	rc := filepath.Join(root, "terraformrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "cloudtask/cloudtask" = %q
  }
  direct {}
}
`, pluginDir))
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}

	// A minimal environment: no credentials, profiles or logging settings leak in from the
	// machine running the tests, and the HOME without ~/.aliyun or ~/.tccli keeps profiles out.
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + os.TempDir(),
		"TF_CLI_CONFIG_FILE=" + rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	}
	return &terraformWorkspace{terraform: terraform, dir: dir, env: env}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// command prepares terraform args in the workspace with extra environment; ctx bounds its life.
func (w *terraformWorkspace) command(ctx context.Context, extraEnv []string, stdout, stderr *bytes.Buffer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.terraform, append([]string{"-chdir=" + w.dir}, args...)...)
	cmd.Env = append(append([]string{}, w.env...), extraEnv...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func TestAccInterrupt_planStopsWaiting(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	// A data source with a literal id is read during plan, where Terraform forwards a first
	// Ctrl-C to the provider as StopProvider.
	interruptWait(t, terraform, "", "plan", "-no-color", "-input=false")
}

func TestAccInterrupt_deferredReadInApplyStopsWaiting(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	// depends_on on a resource moves the read, and so the wait, into the apply phase, where
	// Terraform forwards a first Ctrl-C to the provider too.
	interruptWait(t, terraform, `  depends_on = [terraform_data.start]`, "apply", "-auto-approve", "-no-color", "-input=false")
}

// interruptWait starts terraform with a data source that waits on a task that never ends, sends
// one SIGINT once the wait is under way, and checks the provider stopped waiting at once and
// said it was interrupted.
func interruptWait(t *testing.T, terraform, dataSourceExtra string, args ...string) {
	t.Helper()
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-stuck", Phases: []emulator.Phase{
			phase(0, batchTaskBody("pcb-stuck", "RUNNING", 3, 10, "")),
		}}},
	})
	// A steady one-second poll keeps the emulator's call count growing for as long as the
	// wait goes on, so a wait that ignored the stop would show.
	ws := newTerraformWorkspace(t, terraform, providerBlock(srv.URL())+`
resource "terraform_data" "start" {}

data "cloudtask_polardb_batch_task" "t" {
  batch_id            = "pcb-stuck"
  wait_for_completion = true
  poll_interval       = "1s"
  timeouts { read = "5m" }
`+dataSourceExtra+`
}
`)

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := ws.command(ctx, nil, &stdout, &stderr, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start terraform: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	output := func() string { return stdout.String() + stderr.String() }

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	started := time.After(30 * time.Second)
	for srv.Calls(emulator.APIPolarDBBatchTask) < 2 {
		select {
		case err := <-exited:
			t.Fatalf("terraform exited (%v) before the wait was under way:\n%s", err, output())
		case <-started:
			cancel()
			t.Logf("terraform ended: %v", <-exited)
			t.Fatalf("the emulator saw %d DescribeBatchTask calls in 30s, want 2 before interrupting:\n%s",
				srv.Calls(emulator.APIPolarDBBatchTask), output())
		case <-tick.C:
		}
	}

	// Only terraform gets the signal, as a terminal's Ctrl-C would reach it first; the provider
	// must learn of it from Terraform's StopProvider call.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("send SIGINT to terraform: %v", err)
	}
	interrupted := time.Now()
	callsAtSignal := srv.Calls(emulator.APIPolarDBBatchTask)
	calls, lastCall := callsAtSignal, interrupted

	// A provider that ignored the stop would poll on, once a second, until its five-minute
	// timeout: the second poll after the signal is the failure, not a time limit.
	var exitErr error
wait:
	for {
		select {
		case exitErr = <-exited:
			break wait
		case <-tick.C:
			if n := srv.Calls(emulator.APIPolarDBBatchTask); n != calls {
				calls, lastCall = n, time.Now()
			}
			if calls-callsAtSignal > 1 {
				cancel()
				t.Logf("terraform ended: %v", <-exited)
				t.Fatalf("the provider kept polling after SIGINT (%d polls since):\n%s", calls-callsAtSignal, output())
			}
		}
	}
	exitedAfter := time.Since(interrupted)
	calls = srv.Calls(emulator.APIPolarDBBatchTask)
	t.Logf("SIGINT after %d polls; terraform exited %s later; %d polls after SIGINT (the emulator's count last grew %s after it)",
		callsAtSignal, exitedAfter.Round(time.Millisecond), calls-callsAtSignal, lastCall.Sub(interrupted).Round(time.Millisecond))

	out := output()
	var ee *exec.ExitError
	if !errors.As(exitErr, &ee) {
		t.Fatalf("terraform %s ended with %v, want a non-zero exit after the interrupted read:\n%s", args[0], exitErr, out)
	}
	// A poll may have been in flight when the signal arrived, but no new one may start after.
	if n := calls - callsAtSignal; n > 1 {
		t.Errorf("the emulator saw %d polls after SIGINT, want at most the one in flight", n)
	}
	if !summary(fmt.Sprintf(summaryInterrupted, "PolarDB Batch Task")).MatchString(out) {
		t.Errorf("output lacks the interruption diagnostic:\n%s", out)
	}
	if strings.Contains(out, "Timed Out") {
		t.Errorf("an interrupted wait must not be reported as a timeout:\n%s", out)
	}
	if !strings.Contains(out, "Interrupt received") {
		t.Errorf("output lacks Terraform's acknowledgement of the interrupt:\n%s", out)
	}
}

// The credentials of TestAccSecretsNeverLogged. The ids are not secret and appear in logs; every
// other value must never reach Terraform's output or log, even when the signature is rejected.
const (
	leakAlibabaKeyID   = "LTAIsecretTest0001"
	leakAlibabaSecret  = "S3cr3t-MUST-NOT-LEAK-7f1e"
	leakAlibabaWrong   = "S3cr3t-WRONG-NOT-LEAK-c02d"
	leakAlibabaToken   = "TOKEN-MUST-NOT-LEAK-91ab"
	leakTencentID      = "AKIDsecretTest0001"
	leakTencentSecret  = "TcS3cr3t-MUST-NOT-LEAK-5d3a"
	leakTencentWrong   = "TcS3cr3t-WRONG-NOT-LEAK-e84b"
	leakTencentToken   = "TcTOKEN-MUST-NOT-LEAK-2c6f"
	leakWaitingPolarDB = `waiting for PolarDB batch task "pcb-secret": status RUNNING`
	leakWaitingTencent = `waiting for Tencent Batch task "A" of job "job-secret01": status RUNNING`
)

func TestAccSecretsNeverLogged(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	secrets := []string{
		leakAlibabaSecret, leakAlibabaWrong, leakAlibabaToken,
		leakTencentSecret, leakTencentWrong, leakTencentToken,
	}
	for _, tc := range []struct {
		name          string
		alibabaSecret string
		tencentSecret string
		wantFailure   bool
		wantOutput    []string // in stdout or stderr
		wantLog       []string // in the TRACE log
		env           []string // extra environment of terraform and so of the provider
	}{
		{
			name:          "success",
			alibabaSecret: leakAlibabaSecret,
			tencentSecret: leakTencentSecret,
			wantOutput:    []string{"Apply complete!"},
			wantLog: []string{
				leakWaitingPolarDB, leakWaitingTencent,
				"Alibaba Cloud API request", "Alibaba Cloud API answer", "Tencent Cloud request sent",
			},
		},
		{
			// The Alibaba SDK prints whole requests, STS token included, when DEBUG lists "sdk";
			// the provider restarts itself without the switch.
			name:          "sdkDebugSwitch",
			alibabaSecret: leakAlibabaSecret,
			tencentSecret: leakTencentSecret,
			env:           []string{"DEBUG=tea,sdk"},
			wantOutput:    []string{"Apply complete!"},
			wantLog:       []string{leakWaitingPolarDB, leakWaitingTencent, "Alibaba Cloud API request"},
		},
		{
			name:          "wrongSecret",
			alibabaSecret: leakAlibabaWrong,
			tencentSecret: leakTencentWrong,
			wantFailure:   true,
			wantOutput:    []string{"SignatureDoesNotMatch", "AuthFailure.SignatureFailure"},
			wantLog: []string{
				"Alibaba Cloud API request", "Alibaba Cloud API error", "Tencent Cloud request sent",
				"SignatureDoesNotMatch", "AuthFailure.SignatureFailure",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{
				AlibabaCredentials: map[string]string{leakAlibabaKeyID: leakAlibabaSecret},
				TencentCredentials: map[string]string{leakTencentID: leakTencentSecret},
				PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-secret", Phases: []emulator.Phase{
					phase(1, batchTaskBody("pcb-secret", "RUNNING", 1, 2, "")),
					phase(0, batchTaskBody("pcb-secret", "COMPLETED", 2, 2, "")),
				}}},
				TencentTasks: []emulator.TencentTask{{JobID: "job-secret01", TaskName: "A", Phases: []emulator.TencentPhase{
					{Calls: 1, Response: []byte(`{"JobId":"job-secret01","TaskName":"A","TaskState":"RUNNING",` +
						`"CreateTime":"2026-05-28T09:29:09Z","EndTime":null}`),
						GenerateInstances: &emulator.InstanceGenerator{Count: 2, State: "RUNNING"}},
					{Response: []byte(`{"JobId":"job-secret01","TaskName":"A","TaskState":"SUCCEED",` +
						`"CreateTime":"2026-05-28T09:29:09Z","EndTime":"2026-05-28T09:30:31Z"}`),
						GenerateInstances: &emulator.InstanceGenerator{Count: 2, State: "SUCCEED"}},
				}}},
			})
			ws := newTerraformWorkspace(t, terraform, fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    access_key     = %[2]q
    secret_key     = %[3]q
    security_token = %[4]q
    region         = "cn-hangzhou"
    endpoints { polardb = %[1]q }
  }
  tencent {
    secret_id      = %[5]q
    secret_key     = %[6]q
    security_token = %[7]q
    region         = "ap-shanghai"
    endpoints { batch = %[1]q }
  }
}

data "cloudtask_polardb_batch_task" "t" {
  batch_id            = "pcb-secret"
  wait_for_completion = true
  poll_interval       = "1s"
  timeouts { read = "30s" }
}

data "cloudtask_tencent_batch_task" "t" {
  job_id              = "job-secret01"
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "1s"
  timeouts { read = "30s" }
}

output "polardb_status" { value = data.cloudtask_polardb_batch_task.t.status }
output "tencent_state"  { value = data.cloudtask_tencent_batch_task.t.task_state }
`, srv.URL(), leakAlibabaKeyID, tc.alibabaSecret, leakAlibabaToken, leakTencentID, tc.tencentSecret, leakTencentToken))

			run := applyLogged(t, ws, tc.env)
			run.check(t, tc.wantFailure, tc.wantOutput, tc.wantLog)
			if !tc.wantFailure {
				if n := srv.Answered(emulator.APIPolarDBBatchTask, ""); n < 2 {
					t.Errorf("DescribeBatchTask succeeded %d times, want at least 2 (a wait)", n)
				}
				if n := srv.Answered(emulator.APITencentTask, ""); n < 2 {
					t.Errorf("Tencent DescribeTask succeeded %d times, want at least 2 (a wait)", n)
				}
			} else if n := srv.Answered(emulator.APIPolarDBBatchTask, "SignatureDoesNotMatch"); n == 0 {
				t.Errorf("the emulator rejected no DescribeBatchTask signature; the error path was not exercised")
			}
			run.checkNoSecrets(t, secrets)
		})
	}
}

// loggedRun is what one terraform apply under TF_LOG=TRACE wrote.
type loggedRun struct {
	err      error
	log      string            // the TF_LOG_PATH file
	combined string            // stdout and stderr
	outputs  map[string]string // every text a secret must stay out of, by name
}

// applyLogged runs terraform apply in ws with TF_LOG=TRACE written to a file, and env added to
// the environment of terraform and so of the provider.
func applyLogged(t *testing.T, ws *terraformWorkspace, env []string) loggedRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	var stdout, stderr bytes.Buffer
	cmd := ws.command(ctx, append([]string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logPath}, env...), &stdout, &stderr,
		"apply", "-auto-approve", "-no-color", "-input=false")
	runErr := cmd.Run()
	logData, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("read the terraform log: %v", err)
	}
	run := loggedRun{
		err:      runErr,
		log:      string(logData),
		combined: stdout.String() + stderr.String(),
		outputs:  map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "TF_LOG_PATH file": string(logData)},
	}
	if state, err := os.ReadFile(filepath.Join(ws.dir, "terraform.tfstate")); err == nil {
		run.outputs["state"] = string(state)
	}
	return run
}

// check fails unless the run failed if and only if wantFailure, its output holds each of
// wantOutput and its log each of wantLog. The provider's own lines in wantLog prove its logging
// reached the file, so that the leak checks are not vacuous.
func (r loggedRun) check(t *testing.T, wantFailure bool, wantOutput, wantLog []string) {
	t.Helper()
	if failed := r.err != nil; failed != wantFailure {
		t.Fatalf("terraform apply: err = %v, want failure %v:\n%s", r.err, wantFailure, r.combined)
	}
	for _, want := range wantOutput {
		if !summary(want).MatchString(r.combined) {
			t.Errorf("output lacks %q:\n%s", want, r.combined)
		}
	}
	for _, want := range wantLog {
		if !strings.Contains(r.log, want) {
			t.Errorf("the TRACE log lacks the provider's %q line", want)
		}
	}
}

// checkNoSecrets fails for every form (secretForms) of every secret found in the run's
// stdout, stderr, TRACE log or state.
func (r loggedRun) checkNoSecrets(t *testing.T, secrets []string) {
	t.Helper()
	for _, secret := range secrets {
		for _, form := range secretForms(secret) {
			for name, text := range r.outputs {
				if i := strings.Index(text, form.text); i >= 0 {
					t.Errorf("%s of secret %q found in %s: %q", form.name, secret, name, excerpt(text, i, len(form.text)))
				}
			}
		}
	}
}

// secretEncoding is one way a secret could be written out.
type secretEncoding struct {
	name string
	text string
}

// secretForms lists the secret as written, URL-encoded, hex-encoded and base64-encoded. Base64
// text depends on where the secret starts within the encoded bytes, so each of the three
// alignments contributes the characters that encode the secret alone.
func secretForms(secret string) []secretEncoding {
	forms := []secretEncoding{{"raw", secret}}
	add := func(name, text string) {
		for _, f := range forms {
			if f.text == text {
				return
			}
		}
		forms = append(forms, secretEncoding{name, text})
	}
	add("query-escaped", url.QueryEscape(secret))
	add("path-escaped", url.PathEscape(secret))
	add("hex", hex.EncodeToString([]byte(secret)))
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for offset := range 3 {
			encoded := enc.enc.EncodeToString(append(make([]byte, offset), secret...))
			// Skip the group shared with preceding bytes and the last, possibly shared, group.
			start := 0
			if offset > 0 {
				start = 4
			}
			add(fmt.Sprintf("%s (offset %d)", enc.name, offset), encoded[start:len(encoded)-4])
		}
	}
	return forms
}

// excerpt shows a finding in its context.
func excerpt(text string, i, n int) string {
	from, to := max(0, i-120), min(len(text), i+n+120)
	return text[from:to]
}

// TestSecretFormsFindEncodedSecret shows the leak check finds a secret encoded inside longer text,
// whatever its position, so that TestAccSecretsNeverLogged cannot pass by looking for the wrong text.
func TestSecretFormsFindEncodedSecret(t *testing.T) {
	t.Parallel()
	const secret = "S3cr3t/with+special&chars=7f1e"
	encoders := map[string]func([]byte) string{
		"base64":    base64.StdEncoding.EncodeToString,
		"base64url": base64.RawURLEncoding.EncodeToString,
		"hex":       hex.EncodeToString,
		"query":     func(b []byte) string { return url.QueryEscape(string(b)) },
		"path":      func(b []byte) string { return url.PathEscape(string(b)) },
	}
	for name, encode := range encoders {
		for prefix := range 5 {
			text := encode([]byte(strings.Repeat("p", prefix) + "Signature=" + secret + "&x=1"))
			found := false
			for _, form := range secretForms(secret) {
				found = found || strings.Contains(text, form.text)
			}
			if !found {
				t.Errorf("%s with a %d-byte prefix: no form of the secret found in %q", name, prefix, text)
			}
		}
	}
	// A different secret of the same shape must not match, or every check would fail.
	for _, form := range secretForms(secret) {
		if strings.Contains(base64.StdEncoding.EncodeToString([]byte("S3cr3t/with+special&chars=0000")), form.text) {
			t.Errorf("form %s %q matches a different secret", form.name, form.text)
		}
	}
}

// The credentials of TestAccSecretsNeverLoggedWithRoles: the OIDC tokens and the external IDs
// are configured; every temporary key the emulator issues during the run is a secret too.
const (
	leakAlibabaOIDCToken  = "AliOIDC-MUST-NOT-LEAK-3b9d"
	leakAlibabaOIDCWrong  = "AliOIDC-WRONG-NOT-LEAK-80c5"
	leakTencentOIDCToken  = "TcOIDC-MUST-NOT-LEAK-6a07"
	leakTencentOIDCWrong  = "TcOIDC-WRONG-NOT-LEAK-17fa"
	leakTencentExternalID = "TcExtID-MUST-NOT-LEAK-d41e"
	leakAlibabaExternalID = "AliExtID-MUST-NOT-LEAK-93b0"
	leakAlibabaChained    = "acs:ram::1234:role/leak-reader"
	leakWaitingRolesAli   = `waiting for PolarDB batch task "pcb-roles": status RUNNING`
	leakWaitingRolesTc    = `waiting for Tencent Batch task "A" of job "job-roles01": status RUNNING`
)

// TestAccSecretsNeverLoggedWithRoles is TestAccSecretsNeverLogged for base credentials that
// come from roles: on each cloud an inline OIDC token is exchanged for a role's temporary keys
// and a second role is assumed with them (Tencent's with an external ID). The keys live two
// seconds and the waits last longer, so the run renews them: neither OIDC token, nor the
// external ID, nor any temporary secret or token issued during the run may be written out.
// When STS refuses the tokens, the diagnostics must not repeat them either.
func TestAccSecretsNeverLoggedWithRoles(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	// The provider runs in its own process: it trusts the emulator's TLS listener, where both
	// STS endpoints point, through the certificate file Go reads on Unix. macOS and Windows
	// verify with the system's own store, which ignores SSL_CERT_FILE.
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skipf("the built provider cannot be made to trust the emulator's certificate on %s", runtime.GOOS)
	}
	certPEM, err := emulator.TLSCertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	writeFile(t, certFile, string(certPEM))
	// DEBUG=credential makes credentials-go print its STS requests' headers: they must hold
	// no secret either.
	env := []string{"SSL_CERT_FILE=" + certFile, "DEBUG=credential,tea"}

	for _, tc := range []struct {
		name                     string
		alibabaToken, tencentTok string
		wantFailure              bool
		wantOutput, wantLog      []string
		check                    func(t *testing.T, srv *emulator.Server) []string // returns the issued secrets
	}{
		{
			name:         "renewed",
			alibabaToken: leakAlibabaOIDCToken,
			tencentTok:   leakTencentOIDCToken,
			wantOutput:   []string{"Apply complete!"},
			wantLog: []string{
				leakWaitingRolesAli, leakWaitingRolesTc,
				"Alibaba Cloud API request", "Alibaba Cloud API answer", "Tencent Cloud request sent",
			},
			check: func(t *testing.T, srv *emulator.Server) []string {
				return append(checkAlibabaRolesRenewed(t, srv), checkTencentRolesRenewed(t, srv)...)
			},
		},
		{
			name:         "refusedToken",
			alibabaToken: leakAlibabaOIDCWrong,
			tencentTok:   leakTencentOIDCWrong,
			wantFailure:  true,
			wantOutput: []string{
				fmt.Sprintf(summaryAlibabaSourceRefused, "OIDC"), "AuthenticationFail.OIDCToken.Invalid",
				summaryTencentAssumeRole, "InvalidParameter.WebIdentityTokenError",
			},
			wantLog: []string{"Configuring terraform-provider-cloudtask"},
			check: func(t *testing.T, srv *emulator.Server) []string {
				if n := srv.Answered(emulator.APIAlibabaSTSOIDC, "AuthenticationFail.OIDCToken.Invalid"); n == 0 {
					t.Error("Alibaba STS refused no OIDC token; the error path was not exercised")
				}
				if n := srv.Answered(emulator.APITencentAssumeRoleWithWebIdentity, "InvalidParameter.WebIdentityTokenError"); n == 0 {
					t.Error("Tencent STS refused no OIDC token; the error path was not exercised")
				}
				if a, c := srv.IssuedAlibabaCredentials(), srv.IssuedTencentCredentials(); len(a)+len(c) != 0 {
					t.Errorf("STS issued %d Alibaba and %d Tencent credentials for refused tokens", len(a), len(c))
				}
				return nil
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, rolesLeakScenario())
			ws := newTerraformWorkspace(t, terraform, rolesLeakConfig(srv, tc.alibabaToken, tc.tencentTok))
			run := applyLogged(t, ws, env)
			run.check(t, tc.wantFailure, tc.wantOutput, tc.wantLog)
			secrets := []string{leakAlibabaOIDCToken, leakAlibabaOIDCWrong, leakTencentOIDCToken, leakTencentOIDCWrong, leakTencentExternalID, leakAlibabaExternalID}
			run.checkNoSecrets(t, append(secrets, tc.check(t, srv)...))
		})
	}
}

// rolesLeakScenario trusts one OIDC token per cloud, gives temporary keys a two-second life,
// and runs a PolarDB and a Tencent task for five seconds each.
func rolesLeakScenario() *emulator.Scenario {
	return &emulator.Scenario{
		AlibabaOIDC:        &emulator.AlibabaOIDC{ProviderArn: oidcProviderArn, RoleArn: oidcRoleArn, Tokens: []string{leakAlibabaOIDCToken}},
		AlibabaSTSLifetime: "2s",
		TencentOIDC:        &emulator.TencentOIDC{ProviderID: "github-actions", RoleArn: tcRole, Tokens: []string{leakTencentOIDCToken}},
		TencentRoles:       []string{tcRole, tcWriterRole},
		TencentSTSLifetime: "2s",
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-roles", Phases: []emulator.Phase{
			{Duration: "5s", Response: []byte(batchTaskBody("pcb-roles", "RUNNING", 1, 2, ""))},
			phase(0, batchTaskBody("pcb-roles", "COMPLETED", 2, 2, "")),
		}}},
		TencentTasks: []emulator.TencentTask{{JobID: "job-roles01", TaskName: "A", Phases: []emulator.TencentPhase{
			tencentGenerated("5s", "job-roles01", "A", "RUNNING", 2, 0),
			tencentGenerated("", "job-roles01", "A", tencentStateSucceed, 2, 0),
		}}},
	}
}

// rolesLeakConfig waits on both tasks with the inline OIDC tokens given and a role chained on
// each cloud, STS at the emulator's TLS listener.
func rolesLeakConfig(srv *emulator.Server, alibabaToken, tencentToken string) string {
	return fmt.Sprintf(`
provider "cloudtask" {
  alibaba {
    region = "cn-hangzhou"
    assume_role_with_oidc {
      oidc_provider_arn = %[3]q
      role_arn          = %[4]q
      oidc_token        = %[5]q
    }
    assume_role {
      role_arn    = %[6]q
      external_id = %[11]q
    }
    endpoints {
      polardb = %[1]q
      sts     = %[2]q
    }
  }
  tencent {
    region = "ap-shanghai"
    assume_role_with_oidc {
      role_arn    = %[7]q
      provider_id = "github-actions"
      oidc_token  = %[8]q
    }
    assume_role {
      role_arn    = %[9]q
      external_id = %[10]q
    }
    endpoints {
      batch = %[1]q
      sts   = %[2]q
    }
  }
}

data "cloudtask_polardb_batch_task" "t" {
  batch_id            = "pcb-roles"
  wait_for_completion = true
  poll_interval       = "1s"
  timeouts { read = "30s" }
}

data "cloudtask_tencent_batch_task" "t" {
  job_id              = "job-roles01"
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "1s"
  timeouts { read = "30s" }
}

output "polardb_status" { value = data.cloudtask_polardb_batch_task.t.status }
output "tencent_state"  { value = data.cloudtask_tencent_batch_task.t.task_state }
`, srv.URL(), srv.TLSHost(), oidcProviderArn, oidcRoleArn, alibabaToken, leakAlibabaChained,
		tcRole, tencentToken, tcWriterRole, leakTencentExternalID, leakAlibabaExternalID)
}

// checkAlibabaRolesRenewed fails unless the run exchanged the inline OIDC token, assumed the
// chained role with the OIDC keys, read with the chained role's keys alone, and renewed both
// kinds of keys during the wait. It returns every temporary secret and token issued.
func checkAlibabaRolesRenewed(t *testing.T, srv *emulator.Server) []string {
	t.Helper()
	issued := srv.IssuedAlibabaCredentials()
	byKey := map[string]emulator.IssuedCredential{}
	count := map[string]int{}
	var secrets []string
	for _, c := range issued {
		byKey[c.AccessKeyID] = c
		count[c.API]++
		if c.AccessKeySecret == "" || c.SecurityToken == "" {
			t.Fatalf("issued credential %s has no secret or token to search for", c.AccessKeyID)
		}
		secrets = append(secrets, c.AccessKeySecret, c.SecurityToken)
	}
	// One of each when the provider is configured, then at least one renewal during the wait.
	if count[emulator.APIAlibabaSTSOIDC] < 2 || count[emulator.APIAlibabaSTS] < 2 {
		t.Errorf("Alibaba STS issued %d OIDC and %d AssumeRole credentials, want renewals (2 or more of each)",
			count[emulator.APIAlibabaSTSOIDC], count[emulator.APIAlibabaSTS])
	}
	for _, r := range srv.Requests(emulator.APIAlibabaSTSOIDC) {
		if r.Params["OIDCToken"] != leakAlibabaOIDCToken {
			t.Errorf("AssumeRoleWithOIDC sent another token than the inline one")
		}
	}
	for _, r := range srv.Requests(emulator.APIAlibabaSTS) {
		if c, ok := byKey[r.AccessKeyID]; !ok || c.API != emulator.APIAlibabaSTSOIDC || c.SecurityToken != r.SecurityToken {
			t.Errorf("AssumeRole signed with %q, want an OIDC-issued key with its token", r.AccessKeyID)
		}
		if r.Params["ExternalId"] != leakAlibabaExternalID {
			t.Errorf("AssumeRole sent another external id than the configured one")
		}
	}
	keys := map[string]bool{}
	for _, r := range srv.Requests(emulator.APIPolarDBBatchTask) {
		if c, ok := byKey[r.AccessKeyID]; !ok || c.API != emulator.APIAlibabaSTS || c.RoleArn != leakAlibabaChained {
			t.Errorf("DescribeBatchTask signed with %q, want the chained role's key", r.AccessKeyID)
		}
		keys[r.AccessKeyID] = true
	}
	if len(keys) < 2 {
		t.Errorf("%d chained-role keys signed the wait's DescribeBatchTask requests, want a renewal", len(keys))
	}
	if n := srv.Answered(emulator.APIPolarDBBatchTask, ""); n < 2 {
		t.Errorf("DescribeBatchTask succeeded %d times, want at least 2 (a wait)", n)
	}
	return secrets
}

// checkTencentRolesRenewed is checkAlibabaRolesRenewed for Tencent, where AssumeRole also
// carries the external ID.
func checkTencentRolesRenewed(t *testing.T, srv *emulator.Server) []string {
	t.Helper()
	oidc, roles := issuedBy(srv, emulator.APITencentAssumeRoleWithWebIdentity), issuedBy(srv, emulator.APITencentAssumeRole)
	if len(oidc) < 2 || len(roles) < 2 {
		t.Errorf("Tencent STS issued %d OIDC and %d AssumeRole credentials, want renewals (2 or more of each)", len(oidc), len(roles))
	}
	var secrets []string
	for _, c := range srv.IssuedTencentCredentials() {
		if c.SecretKey == "" || c.Token == "" {
			t.Fatalf("issued credential %s has no secret or token to search for", c.SecretID)
		}
		secrets = append(secrets, c.SecretKey, c.Token)
	}
	for _, c := range oidc {
		if c.OIDCToken != leakTencentOIDCToken {
			t.Errorf("AssumeRoleWithWebIdentity exchanged another token than the inline one")
		}
	}
	for _, c := range roles {
		if c.ExternalID != leakTencentExternalID || c.RoleArn != tcWriterRole {
			t.Errorf("AssumeRole of %q with another external ID than the configured one", c.RoleArn)
		}
	}
	checkAssumeRoleSignedByOIDC(t, srv)
	assumed := map[string]bool{}
	for _, c := range roles {
		assumed[c.SecretID] = true
	}
	signed := signers(srv)
	for id := range signed {
		if !assumed[id] {
			t.Errorf("DescribeTask signed with %q, not a key of the assumed role", id)
		}
	}
	if len(signed) < 2 {
		t.Errorf("%d assumed-role keys signed the wait's DescribeTask requests, want a renewal", len(signed))
	}
	checkSignedWithTencentIssued(t, srv)
	if n := srv.Answered(emulator.APITencentTask, ""); n < 2 {
		t.Errorf("Tencent DescribeTask succeeded %d times, want at least 2 (a wait)", n)
	}
	return secrets
}
