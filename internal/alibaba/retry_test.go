package alibaba

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// callAPI runs one of the four calls against a scenario that knows one task of each.
type apiCase struct {
	name string
	api  string
	call func(ctx context.Context, c *Client) error
}

var apiCases = []apiCase{
	{"PolarDB DescribeBatchTask", emulator.APIPolarDBBatchTask, func(ctx context.Context, c *Client) error {
		_, err := c.DescribeBatchTask(ctx, "pcb-1")
		return err
	}},
	{"PolarDB DescribeTasks", emulator.APIPolarDBTasks, func(ctx context.Context, c *Client) error {
		_, err := c.DescribeTasks(ctx, TasksRequest{DBClusterID: "pc-1", StartTime: "2020-11-30T00:00Z", EndTime: "2020-12-02T03:00Z"})
		return err
	}},
	{"BDRC DescribeTask", emulator.APIBDRCTask, func(ctx context.Context, c *Client) error {
		_, err := c.DescribeBDRCTask(ctx, "t-1")
		return err
	}},
	{"Alidns DescribeBatchResultCount", emulator.APIAlidnsBatchResult, func(ctx context.Context, c *Client) error {
		_, err := c.DescribeBatchResultCount(ctx, BatchResultRequest{TaskID: ptr[int64](1)})
		return err
	}},
}

func oneOfEach(t *testing.T, faults ...emulator.Fault) *emulator.Scenario {
	return &emulator.Scenario{
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-1", Phases: []emulator.Phase{{Response: raw(t, seedBatchTask)}}}},
		PolarDBTasks: []emulator.PolarDBTask{{DBClusterID: "pc-1", Phases: []emulator.PolarDBTaskPhase{
			{Status: "Running", Task: raw(t, seedPolarDBTask)},
		}}},
		BDRCTasks:   []emulator.BDRCTask{{TaskID: "t-1", Phases: []emulator.Phase{{Response: raw(t, seedBDRCData)}}}},
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 1, Phases: []emulator.Phase{{Response: raw(t, seedBatchResult)}}}},
		Faults:      faults,
	}
}

// TestRetries proves that transient failures are retried and that every retry is a newly
// signed request: the emulator rejects a reused nonce with SignatureNonceUsed.
func TestRetries(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name      string
		fault     emulator.Fault
		wantCalls int
		code      string // the code answered by the failed attempts, if any
	}{
		{"throttling three times", emulator.Fault{Kind: emulator.FaultThrottling, Times: 3}, 4, "Throttling.User"},
		{"Throttling.Api", emulator.Fault{Kind: emulator.FaultError, Code: "Throttling.Api", HTTPStatus: 400, Times: 1}, 2, "Throttling.Api"},
		{"503 ServiceUnavailable", emulator.Fault{Kind: emulator.FaultServerError, Times: 1}, 2, "ServiceUnavailable"},
		{"500 InternalError", emulator.Fault{Kind: emulator.FaultServerError, HTTPStatus: 500, Times: 1}, 2, "InternalError"},
		{"malformed body", emulator.Fault{Kind: emulator.FaultMalformed, Times: 1}, 2, ""},
		{"dropped connection", emulator.Fault{Kind: emulator.FaultDrop, Times: 1}, 2, ""},
	}
	for _, f := range faults {
		for _, api := range apiCases {
			t.Run(f.name+"/"+api.name, func(t *testing.T) {
				t.Parallel()
				fault := f.fault
				fault.API = api.api
				srv := emulator.NewTestServer(t, oneOfEach(t, fault))
				c := newEmulatorClient(t, srv, Config{})
				if err := api.call(context.Background(), c); err != nil {
					t.Fatalf("call: %v", err)
				}
				if n := srv.Calls(api.api); n != f.wantCalls {
					t.Errorf("calls = %d, want %d", n, f.wantCalls)
				}
				if n := srv.Answered(api.api, ""); n != 1 {
					t.Errorf("successes = %d, want 1", n)
				}
				if f.code != "" {
					if n := srv.Answered(api.api, f.code); n != f.wantCalls-1 {
						t.Errorf("%s answers = %d, want %d", f.code, n, f.wantCalls-1)
					}
				}
				if n := srv.Answered(api.api, "SignatureNonceUsed"); n != 0 {
					t.Errorf("SignatureNonceUsed answers = %d, want 0", n)
				}
			})
		}
	}
}

func TestFailsAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		fault    *emulator.Fault
		call     func(ctx context.Context, c *Client) error
		code     string
		auth     bool
		notFound bool
	}{
		{name: "wrong secret", cfg: Config{SecretKey: "not-the-secret"}, code: "SignatureDoesNotMatch", auth: true},
		{name: "wrong secret with a security token", cfg: Config{SecretKey: "not-the-secret", SecurityToken: "sts-token-value-0001"}, code: "SignatureDoesNotMatch", auth: true},
		{name: "unknown access key", cfg: Config{AccessKey: "LTAIunknownKey0000"}, code: "InvalidAccessKeyId.NotFound", auth: true},
		{name: "forbidden", fault: &emulator.Fault{Kind: emulator.FaultError, Code: "Forbidden.RAM", HTTPStatus: 403}, code: "Forbidden.RAM", auth: true},
		{name: "parameter error", fault: &emulator.Fault{Kind: emulator.FaultError, Code: "InvalidParameter", HTTPStatus: 400}, code: "InvalidParameter"},
		{name: "unknown batch", call: func(ctx context.Context, c *Client) error {
			_, err := c.DescribeBatchTask(ctx, "pcb-missing")
			return err
		}, code: "InvalidBatchId.NotFound", notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := oneOfEach(t)
			if tt.fault != nil {
				sc.Faults = append(sc.Faults, *tt.fault)
			}
			srv := emulator.NewTestServer(t, sc)
			c := newEmulatorClient(t, srv, tt.cfg)
			call := tt.call
			if call == nil {
				call = apiCases[0].call
			}
			err := call(context.Background(), c)
			if code := apiCode(err); code != tt.code {
				t.Fatalf("code %q, want %q (%v)", code, tt.code, err)
			}
			if IsAuthError(err) != tt.auth || IsNotFound(err) != tt.notFound || IsRetryable(err) {
				t.Errorf("IsAuthError %v, IsNotFound %v, IsRetryable %v; want %v, %v, false",
					IsAuthError(err), IsNotFound(err), IsRetryable(err), tt.auth, tt.notFound)
			}
			if n := srv.Calls(emulator.APIPolarDBBatchTask); n != 1 {
				t.Errorf("calls = %d, want exactly 1", n)
			}
			msg := err.Error()
			for _, secret := range []string{"not-the-secret", emulator.AlibabaAccessKeySecret, "sts-token-value-0001"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error reveals %q: %s", secret, msg)
				}
			}
			if !strings.Contains(msg, "PolarDB DescribeBatchTask: "+tt.code+": ") || !strings.Contains(msg, "request id ") {
				t.Errorf("error %q does not name the API, code and request id", msg)
			}
		})
	}
}

// TestContextEndsDuringSlowAnswer: the classic SDK takes no context, yet a cancelled or
// expired read must not wait for the answer.
func TestContextEndsDuringSlowAnswer(t *testing.T) {
	t.Parallel()
	for _, api := range apiCases {
		t.Run(api.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, oneOfEach(t, emulator.Fault{API: api.api, Kind: emulator.FaultSlow, Delay: "20s"}))
			c := newEmulatorClient(t, srv, Config{})

			// Cancel once the server holds the request in the slow answer.
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				for srv.Slow(api.api).Served == 0 {
					time.Sleep(5 * time.Millisecond)
				}
				cancel()
			}()
			err := api.call(ctx, c)
			if !errors.Is(err, context.Canceled) || IsRetryable(err) {
				t.Errorf("cancel: %v; want context.Canceled, not retryable", err)
			}
			// The request reached the slow answer and the call returned without waiting it out.
			if got := srv.Slow(api.api); got.Served != 1 || got.Delayed != 0 {
				t.Errorf("cancel: slow answers %+v, want one served and none waited out", got)
			}

			ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err = api.call(ctx, c)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("deadline: %v; want context.DeadlineExceeded", err)
			}
			if got := srv.Slow(api.api); got.Delayed != 0 {
				t.Errorf("deadline: slow answers %+v, want none waited out", got)
			}
		})
	}
}

// TestRetriesStopAtDeadline: when throttling outlasts the deadline, the read ends by the
// deadline with the service's error, not a bare "context deadline exceeded".
func TestRetriesStopAtDeadline(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, oneOfEach(t, emulator.Fault{API: emulator.APIPolarDBBatchTask, Kind: emulator.FaultThrottling}))
	c := newEmulatorClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.DescribeBatchTask(ctx, "pcb-1")
	if code := apiCode(err); code != "Throttling.User" {
		t.Errorf("error %v, want the Throttling.User answer", err)
	}
	if n := srv.Calls(emulator.APIPolarDBBatchTask); n < 2 {
		t.Errorf("calls = %d, want retries", n)
	}
}

// recordingProxy forwards to the emulator and keeps what each request carried.
type recordingProxy struct {
	mu       sync.Mutex
	tokens   []string // SecurityToken (RPC) or x-acs-security-token (ROA), "" when absent
	agents   []string
	upstream *httputil.ReverseProxy
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.Header.Get("x-acs-security-token")
	if token == "" {
		token = r.URL.Query().Get("SecurityToken")
	}
	p.mu.Lock()
	p.tokens = append(p.tokens, token)
	p.agents = append(p.agents, r.Header.Get("User-Agent"))
	p.mu.Unlock()
	p.upstream.ServeHTTP(w, r)
}

func TestSecurityTokenReachesServer(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, oneOfEach(t))
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := &recordingProxy{upstream: httputil.NewSingleHostReverseProxy(target)}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	const token = "CAIS-sts-token+with/odd=chars"
	backoff := testBackoff
	c, err := NewClient(Config{
		AccessKey: emulator.AlibabaAccessKeyID, SecretKey: emulator.AlibabaAccessKeySecret, SecurityToken: token,
		Endpoints: Endpoints{PolarDB: front.URL, BDRC: front.URL, Alidns: front.URL},
	}, ClientOptions{Getenv: noEnv, Home: t.TempDir(), UserAgent: "terraform-provider-cloudtask/9.9.9", Backoff: &backoff})
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range apiCases {
		if err := api.call(context.Background(), c); err != nil {
			t.Fatalf("%s: %v", api.name, err)
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if len(proxy.tokens) != len(apiCases) {
		t.Fatalf("%d requests, want %d", len(proxy.tokens), len(apiCases))
	}
	for i, got := range proxy.tokens {
		if got != token {
			t.Errorf("%s: token %q, want %q", apiCases[i].name, got, token)
		}
		if !strings.Contains(proxy.agents[i], "terraform-provider-cloudtask/9.9.9") {
			t.Errorf("%s: user agent %q lacks the provider's", apiCases[i].name, proxy.agents[i])
		}
	}
}

// TestConcurrentCalls shares one Client between many reads (run with -race).
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, oneOfEach(t, emulator.Fault{Kind: emulator.FaultThrottling, Times: 5}))
	c := newEmulatorClient(t, srv, Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(apiCases))
	for range 4 {
		for _, api := range apiCases {
			wg.Go(func() { errs <- api.call(context.Background(), c) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, api := range apiCases {
		if n := srv.Answered(api.api, "SignatureNonceUsed"); n != 0 {
			t.Errorf("%s: SignatureNonceUsed answers = %d", api.name, n)
		}
	}
}

// TestHungRequestRetried: an answer slower than the per-request bound is abandoned and the
// request sent again, while the caller's deadline is still far.
func TestHungRequestRetried(t *testing.T) {
	t.Parallel()
	for _, api := range apiCases {
		t.Run(api.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, oneOfEach(t, emulator.Fault{API: api.api, Kind: emulator.FaultSlow, Delay: "20s", Times: 1}))
			c := newEmulatorClient(t, srv, Config{})
			c.attemptTimeout = 200 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := api.call(ctx, c); err != nil {
				t.Fatalf("call: %v", err)
			}
			if n := srv.Calls(api.api); n != 2 {
				t.Errorf("calls = %d, want 2", n)
			}
			// The first request was held by the slow answer and abandoned, not waited out.
			if got := srv.Slow(api.api); got.Served != 1 || got.Delayed != 0 {
				t.Errorf("slow answers %+v, want one served and none waited out", got)
			}
		})
	}
}
