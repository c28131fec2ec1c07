package alibaba

import (
	"context"
	"reflect"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// The seed samples of the API reference, without RequestId (the emulator adds a fresh one).
const (
	seedBatchTask = `{
  "BatchId": "pcb-xxx",
  "TaskName": "batch_task_test",
  "TaskType": "polarclaw_install_skills",
  "Status": "RUNNING ",
  "TotalCount": 10,
  "SuccessCount": 8,
  "TaskBegin": "2026/05/28T16:38:20Z",
  "TaskEnd": "2026/05/28T15:23:47Z",
  "SubTasks": [
    {
      "TaskId": "629271331",
      "InstanceId": "pc-pz5f6mvi1p84t35d7",
      "Status": "COMPLETED",
      "TaskBegin": "2026/05/28T17:38:20Z",
      "TaskEnd": "2026/05/28T20:38:20Z",
      "ErrorMsg": "aliuid:1422133474238823 assumeOssRole not exist,serviceName:aliyunesarealtimelogpushossrole"
    }
  ],
  "ApplicationType": ""
}`
	seedPolarDBTask = `{
  "FinishTime": "2020-12-02T02:40:15Z",
  "StepsInfo": "[{\\\"remain\\\":0,\\\"name\\\":\\\"init_task\\\",\\\"progress\\\":100},{\\\"remain\\\":1764,\\\"name\\\":\\\"create_instance\\\",\\\"progress\\\":0}]",
  "Progress": 100,
  "ExpectedFinishTime": "null",
  "BeginTime": "2020-12-02T02:39:15Z",
  "TaskErrorCode": "null",
  "ProgressInfo": "null",
  "CurrentStepName": "create_instance",
  "StepProgressInfo": "1/4",
  "TaskErrorMessage": "null",
  "TaskAction": "CreateDBInstance",
  "DBName": "test",
  "Remain": 1767,
  "TaskId": "111111111"
}`
	seedBDRCData = `{
  "TaskId": "t-xxxxxxxx",
  "TaskName": "test5566",
  "TaskDescription": " empty",
  "TaskType": "UPDATE_RESOURCES",
  "TaskPriority": "HIGH",
  "TaskDetail": "{\"resourceTypes\":[\"ACS::ECS::Instance\",\"ACS::OSS::Bucket\",\"ACS::OTS::Instance\",\"ACS::NAS::FileSystem\"]}",
  "ExecutionId": " empty",
  "Progress": 100,
  "TaskStatus": "RUNNING",
  "ErrorMessage": "too many requests.",
  "StartTime": 1724983927,
  "CompleteTime": 1724983927,
  "ExpireTime": 1719026680
}`
	seedBatchResult = `{
  "Status": 0,
  "TotalCount": 4,
  "TaskId": 123456,
  "FailedCount": 2,
  "SuccessCount": 2,
  "BatchType": "DOMAIN_ADD",
  "Reason": "failed_reason"
}`
)

func TestDescribeBatchTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		response string
		want     BatchTask
	}{
		{
			name:     "seed sample",
			response: seedBatchTask,
			want: BatchTask{
				BatchID: ptr("pcb-xxx"), TaskName: ptr("batch_task_test"), TaskType: ptr("polarclaw_install_skills"),
				Status: ptr("RUNNING "), TotalCount: ptr[int64](10), SuccessCount: ptr[int64](8),
				TaskBegin: ptr("2026/05/28T16:38:20Z"), TaskEnd: ptr("2026/05/28T15:23:47Z"), ApplicationType: ptr(""),
				SubTasks: []BatchSubTask{{
					TaskID: ptr("629271331"), InstanceID: ptr("pc-pz5f6mvi1p84t35d7"), Status: ptr("COMPLETED"),
					TaskBegin: ptr("2026/05/28T17:38:20Z"), TaskEnd: ptr("2026/05/28T20:38:20Z"),
					ErrorMsg: ptr("aliuid:1422133474238823 assumeOssRole not exist,serviceName:aliyunesarealtimelogpushossrole"),
				}},
			},
		},
		{
			name: "nulls, absent fields, numeric strings and numbers in string fields",
			response: `{"BatchId":"pcb-2","Status":"DISPATCHING","TotalCount":"10","SuccessCount":null,"TaskEnd":null,
				"SubTasks":[{"TaskId":629271331,"Status":"null","ErrorMsg":null},null]}`,
			want: BatchTask{
				BatchID: ptr("pcb-2"), Status: ptr("DISPATCHING"), TotalCount: ptr[int64](10),
				SubTasks: []BatchSubTask{{TaskID: ptr("629271331"), Status: ptr("null")}, {}},
			},
		},
		{
			name:     "no sub tasks",
			response: `{"BatchId":"pcb-3","SubTasks":[]}`,
			want:     BatchTask{BatchID: ptr("pcb-3"), SubTasks: []BatchSubTask{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{
				BatchID: "pcb-x", Phases: []emulator.Phase{{Response: raw(t, tt.response)}},
			}}})
			c := newEmulatorClient(t, srv, Config{})
			got, err := c.DescribeBatchTask(context.Background(), "pcb-x")
			if err != nil {
				t.Fatalf("DescribeBatchTask: %v", err)
			}
			if got.RequestID == "" {
				t.Error("RequestID is empty")
			}
			tt.want.RequestID = got.RequestID
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %s\nwant %s", dump(*got), dump(tt.want))
			}
			if n := srv.Calls(emulator.APIPolarDBBatchTask); n != 1 {
				t.Errorf("calls = %d, want 1", n)
			}
		})
	}
}

func TestDescribeTasks(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBTasks: []emulator.PolarDBTask{{
		DBClusterID: "pc-seed", Phases: []emulator.PolarDBTaskPhase{{Status: "Running", Task: raw(t, seedPolarDBTask)}},
	}}})
	c := newEmulatorClient(t, srv, Config{})
	got, err := c.DescribeTasks(context.Background(), TasksRequest{
		DBClusterID: "pc-seed", StartTime: "2020-11-30T00:00Z", EndTime: "2020-12-02T03:00Z",
		Status: "Running", PageSize: 30, PageNumber: 1,
	})
	if err != nil {
		t.Fatalf("DescribeTasks: %v", err)
	}
	want := TasksPage{
		RequestID:        got.RequestID,
		TotalRecordCount: ptr[int64](1), PageRecordCount: ptr[int64](1), PageNumber: ptr[int64](1),
		StartTime: ptr("2020-11-30T00:00Z"), EndTime: ptr("2020-12-02T03:00Z"), DBClusterID: ptr("pc-seed"),
		Tasks: []PolarDBTask{{
			TaskID: ptr("111111111"), TaskAction: ptr("CreateDBInstance"), DBName: ptr("test"),
			BeginTime: ptr("2020-12-02T02:39:15Z"), FinishTime: ptr("2020-12-02T02:40:15Z"),
			ExpectedFinishTime: ptr("null"), CurrentStepName: ptr("create_instance"), StepProgressInfo: ptr("1/4"),
			StepsInfo:    ptr(`[{\"remain\":0,\"name\":\"init_task\",\"progress\":100},{\"remain\":1764,\"name\":\"create_instance\",\"progress\":0}]`),
			ProgressInfo: ptr("null"), TaskErrorCode: ptr("null"), TaskErrorMessage: ptr("null"),
			Progress: ptr[int64](100), Remain: ptr[int64](1767),
		}},
	}
	if got.RequestID == "" {
		t.Error("RequestID is empty")
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("got  %s\nwant %s", dump(*got), dump(want))
	}

	// The status filter travels: no Finished task exists, so the page is empty.
	empty, err := c.DescribeTasks(context.Background(), TasksRequest{
		DBClusterID: "pc-seed", StartTime: "2020-11-30T00:00Z", EndTime: "2020-12-02T03:00Z", Status: "Finished",
	})
	if err != nil {
		t.Fatalf("DescribeTasks Finished: %v", err)
	}
	if deref(empty.TotalRecordCount) != int64(0) || len(empty.Tasks) != 0 {
		t.Errorf("Finished: total %v, %d tasks; want 0, 0", deref(empty.TotalRecordCount), len(empty.Tasks))
	}

	// A parameter error is the service's, not retried.
	_, err = c.DescribeTasks(context.Background(), TasksRequest{DBClusterID: "pc-seed", StartTime: "2020-11-30", EndTime: "2020-12-02T03:00Z"})
	if code := apiCode(err); code != "InvalidStartTime.Malformed" {
		t.Errorf("malformed start time: code %q (%v)", code, err)
	}
	if n := srv.Calls(emulator.APIPolarDBTasks); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

func TestDescribeBDRCTask(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{BDRCTasks: []emulator.BDRCTask{
		{TaskID: "t-xxxxxxxx", Phases: []emulator.Phase{{Response: raw(t, seedBDRCData)}}},
		{TaskID: "t-nulls", Phases: []emulator.Phase{{Response: raw(t, `{"TaskId":"t-nulls","TaskStatus":"CREATED","Progress":"0","StartTime":null,"ErrorMessage":null}`)}}},
	}})
	c := newEmulatorClient(t, srv, Config{})
	tests := []struct {
		id   string
		want BDRCTask
	}{
		{"t-xxxxxxxx", BDRCTask{
			TaskID: ptr("t-xxxxxxxx"), TaskName: ptr("test5566"), TaskDescription: ptr(" empty"),
			TaskType: ptr("UPDATE_RESOURCES"), TaskPriority: ptr("HIGH"),
			TaskDetail:  ptr(`{"resourceTypes":["ACS::ECS::Instance","ACS::OSS::Bucket","ACS::OTS::Instance","ACS::NAS::FileSystem"]}`),
			ExecutionID: ptr(" empty"), Progress: ptr[int64](100), TaskStatus: ptr("RUNNING"),
			ErrorMessage: ptr("too many requests."), StartTime: ptr[int64](1724983927),
			CompleteTime: ptr[int64](1724983927), ExpireTime: ptr[int64](1719026680),
		}},
		{"t-nulls", BDRCTask{TaskID: ptr("t-nulls"), TaskStatus: ptr("CREATED"), Progress: ptr[int64](0)}},
	}
	for _, tt := range tests {
		got, err := c.DescribeBDRCTask(context.Background(), tt.id)
		if err != nil {
			t.Fatalf("DescribeBDRCTask(%s): %v", tt.id, err)
		}
		if got.RequestID == "" {
			t.Errorf("%s: RequestID is empty", tt.id)
		}
		tt.want.RequestID = got.RequestID
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.id, dump(*got), dump(tt.want))
		}
	}
	// The code is the emulator's guess (see its package doc); notask_test.go covers the alternative.
	_, err := c.DescribeBDRCTask(context.Background(), "t-missing")
	if !IsNotFound(err) || apiCode(err) != "NotFound.Task" {
		t.Errorf("unknown task: %v, want NotFound.Task and IsNotFound", err)
	}
	for _, bad := range []string{"", "..", "a/b", "a?b", "a b", "a%2Fb"} {
		if _, err := c.DescribeBDRCTask(context.Background(), bad); err == nil {
			t.Errorf("task id %q accepted", bad)
		}
	}
	if n := srv.Calls(emulator.APIBDRCTask); n != 3 {
		t.Errorf("calls = %d, want 3 (bad ids must not be sent)", n)
	}
}

func TestDescribeBatchResultCount(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{AlidnsTasks: []emulator.AlidnsTask{
		{TaskID: 123456, Phases: []emulator.Phase{{Response: raw(t, seedBatchResult)}}},
		{TaskID: 777, Phases: []emulator.Phase{{Response: raw(t, `{"Status":"1","TaskId":"777","TotalCount":3,"SuccessCount":3,"FailedCount":0,"BatchType":"RR_ADD","Reason":null}`)}}},
	}})
	c := newEmulatorClient(t, srv, Config{})
	tests := []struct {
		name string
		req  BatchResultRequest
		want BatchResultCount
	}{
		{"seed sample", BatchResultRequest{TaskID: ptr[int64](123456), Lang: "en"}, BatchResultCount{
			TaskID: ptr[int64](123456), Status: ptr[int64](0), TotalCount: ptr[int64](4), SuccessCount: ptr[int64](2),
			FailedCount: ptr[int64](2), BatchType: ptr("DOMAIN_ADD"), Reason: ptr("failed_reason"),
		}},
		{"latest, numeric strings", BatchResultRequest{}, BatchResultCount{
			TaskID: ptr[int64](777), Status: ptr[int64](1), TotalCount: ptr[int64](3), SuccessCount: ptr[int64](3),
			FailedCount: ptr[int64](0), BatchType: ptr("RR_ADD"),
		}},
		// The emulator's answer to a BatchType mismatch is a guess: see its package doc.
		{"batch type of another task", BatchResultRequest{TaskID: ptr[int64](123456), BatchType: "RR_DEL"}, BatchResultCount{
			TaskID: ptr[int64](123456), Status: ptr[int64](-1), TotalCount: ptr[int64](0), SuccessCount: ptr[int64](0),
			FailedCount: ptr[int64](0), BatchType: ptr("RR_DEL"), Reason: ptr(""),
		}},
	}
	for _, tt := range tests {
		got, err := c.DescribeBatchResultCount(context.Background(), tt.req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		tt.want.RequestID = got.RequestID
		if got.RequestID == "" || !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, dump(*got), dump(tt.want))
		}
	}
	// 404 TaskNotExist is the emulator's guess (see its package doc); notask_test.go covers the alternative.
	_, err := c.DescribeBatchResultCount(context.Background(), BatchResultRequest{TaskID: ptr[int64](1)})
	if !IsNotFound(err) {
		t.Errorf("unknown task: %v, want IsNotFound", err)
	}
}
