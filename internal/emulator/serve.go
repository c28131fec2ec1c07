package emulator

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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
