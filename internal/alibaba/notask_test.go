package alibaba

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// The documentation gives no answer for an unknown id for most of these APIs; the emulator's
// default error codes are a guess. These tests check the plausible alternative, HTTP 200
// without a task (emulator.UnknownIDEmpty): a not-found error, so a wait's not-found grace
// applies, never a task whose missing status would be waited on until the timeout.

func TestUnknownIDAnsweredEmpty(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{UnknownIDAnswer: emulator.UnknownIDEmpty})
	c := newEmulatorClient(t, srv, Config{})
	ctx := context.Background()
	notFound := func(name string, err error) {
		t.Helper()
		var noTask *NoTaskError
		if !errors.As(err, &noTask) || !IsNotFound(err) || IsRetryable(err) {
			t.Errorf("%s: err = %v, want a NoTaskError that is not found and not retried", name, err)
		} else if noTask.RequestID == "" {
			t.Errorf("%s: the error lost the request id", name)
		}
	}

	_, err := c.DescribeBatchTask(ctx, "pcb-unknown")
	notFound("DescribeBatchTask", err)
	_, err = c.DescribeBDRCTask(ctx, "t-unknown")
	notFound("BDRC DescribeTask", err)

	// An unknown cluster listed as empty cannot be told from a cluster with no task in the
	// window: it reads as an empty page (terminal, nothing listed), not as an error.
	page, err := c.DescribeTasks(ctx, TasksRequest{DBClusterID: "pc-unknown", StartTime: "2020-11-30T00:00Z", EndTime: "2020-12-02T03:00Z"})
	if err != nil || page.TotalRecordCount == nil || *page.TotalRecordCount != 0 || page.Tasks == nil || len(page.Tasks) != 0 {
		t.Errorf("DescribeTasks: page %+v, err %v; want an empty listing", page, err)
	}
	// Alidns has a documented "no task" answer, Status -1, which the emulator gives here.
	r, err := c.DescribeBatchResultCount(ctx, BatchResultRequest{TaskID: ptr[int64](999)})
	if err != nil || r.Status == nil || *r.Status != -1 {
		t.Errorf("DescribeBatchResultCount: %+v, %v; want Status -1", r, err)
	}

	for _, api := range []string{emulator.APIPolarDBBatchTask, emulator.APIBDRCTask, emulator.APIPolarDBTasks, emulator.APIAlidnsBatchResult} {
		if n := srv.Answered(api, ""); n != 1 {
			t.Errorf("%s: %d successful answers, want 1 (a 200 answer, not retried)", api, n)
		}
	}
}

// TestAnswerWithoutTask covers other shapes of a 200 answer without a task, from a plain
// server (no signature check is needed to read an answer).
func TestAnswerWithoutTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		call       func(context.Context, *Client) error
	}{
		{"batch task, empty sub tasks", `{"RequestId":"R-1","SubTasks":[]}`, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeBatchTask(ctx, "pcb-1")
			return err
		}},
		{"bdrc, Data null", `{"Data":null,"RequestId":"R-1"}`, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeBDRCTask(ctx, "t-1")
			return err
		}},
		{"bdrc, Data empty", `{"Data":{"RequestId":"R-1"},"RequestId":"R-1"}`, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeBDRCTask(ctx, "t-1")
			return err
		}},
		{"tasks, no listing", `{"RequestId":"R-1","PageNumber":1}`, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeTasks(ctx, TasksRequest{DBClusterID: "pc-1", StartTime: "2020-11-30T00:00Z", EndTime: "2020-12-02T03:00Z"})
			return err
		}},
		{"alidns, no status", `{"RequestId":"R-1","TotalCount":0}`, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeBatchResultCount(ctx, BatchResultRequest{TaskID: ptr[int64](1)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			backoff := testBackoff
			c, err := NewClient(Config{AccessKey: "AK", SecretKey: "SK", Region: "cn-shanghai",
				Endpoints: Endpoints{PolarDB: srv.URL, BDRC: srv.URL, Alidns: srv.URL}},
				ClientOptions{Getenv: noEnv, Home: t.TempDir(), Backoff: &backoff})
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(context.Background(), c)
			var noTask *NoTaskError
			if !errors.As(err, &noTask) || !IsNotFound(err) || noTask.RequestID != "R-1" {
				t.Errorf("err = %v, want a not-found NoTaskError with request id R-1", err)
			}
		})
	}
}
