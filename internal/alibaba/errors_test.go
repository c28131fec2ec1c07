package alibaba

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
)

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	api := func(status int, code string) error {
		return &APIError{API: "PolarDB DescribeBatchTask", HTTPStatus: status, Code: code, Message: "m", RequestID: "R"}
	}
	netErr := func(err error) error {
		return &RequestError{API: "x", Host: "h", Err: &net.OpError{Op: "read", Net: "tcp", Err: err}}
	}
	tests := []struct {
		name                        string
		err                         error
		retryable, notFound, isAuth bool
	}{
		{"Throttling", api(400, "Throttling"), true, false, false},
		{"Throttling.User", api(400, "Throttling.User"), true, false, false},
		{"Throttling.Api", api(400, "Throttling.Api"), true, false, false},
		{"ServiceUnavailable", api(503, "ServiceUnavailable"), true, false, false},
		{"InternalError 500", api(500, "InternalError"), true, false, false},
		{"502 without a code", api(502, ""), true, false, false},
		{"InvalidParameter", api(400, "InvalidParameter"), false, false, false},
		{"InvalidBatchId.NotFound", api(404, "InvalidBatchId.NotFound"), false, true, false},
		{"NotFound.Task", api(404, "NotFound.Task"), false, true, false},
		{"TaskNotExist", api(404, "TaskNotExist"), false, true, false},
		{"InvalidDBClusterId.NotFound 400", api(400, "InvalidDBClusterId.NotFound"), false, true, false},
		{"404 with another code", api(404, "Gone"), false, true, false},
		{"InvalidAccessKeyId.NotFound", api(404, "InvalidAccessKeyId.NotFound"), false, false, true},
		{"InvalidAction.NotFound", api(404, "InvalidAction.NotFound"), false, false, false},
		{"SignatureDoesNotMatch", api(400, "SignatureDoesNotMatch"), false, false, true},
		{"SignatureNonceUsed", api(400, "SignatureNonceUsed"), false, false, true},
		{"InvalidTimeStamp.Expired", api(400, "InvalidTimeStamp.Expired"), false, false, true},
		{"Forbidden.RAM", api(403, "Forbidden.RAM"), false, false, true},
		{"InvalidSecurityToken.Expired", api(400, "InvalidSecurityToken.Expired"), false, false, true},
		{"InvalidAccessKeyId.Inactive", api(400, "InvalidAccessKeyId.Inactive"), false, false, true},
		{"wrapped Throttling", fmt.Errorf("poll: %w", api(400, "Throttling.User")), true, false, false},
		{"connection reset", netErr(syscall.ECONNRESET), true, false, false},
		{"connection refused", netErr(syscall.ECONNREFUSED), true, false, false},
		{"EOF", &RequestError{API: "x", Host: "h", Err: io.EOF}, true, false, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, false, false},
		{"attempt timeout", &RequestError{API: "x", Host: "h", Err: errNoAnswerInTime}, true, false, false},
		{"unknown host", &RequestError{API: "x", Host: "h", Err: &net.DNSError{Err: "no such host", Name: "h", IsNotFound: true}}, false, false, false},
		{"temporary DNS failure", &RequestError{API: "x", Host: "h", Err: &net.DNSError{Err: "timeout", Name: "h", IsTimeout: true}}, true, false, false},
		{"cancelled", &RequestError{API: "x", Host: "h", Err: context.Canceled}, false, false, false},
		{"deadline", &RequestError{API: "x", Host: "h", Err: context.DeadlineExceeded}, false, false, false},
		{"throttled until the deadline", &stoppedError{last: api(400, "Throttling"), cause: context.DeadlineExceeded}, false, false, false},
		{"malformed body", &DecodeError{API: "x", Err: io.ErrUnexpectedEOF}, true, false, false},
		{"wrong field type", &DecodeError{API: "x", Field: "TotalCount", Err: errors.New("bad")}, false, false, false},
		{"missing credentials", &MissingCredentialsError{Attribute: "access_key"}, false, false, true},
		{"plain error", errors.New("boom"), false, false, false},
		{"nil", nil, false, false, false},
	}
	for _, tt := range tests {
		if got := IsRetryable(tt.err); got != tt.retryable {
			t.Errorf("%s: IsRetryable = %v", tt.name, got)
		}
		if got := IsNotFound(tt.err); got != tt.notFound {
			t.Errorf("%s: IsNotFound = %v", tt.name, got)
		}
		if got := IsAuthError(tt.err); got != tt.isAuth {
			t.Errorf("%s: IsAuthError = %v", tt.name, got)
		}
	}
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{API: "BDRC DescribeTask", HTTPStatus: 404, Code: "NotFound.Task", Message: "The specified task does not exist.", RequestID: "ABC"},
			"BDRC DescribeTask: NotFound.Task: The specified task does not exist. (request id ABC, HTTP 404)"},
		{&APIError{API: "Alidns DescribeBatchResultCount", HTTPStatus: 502, Message: "Bad Gateway"},
			"Alidns DescribeBatchResultCount: Bad Gateway (HTTP 502)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	const secret, token = "s3cret-value", "CAIS+token/with=odd"
	r := newRedactor(secret, token, "")
	tests := []struct {
		in, want string
	}{
		{"plain " + secret + " and " + token, "plain [redacted] and [redacted]"},
		{"encoded CAIS%2Btoken%2Fwith%3Dodd", "encoded [redacted]"},
		{"twice CAIS%252Btoken%252Fwith%253Dodd", "twice [redacted]"},
		{"Specified signature is not matched with our calculation. server string to sign is:GET&%2F&AccessKeyId%3DX%26SecurityToken%3D...",
			"Specified signature is not matched with our calculation."},
		{strings.Repeat("x", 600), strings.Repeat("x", maxMessageLen) + "..."},
	}
	for _, tt := range tests {
		if got := r.clean(tt.in); got != tt.want {
			t.Errorf("clean(%.40q) = %.80q, want %.80q", tt.in, got, tt.want)
		}
	}
}

func TestLimiterShared(t *testing.T) {
	t.Parallel()
	a := limiterFor("PolarDB DescribeBatchTask", "polardb.aliyuncs.com", "AK1", 0)
	if b := limiterFor("PolarDB DescribeBatchTask", "polardb.aliyuncs.com", "AK1", 0); a != b {
		t.Error("the same API, host and key got two limiters")
	}
	for _, other := range [][3]string{
		{"PolarDB DescribeTasks", "polardb.aliyuncs.com", "AK1"},
		{"PolarDB DescribeBatchTask", "polardb.cn-x.aliyuncs.com", "AK1"},
		{"PolarDB DescribeBatchTask", "polardb.aliyuncs.com", "AK2"},
	} {
		if limiterFor(other[0], other[1], other[2], 0) == a {
			t.Errorf("%v shares the limiter of another bucket", other)
		}
	}
}
