// Package tfbench holds what the benchmark commands share: building the provider, a
// dev_overrides CLI configuration, the provider block for the emulator, and running terraform
// with the emulator's credentials while sampling the provider process's peak memory.
package tfbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// BinaryName is the provider's executable name, the one dev_overrides looks for.
const BinaryName = "terraform-provider-cloudtask"

// Terraform is the terraform CLI to run: TF_ACC_TERRAFORM_PATH, else terraform on PATH.
func Terraform() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	return "terraform"
}

// Workspace is a benchmark's working directory with the provider built into it and a CLI
// configuration that points terraform at that build.
type Workspace struct {
	// Dir is the working directory (recreated by NewWorkspace).
	Dir string
	// Bin is the directory holding the provider binary.
	Bin string
	// CLIConfig is the dev_overrides CLI configuration file (TF_CLI_CONFIG_FILE).
	CLIConfig string
	// Log receives progress lines.
	Log io.Writer
}

// NewWorkspace recreates dir, builds the provider into dir/bin with buildArgs added to
// `go build` (for example -trimpath), and writes the CLI configuration.
func NewWorkspace(dir string, log io.Writer, buildArgs ...string) (*Workspace, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Bin: filepath.Join(dir, "bin"), CLIConfig: filepath.Join(dir, "terraformrc"), Log: log}
	_, _ = fmt.Fprintln(log, "==> building the provider")
	if err := Build(filepath.Join(w.Bin, BinaryName), log, buildArgs...); err != nil {
		return nil, err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cloudtask/cloudtask\" = %q\n  }\n  direct {}\n}\n", w.Bin)
	if err := os.WriteFile(w.CLIConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	return w, nil
}

// Build runs `go build` of the provider (the module root) into out.
func Build(out string, log io.Writer, args ...string) error {
	cmdArgs := append([]string{"build"}, args...)
	cmdArgs = append(cmdArgs, "-o", out, ".")
	build := exec.Command("go", cmdArgs...)
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	return nil
}

// Binary is the path of the built provider.
func (w *Workspace) Binary() string { return filepath.Join(w.Bin, BinaryName) }

// Config writes main.tf into a new directory under the workspace and returns the directory.
func (w *Workspace) Config(name, mainTF string) (string, error) {
	dir := filepath.Join(w.Dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o600)
}

// Run is one finished terraform command.
type Run struct {
	// Elapsed is the wall time of the command.
	Elapsed time.Duration
	// Output is its combined stdout and stderr.
	Output string
	// ProviderPeak is the highest VmHWM (peak resident memory) seen of a provider process
	// started from this workspace's binary while the command ran, in bytes; 0 when none
	// was seen (the plugin may live shorter than the sampling period).
	ProviderPeak int64
}

// Terraform runs terraform with args in dir (-chdir), the workspace's CLI configuration, the
// emulator's credentials for both clouds and extraEnv, bounded by ctx. When sample is true the
// provider's peak memory is sampled every few milliseconds.
func (w *Workspace) Terraform(ctx context.Context, dir string, extraEnv []string, sample bool, args ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, Terraform(), append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.CLIConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TENCENTCLOUD_SECRET_ID="+emulator.TencentSecretID,
		"TENCENTCLOUD_SECRET_KEY="+emulator.TencentSecretKey,
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var sampler *peakSampler
	if sample {
		sampler = startPeakSampler(w.Binary())
	}
	start := time.Now()
	err := cmd.Run()
	r := Run{Elapsed: time.Since(start), Output: out.String()}
	if sampler != nil {
		r.ProviderPeak = sampler.stop()
	}
	if err != nil {
		return r, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, r.Output)
	}
	return r, nil
}

// ProviderHeader is the terraform block and the provider configured for both clouds at the
// emulator at url, with the emulator's default credentials.
func ProviderHeader(url string) string {
	return `terraform {
  required_providers {
    cloudtask = { source = "cloudtask/cloudtask" }
  }
}

` + emulator.ProviderBlock{URL: url}.HCL()
}
