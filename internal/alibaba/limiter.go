package alibaba

import (
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// Client-side pace per API. The Alibaba services document no per-second limit for these
// reads, so this is a generous ceiling that keeps many concurrent waiters from tripping
// the account's flow control; throttling answers are still retried.
const (
	defaultRateLimit  = 20
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
	m map[limiterKey]*wait.Limiter
}{m: map[limiterKey]*wait.Limiter{}}

// limiterFor returns the process-wide limiter of an API at an endpoint for an access key.
func limiterFor(api, host, accessKey string, rate int) *wait.Limiter {
	if rate <= 0 {
		rate = defaultRateLimit
	}
	key := limiterKey{api: api, host: host, accessKey: accessKey}
	limiters.Lock()
	defer limiters.Unlock()
	l, ok := limiters.m[key]
	if !ok {
		l = wait.NewLimiter(rate, defaultRateWindow, 0, nil)
		limiters.m[key] = l
	}
	return l
}
