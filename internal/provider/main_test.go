package provider

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/testenv"
)

// ambient is what TestMain removed from the environment; only the live tests put it back.
var ambient testenv.Ambient

// TestMain runs the tests without the developer's credential variables and profile files, so
// that an ALIBABA_CLOUD_SECURITY_TOKEN or a default profile cannot change what the provider
// resolves. A test that needs a variable or a HOME sets it with t.Setenv. The terraform CLI
// needs nothing from HOME: the provider is served in-process, and the binary tests give it a
// CLI configuration of their own (TF_CLI_CONFIG_FILE).
//
// It also fails the tests when a goroutine outlives them: a read, a wait or an interrupted wait
// that is not cleaned up when its context ends. The idle keep-alive connections of the
// adapters' shared transports are closed first.
//
// http.DefaultTransport trusts the emulator's TLS listener, which credentials-go's STS calls
// need.
func TestMain(m *testing.M) {
	if err := emulator.TrustInDefaultTransport(); err != nil {
		fmt.Fprintln(os.Stderr, "trust the emulator's TLS listener:", err)
		os.Exit(2)
	}
	var cleanup func()
	var err error
	ambient, cleanup, err = testenv.Isolate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "isolate the tests from the environment:", err)
		os.Exit(2)
	}
	// go-plugin's stdio copiers belong to terraform-plugin-testing's in-process provider server:
	// they read the pipes that stand in for the provider's stdout and stderr, which the harness
	// leaves open when the CLI is OpenTofu (make test-tofu). They are not the provider's.
	goleak.VerifyTestMain(closingIdleConnections{m}, goleak.IgnoreAnyFunction("github.com/hashicorp/go-plugin.copyChan"), goleak.Cleanup(func(code int) {
		cleanup() // the temp HOME of the isolation
		os.Exit(code)
	}))
}

// closingIdleConnections runs the tests, then closes the idle connections they left.
type closingIdleConnections struct{ m *testing.M }

func (r closingIdleConnections) Run() int {
	code := r.m.Run()
	alibaba.CloseIdleConnections()
	tencent.CloseIdleConnections()
	return code
}

// restoreAmbient gives one test the developer's credential variables and HOME back, for the
// live tests that read real clouds with them. It uses t.Setenv, so the test cannot be parallel.
func restoreAmbient(t *testing.T) {
	t.Helper()
	for name, value := range ambient.Vars {
		t.Setenv(name, value)
	}
	t.Setenv("HOME", ambient.Home)
	t.Setenv("USERPROFILE", ambient.UserProfile)
}
