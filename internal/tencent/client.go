package tencent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// DefaultBatchEndpoint is the documented host of the Batch API.
const DefaultBatchEndpoint = "batch.tencentcloudapi.com"

// DefaultRatePerSecond is DescribeTask's documented limit: 3 requests per second.
const DefaultRatePerSecond = 3

const (
	batchService = "batch"
	batchVersion = "2017-03-12"

	actionDescribeTask = "DescribeTask"

	// requestTimeout bounds one HTTP exchange; the read's context bounds the whole call.
	requestTimeout = 30 * time.Second

	// limiterGuard widens the limiter's window so that network jitter cannot squeeze a fourth
	// request into the server's one-second window.
	limiterGuard = 100 * time.Millisecond
)

// ClientOptions are the settings of a Client that do not come from the provider configuration.
type ClientOptions struct {
	// Getenv reads the environment variables of the provider's settings; nil = os.Getenv.
	// The SDK's profile providers read HOME and TENCENTCLOUD_CREDENTIALS_FILE themselves.
	Getenv func(string) string
	// UserAgent names the provider and its version, e.g. "terraform-provider-cloudtask/1.2.3". It is
	// sent as the User-Agent header and, in the SDK's allowed characters, as its RequestClient.
	UserAgent string

	Backoff *wait.Backoff // per-request retries; nil = wait.DefaultBackoff()

	// ratePerSecond is the DescribeTask limit per endpoint and SecretId; 0 = DefaultRatePerSecond.
	// The limiter is shared process-wide: the first Client for an endpoint and SecretId sets it.
	ratePerSecond int
}

// Client calls the Tencent Batch API with one set of resolved credentials. It is safe for
// concurrent use.
type Client struct {
	sdk *common.Client
	// renewing are the role credentials, the OIDC one before the assume_role one that it
	// signs, checked before each request so that a renewal that failed is reported instead of
	// a refused signature; empty without a role.
	renewing []*renewingCredential
	region   string
	endpoint string // host[:port] the requests go to
	limiter  *wait.AdaptiveLimiter
	backoff  wait.Backoff
	clock    wait.Clock // the retrier's; nil is the wall clock, tests set a fake with limiter
}

// NewClient resolves the credentials (see Resolve), assumes the configured role, parses the
// endpoint override and builds the SDK's CommonClient once. Its only requests are those that
// obtain temporary credentials (STS, the CVM metadata service), so that a refused role is a
// set-up error rather than a failed read.
func NewClient(cfg Config, opts ClientOptions) (*Client, error) {
	r, err := resolve(cfg, opts.Getenv)
	if err != nil {
		return nil, err
	}
	if err := validateRoleSettings(r); err != nil {
		return nil, err
	}
	ep := endpoint.Endpoint{Scheme: "https", Host: DefaultBatchEndpoint}
	if strings.TrimSpace(cfg.Endpoints.Batch) != "" {
		if ep, err = endpoint.Parse(cfg.Endpoints.Batch); err != nil {
			return nil, fmt.Errorf("tencent endpoints.batch: %w", err)
		}
	}
	region := r.creds.Region
	cred := r.cred
	var renewing []*renewingCredential
	if r.oidc != nil || r.assumeRole != nil {
		host, err := stsHost(cfg.Endpoints.STS)
		if err != nil {
			return nil, err
		}
		if r.oidc != nil {
			oidc, err := oidcCredential(*r.oidc, region, host, requestClient(opts.UserAgent))
			if err != nil {
				return nil, err
			}
			renewing, cred = append(renewing, oidc), oidc
		}
		if r.assumeRole != nil {
			role, err := assumeRoleCredential(cred, *r.assumeRole, region, host, requestClient(opts.UserAgent))
			if err != nil {
				return nil, err
			}
			renewing, cred = append(renewing, role), role
		}
	}

	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = ep.HostPort()
	prof.HttpProfile.Scheme = strings.ToUpper(ep.Scheme)
	prof.HttpProfile.ReqMethod = "POST"
	// No http.Client.Timeout: answerTransport bounds each exchange by requestTimeout instead.
	prof.HttpProfile.ReqTimeout = 0
	prof.Language = "en-US"
	// The SDK's retries resend the same signed request and sleep without the context; retries
	// happen in DescribeTask instead, each one signed afresh.
	prof.RateLimitExceededMaxRetries = 0
	prof.NetworkFailureMaxRetries = 0
	prof.DisableRegionBreaker = true
	prof.Debug = false

	sdk := common.NewCommonClient(cred, region, prof)
	var transport http.RoundTripper = answerTransport{}
	if ua := strings.TrimSpace(opts.UserAgent); ua != "" {
		// The SDK leaves User-Agent to Go's default; TC3 does not sign it, so it can be set here.
		transport = &userAgentTransport{base: transport, userAgent: ua}
	}
	sdk.WithHttpTransport(transport)
	if rc := requestClient(opts.UserAgent); rc != "" {
		sdk.WithRequestClient(rc)
	}

	rate := opts.ratePerSecond
	if rate <= 0 {
		rate = DefaultRatePerSecond
	}
	backoff := wait.DefaultBackoff()
	if opts.Backoff != nil {
		backoff = *opts.Backoff
	}
	return &Client{
		sdk:      sdk,
		renewing: renewing,
		region:   region,
		endpoint: ep.HostPort(),
		// Temporary keys change: the limiter follows the account's first key.
		limiter: sharedLimiter(ep.HostPort(), cred.GetSecretId(), rate),
		backoff: backoff,
	}, nil
}

// Region returns the resolved region, sent as X-TC-Region.
func (c *Client) Region() string { return c.region }

// limiters holds one DescribeTask limiter per endpoint and SecretId for the whole process, so
// that every data source reading with the same account shares the API's budget. The limiter
// adapts its pace to throttling answers (see reportToLimiter), because other processes using
// the same account draw from the same budget unseen.
var limiters = struct {
	sync.Mutex
	m map[limiterKey]*wait.AdaptiveLimiter
}{m: map[limiterKey]*wait.AdaptiveLimiter{}}

type limiterKey struct{ endpoint, secretID string }

func sharedLimiter(hostPort, secretID string, rate int) *wait.AdaptiveLimiter {
	limiters.Lock()
	defer limiters.Unlock()
	key := limiterKey{endpoint: strings.ToLower(hostPort), secretID: secretID}
	l, ok := limiters.m[key]
	if !ok {
		l = wait.NewAdaptiveLimiter(rate, time.Second, limiterGuard, nil)
		limiters.m[key] = l
	}
	return l
}

// userAgentTransport sets the User-Agent header of every request it sends.
type userAgentTransport struct {
	base      http.RoundTripper
	userAgent string
}

// RoundTrip sends a copy of r with the User-Agent header set; r itself is left unchanged, as
// http.RoundTripper requires.
func (t *userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.userAgent)
	return t.base.RoundTrip(r)
}

// requestClient turns a user agent into the SDK's RequestClient, whose allowed characters are
// letters, digits and "-_ ,;."; the SDK logs to stderr and drops a value that breaks the rule,
// so anything else is replaced rather than left to it.
func requestClient(userAgent string) string {
	rc := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		case strings.ContainsRune("-_ ,;.", r):
			return r
		default:
			return ' '
		}
	}, userAgent)
	rc = strings.TrimSpace(rc)
	if len(rc) > 128 {
		rc = strings.TrimSpace(rc[:128])
	}
	return rc
}

// call sends DescribeTask with retries: each attempt waits on the rate limiter, is signed afresh
// and carries ctx, so cancelling ctx aborts the HTTP exchange. decode parses the answer inside
// the retry loop, so an answer of the wrong shape is retried like a truncated one.
func (c *Client) call(ctx context.Context, params map[string]any, decode func(body []byte) (requestID string, err error)) error {
	var (
		lastErr  error
		attempts int
		stopped  bool
	)
	retrier := wait.Retrier{
		Backoff:   c.backoff,
		Clock:     c.clock,
		Retryable: func(err error) bool { return !stopped && IsRetryable(err) },
		Paced:     isThrottling,
		OnRetry: func(attempt int, err error, delay time.Duration) {
			tflog.Debug(ctx, "Retrying Tencent Cloud request", map[string]any{
				"api": APIDescribeTask, "attempt": attempt + 1, "delay": delay.String(), "error": err.Error(),
			})
		},
	}
	return retrier.Do(ctx, func(ctx context.Context) error {
		attempts++
		if werr := c.limiter.Wait(ctx); werr != nil {
			// The limiter gives up when the wait would cross the deadline: report the API error
			// that led here, if any, rather than a bare context error.
			stopped = true
			if lastErr != nil {
				return fmt.Errorf("%w; %w", lastErr, werr)
			}
			return werr
		}
		requestID, err := c.send(ctx, params, decode)
		reportToLimiter(c.limiter, err)
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			apiErr.Endpoint = c.endpoint
		}
		fields := map[string]any{"api": APIDescribeTask, "attempt": attempts, "endpoint": c.endpoint, "region": c.region, "request_id": requestID}
		if apiErr != nil {
			fields["code"] = apiErr.Code
			fields["request_id"] = apiErr.RequestID
		}
		tflog.Debug(ctx, "Tencent Cloud request sent", fields)
		lastErr = err
		return err
	})
}

// send signs and sends one request and decodes its answer; it returns the request id of a
// successful answer (errors carry their own).
func (c *Client) send(ctx context.Context, params map[string]any, decode func(body []byte) (string, error)) (string, error) {
	for _, r := range c.renewing {
		if err := r.check(); err != nil {
			return "", err
		}
	}
	req := tchttp.NewCommonRequest(batchService, batchVersion, actionDescribeTask)
	req.SetContext(ctx)
	if err := req.SetActionParameters(params); err != nil {
		return "", toAPIError(err)
	}
	resp := &rawResponse{BaseResponse: &tchttp.BaseResponse{}}
	if err := c.sdk.Send(req, resp); err != nil {
		return "", toAPIError(err)
	}
	requestID, err := decode(resp.body)
	if err != nil {
		return "", malformedAnswer(resp.body, err)
	}
	return requestID, nil
}

// malformedAnswer is the error for a successful answer that is not a DescribeTask response.
func malformedAnswer(body []byte, err error) *APIError {
	return &APIError{API: APIDescribeTask, Code: codeMalformedResponse, Message: clip(err.Error(), maxClientMessage),
		RequestID: requestIDOf(body), cause: err}
}

// rawResponse keeps the answer body exactly as received; the SDK has already checked it for an
// error answer. Parsing it here (instead of through CommonResponse's generic map) keeps numbers
// and strings verbatim.
type rawResponse struct {
	*tchttp.BaseResponse
	body []byte
}

// UnmarshalJSON stores the body; it is how the SDK hands it over.
func (r *rawResponse) UnmarshalJSON(b []byte) error {
	r.body = append([]byte(nil), b...)
	return nil
}
