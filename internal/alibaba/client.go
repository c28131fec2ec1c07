package alibaba

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// maxAttemptTimeout bounds one request when the caller's deadline is further away, so a
// connection that hangs is abandoned and retried instead of holding the whole read.
const maxAttemptTimeout = 30 * time.Second

// regionPattern is what the SDK accepts as a region id.
var regionPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// ClientOptions are the settings of a Client that do not come from the provider
// configuration.
type ClientOptions struct {
	Getenv    func(string) string // nil = os.Getenv
	Home      string              // "" = os.UserHomeDir()
	UserAgent string              // appended to the SDK's user agent, e.g. "terraform-provider-cloudtask/1.0.0"
	Backoff   *wait.Backoff       // nil = wait.DefaultBackoff(); tests pass small delays
	// ratePerSecond is the client-side pace per API; 0 = defaultRateLimit. The first Client of
	// an API, endpoint and access key sets it for the process.
	ratePerSecond int
	// ecsMetadataProxy, when set, is an HTTP proxy through which credentials-go reaches the
	// ECS metadata service (its own seam, HttpOptions.Proxy): tests put a stand-in there.
	ecsMetadataProxy string
}

// Client reads the Alibaba Cloud task APIs. It is safe for concurrent use.
type Client struct {
	// creds are the credentials found when the client was made: their region, and their
	// access key as the limiter's key. Requests are signed with provider's, which may be
	// refreshed.
	creds Credentials
	// provider gives the credentials of each request; see providerCredentials.
	provider  providers.CredentialsProvider
	endpoints map[string]endpoint.Endpoint // by service name
	// unavailable holds, by service name, why a service has no endpoint (BDRC outside its
	// regions). It fails that service's reads only, so the other services keep working.
	unavailable map[string]error
	backoff     wait.Backoff
	redact      *redactor
	userAgent   string
	rate        int
	// attemptTimeout bounds one request when the caller's deadline is further away.
	attemptTimeout time.Duration

	// The SDK client stores the timeout of the request in flight in its shared http.Client,
	// so one SDK client serves one request at a time; idle ones wait here for reuse.
	mu   sync.Mutex
	idle []*sdkConn
}

// sdkConn is an SDK client with the transport that binds its requests to a context.
type sdkConn struct {
	client    *sdk.Client
	transport *contextTransport
}

// NewClient resolves credentials (so it fails with *MissingCredentialsError when they are
// missing), parses the endpoint overrides and builds the SDK client. The provider calls it
// lazily on the first Alibaba read and reuses it.
func NewClient(cfg Config, opts ClientOptions) (*Client, error) {
	home := opts.Home
	if home == "" {
		// No home directory only means no profile file to read.
		home, _ = os.UserHomeDir()
	}
	r, err := resolve(cfg, opts.Getenv, home, opts.ecsMetadataProxy)
	if err != nil {
		return nil, err
	}
	creds := r.creds
	redact := newRedactor(append([]string{creds.SecretKey, creds.SecurityToken}, r.secrets...)...)
	if cfg.AssumeRole, err = assumeRoleSettings(cfg.AssumeRole, opts.Getenv); err != nil {
		return nil, err
	}
	if cfg.AssumeRole != nil {
		if r.provider, err = assumeRoleProvider(cfg, r.provider); err != nil {
			return nil, err
		}
		// Assume the role now, so that a refused role is a set-up error, not a failed read.
		if _, err := r.provider.GetCredentials(); err != nil {
			var urlErr *url.Error
			if errors.As(err, &urlErr) {
				err = urlErr.Err // the URL holds the base credential's signature
			}
			return nil, fmt.Errorf("alibaba.assume_role: assuming role %s: %s", cfg.AssumeRole.RoleArn, redact.clean(err.Error()))
		}
	}
	if !regionPattern.MatchString(creds.Region) {
		return nil, fmt.Errorf("alibaba.region %q is not a valid region id", creds.Region)
	}
	c := &Client{
		creds:       creds,
		endpoints:   map[string]endpoint.Endpoint{},
		unavailable: map[string]error{},
		backoff:     wait.DefaultBackoff(),
		redact:      redact,
		provider:    r.provider,
		userAgent:   opts.UserAgent,
		rate:        opts.ratePerSecond,

		attemptTimeout: maxAttemptTimeout,
	}
	if opts.Backoff != nil {
		c.backoff = *opts.Backoff
	}
	for service, override := range map[string]string{
		ServicePolarDB: cfg.Endpoints.PolarDB,
		ServiceBDRC:    cfg.Endpoints.BDRC,
		ServiceAlidns:  cfg.Endpoints.Alidns,
	} {
		ep, err := resolveEndpoint(service, override, creds.Region)
		var unsupported *UnsupportedRegionError
		if errors.As(err, &unsupported) {
			c.unavailable[service] = err
			continue
		}
		if err != nil {
			return nil, err
		}
		c.endpoints[service] = ep
	}
	conn, err := c.newConn()
	if err != nil {
		return nil, err
	}
	c.idle = append(c.idle, conn)
	return c, nil
}

// Region returns the resolved region.
func (c *Client) Region() string { return c.creds.Region }

// endpointURL returns the endpoint used for a service (ServicePolarDB, ServiceBDRC,
// ServiceAlidns) as a URL; "" when the service has none in the region.
func (c *Client) endpointURL(service string) string {
	ep, ok := c.endpoints[service]
	if !ok {
		return ""
	}
	return ep.String()
}

func (c *Client) newConn() (*sdkConn, error) {
	config := sdk.NewConfig()
	// Retries are ours: the SDK would resend without fresh pacing, and never for throttling.
	config.AutoRetry = false
	config.MaxRetryTime = 0
	config.Scheme = "HTTPS"
	transport := &contextTransport{}
	config.Transport = transport

	var cred auth.Credential = &providerCredentials{c: c}
	client, err := sdk.NewClientWithOptions(c.creds.Region, config, cred)
	if err != nil {
		return nil, fmt.Errorf("creating the Alibaba Cloud SDK client: %s", c.redact.clean(err.Error()))
	}
	client.SetCloseTrace(true)
	if ua := strings.TrimSpace(c.userAgent); ua != "" {
		if product, version, ok := strings.Cut(ua, "/"); ok && product != "" {
			client.AppendUserAgent(product, version)
		} else {
			config.UserAgent = ua
		}
	}
	return &sdkConn{client: client, transport: transport}, nil
}

// providerCredentials hands the SDK, for every request it signs, the credentials of the
// client's credentials-go provider, so temporary credentials are refreshed during a long
// wait instead of expiring. credentials-go's refreshing providers are not safe for
// concurrent use, hence the lock. Every secret handed out joins the redactor.
type providerCredentials struct {
	c  *Client
	mu sync.Mutex
}

// GetCredentials implements the SDK's credentials.CredentialsProvider.
func (p *providerCredentials) GetCredentials() (*credentials.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cc, err := p.c.provider.GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("getting Alibaba Cloud credentials (%s): %s", p.c.provider.GetProviderName(), p.c.redact.clean(err.Error()))
	}
	p.c.redact.add(cc.AccessKeySecret, cc.SecurityToken)
	return &credentials.Credentials{
		AccessKeyId:     cc.AccessKeyId,
		AccessKeySecret: cc.AccessKeySecret,
		SecurityToken:   cc.SecurityToken,
		ProviderName:    cc.ProviderName,
	}, nil
}

// GetProviderName implements the SDK's credentials.CredentialsProvider.
func (p *providerCredentials) GetProviderName() string { return p.c.provider.GetProviderName() }

func (c *Client) takeConn() (*sdkConn, error) {
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		conn := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return conn, nil
	}
	c.mu.Unlock()
	return c.newConn()
}

func (c *Client) returnConn(conn *sdkConn) {
	conn.transport.ctx = nil
	c.mu.Lock()
	c.idle = append(c.idle, conn)
	c.mu.Unlock()
}

// apiInfo names one API and the service it belongs to.
type apiInfo struct {
	name    string // for errors and logs, e.g. "PolarDB DescribeBatchTask"
	service string
}

var (
	apiPolarDBBatchTask  = apiInfo{"PolarDB DescribeBatchTask", ServicePolarDB}
	apiPolarDBTasks      = apiInfo{"PolarDB DescribeTasks", ServicePolarDB}
	apiBDRCTask          = apiInfo{"BDRC DescribeTask", ServiceBDRC}
	apiAlidnsBatchResult = apiInfo{"Alidns DescribeBatchResultCount", ServiceAlidns}
)

// target is where and how long one attempt may go.
type target struct {
	ep      endpoint.Endpoint
	timeout time.Duration
}

// rpcRequest returns a new RPC common request aimed at the target.
func (t target) rpcRequest(product, version, action string) *requests.CommonRequest {
	req := requests.NewCommonRequest()
	req.Method = requests.POST
	req.Product = product
	req.Version = version
	req.ApiName = action
	t.apply(req, &req.Port)
	return req
}

// apply sets the endpoint and timeouts on a request. Domain and Port are set apart: ROA
// requests need it that way, and RPC ones build the same URL from it.
func (t target) apply(req requests.AcsRequest, port *string) {
	req.SetScheme(t.ep.Scheme)
	req.SetDomain(sdkDomain(t.ep))
	*port = t.ep.Port
	// The SDK's own timeouts are a backstop: the attempt's context, a moment shorter, is what
	// ends a request, so the error says whose deadline it was.
	req.SetReadTimeout(t.timeout + time.Second)
	req.SetConnectTimeout(t.timeout + time.Second)
}

// sender builds and sends one freshly signed request.
type sender func(client *sdk.Client, t target) (responses.AcsResponse, error)

// do runs one API call: paced by the API's limiter, retried while IsRetryable, each attempt
// a newly signed request bounded by ctx. decode reads a successful body.
func (c *Client) do(ctx context.Context, api apiInfo, send sender, decode func(object)) error {
	if err := c.unavailable[api.service]; err != nil {
		return err
	}
	ep := c.endpoints[api.service]
	limiter := limiterFor(api.name, ep.HostPort(), c.creds.AccessKey, c.rate)
	attempt := 0
	var last error
	retrier := wait.Retrier{
		Backoff:   c.backoff,
		Retryable: IsRetryable,
		Paced:     isThrottling,
		OnRetry: func(n int, err error, delay time.Duration) {
			tflog.Debug(ctx, "Retrying Alibaba Cloud API request", map[string]any{
				"api": api.name, "attempt": n + 1, "delay": delay.String(), "error": err.Error(),
			})
		},
	}
	return retrier.Do(ctx, func(ctx context.Context) error {
		if err := limiter.Wait(ctx); err != nil {
			if last != nil {
				// The pace allows no further attempt before the deadline: report the answer
				// that made us retry, not the limiter.
				return &stoppedError{last: last, cause: err}
			}
			return &RequestError{API: api.name, Host: ep.HostPort(), Err: err}
		}
		attempt++
		last = c.attempt(ctx, api, ep, attempt, send, decode)
		reportToLimiter(limiter, last)
		return last
	})
}

// stoppedError is the last failure of a call whose next attempt could not start in time.
type stoppedError struct {
	last, cause error
}

// Error is the last failure, with why no attempt followed.
func (e *stoppedError) Error() string {
	return fmt.Sprintf("%v (not retried: %v)", e.last, e.cause)
}

// Unwrap returns both the last failure and the limiter's refusal.
func (e *stoppedError) Unwrap() []error { return []error{e.last, e.cause} }

// attempt sends one newly signed request and decodes its answer.
func (c *Client) attempt(ctx context.Context, api apiInfo, ep endpoint.Endpoint, attempt int, send sender, decode func(object)) error {
	timeout := c.attemptTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if timeout <= 0 {
		return &RequestError{API: api.name, Host: ep.HostPort(), Err: context.DeadlineExceeded}
	}
	// An attempt gets a deadline of its own only when the caller's is further away, so that
	// an attempt cut by the caller's deadline reports it, not a retryable timeout.
	var attemptCtx context.Context
	var cancel context.CancelFunc
	if timeout == c.attemptTimeout {
		attemptCtx, cancel = context.WithTimeout(ctx, timeout)
	} else {
		attemptCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	conn, err := c.takeConn()
	if err != nil {
		return err
	}
	tflog.Debug(ctx, "Alibaba Cloud API request", map[string]any{
		"api": api.name, "attempt": attempt, "endpoint": ep.String(),
	})
	start := time.Now()
	conn.transport.ctx = attemptCtx
	resp, err := send(conn.client, target{ep: ep, timeout: timeout})
	c.returnConn(conn)
	fields := map[string]any{"api": api.name, "attempt": attempt, "duration_ms": time.Since(start).Milliseconds()}

	if err != nil {
		err = c.classify(ctx, attemptCtx, api, ep, err)
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			fields["http_status"], fields["code"], fields["request_id"] = apiErr.HTTPStatus, apiErr.Code, apiErr.RequestID
		} else {
			fields["error"] = err.Error()
		}
		tflog.Debug(ctx, "Alibaba Cloud API error", fields)
		return err
	}

	body, err := parseBody(resp.GetHttpContentBytes())
	if err != nil {
		var decErr *DecodeError
		if errors.As(err, &decErr) {
			decErr.API = api.name
		}
		fields["http_status"], fields["error"] = resp.GetHttpStatus(), err.Error()
		tflog.Debug(ctx, "Alibaba Cloud API malformed answer", fields)
		return err
	}
	decode(body)
	fields["http_status"], fields["request_id"] = resp.GetHttpStatus(), body.requestID()
	if err := body.finish(api.name); err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, "Alibaba Cloud API answer not decoded", fields)
		return err
	}
	tflog.Debug(ctx, "Alibaba Cloud API answer", fields)
	return nil
}

// classify turns an SDK error into APIError, RequestError or a wrapped error, with any
// credential removed.
func (c *Client) classify(ctx, attemptCtx context.Context, api apiInfo, ep endpoint.Endpoint, err error) error {
	var serverErr *sdkerrors.ServerError
	if errors.As(err, &serverErr) {
		return &APIError{
			API:        api.name,
			HTTPStatus: serverErr.HttpStatus(),
			Code:       serverErr.ErrorCode(),
			Message:    c.redact.clean(serverErr.Message()),
			RequestID:  serverErr.RequestId(),
		}
	}
	host := ep.HostPort()
	switch {
	case ctx.Err() != nil:
		return &RequestError{API: api.name, Host: host, Err: ctx.Err()}
	case attemptCtx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return &RequestError{API: api.name, Host: host, Err: fmt.Errorf("%w (%s)", errNoAnswerInTime, c.attemptTimeout)}
	}
	// The URL of an RPC request holds the signature and any security token: keep only the cause.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return &RequestError{API: api.name, Host: host, Err: urlErr.Err}
	}
	var clientErr *sdkerrors.ClientError
	if errors.As(err, &clientErr) {
		return fmt.Errorf("%s: %s", api.name, c.redact.clean(clientErr.Error()))
	}
	// What is left failed while reading the answer (a dropped connection).
	return &RequestError{API: api.name, Host: host, Err: err}
}
