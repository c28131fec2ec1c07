package emulator

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// API names, used for counters and faults.
const (
	// APIPolarDBBatchTask is PolarDB DescribeBatchTask (RPC, Version 2017-08-01).
	APIPolarDBBatchTask = "polardb:DescribeBatchTask"
	// APIPolarDBTasks is PolarDB DescribeTasks (RPC, Version 2017-08-01).
	APIPolarDBTasks = "polardb:DescribeTasks"
	// APIBDRCTask is BDRC DescribeTask (ROA, Version 2023-08-08, GET /api/v1/tasks/{TaskId}).
	APIBDRCTask = "bdrc:DescribeTask"
	// APITencentTask is Tencent Batch DescribeTask (TC3, Version 2017-03-12).
	APITencentTask = "batch:DescribeTask"
	// APIAlidnsBatchResult is Alidns DescribeBatchResultCount (RPC, Version 2015-01-09).
	APIAlidnsBatchResult = "alidns:DescribeBatchResultCount"
)

// Default credentials accepted when a Scenario names none.
const (
	// AlibabaAccessKeyID is the default Alibaba AccessKeyId.
	AlibabaAccessKeyID = "LTAIemulatorKey0001"
	// AlibabaAccessKeySecret is the secret of AlibabaAccessKeyID.
	AlibabaAccessKeySecret = "emulator-alibaba-secret"
	// TencentSecretID is the default Tencent SecretId.
	TencentSecretID = "AKIDemulatorKey0001"
	// TencentSecretKey is the secret of TencentSecretID.
	TencentSecretKey = "emulator-tencent-secret"
)

// Pseudo error codes recorded by Answered for faults that send no error code.
const (
	// CodeMalformed is recorded for an answer with a truncated JSON body.
	CodeMalformed = "emulator.Malformed"
	// CodeDropped is recorded for a connection closed without an answer.
	CodeDropped = "emulator.Dropped"
	// CodeTruncated is recorded for an answer cut off halfway through its body.
	CodeTruncated = "emulator.Truncated"
)

// Freshness windows of the signature schemes.
const (
	alibabaClockSkew = 15 * time.Minute
	tencentClockSkew = 5 * time.Minute
	maxBodyBytes     = 1 << 20
)

// Options configures a Server.
type Options struct {
	// Scenario is the initial world; nil is an empty scenario.
	Scenario *Scenario
	// Now is the clock used for signature freshness, nonce expiry, the Tencent
	// rate limit and time-based lifecycles; nil is time.Now.
	Now func() time.Time
	// Logf, when set, receives one line per request with the API, the answered
	// code, the HTTP status and the latency. It never receives secrets or
	// signatures.
	Logf func(format string, args ...any)
	// Logger, when set, receives the same request line as structured fields
	// (api, code, http_status, latency) and is used instead of Logf.
	Logger *slog.Logger
}

// Server is the emulator. It is safe for concurrent use.
type Server struct {
	now    func() time.Time
	logf   func(format string, args ...any)
	logger *slog.Logger

	mu          sync.Mutex
	sc          *Scenario
	faults      []*faultState
	lifecycles  map[string]*lifecycle
	nonces      map[string]time.Time
	tencentHits []time.Time
	// tencentPassed and tencentRejected count the rate limit's decisions.
	tencentPassed, tencentRejected int
	lastRegion                     string
	calls                          map[string]int
	answered                       map[answerKey]int
	slow                           map[string]SlowAnswers
	injected                       map[answerKey]int // by API and fault kind
	total                          int
	requests                       map[string][]Request
	connections                    int

	// sts holds the temporary Alibaba credentials by access key; issued lists them in order.
	sts    map[string]stsCredential
	issued []IssuedCredential
	oidc   oidcState // the rotation of Scenario.AlibabaOIDC's tokens
	// tencentOIDC is the rotation of Scenario.TencentOIDC's tokens.
	tencentOIDC oidcState
	// tencentSTS holds the temporary Tencent credentials by SecretId; tencentIssued lists them.
	tencentSTS    map[string]stsCredential
	tencentIssued []IssuedTencentCredential

	startErr    error
	tlsSrv      *http.Server
	tlsListener net.Listener
	httpSrv     *http.Server
	listener    net.Listener
	done        chan struct{}
	closeOnce   sync.Once
}

type answerKey struct{ api, code string }

// New returns a server for opts; call Start to listen. An invalid scenario
// makes Start fail (see Scenario.Validate).
func New(opts Options) *Server {
	s := &Server{
		now:      opts.Now,
		logf:     opts.Logf,
		logger:   opts.Logger,
		nonces:   map[string]time.Time{},
		calls:    map[string]int{},
		answered: map[answerKey]int{},
		slow:     map[string]SlowAnswers{},
		injected: map[answerKey]int{},
		requests: map[string][]Request{},
		done:     make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	sc := opts.Scenario
	if sc == nil {
		sc = &Scenario{}
	}
	s.startErr = sc.Validate()
	s.installScenario(sc)
	return s
}

// TB is the part of testing.TB that NewTestServer uses; *testing.T and
// *testing.B satisfy it, and the package itself stays free of the testing
// package.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

// NewTestServer starts a server with sc on a free loopback port and closes it
// with t.Cleanup. It fails the test when sc is invalid.
func NewTestServer(t TB, sc *Scenario) *Server {
	t.Helper()
	s := New(Options{Scenario: sc})
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close emulator: %v", err)
		}
	})
	return s
}

// Start listens on addr (for example "127.0.0.1:0") and serves all five APIs
// in the background until Close.
func (s *Server) Start(addr string) error {
	if s.startErr != nil {
		return fmt.Errorf("invalid scenario: %w", s.startErr)
	}
	if s.listener != nil {
		return errors.New("emulator already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if err := s.writeOIDCTokenFile(); err != nil {
		_ = ln.Close()
		return err
	}
	if err := s.writeTencentOIDCTokenFile(); err != nil {
		_ = ln.Close()
		return err
	}
	s.listener = ln
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         s.countConnections,
	}
	go func() { _ = s.httpSrv.Serve(ln) }()
	if err := s.startTLS(addr); err != nil {
		_ = s.httpSrv.Close()
		return err
	}
	return nil
}

// URL is the base URL of the listener, "http://127.0.0.1:PORT"; empty before
// Start.
func (s *Server) URL() string {
	if s.listener == nil {
		return ""
	}
	return "http://" + s.listener.Addr().String()
}

// Close stops the listener, ends slow answers and closes open connections.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		if s.httpSrv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err = s.httpSrv.Shutdown(ctx); err != nil {
			err = s.httpSrv.Close()
		}
		if s.tlsSrv != nil {
			if tlsErr := s.tlsSrv.Shutdown(ctx); tlsErr != nil {
				_ = s.tlsSrv.Close()
			}
		}
	})
	return err
}

// SetScenario replaces the scenario, its faults and all lifecycle progress.
// Counters, recorded requests, used nonces and the rate-limit window are
// kept. It panics if sc
// is invalid, like regexp.MustCompile: scenarios are written by tests.
func (s *Server) SetScenario(sc *Scenario) {
	if sc == nil {
		sc = &Scenario{}
	}
	if err := sc.Validate(); err != nil {
		panic(fmt.Sprintf("emulator: invalid scenario: %v", err))
	}
	s.installScenario(sc)
}

func (s *Server) installScenario(sc *Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sc = sc
	s.oidc = oidcState{}
	s.tencentOIDC = oidcState{}
	s.lifecycles = map[string]*lifecycle{}
	s.faults = nil
	for _, f := range sc.Faults {
		s.faults = append(s.faults, &faultState{fault: f})
	}
}

// AddFault appends a fault at run time; its Skip and Times count from now.
// It panics if f is invalid.
func (s *Server) AddFault(f Fault) {
	if err := f.validate(); err != nil {
		panic(fmt.Sprintf("emulator: invalid fault: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{fault: f})
}

// Calls is the number of requests that reached api, accepted or rejected.
func (s *Server) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

// Answered is the number of answers from api with error code code; "" counts
// successes. Faults count under their code, CodeMalformed or CodeDropped.
func (s *Server) Answered(api, code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[answerKey{api, code}]
}

// TotalCalls is the number of requests received, routed or not.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounters zeroes Calls, Answered, Slow and TotalCalls and forgets the
// recorded Requests.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.answered = map[answerKey]int{}
	s.slow = map[string]SlowAnswers{}
	s.injected = map[answerKey]int{}
	s.total = 0
	s.tencentPassed, s.tencentRejected = 0, 0
	s.requests = map[string][]Request{}
}

// unknownIDEmpty reports whether the scenario answers unknown ids with HTTP
// 200 and no task instead of an error code.
func (s *Server) unknownIDEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sc.UnknownIDAnswer == UnknownIDEmpty
}

// LastTencentRegion is the X-TC-Region of the last Tencent request whose
// signature verified; empty before one.
func (s *Server) LastTencentRegion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastRegion
}

// family is the protocol a request speaks; it decides the error body shape.
type family int

const (
	familyRPC family = iota
	familyROA
	familyTencent
)

// apiError is an error answer before it is shaped for its family.
type apiError struct {
	status  int // HTTP status; 0 for Tencent means 200
	code    string
	message string
}

// call is one request on its way through verification, faults and the API.
type call struct {
	api       string
	fam       family
	requestID string
	now       time.Time
	params    map[string]string // RPC: query and form merged; ROA: query
	taskID    string            // ROA path parameter
	body      []byte
	r         *http.Request
	truncate  bool // a truncated fault: cut the API's answer short
}

// answer is what goes back on the wire.
type answer struct {
	status int
	code   string
	body   []byte
	drop   bool
	// truncate sends half of body under a Content-Length for all of it, then
	// closes the connection.
	truncate bool
}

// ServeHTTP routes, verifies, applies faults and answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	c := &call{r: r, body: body, now: s.now()}
	s.mu.Lock()
	s.total++
	s.mu.Unlock()

	var ans answer
	if err != nil {
		c.fam = familyRPC
		c.requestID = newUUID(true)
		ans = s.render(c, &apiError{http.StatusBadRequest, "InvalidParameter", "The request body could not be read."})
	} else {
		ans = s.serve(c)
	}

	s.mu.Lock()
	s.answered[answerKey{c.api, ans.code}]++
	s.mu.Unlock()
	s.logRequest(c.api, ans, time.Since(started))
	if ans.drop {
		dropConnection(w)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if ans.truncate {
		writeTruncated(w, ans)
		return
	}
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

// logRequest writes one line per request; it never includes credentials or
// signatures.
func (s *Server) logRequest(api string, ans answer, latency time.Duration) {
	if s.logger == nil && s.logf == nil {
		return
	}
	code := cmp.Or(ans.code, "Success")
	api = cmp.Or(api, "unrouted")
	latency = latency.Round(time.Microsecond)
	if s.logger != nil {
		s.logger.Info("emulator request", "api", api, "code", code, "http_status", ans.status, "latency", latency)
		return
	}
	s.logf("emulator request api=%s code=%s http_status=%d latency=%s", api, code, ans.status, latency)
}

// serve runs the pipeline: route, count, verify, fault, rate limit, API.
func (s *Server) serve(c *call) answer {
	if e := s.route(c); e != nil {
		return s.render(c, e)
	}
	s.mu.Lock()
	s.calls[c.api]++
	s.mu.Unlock()

	var e *apiError
	switch c.fam {
	case familyRPC:
		e = s.verifyRPC(c)
	case familyROA:
		e = s.verifyROA(c)
	case familyTencent:
		if !unsignedTencentAllowed(c.api, c.r) {
			e = s.verifyTC3(c)
		}
	}
	if e != nil {
		return s.render(c, e)
	}
	s.record(c)

	if ans, handled := s.applyFault(c); handled {
		return ans
	}
	if c.api == APITencentTask {
		if e := s.checkTencentRate(c.now); e != nil {
			return s.cut(c, s.render(c, e))
		}
	}

	var out []byte
	switch c.api {
	case APIPolarDBBatchTask:
		out, e = s.describeBatchTask(c)
	case APIPolarDBTasks:
		out, e = s.describeTasks(c)
	case APIBDRCTask:
		out, e = s.describeBDRCTask(c)
	case APITencentTask:
		out, e = s.describeTencentTask(c)
	case APIAlidnsBatchResult:
		out, e = s.describeBatchResultCount(c)
	case APIAlibabaSTS:
		out, e = s.assumeRole(c)
	case APIAlibabaSTSOIDC:
		out, e = s.assumeRoleWithOIDC(c)
	case APITencentAssumeRole:
		out, e = s.tencentAssumeRole(c)
	case APITencentAssumeRoleWithWebIdentity:
		out, e = s.tencentAssumeRoleWithWebIdentity(c)
	}
	if e != nil {
		return s.cut(c, s.render(c, e))
	}
	return s.cut(c, answer{status: http.StatusOK, body: out})
}

// cut marks the answer of a call hit by a truncated fault.
func (s *Server) cut(c *call, ans answer) answer {
	if c.truncate {
		ans.code, ans.truncate = CodeTruncated, true
	}
	return ans
}

// route decides the API and protocol family of a request.
func (s *Server) route(c *call) *apiError {
	r := c.r
	if r.Header.Get("X-TC-Action") != "" || strings.HasPrefix(r.Header.Get("Authorization"), "TC3-") {
		c.fam = familyTencent
		c.requestID = newUUID(false)
		action := r.Header.Get("X-TC-Action")
		api, _, ok := tencentAction(action, r.Header.Get("X-TC-Version"))
		if !ok {
			return &apiError{code: "InvalidAction", message: fmt.Sprintf("The action %q is not supported by the emulator's batch and sts services.", action)}
		}
		c.api = api
		return nil
	}
	c.requestID = newUUID(true)
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v1/tasks/"); ok {
		c.fam = familyROA
		id, err := url.PathUnescape(rest)
		if err != nil || id == "" || strings.Contains(rest, "/") || r.Method != http.MethodGet {
			return notFoundAction()
		}
		c.api = APIBDRCTask
		c.taskID = id
		c.params = firstValues(r.URL.Query())
		return nil
	}
	c.fam = familyRPC
	params, err := rpcParams(r, c.body)
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidParameter", "The request parameters could not be parsed."}
	}
	c.params = params
	if r.URL.Path != "/" && r.URL.Path != "" {
		return notFoundAction()
	}
	switch params["Action"] + "@" + params["Version"] {
	case "DescribeBatchTask@2017-08-01":
		c.api = APIPolarDBBatchTask
	case "DescribeTasks@2017-08-01":
		c.api = APIPolarDBTasks
	case "DescribeBatchResultCount@2015-01-09":
		c.api = APIAlidnsBatchResult
	case "AssumeRole@2015-04-01":
		c.api = APIAlibabaSTS
	case "AssumeRoleWithOIDC@2015-04-01":
		c.api = APIAlibabaSTSOIDC
	default:
		return notFoundAction()
	}
	return nil
}

func notFoundAction() *apiError {
	return &apiError{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
}

// render shapes an error for the request's family.
func (s *Server) render(c *call, e *apiError) answer {
	if c.fam == familyTencent {
		return tencentError(c, e)
	}
	return alibabaError(c, e)
}

// waitOrDone sleeps for d unless the client leaves or the server closes, and
// says which ended the wait.
func (s *Server) waitOrDone(ctx context.Context, d time.Duration) waitEnd {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return waitElapsed
	case <-ctx.Done():
		return waitClientLeft
	case <-s.done:
		return waitServerClosed
	}
}

type waitEnd int

const (
	waitElapsed waitEnd = iota
	waitClientLeft
	waitServerClosed
)

// newUUID returns a random version 4 UUID, upper case for Alibaba request
// ids and lower case for Tencent's.
func newUUID(upper bool) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	if upper {
		return strings.ToUpper(id)
	}
	return id
}
