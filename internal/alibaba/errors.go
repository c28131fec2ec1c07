package alibaba

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
)

// APIError is a service error answer.
type APIError struct {
	API        string // e.g. "PolarDB DescribeBatchTask"
	HTTPStatus int
	Code       string
	Message    string
	RequestID  string
}

// Error reads "<API>: <Code>: <Message> (request id <id>, HTTP <status>)". The message was
// cleaned of credentials when the error was built.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.API)
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s, HTTP %d)", e.RequestID, e.HTTPStatus)
	} else {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	return b.String()
}

// RequestError is a request that got no answer: the connection failed, was reset or dropped,
// or the answer did not arrive in time. Err never carries the request URL (it holds the
// signature and any security token).
type RequestError struct {
	API  string
	Host string // host:port the request went to
	Err  error
}

// Error names the API, the host and the transport failure.
func (e *RequestError) Error() string {
	return fmt.Sprintf("%s: request to %s failed: %v", e.API, e.Host, e.Err)
}

// Unwrap returns the transport error.
func (e *RequestError) Unwrap() error { return e.Err }

// errNoAnswerInTime is the cause of a RequestError whose attempt ran out of its own time
// while the caller's context still had some.
var errNoAnswerInTime = errors.New("no answer within the request timeout")

// DecodeError is a successful (HTTP 2xx) answer whose body could not be read.
type DecodeError struct {
	API       string
	RequestID string // when it could be read
	// Field is the JSON path of a field with a value of the wrong type ("SubTasks[0].TotalCount");
	// empty when the body as a whole is not a JSON object (a truncated or garbled answer).
	Field string
	Err   error
}

// Error names the API, the field if one is at fault, and the request id when known.
func (e *DecodeError) Error() string {
	what := "malformed answer"
	if e.Field != "" {
		what = "cannot decode field " + e.Field
	}
	s := fmt.Sprintf("%s: %s: %v", e.API, what, e.Err)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// NoTaskError is a successful answer (HTTP 2xx) that holds no task: no id and no status, no
// Data object, or no listing. The documentation gives error codes for unknown ids only for
// some of these APIs, so an unknown id answered this way is taken as not found, which lets a
// wait's not-found grace apply instead of waiting on a status that never comes.
type NoTaskError struct {
	API       string
	RequestID string
	What      string // what the answer lacked, e.g. "no BatchId and no Status"
}

// Error names the API, what was missing and the request id.
func (e *NoTaskError) Error() string {
	s := fmt.Sprintf("%s: the answer holds no task (%s); taken as not found", e.API, e.What)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// IsRetryable reports whether a fresh attempt of the same request may succeed: throttling
// (any code starting with "Throttling"), ServiceUnavailable, HTTP 5xx, network failures
// (dial, reset, EOF, timeouts) and malformed answers. A field of the wrong type is not
// retried (the service would answer the same), nor is anything caused by the caller's
// context ending. An endpoint that cannot be reached (wait.IsUnreachable, an unknown host
// included) is retried on the wait.Retrier's network budget whatever this says.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return strings.HasPrefix(apiErr.Code, "Throttling") ||
			apiErr.Code == "ServiceUnavailable" ||
			apiErr.HTTPStatus >= 500
	}
	var decErr *DecodeError
	if errors.As(err, &decErr) {
		return decErr.Field == ""
	}
	return isTransientNetworkError(err)
}

func isTransientNetworkError(err error) bool {
	// A certificate problem does not go away by asking again.
	var verifyErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	if errors.As(err, &verifyErr) || errors.As(err, &authorityErr) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	if errors.Is(err, errNoAnswerInTime) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// IsNotFound reports whether the service said the object does not exist: HTTP 404 or a code
// containing "NotFound" or "NotExist", or a successful answer without the task (NoTaskError).
// Unknown access keys and unknown actions (InvalidAccessKeyId.NotFound,
// InvalidAction.NotFound) are configuration errors, not this.
func IsNotFound(err error) bool {
	var noTask *NoTaskError
	if errors.As(err, &noTask) {
		return true
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if isAuthCode(apiErr.Code) || strings.HasPrefix(apiErr.Code, "InvalidAction") {
		return false
	}
	return apiErr.HTTPStatus == 404 ||
		strings.Contains(apiErr.Code, "NotFound") || strings.Contains(apiErr.Code, "NotExist")
}

// IsAuthError reports whether the credentials were rejected (unknown key, wrong secret,
// replayed nonce, clock skew, bad security token, access denied) or are missing, or their
// source (OIDC, credentials URI, ECS metadata) gave none.
func IsAuthError(err error) bool {
	var missing *MissingCredentialsError
	var profile *ProfileError
	var source *CredentialError
	if errors.As(err, &missing) || errors.As(err, &profile) || errors.As(err, &source) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && isAuthCode(apiErr.Code)
}

func isAuthCode(code string) bool {
	switch code {
	case "SignatureDoesNotMatch", "SignatureNonceUsed", "IncompleteSignature":
		return true
	}
	for _, prefix := range []string{"InvalidAccessKeyId", "InvalidTimeStamp", "Forbidden", "InvalidSecurityToken"} {
		if strings.HasPrefix(code, prefix) {
			return true
		}
	}
	return false
}

// maxMessageLen bounds a message taken from an error body (a proxy may answer a whole page).
const maxMessageLen = 512

// stringToSignMarker starts the part of a SignatureDoesNotMatch message where the service
// echoes its string to sign, which includes any security token.
const stringToSignMarker = "server string to sign is:"

// redactor removes credentials from text that came from the wire.
// Credentials that are refreshed add their new secrets as they arrive. It is safe for
// concurrent use.
type redactor struct {
	mu      sync.Mutex
	seen    map[string]bool
	secrets []string
}

func newRedactor(values ...string) *redactor {
	r := &redactor{}
	r.add(values...)
	return r
}

// add makes clean remove values too.
func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < 4 || r.seen[v] {
			continue
		}
		if r.seen == nil {
			r.seen = map[string]bool{}
		}
		r.seen[v] = true
		// The RPC string to sign holds values percent-encoded twice.
		once := url.QueryEscape(v)
		r.secrets = append(r.secrets, v, once, url.QueryEscape(once))
	}
}

func (r *redactor) clean(s string) string {
	r.mu.Lock()
	secrets := r.secrets
	r.mu.Unlock()
	if i := strings.Index(s, stringToSignMarker); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	if len(s) > maxMessageLen {
		s = strings.ToValidUTF8(s[:maxMessageLen], "") + "..."
	}
	return s
}
