package tencent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// The page documents ResourceNotFound codes, but not whether an unknown job or task can come
// back as HTTP 200 without a task. That plausible alternative (emulator.UnknownIDEmpty) must read
// as not found, so a wait's not-found grace applies, and not as a task of unknown state that is
// waited on until the timeout.
func TestUnknownTaskAnsweredEmpty(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{UnknownIDAnswer: emulator.UnknownIDEmpty})
	c := newTestClient(t, srv.URL())
	for name, call := range map[string]func() error{
		"DescribeTask": func() error {
			_, err := c.DescribeTask(context.Background(), req("job-unknown", "A"))
			return err
		},
		"DescribeTaskAll": func() error {
			_, err := c.DescribeTaskAll(context.Background(), req("job-unknown", "B"))
			return err
		},
	} {
		err := call()
		var apiErr *APIError
		if !IsNotFound(err) || IsRetryable(err) || !errors.As(err, &apiErr) || apiErr.RequestID == "" {
			t.Errorf("%s: err = %v, want a not-found error with the request id, not retried", name, err)
		}
	}
	if n := srv.Answered(emulator.APITencentTask, ""); n != 2 {
		t.Errorf("successful answers = %d, want 2 (one per call, none retried)", n)
	}
}

func TestAnswerWithoutTask(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"Response":{"RequestId":"r-1"}}`,
		`{"Response":{"RequestId":"r-1","TaskInstanceSet":null,"TaskInstanceTotalCount":0,"TaskState":null}}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		_, err := newTestClient(t, srv.URL).DescribeTask(context.Background(), req("job-1", "A"))
		srv.Close()
		var apiErr *APIError
		if !IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.RequestID != "r-1" {
			t.Errorf("%s: err = %v, want not found with request id r-1", body, err)
		}
	}
}
