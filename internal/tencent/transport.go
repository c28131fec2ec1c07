package tencent

import (
	"context"
	"errors"
	"io"
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

// answerTransport passes requests to sharedTransport, bounds each exchange by requestTimeout,
// and relabels an answer that claims to be an event stream. DescribeTask answers JSON only, and
// on an event stream the SDK returns ClientError.TypeError without closing the body, so the
// connection and its goroutines were never released. Relabelled, the SDK reads and closes the
// body, and a body that is not a DescribeTask answer is a ClientError.ParseJsonError, retried
// like any malformed answer.
//
// The bound is kept here rather than in the SDK's ReqTimeout (http.Client.Timeout): that one is
// released only when the body is closed or read to its end, and on a body cut off mid-way (a
// dropped connection) the SDK returns the read error without closing it, which left the timer's
// goroutine behind for the whole timeout. Here the exchange's context ends on any read error too.
type answerTransport struct{}

// RoundTrip implements http.RoundTripper.
func (answerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), requestTimeout)
	resp, err := sharedTransport.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	relabelAnswer(resp)
	resp.Body = &exchangeBody{ReadCloser: resp.Body, done: cancel}
	return resp, nil
}

// relabelAnswer marks an event-stream answer as JSON (see answerTransport).
func relabelAnswer(resp *http.Response) {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		resp.Header.Set("Content-Type", "application/json")
	}
}

// exchangeBody ends its exchange's context when the body is closed, read to its end, or fails
// to read, whichever comes first.
type exchangeBody struct {
	io.ReadCloser
	done context.CancelFunc
}

func (b *exchangeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			_ = b.ReadCloser.Close()
		}
		b.done()
	}
	return n, err
}

func (b *exchangeBody) Close() error {
	err := b.ReadCloser.Close()
	b.done()
	return err
}
