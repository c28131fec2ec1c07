package alibaba

import (
	"context"
	"errors"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

func TestDecodeFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantInt any // deref of o.int("N")
		wantStr any // deref of o.str("S")
		field   string
	}{
		{"number", `{"N": 42}`, int64(42), nil, ""},
		{"negative", `{"N": -1}`, int64(-1), nil, ""},
		{"numeric string", `{"N": "42"}`, int64(42), nil, ""},
		{"numeric string with spaces", `{"N": " 7 "}`, int64(7), nil, ""},
		{"integral float", `{"N": 10.0}`, int64(10), nil, ""},
		{"exponent", `{"N": 1e3}`, int64(1000), nil, ""},
		{"null", `{"N": null}`, nil, nil, ""},
		{"empty string number", `{"N": ""}`, nil, nil, ""},
		{"absent", `{}`, nil, nil, ""},
		{"non-numeric string", `{"N": "ten"}`, nil, nil, "N"},
		{"fraction", `{"N": 1.5}`, nil, nil, "N"},
		{"boolean number", `{"N": true}`, nil, nil, "N"},
		{"object number", `{"N": {}}`, nil, nil, "N"},
		{"string verbatim", `{"S": "  RUNNING  "}`, nil, "  RUNNING  ", ""},
		{"string null text", `{"S": "null"}`, nil, "null", ""},
		{"empty string", `{"S": ""}`, nil, "", ""},
		{"number in a string field", `{"S": 629271331}`, nil, "629271331", ""},
		{"object in a string field", `{"S": {"a":[1, 2]}}`, nil, `{"a":[1, 2]}`, ""},
		{"escapes", `{"S": "a\"b\\u00e9"}`, nil, `a"b\u00e9`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseBody([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := deref(o.int("N")); got != tt.wantInt {
				t.Errorf("int = %v, want %v", got, tt.wantInt)
			}
			if got := deref(o.str("S")); got != tt.wantStr {
				t.Errorf("str = %#v, want %#v", got, tt.wantStr)
			}
			err = o.finish("Test API")
			var decErr *DecodeError
			if tt.field == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.As(err, &decErr) || decErr.Field != tt.field || decErr.API != "Test API" {
				t.Fatalf("error %v, want a DecodeError on field %q", err, tt.field)
			}
			if IsRetryable(err) {
				t.Error("a field of the wrong type must not be retried")
			}
		})
	}
}

func TestDecodeNestedFieldPath(t *testing.T) {
	t.Parallel()
	o, err := parseBody([]byte(`{"RequestId":"R-1","Tasks":{"Task":[{"Remain":1},{"Remain":"soon"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	decodeTasksPage(o)
	var decErr *DecodeError
	if err := o.finish("PolarDB DescribeTasks"); !errors.As(err, &decErr) || decErr.Field != "Tasks.Task[1].Remain" || decErr.RequestID != "R-1" {
		t.Fatalf("got %v, want a DecodeError on Tasks.Task[1].Remain with the request id", err)
	}
	for _, body := range []string{`{"SubTasks": {}}`, `{"SubTasks": [1]}`, `{"Tasks": []}`} {
		o, err := parseBody([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		decodeBatchTask(o)
		decodeTasksPage(o)
		if o.finish("x") == nil {
			t.Errorf("%s: no error for a wrongly shaped container", body)
		}
	}
}

func TestParseBodyMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `{"BatchId":"pcb-`, `null`, `[]`, `"text"`, `<html>`} {
		_, err := parseBody([]byte(body))
		var decErr *DecodeError
		if !errors.As(err, &decErr) || decErr.Field != "" {
			t.Errorf("%q: %v, want a whole-body DecodeError", body, err)
		}
		if !IsRetryable(err) {
			t.Errorf("%q: a malformed answer must be retried", body)
		}
	}
}

// A field of the wrong type in a real answer fails the read at once, naming the field.
func TestWrongFieldTypeNotRetried(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{
		BatchID: "pcb-1", Phases: []emulator.Phase{{Response: raw(t, `{"BatchId":"pcb-1","TotalCount":"many"}`)}},
	}}})
	c := newEmulatorClient(t, srv, Config{})
	_, err := c.DescribeBatchTask(context.Background(), "pcb-1")
	var decErr *DecodeError
	if !errors.As(err, &decErr) || decErr.Field != "TotalCount" || decErr.RequestID == "" {
		t.Fatalf("got %v, want a DecodeError on TotalCount with the request id", err)
	}
	if n := srv.Calls(emulator.APIPolarDBBatchTask); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}
