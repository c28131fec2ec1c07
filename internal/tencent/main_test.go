package tencent

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a request, a retry or a
// wait that is not cleaned up when its context ends. Idle keep-alive connections are closed
// first; they belong to the shared transport, not to any test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(closingIdleConnections{m})
}

// closingIdleConnections runs the tests, then closes the idle connections they left.
type closingIdleConnections struct{ m *testing.M }

func (r closingIdleConnections) Run() int {
	code := r.m.Run()
	CloseIdleConnections()
	return code
}
