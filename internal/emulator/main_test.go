package emulator

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a server that a test did
// not close, or a handler still sleeping in a slow fault. The SDK clients of the tests use
// net/http's default transport, whose idle keep-alive connections are closed first.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(closingIdleConnections{m})
}

// closingIdleConnections runs the tests, then closes the idle connections they left.
type closingIdleConnections struct{ m *testing.M }

func (r closingIdleConnections) Run() int {
	code := r.m.Run()
	if t, ok := http.DefaultTransport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return code
}
