package tencent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"unicode/utf8"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

func apiErr(code string) error {
	return &APIError{API: APIDescribeTask, Code: code, Message: "m", RequestID: "r"}
}

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: &timeoutErr{}}
	tests := []struct {
		name                      string
		err                       error
		retryable, notFound, auth bool
	}{
		{name: "throttled", err: apiErr("RequestLimitExceeded"), retryable: true},
		{name: "throttled sub-code", err: apiErr("RequestLimitExceeded.UinLimitExceeded"), retryable: true},
		{name: "look-alike code", err: apiErr("RequestLimitExceededX")},
		{name: "internal error", err: apiErr("InternalError"), retryable: true},
		{name: "internal error sub-code", err: apiErr("InternalError.DBError"), retryable: true},
		{name: "network error", err: apiErr(codeNetworkError), retryable: true},
		{name: "truncated answer", err: apiErr(codeParseJSONError), retryable: true},
		{name: "wrong shape", err: apiErr(codeMalformedResponse), retryable: true},
		{name: "gateway 502", err: &APIError{Code: codeHTTPStatusError, Message: "Request fail with http status code: 502 Bad Gateway, with body: x"}, retryable: true},
		{name: "gateway 429", err: &APIError{Code: codeHTTPStatusError, Message: "Request fail with http status code: 429 Too Many Requests, with body: x"}, retryable: true},
		{name: "http 403", err: &APIError{Code: codeHTTPStatusError, Message: "Request fail with http status code: 403 Forbidden, with body: x"}},
		{name: "not found", err: apiErr("ResourceNotFound.Task"), notFound: true},
		{name: "not found bare", err: apiErr("ResourceNotFound"), notFound: true},
		{name: "signature", err: apiErr("AuthFailure.SignatureFailure"), auth: true},
		{name: "unknown secret id", err: apiErr("AuthFailure.SecretIdNotFound"), auth: true},
		{name: "bad parameter", err: apiErr("InvalidParameter.JobIdMalformed")},
		{name: "wrapped throttled", err: fmt.Errorf("page 2: %w", apiErr("RequestLimitExceeded")), retryable: true},
		{name: "bare timeout", err: timeout, retryable: true},
		{name: "cancelled network call", err: &APIError{Code: codeNetworkError, cause: context.Canceled}},
		{name: "context cancelled", err: context.Canceled},
		{name: "context deadline", err: context.DeadlineExceeded},
		{name: "plain error", err: io.EOF},
		{name: "nil", err: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsRetryable(tt.err); got != tt.retryable {
				t.Errorf("IsRetryable = %v, want %v", got, tt.retryable)
			}
			if got := IsNotFound(tt.err); got != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tt.notFound)
			}
			if got := IsAuthError(tt.err); got != tt.auth {
				t.Errorf("IsAuthError = %v, want %v", got, tt.auth)
			}
		})
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }

func TestToAPIError(t *testing.T) {
	t.Parallel()
	t.Run("API answer", func(t *testing.T) {
		t.Parallel()
		err := toAPIError(tcerr.NewTencentCloudSDKError("ResourceNotFound.Task", "The specified job task does not exist.", "req-1"))
		var got *APIError
		if !errors.As(err, &got) {
			t.Fatalf("not an *APIError: %v", err)
		}
		want := APIError{API: APIDescribeTask, Code: "ResourceNotFound.Task", Message: "The specified job task does not exist.", RequestID: "req-1"}
		if *got != want {
			t.Errorf("got %+v, want %+v", *got, want)
		}
		if msg := got.Error(); msg != "Tencent Batch DescribeTask failed: ResourceNotFound.Task: The specified job task does not exist. (request id req-1)" {
			t.Errorf("Error() = %q", msg)
		}
	})
	t.Run("network failure keeps its cause", func(t *testing.T) {
		t.Parallel()
		err := toAPIError(tcerr.NewTencentCloudSDKErrorWithCause(codeNetworkError, "Fail to get response", "", context.DeadlineExceeded))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("cause lost: %v", err)
		}
		if !strings.Contains(err.Error(), "context deadline exceeded") {
			t.Errorf("message does not show the cause: %q", err)
		}
	})
	t.Run("long client message is clipped", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("é", 1000)
		err := toAPIError(tcerr.NewTencentCloudSDKError(codeParseJSONError, "Fail to parse json content: "+body, ""))
		var got *APIError
		if !errors.As(err, &got) || len(got.Message) > maxClientMessage+3 || !strings.HasSuffix(got.Message, "...") {
			t.Fatalf("message not clipped: %d bytes", len(got.Message))
		}
		if !utf8.ValidString(got.Message) {
			t.Errorf("clipped inside a rune: %q", got.Message[len(got.Message)-8:])
		}
	})
	t.Run("non-SDK error", func(t *testing.T) {
		t.Parallel()
		err := toAPIError(io.ErrUnexpectedEOF)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), APIDescribeTask) {
			t.Errorf("got %v", err)
		}
	})
}

func TestRequestClient(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"terraform-provider-cloudtask/1.2.3 (+https://x)": "terraform-provider-cloudtask 1.2.3   https   x",
		"":                       "",
		"  /  ":                  "",
		"ok_name-1.0;":           "ok_name-1.0;",
		strings.Repeat("a", 200): strings.Repeat("a", 128),
	}
	for in, want := range tests {
		if got := requestClient(in); got != want {
			t.Errorf("requestClient(%q) = %q, want %q", in, got, want)
		}
	}
}
