package tencent

import (
	"mime"
	"net/http"
	"time"
)

// idleConnTimeout is how long an unused keep-alive connection stays open; the SDK uses the
// same value for the transports it makes itself.
const idleConnTimeout = 30 * time.Second

// maxIdleConnsPerHost bounds the idle connections kept per endpoint.
const maxIdleConnsPerHost = 16

// sharedTransport carries the connections of every Client. Left alone, the SDK clones
// http.DefaultTransport for each client it builds, and every provider configuration would
// leave its own idle connections (two goroutines each) open behind it.
var sharedTransport = newSharedTransport()

func newSharedTransport() *http.Transport {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment}
	if base, ok := http.DefaultTransport.(*http.Transport); ok {
		t = base.Clone()
	}
	t.IdleConnTimeout = idleConnTimeout
	// Concurrent reads share this transport: keep enough idle connections that a burst of
	// paced requests does not dial anew (net/http keeps 2 per host by default).
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return t
}

// CloseIdleConnections closes the keep-alive connections that no request is using. Tests
// call it before they check that no goroutine was left behind.
func CloseIdleConnections() { sharedTransport.CloseIdleConnections() }

// answerTransport passes requests to sharedTransport and relabels an answer that claims to
// be an event stream. DescribeTask answers JSON only, and on an event stream the SDK returns
// ClientError.TypeError without closing the body, so the connection and its goroutines were
// never released. Relabelled, the SDK reads and closes the body, and a body that is not a
// DescribeTask answer is a ClientError.ParseJsonError, retried like any malformed answer.
type answerTransport struct{}

// RoundTrip implements http.RoundTripper.
func (answerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := sharedTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	relabelAnswer(resp)
	return resp, nil
}

// relabelAnswer marks an event-stream answer as JSON (see answerTransport).
func relabelAnswer(resp *http.Response) {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		resp.Header.Set("Content-Type", "application/json")
	}
}
