package alibaba

import (
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// Client-side pace per API. The Alibaba services document no per-second limit for these
// reads, so this is only a ceiling on one process's burst; the adaptive limiter finds the
// account's real budget from throttling answers, which lower the pace (see reportToLimiter)
// and are retried. It was 20, which made fifty concurrent waits queue their first polls for
// 2.5 s and notice their tasks' ends 1.9 s late (BENCHMARKS.md, fifty waits at once).
const (
	defaultRateLimit  = 100
	defaultRateWindow = time.Second
)

// limiterKey identifies one flow-control bucket: the services count per API and caller.
type limiterKey struct {
	api, host, accessKey string
}

// limiters is shared by every Client of the process, so concurrent reads of different data
// sources (each with its own provider-level client reuse or not) draw from one budget.
var limiters = struct {
	sync.Mutex
	m map[limiterKey]*wait.AdaptiveLimiter
}{m: map[limiterKey]*wait.AdaptiveLimiter{}}

// limiterFor returns the process-wide limiter of an API at an endpoint for an access key.
func limiterFor(api, host, accessKey string, rate int) *wait.AdaptiveLimiter {
	if rate <= 0 {
		rate = defaultRateLimit
	}
	key := limiterKey{api: api, host: host, accessKey: accessKey}
	limiters.Lock()
	defer limiters.Unlock()
	l, ok := limiters.m[key]
	if !ok {
		l = wait.NewAdaptiveLimiter(rate, defaultRateWindow, 0, nil)
		limiters.m[key] = l
	}
	return l
}

// reportToLimiter tells the limiter how the service answered one attempt: a Throttling code
// (Throttling, Throttling.User, Throttling.Api, ...) lowers the pace, any other answer lets it
// climb back. An attempt that got no answer says nothing about the budget, nor does a 5xx,
// which is the service's trouble rather than the caller's share. The services send no retry
// hint with their throttling answers.
func reportToLimiter(l *wait.AdaptiveLimiter, err error) {
	var apiErr *APIError
	switch {
	case err == nil:
		l.Clean()
	case !errors.As(err, &apiErr):
		var decErr *DecodeError
		var noTask *NoTaskError
		if errors.As(err, &decErr) || errors.As(err, &noTask) {
			l.Clean() // answered within the budget, whatever the body held
		}
	case isThrottling(err):
		l.Throttled(0)
	case apiErr.HTTPStatus < 500:
		l.Clean()
	}
}

// isThrottling reports whether err is a Throttling answer (any code starting with "Throttling").
func isThrottling(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && strings.HasPrefix(apiErr.Code, "Throttling")
}
