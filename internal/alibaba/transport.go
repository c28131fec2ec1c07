package alibaba

import (
	"context"
	"net/http"
)

// sharedTransport carries the connections of every Client. The SDK adjusts an
// *http.Transport it is given (dial timeout, TLS verification, proxy) on each request, which
// would race between concurrent reads, so it only ever sees contextTransport.
var sharedTransport http.RoundTripper = newSharedTransport()

// newSharedTransport is a copy of net/http's default transport (proxy from the environment,
// timeouts, HTTP/2), or a plain one if a program replaced the default with another type.
func newSharedTransport() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment}
}

// CloseIdleConnections closes the keep-alive connections that no request is using. Tests
// call it before they check that no goroutine was left behind.
func CloseIdleConnections() {
	if t, ok := sharedTransport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// contextTransport hands requests to sharedTransport under the context of the call in
// progress: the classic SDK takes no context, and this is what makes a cancelled read stop
// its request at once instead of when the answer arrives.
type contextTransport struct {
	ctx context.Context // set while the owning sdkConn is checked out
}

// RoundTrip implements http.RoundTripper.
func (t *contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.ctx != nil {
		req = req.WithContext(t.ctx)
	}
	resp, err := sharedTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	return withSafeErrorBody(resp)
}
