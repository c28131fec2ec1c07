package alibaba

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// TestUnreachableEndpoint: a refused connection is retried on the wait package's network
// budget, not until the deadline, and the error names the endpoint and the attempts.
func TestUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	backoff := testBackoff
	c, err := NewClient(Config{
		AccessKey: "ak", SecretKey: "secret-value",
		Endpoints: Endpoints{PolarDB: "http://" + addr, BDRC: "http://" + addr, Alidns: "http://" + addr},
	}, ClientOptions{Getenv: noEnv, Home: t.TempDir(), Backoff: &backoff})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range apiCases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(context.Background(), c)
			if !wait.IsUnreachable(err) {
				t.Fatalf("err = %v, want it classified as unreachable", err)
			}
			if n := wait.Attempts(err); n != wait.DefaultNetworkAttempts {
				t.Errorf("attempts = %d, want %d", n, wait.DefaultNetworkAttempts)
			}
			var reqErr *RequestError
			if !errors.As(err, &reqErr) || reqErr.Host != addr || reqErr.API != tc.name {
				t.Errorf("err = %#v, want a RequestError of %s naming host %s", err, tc.name, addr)
			}
		})
	}
}
