package tencent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// APIDescribeTask names the API in errors and logs.
const APIDescribeTask = "Tencent Batch DescribeTask"

// Client-side error codes: the SDK's own (ClientError.*) plus the one this package adds when an
// answer parses as JSON but not as a DescribeTask response.
const (
	codeNetworkError      = "ClientError.NetworkError"
	codeIOError           = "ClientError.IOError"
	codeParseJSONError    = "ClientError.ParseJsonError"
	codeHTTPStatusError   = "ClientError.HttpStatusCodeError"
	codeMalformedResponse = "ClientError.MalformedResponse"
	// codeNoTask is an answer without the task (no JobId, TaskName or TaskState). The
	// documentation gives ResourceNotFound codes for unknown jobs and tasks, but an unknown id
	// answered this way is taken as not found too, so a wait's not-found grace applies.
	codeNoTask = "ClientError.NoTaskInAnswer"
	// codeNoErrorCode is an error answer without a code: the SDK reads the old error format
	// ({"code": 4000, "codeDesc": ...}) with codeDesc as the code, which may be empty.
	codeNoErrorCode = "ClientError.NoErrorCode"
)

// maxClientMessage bounds the SDK's client-side messages, which may quote a whole answer body.
const maxClientMessage = 300

// APIError is an error answered by the API, or a client-side failure of one call, in the SDK's
// vocabulary (Code "ClientError.NetworkError" and the like). It never holds a secret.
type APIError struct {
	API       string // e.g. "Tencent Batch DescribeTask"
	Code      string
	Message   string
	RequestID string
	Endpoint  string // host[:port] the request went to

	cause error // the transport error behind a client-side failure, if any
}

// Error names the API, the code, the message and the request id.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed: %s", e.API, e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Unwrap returns the transport error behind a client-side failure, so that errors.Is finds
// context.Canceled or context.DeadlineExceeded.
func (e *APIError) Unwrap() error { return e.cause }

// toAPIError converts an error returned by the SDK's Send for DescribeTask (the one API this
// adapter calls) into an *APIError. Errors that did not
// come from the SDK (a request that could not be built) are wrapped as they are.
func toAPIError(err error) error {
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return fmt.Errorf("%s: %w", APIDescribeTask, err)
	}
	apiErr := &APIError{API: APIDescribeTask, Code: sdkErr.Code, Message: sdkErr.Message, RequestID: sdkErr.RequestId, cause: sdkErr.Unwrap()}
	if strings.TrimSpace(apiErr.Code) == "" {
		apiErr.Code = codeNoErrorCode
		if apiErr.Message == "" {
			apiErr.Message = "the answer reports an error without naming it"
		}
	}
	if strings.HasPrefix(apiErr.Code, "ClientError") {
		if apiErr.cause != nil {
			apiErr.Message += ": " + apiErr.cause.Error()
		}
		apiErr.Message = clip(apiErr.Message, maxClientMessage)
	}
	return apiErr
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

var httpStatusInMessage = regexp.MustCompile(`status code: (\d{3})`)

// IsRetryable reports whether a request that failed with err may succeed when signed and sent
// again: throttling (RequestLimitExceeded and its sub-codes), InternalError and its sub-codes,
// network errors and timeouts, answers that are not valid JSON or not the expected shape, and
// HTTP 429 or 5xx from a gateway. A cancelled context is never retryable. An endpoint that
// cannot be reached (wait.IsUnreachable) gets the wait.Retrier's network budget, not this.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		code := apiErr.Code
		switch {
		case hasCode(code, "RequestLimitExceeded"), hasCode(code, "InternalError"):
			return true
		case code == codeNetworkError, code == codeIOError, code == codeParseJSONError, code == codeMalformedResponse:
			return true
		case code == codeHTTPStatusError:
			m := httpStatusInMessage.FindStringSubmatch(apiErr.Message)
			if m == nil {
				return false
			}
			status, _ := strconv.Atoi(m[1])
			return status == 429 || status >= 500
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}

// IsNotFound reports whether err is a ResourceNotFound answer (ResourceNotFound.Task for an
// unknown job or task), or a successful answer that holds no task.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (strings.HasPrefix(apiErr.Code, "ResourceNotFound") || apiErr.Code == codeNoTask)
}

// IsAuthError reports whether err is an AuthFailure answer (bad signature, unknown SecretId,
// expired token, clock skew).
func IsAuthError(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && strings.HasPrefix(apiErr.Code, "AuthFailure")
}

// hasCode reports whether code is base or one of its sub-codes (base + ".").
func hasCode(code, base string) bool {
	return code == base || strings.HasPrefix(code, base+".")
}
