package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
