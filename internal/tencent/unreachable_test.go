package tencent

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// closedAddr returns a loopback address nothing listens on: connections to it are refused.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestDescribeTaskUnreachable: a refused connection is retried on the wait package's network
// budget, not until the deadline, and the error names the endpoint and the attempts.
func TestDescribeTaskUnreachable(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	_, err := newTestClient(t, "http://"+addr).DescribeTask(context.Background(), req("job-1", "A"))
	if !wait.IsUnreachable(err) {
		t.Fatalf("err = %v, want it classified as unreachable", err)
	}
	if n := wait.Attempts(err); n != wait.DefaultNetworkAttempts {
		t.Errorf("attempts = %d, want %d", n, wait.DefaultNetworkAttempts)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Endpoint != addr || apiErr.Code != codeNetworkError {
		t.Errorf("err = %#v, want a %s APIError naming endpoint %s", err, codeNetworkError, addr)
	}
}
