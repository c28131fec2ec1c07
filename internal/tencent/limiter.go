package tencent

import (
	"errors"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// reportToLimiter tells the limiter how the API answered one request: RequestLimitExceeded (and
// its sub-codes) lowers the pace, any other answer from the service lets it climb back. A
// request that got no answer from the API (network failure, a gateway's HTTP error, cancelled)
// says nothing about the budget. The
// API sends no retry hint with its throttling answers.
func reportToLimiter(l *wait.AdaptiveLimiter, err error) {
	if err == nil {
		l.Clean()
		return
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return
	}
	switch {
	case isThrottling(err):
		l.Throttled(0)
	case apiErr.Code == codeNetworkError, apiErr.Code == codeIOError, apiErr.Code == codeHTTPStatusError:
		// No answer from the API itself: the network or a gateway failed.
	default:
		// An answer within the budget, even one whose body could not be used.
		l.Clean()
	}
}

// isThrottling reports whether err is a RequestLimitExceeded answer or one of its sub-codes.
func isThrottling(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && hasCode(apiErr.Code, "RequestLimitExceeded")
}
