package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alierrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	tccommon "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// testing.TB must keep satisfying TB, so callers pass their *testing.T unchanged.
var _ TB = testing.TB(nil)

// startServer starts a server with custom options and closes it at cleanup.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func hostPort(t *testing.T, s *Server) (string, string, string) {
	t.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	return u.Host, u.Hostname(), u.Port()
}

// recorder captures the requests an SDK sends so tests can replay them raw.
type recorder struct {
	mu     sync.Mutex
	last   *http.Request
	body   []byte
	next   http.RoundTripper
	copies int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.last = req.Clone(req.Context())
	r.body = body
	r.copies++
	r.mu.Unlock()
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}

// replay sends the captured request again, optionally with a changed URL.
func (r *recorder) replay(t *testing.T, rawURL string) (int, []byte) {
	t.Helper()
	r.mu.Lock()
	orig, body := r.last, r.body
	r.mu.Unlock()
	if orig == nil {
		t.Fatal("no request was recorded")
	}
	if rawURL == "" {
		rawURL = orig.URL.String()
	}
	req, err := http.NewRequest(orig.Method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("build replay: %v", err)
	}
	req.Header = orig.Header.Clone()
	req.Host = orig.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func alibabaClient(t *testing.T, ak, secret string) *sdk.Client {
	t.Helper()
	c, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential(ak, secret))
	if err != nil {
		t.Fatalf("alibaba client: %v", err)
	}
	c.SetReadTimeout(5 * time.Second)
	return c
}

func rpcRequest(t *testing.T, s *Server, version, action string, params map[string]string) *requests.CommonRequest {
	host, _, _ := hostPort(t, s)
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Scheme = "http"
	req.Domain = host
	req.Version = version
	req.ApiName = action
	for k, v := range params {
		req.QueryParams[k] = v
	}
	return req
}

func roaRequest(t *testing.T, s *Server, taskID string) *requests.CommonRequest {
	_, hostname, port := hostPort(t, s)
	req := requests.NewCommonRequest()
	req.Method = "GET"
	req.Scheme = "http"
	req.Domain = hostname
	req.Port = port
	req.Version = "2023-08-08"
	req.PathPattern = "/api/v1/tasks/[TaskId]"
	req.PathParams["TaskId"] = taskID
	return req
}

// alibabaCall runs a CommonRequest; it returns the body on success, or the
// HTTP status and error code of the server error.
func alibabaCall(t *testing.T, c *sdk.Client, req *requests.CommonRequest) (body []byte, status int, code string) {
	t.Helper()
	body, status, code, err := alibabaTry(c, req)
	if err != nil {
		t.Fatalf("alibaba call: %v", err)
	}
	return body, status, code
}

// alibabaTry is alibabaCall for tests that expect transport errors.
func alibabaTry(c *sdk.Client, req *requests.CommonRequest) (body []byte, status int, code string, err error) {
	resp, err := c.ProcessCommonRequest(req)
	if err != nil {
		var se *alierrors.ServerError
		if errors.As(err, &se) {
			return nil, se.HttpStatus(), se.ErrorCode(), nil
		}
		return nil, 0, "", err
	}
	return resp.GetHttpContentBytes(), resp.GetHttpStatus(), "", nil
}

// fakeClock is an adjustable clock for Options.Now, started at the real time
// so SDK signatures stay fresh.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func tencentClient(t *testing.T, s *Server, id, key, region string) *tccommon.Client {
	t.Helper()
	host, _, _ := hostPort(t, s)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "http"
	prof.HttpProfile.ReqTimeout = 5
	return tccommon.NewCommonClient(tccommon.NewCredential(id, key), region, prof)
}

// tencentCall runs DescribeTask; it returns the Response object on success or
// the error code.
func tencentCall(t *testing.T, c *tccommon.Client, params map[string]any) (map[string]json.RawMessage, string) {
	t.Helper()
	resp := tchttp.NewCommonResponse()
	if err := c.Send(tencentRequest(t, params), resp); err != nil {
		code := tencentCode(err)
		if code == "" || strings.HasPrefix(code, "ClientError.") {
			t.Fatalf("tencent call: %v", err)
		}
		return nil, code
	}
	var out struct {
		Response map[string]json.RawMessage `json:"Response"`
	}
	if err := json.Unmarshal(resp.GetBody(), &out); err != nil {
		t.Fatalf("decode tencent body %s: %v", resp.GetBody(), err)
	}
	return out.Response, ""
}

func tencentRequest(t *testing.T, params map[string]any) *tchttp.CommonRequest {
	t.Helper()
	req := tchttp.NewCommonRequest("batch", "2017-03-12", "DescribeTask")
	if err := req.SetActionParameters(params); err != nil {
		t.Fatalf("SetActionParameters: %v", err)
	}
	return req
}

// tencentCode is the error code of a Tencent SDK error, "" for other errors.
func tencentCode(err error) string {
	var te *tcerrors.TencentCloudSDKError
	if errors.As(err, &te) {
		return te.GetCode()
	}
	return ""
}

func decodeObject(t *testing.T, body []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return m
}

func jsonString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("decode string %s: %v", raw, err)
	}
	return s
}

func jsonInt(t *testing.T, raw json.RawMessage) int {
	t.Helper()
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatalf("decode int %s: %v", raw, err)
	}
	return n
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }
