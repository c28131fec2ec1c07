package provider

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
)

// TestMain fails the package's tests when a goroutine outlives them: a read, a wait or an
// interrupted wait that is not cleaned up when its context ends. The idle keep-alive
// connections of the adapters' shared transports are closed first.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(closingIdleConnections{m})
}

// closingIdleConnections runs the tests, then closes the idle connections they left.
type closingIdleConnections struct{ m *testing.M }

func (r closingIdleConnections) Run() int {
	code := r.m.Run()
	alibaba.CloseIdleConnections()
	tencent.CloseIdleConnections()
	return code
}
