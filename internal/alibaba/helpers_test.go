package alibaba

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// testBackoff keeps retries fast: the tests count calls, not delays.
var testBackoff = wait.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2, Jitter: -1}

// noEnv is a getenv that sees an empty environment.
func noEnv(string) string { return "" }

// newEmulatorClient returns a Client whose three endpoints point at srv, signing with the
// emulator's default credentials unless cfg names others.
func newEmulatorClient(t *testing.T, srv *emulator.Server, cfg Config) *Client {
	t.Helper()
	if cfg.AccessKey == "" {
		cfg.AccessKey = emulator.AlibabaAccessKeyID
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = emulator.AlibabaAccessKeySecret
	}
	cfg.Endpoints = Endpoints{PolarDB: srv.URL(), BDRC: srv.URL(), Alidns: srv.URL(), STS: cfg.Endpoints.STS}
	backoff := testBackoff
	c, err := NewClient(cfg, ClientOptions{Getenv: noEnv, Home: t.TempDir(), UserAgent: "terraform-provider-cloudtask/test", Backoff: &backoff})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func raw(t *testing.T, s string) json.RawMessage {
	t.Helper()
	if !json.Valid([]byte(s)) {
		t.Fatalf("invalid JSON in test: %s", s)
	}
	return json.RawMessage(s)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// dump renders a response with pointers followed, for failure messages.
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// apiCode returns the service error code of err, "" when it is no *APIError.
func apiCode(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return ""
}
