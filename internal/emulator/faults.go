package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Fault kinds.
const (
	// FaultThrottling answers Alibaba 400 Throttling.User or Tencent RequestLimitExceeded.
	FaultThrottling = "throttling"
	// FaultError answers Code (and HTTPStatus, default 400 for Alibaba, 200 for Tencent).
	FaultError = "error"
	// FaultServerError answers Alibaba 503 ServiceUnavailable (500 InternalError
	// with HTTPStatus 500) or Tencent InternalError.
	FaultServerError = "server_error"
	// FaultSlow waits Delay (or until the client gives up) and then answers normally.
	FaultSlow = "slow"
	// FaultMalformed answers HTTP 200 with a truncated JSON body.
	FaultMalformed = "malformed"
	// FaultDrop closes the connection without an answer.
	FaultDrop = "drop"
	// FaultTruncated lets the API answer (its lifecycle moves on) but sends only
	// the first half of the body and then closes the connection, so the client
	// reads an unexpected end of the body.
	FaultTruncated = "truncated"
	// FaultVanish answers the API's not-found error, as for an unknown id, so
	// a task seems to vanish for Times requests and then reappears where its
	// lifecycle was.
	FaultVanish = "vanish"
)

// Fault injects a failure into matching requests after signature
// verification; a rejected signature is never a fault. Faults are tried in
// order and each counts every matching request it sees; the first whose
// window (after Skip, for Times requests) covers the request fires.
type Fault struct {
	// API is one of the API constants; "" matches every API.
	API string `json:"api"`
	// Kind is one of throttling, error, server_error, slow, malformed, drop,
	// truncated, vanish.
	Kind string `json:"kind"`
	// Code is the error code for error, or overrides throttling's and server_error's.
	Code string `json:"code,omitempty"`
	// HTTPStatus is the status for error and server_error.
	HTTPStatus int `json:"http_status,omitempty"`
	// Message overrides the default message.
	Message string `json:"message,omitempty"`
	// Delay is the Go duration a slow answer waits.
	Delay string `json:"delay,omitempty"`
	// Skip lets this many matching requests through first.
	Skip int `json:"skip,omitempty"`
	// Times is the number of requests to inject after Skip; 0 means every one.
	Times int `json:"times,omitempty"`
}

var faultAPIs = []string{"", APIPolarDBBatchTask, APIPolarDBTasks, APIBDRCTask, APITencentTask, APIAlidnsBatchResult}

var faultKinds = []string{FaultThrottling, FaultError, FaultServerError, FaultSlow, FaultMalformed, FaultDrop, FaultTruncated, FaultVanish}

func (f Fault) validate() error {
	if !slices.Contains(faultAPIs, f.API) {
		return fmt.Errorf("api %q is not one of the API constants", f.API)
	}
	if !slices.Contains(faultKinds, f.Kind) {
		return fmt.Errorf("kind %q is not one of %v", f.Kind, faultKinds)
	}
	if f.Kind == FaultError && f.Code == "" {
		return errors.New("kind error needs a code")
	}
	if f.Kind == FaultSlow {
		if d, err := time.ParseDuration(f.Delay); err != nil || d < 0 {
			return fmt.Errorf("kind slow needs a non-negative delay, got %q", f.Delay)
		}
	}
	if f.Skip < 0 || f.Times < 0 {
		return errors.New("skip and times must not be negative")
	}
	if f.HTTPStatus != 0 && (f.HTTPStatus < 200 || f.HTTPStatus > 599) {
		return fmt.Errorf("http_status %d is not an HTTP status", f.HTTPStatus)
	}
	return nil
}

type faultState struct {
	fault Fault
	seen  int
}

// pickFault counts the request against every matching fault and returns the
// first one whose window covers it.
func (s *Server) pickFault(api string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var picked Fault
	found := false
	for _, fs := range s.faults {
		if fs.fault.API != "" && fs.fault.API != api {
			continue
		}
		fs.seen++
		n := fs.seen - fs.fault.Skip
		if !found && n > 0 && (fs.fault.Times == 0 || n <= fs.fault.Times) {
			picked, found = fs.fault, true
		}
	}
	if found {
		s.injected[answerKey{api, picked.Kind}]++
	}
	return picked, found
}

// applyFault injects the chosen fault; handled is false when the request
// should go on to the API (no fault, or a slow one that has waited).
func (s *Server) applyFault(c *call) (answer, bool) {
	f, ok := s.pickFault(c.api)
	if !ok {
		return answer{}, false
	}
	tencent := c.fam == familyTencent
	switch f.Kind {
	case FaultSlow:
		d, _ := time.ParseDuration(f.Delay)
		s.countSlow(c.api, func(n *SlowAnswers) { n.Served++ })
		switch s.waitOrDone(c.r.Context(), d) {
		case waitElapsed:
			s.countSlow(c.api, func(n *SlowAnswers) { n.Delayed++ })
		case waitClientLeft:
			s.countSlow(c.api, func(n *SlowAnswers) { n.Abandoned++ })
		}
		return answer{}, false
	case FaultDrop:
		return answer{code: CodeDropped, drop: true}, true
	case FaultTruncated:
		c.truncate = true
		return answer{}, false
	case FaultVanish:
		return s.render(c, notFoundError(c.api)), true
	case FaultMalformed:
		body := `{"RequestId":"` + c.requestID + `","Status":"RUNN`
		if tencent {
			body = `{"Response":{"RequestId":"` + c.requestID + `","TaskState":"RUNN`
		}
		return answer{status: http.StatusOK, code: CodeMalformed, body: []byte(body)}, true
	case FaultThrottling:
		e := &apiError{status: f.HTTPStatus, code: f.Code, message: f.Message}
		if tencent {
			e.code = cmp.Or(e.code, "RequestLimitExceeded")
			e.message = cmp.Or(e.message, "Your current request times in the last second exceeds the limit.")
		} else {
			e.status = cmp.Or(e.status, http.StatusBadRequest)
			e.code = cmp.Or(e.code, "Throttling.User")
			e.message = cmp.Or(e.message, "Request was denied due to user flow control.")
		}
		return s.render(c, e), true
	case FaultServerError:
		e := &apiError{status: f.HTTPStatus, code: f.Code, message: f.Message}
		switch {
		case tencent:
			e.code = cmp.Or(e.code, "InternalError")
			e.message = cmp.Or(e.message, "An internal error has occurred. Retry your request, but if the problem persists, contact us.")
		case e.status == http.StatusInternalServerError:
			e.code = cmp.Or(e.code, "InternalError")
			e.message = cmp.Or(e.message, "The request processing has failed due to some unknown error, exception or failure.")
		default:
			e.status = cmp.Or(e.status, http.StatusServiceUnavailable)
			e.code = cmp.Or(e.code, "ServiceUnavailable")
			e.message = cmp.Or(e.message, "The request has failed due to a temporary failure of the server.")
		}
		return s.render(c, e), true
	default: // FaultError
		e := &apiError{status: f.HTTPStatus, code: f.Code, message: cmp.Or(f.Message, "The emulator injected error "+f.Code+".")}
		if !tencent {
			e.status = cmp.Or(e.status, http.StatusBadRequest)
		}
		return s.render(c, e), true
	}
}

// dropConnection closes the client's connection without writing a byte.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// SlowAnswers counts the slow faults served to one API.
type SlowAnswers struct {
	// Served is the number of requests a slow fault held back.
	Served int
	// Delayed is how many of them waited the full delay and then went on to
	// the API's answer: the client received a slow answer.
	Delayed int
	// Abandoned is how many the client gave up on before the delay ended.
	// The server learns it when the connection closes, so this count may lag
	// the client's return a little; Delayed does not.
	Abandoned int
}

// Slow reports the slow faults served to api.
func (s *Server) Slow(api string) SlowAnswers {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slow[api]
}

func (s *Server) countSlow(api string, add func(*SlowAnswers)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.slow[api]
	add(&n)
	s.slow[api] = n
}
