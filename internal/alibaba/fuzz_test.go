package alibaba

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
)

// The fuzz targets feed arbitrary bodies to the decoders. A decoder must return a value or a
// *DecodeError, the same for the same body, and a decoded value must survive being written
// back as JSON and read again. Their committed seeds are in testdata/fuzz/<FuzzName>/.

// withRequestID adds a RequestId to a seed sample, as the services send one.
func withRequestID(sample string) string {
	return strings.Replace(sample, "{", `{"RequestId": "6AEF4B92-D9BB-5C6F-9D87-E5E54E0F3C1A",`, 1)
}

// decodeWith runs one decoder the way Client.attempt does and checks the error types.
func decodeWith[T any](t *testing.T, body []byte, decode func(object) T) (T, error) {
	t.Helper()
	var zero T
	o, err := parseBody(body)
	if err != nil {
		var decErr *DecodeError
		if !errors.As(err, &decErr) || decErr.Field != "" {
			t.Fatalf("parseBody(%q) = %v (%T), want a *DecodeError without a field", body, err, err)
		}
		return zero, err
	}
	v := decode(o)
	if err := o.finish("Fuzz API"); err != nil {
		var decErr *DecodeError
		if !errors.As(err, &decErr) || decErr.Field == "" || decErr.API != "Fuzz API" {
			t.Fatalf("finish on %q = %v (%T), want a *DecodeError naming a field", body, err, err)
		}
		return zero, err
	}
	return v, nil
}

// checkDecoder asserts determinism and, for a successful decode, the round trip.
func checkDecoder[T any](t *testing.T, body []byte, decode func(object) T, encode func(T) map[string]any) {
	first, err1 := decodeWith(t, body, decode)
	second, err2 := decodeWith(t, body, decode)
	if !reflect.DeepEqual(first, second) || errString(err1) != errString(err2) {
		t.Fatalf("decoding %q twice differs: %s / %v then %s / %v", body, dump(first), err1, dump(second), err2)
	}
	if err1 != nil {
		return
	}
	if !utf8.Valid(body) {
		// A field kept verbatim may hold bytes that JSON cannot carry back unchanged.
		return
	}
	again, err := json.Marshal(encode(first))
	if err != nil {
		t.Fatalf("re-encoding %s: %v", dump(first), err)
	}
	back, err := decodeWith(t, again, decode)
	if err != nil || !reflect.DeepEqual(first, back) {
		t.Fatalf("round trip of %q through %s: %s / %v, want %s", body, again, dump(back), err, dump(first))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// put adds a decoded field to a body being rebuilt, leaving absent ones out.
func put[T any](m map[string]any, name string, v *T) {
	if v != nil {
		m[name] = *v
	}
}

func FuzzDecodeBatchTask(f *testing.F) {
	f.Add([]byte(withRequestID(seedBatchTask)))
	f.Add([]byte(`{"RequestId":"R","BatchId":"pcb-1","Status":"COMPLETED","SubTasks":[null,{"TaskId":629271331}]}`))
	f.Add([]byte(`{"TotalCount":"10","SuccessCount":1e3,"SubTasks":{}}`))
	f.Add([]byte(`{"SubTasks":[1]}`))
	f.Add([]byte(`{"BatchId":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecoder(t, body, decodeBatchTask, func(v *BatchTask) map[string]any {
			m := map[string]any{"RequestId": v.RequestID}
			put(m, "BatchId", v.BatchID)
			put(m, "TaskName", v.TaskName)
			put(m, "TaskType", v.TaskType)
			put(m, "Status", v.Status)
			put(m, "TaskBegin", v.TaskBegin)
			put(m, "TaskEnd", v.TaskEnd)
			put(m, "ApplicationType", v.ApplicationType)
			put(m, "TotalCount", v.TotalCount)
			put(m, "SuccessCount", v.SuccessCount)
			if v.SubTasks != nil {
				subs := make([]map[string]any, len(v.SubTasks))
				for i, s := range v.SubTasks {
					subs[i] = map[string]any{}
					put(subs[i], "TaskId", s.TaskID)
					put(subs[i], "InstanceId", s.InstanceID)
					put(subs[i], "Status", s.Status)
					put(subs[i], "TaskBegin", s.TaskBegin)
					put(subs[i], "TaskEnd", s.TaskEnd)
					put(subs[i], "ErrorMsg", s.ErrorMsg)
				}
				m["SubTasks"] = subs
			}
			return m
		})
	})
}

func FuzzDecodeTasksPage(f *testing.F) {
	f.Add([]byte(withRequestID(`{"TotalRecordCount":1,"PageRecordCount":1,"PageNumber":1,"StartTime":"2020-11-30T00:00Z",` +
		`"EndTime":"2020-12-02T03:00Z","DBClusterId":"pc-****************","Tasks":{"Task":[` + seedPolarDBTask + `]}}`)))
	f.Add([]byte(`{"RequestId":"R","TotalRecordCount":0,"Tasks":{"Task":[]}}`))
	f.Add([]byte(`{"Tasks":{"Task":[{"Remain":"soon"}]}}`))
	f.Add([]byte(`{"Tasks":[],"PageNumber":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecoder(t, body, decodeTasksPage, func(v *TasksPage) map[string]any {
			m := map[string]any{"RequestId": v.RequestID}
			put(m, "TotalRecordCount", v.TotalRecordCount)
			put(m, "PageRecordCount", v.PageRecordCount)
			put(m, "PageNumber", v.PageNumber)
			put(m, "StartTime", v.StartTime)
			put(m, "EndTime", v.EndTime)
			put(m, "DBClusterId", v.DBClusterID)
			if v.Tasks != nil {
				tasks := make([]map[string]any, len(v.Tasks))
				for i, task := range v.Tasks {
					tm := map[string]any{}
					put(tm, "TaskId", task.TaskID)
					put(tm, "TaskAction", task.TaskAction)
					put(tm, "DBName", task.DBName)
					put(tm, "BeginTime", task.BeginTime)
					put(tm, "FinishTime", task.FinishTime)
					put(tm, "ExpectedFinishTime", task.ExpectedFinishTime)
					put(tm, "CurrentStepName", task.CurrentStepName)
					put(tm, "StepProgressInfo", task.StepProgressInfo)
					put(tm, "StepsInfo", task.StepsInfo)
					put(tm, "ProgressInfo", task.ProgressInfo)
					put(tm, "TaskErrorCode", task.TaskErrorCode)
					put(tm, "TaskErrorMessage", task.TaskErrorMessage)
					put(tm, "Progress", task.Progress)
					put(tm, "Remain", task.Remain)
					tasks[i] = tm
				}
				m["Tasks"] = map[string]any{"Task": tasks}
			}
			return m
		})
	})
}

func FuzzDecodeBDRCTask(f *testing.F) {
	f.Add([]byte(withRequestID(`{"Data":` + seedBDRCData + `}`)))
	f.Add([]byte(`{"RequestId":"R","Data":null}`))
	f.Add([]byte(`{"Data":{"Progress":"10000","StartTime":1.7e9}}`))
	f.Add([]byte(`{"Data":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecoder(t, body, decodeBDRCTask, func(v *BDRCTask) map[string]any {
			d := map[string]any{}
			put(d, "TaskId", v.TaskID)
			put(d, "TaskName", v.TaskName)
			put(d, "TaskDescription", v.TaskDescription)
			put(d, "TaskType", v.TaskType)
			put(d, "TaskPriority", v.TaskPriority)
			put(d, "TaskDetail", v.TaskDetail)
			put(d, "ExecutionId", v.ExecutionID)
			put(d, "TaskStatus", v.TaskStatus)
			put(d, "ErrorMessage", v.ErrorMessage)
			put(d, "Progress", v.Progress)
			put(d, "StartTime", v.StartTime)
			put(d, "CompleteTime", v.CompleteTime)
			put(d, "ExpireTime", v.ExpireTime)
			return map[string]any{"RequestId": v.RequestID, "Data": d}
		})
	})
}

func FuzzDecodeBatchResultCount(f *testing.F) {
	f.Add([]byte(withRequestID(seedBatchResult)))
	f.Add([]byte(`{"RequestId":"R","Status":-1}`))
	f.Add([]byte(`{"TaskId":"123456","Status":"1","FailedCount":""}`))
	f.Add([]byte(`{"Status":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecoder(t, body, decodeBatchResultCount, func(v *BatchResultCount) map[string]any {
			m := map[string]any{"RequestId": v.RequestID}
			put(m, "TaskId", v.TaskID)
			put(m, "Status", v.Status)
			put(m, "TotalCount", v.TotalCount)
			put(m, "SuccessCount", v.SuccessCount)
			put(m, "FailedCount", v.FailedCount)
			put(m, "BatchType", v.BatchType)
			put(m, "Reason", v.Reason)
			return m
		})
	})
}

// FuzzErrorBody feeds error answers through the path the SDK takes (errorBodyForSDK, then the
// SDK's own parser) and Client.classify: the result is always an *APIError with the answer's
// HTTP status, a string Code sent by the server is kept, and the secret never shows.
func FuzzErrorBody(f *testing.F) {
	f.Add(400, []byte(`{"RequestId":"8906582E-6722-409A-A6C4-0E7863B733A5","HostId":"polardb.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}`))
	f.Add(404, []byte(`{"RequestId":"R","Code":"InvalidBatchId.NotFound","Message":"The BatchId does not exist."}`))
	f.Add(400, []byte(`{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:GET&%2F&Secret%3Dfuzz-secret-key"}`))
	f.Add(403, []byte(`{"Code":"Forbidden.RAM","Message":"denied","AccessDeniedDetail":{"PolicyType":"AccountLevelIdentityBasedPolicy"}}`))
	f.Add(503, []byte(`<html>Service Unavailable</html>`))
	// Regression seeds: each of these panicked inside the SDK before errorBodyForSDK.
	f.Add(400, []byte(`{"RequestId":1,"Code":"Throttling"}`))
	f.Add(400, []byte(`{"Code":["x"]}`))
	f.Add(500, []byte(`{"Message":{"a":1},"HostId":true,"Recommend":2.5}`))
	f.Add(403, []byte(`{"Code":"Forbidden","AccessDeniedDetail":"denied"}`))
	const secret = "fuzz-secret-key"
	c := &Client{redact: newRedactor(secret)}
	ep := endpoint.Endpoint{Scheme: "https", Host: "polardb.aliyuncs.com"}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			status = 300 + abs(status)%300
		}
		safe := errorBodyForSDK(body)
		var before map[string]any
		if json.Unmarshal(body, &before) == nil && before != nil {
			var after map[string]any
			if err := json.Unmarshal(safe, &after); err != nil || after == nil {
				t.Fatalf("errorBodyForSDK(%q) = %q, no longer a JSON object", body, safe)
			}
		}
		serverErr := sdkerrors.NewServerError(status, string(safe), "")
		ctx := t.Context()
		err := c.classify(ctx, ctx, apiPolarDBBatchTask, ep, serverErr)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("classify of %q = %v (%T), want an *APIError", body, err, err)
		}
		if apiErr.HTTPStatus != status {
			t.Errorf("HTTPStatus = %d, want %d", apiErr.HTTPStatus, status)
		}
		if code, ok := before["Code"].(string); ok && apiErr.Code != code {
			t.Errorf("Code = %q, want %q from %q", apiErr.Code, code, body)
		}
		if strings.Contains(apiErr.Error(), secret) {
			t.Errorf("the secret shows in %q", apiErr.Error())
		}
		again := c.classify(ctx, ctx, apiPolarDBBatchTask, ep, sdkerrors.NewServerError(status, string(errorBodyForSDK(body)), ""))
		if again.Error() != err.Error() {
			t.Errorf("classify differs on the same body: %q then %q", err, again)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestErrorBodyOfWrongTypesDoesNotCrash sends error answers whose fields the SDK would
// type-assert into a panic through a real Client: each must come back as an *APIError that
// keeps what the server sent.
func TestErrorBodyOfWrongTypesDoesNotCrash(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, wantCode, wantRequestID string }{
		{`{"RequestId":12345,"Code":"InvalidBatchId.NotFound","Message":"gone"}`, "InvalidBatchId.NotFound", "12345"},
		{`{"RequestId":"R-2","Code":{"nested":true},"Message":"x"}`, `{"nested":true}`, "R-2"},
		{`{"RequestId":"R-3","Code":"Forbidden.RAM","AccessDeniedDetail":"denied"}`, "Forbidden.RAM", "R-3"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
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
			_, err = c.DescribeBatchTask(t.Context(), "pcb-1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusBadRequest ||
				apiErr.Code != tt.wantCode || apiErr.RequestID != tt.wantRequestID {
				t.Fatalf("err = %v (%T), want an *APIError, HTTP 400, code %q, request id %q", err, err, tt.wantCode, tt.wantRequestID)
			}
		})
	}
}
