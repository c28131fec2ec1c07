package tencent

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/testenv"
)

// TestMain runs the tests without the developer's credential variables and profile files, so
// that they resolve the same credentials on every machine (a test that needs a variable or a
// HOME sets it with t.Setenv), and fails them when a goroutine outlives them: a request, a retry
// or a wait that is not cleaned up when its context ends. Idle keep-alive connections are closed
// first; they belong to the shared transport, not to any test.
//
// http.DefaultTransport trusts the emulator's TLS listener: the SDK's STS clients clone it and
// reach STS over HTTPS only.
func TestMain(m *testing.M) {
	if err := emulator.TrustInDefaultTransport(); err != nil {
		panic(err)
	}
	goleak.VerifyTestMain(isolatedRun{m})
}

// isolatedRun runs the tests in the isolated environment, then closes the idle connections
// they left.
type isolatedRun struct{ m *testing.M }

func (r isolatedRun) Run() int {
	code := testenv.Main(r.m.Run)
	CloseIdleConnections()
	return code
}
