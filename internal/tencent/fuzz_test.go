package tencent

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// The fuzz targets feed arbitrary answers to the path an answer takes in Client.send: the
// SDK's error decoding (tchttp.ParseFromHttpResponse, then toAPIError) and decodeTask. Every
// failure must be an *APIError with a code; the same answer must give the same result; a
// decoded task must survive being written back as JSON and read again. Their committed seeds
// are in testdata/fuzz/<FuzzName>/.

// readAnswer runs one HTTP answer through the SDK's parsing and decodeTask as send does.
func readAnswer(t *testing.T, status int, contentType string, body []byte) (*Task, error) {
	t.Helper()
	hr := &http.Response{
		StatusCode: status,
		Status:     http.StatusText(status),
		Header:     http.Header{"Content-Type": {contentType}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    &http.Request{},
	}
	relabelAnswer(hr)
	resp := &rawResponse{BaseResponse: &tchttp.BaseResponse{}}
	var err error
	if perr := tchttp.ParseFromHttpResponse(hr, resp); perr != nil {
		err = toAPIError(perr)
	} else {
		task, derr := decodeTask(resp.body)
		if derr == nil {
			return task, nil
		}
		err = malformedAnswer(resp.body, derr)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code == "" {
		t.Fatalf("answer %d %q %q: error %v (%T), want an *APIError with a code", status, contentType, body, err, err)
	}
	return nil, err
}

func checkAnswer(t *testing.T, status int, contentType string, body []byte) {
	first, err1 := readAnswer(t, status, contentType, body)
	second, err2 := readAnswer(t, status, contentType, body)
	if !reflect.DeepEqual(first, second) || errString(err1) != errString(err2) {
		t.Fatalf("the same answer read twice differs: %s / %v then %s / %v", dumpTask(first), err1, dumpTask(second), err2)
	}
	if err1 != nil || !utf8.Valid(body) {
		// A field kept verbatim may hold bytes that JSON cannot carry back unchanged.
		return
	}
	again, err := json.Marshal(map[string]any{"Response": wireOf(reflect.ValueOf(*first))})
	if err != nil {
		t.Fatalf("re-encoding %s: %v", dumpTask(first), err)
	}
	back, err := decodeTask(again)
	if err != nil || !reflect.DeepEqual(first, back) {
		t.Fatalf("round trip of %q through %s: %s / %v, want %s", body, again, dumpTask(back), err, dumpTask(first))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// wireOf writes a decoded value back in the answer's shape: field names as the API spells
// them (Id, not ID), absent values left out.
func wireOf(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer:
		return wireOf(v.Elem())
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = wireOf(v.Index(i))
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice) && f.IsNil() {
				continue
			}
			name := v.Type().Field(i).Name
			if base, ok := strings.CutSuffix(name, "ID"); ok {
				name = base + "Id"
			}
			out[name] = wireOf(f)
		}
		return out
	default:
		return v.Interface()
	}
}

func FuzzDecodeTask(f *testing.F) {
	sample, err := os.ReadFile("testdata/describe_task_sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`{"Response":{"TaskState":"RUNNING","TaskInstanceSet":[null,{"ExitCode":"1","RedirectInfo":null}],"TaskInstanceTotalCount":"2","RequestId":"r"}}`))
	f.Add([]byte(`{"Response":{"TaskInstanceMetrics":{"FailedCount":1.0e0},"TaskName":7}}`))
	f.Add([]byte(`{"Response":{"TaskInstanceSet":{}}}`))
	f.Add([]byte(`{"Response":null}`))
	f.Add([]byte(`{"Response":{"TaskState":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, http.StatusOK, "application/json", body)
	})
}

func FuzzErrorAnswer(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"Your current request times equals to 4 in a second, which exceeds the frequency limit 3 for a second. Please reduce your request frequency."},"RequestId":"b5b41468-520d-4192-b42f-595cc34b6c1c"}}`))
	f.Add(200, "application/json", []byte(`{"Response":{"Error":{"Code":"ResourceNotFound.Task","Message":"The specified task does not exist."},"RequestId":"r"}}`))
	f.Add(200, "application/json", []byte(`{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"r"}}`))
	f.Add(200, "application/json", []byte(`{"code":4000,"message":"deprecated","codeDesc":"InvalidParameter"}`))
	f.Add(502, "text/html", []byte(`<html>Bad Gateway</html>`))
	f.Add(200, "application/json", []byte(`{"Response":{"Error":{"Code":7}}}`))
	// Regression seed: an event-stream answer made the SDK leave the connection open.
	f.Add(200, "text/event-stream", []byte("data: {}\n\n"))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 100 || status > 599 {
			status = 100 + abs(status)%500
		}
		checkAnswer(t, status, contentType, body)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
