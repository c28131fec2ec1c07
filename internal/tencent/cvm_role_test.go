package tencent

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// metadataService stands in for the CVM instance metadata service: the SDK's CvmRoleProvider
// asks it with http.Get, at a fixed address, so the test serves http.DefaultClient's requests
// to that host in process. It hands out the emulator's key with a token, expiring within the
// SDK's five-minute renewal margin so that every use asks again.
type metadataService struct {
	role string
	mu   sync.Mutex
	hits int
}

func (m *metadataService) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if r.URL.Host != "metadata.tencentyun.com" {
		rec.WriteHeader(http.StatusBadGateway)
		return rec.Result(), nil
	}
	m.mu.Lock()
	m.hits++
	m.mu.Unlock()
	switch strings.TrimPrefix(r.URL.Path, "/latest/meta-data/cam/security-credentials/") {
	case m.role:
		_ = json.NewEncoder(rec).Encode(map[string]any{
			"TmpSecretId": emulator.TencentSecretID, "TmpSecretKey": emulator.TencentSecretKey, "Token": "cvm-token",
			"ExpiredTime": time.Now().Add(4 * time.Minute).Unix(), "Expiration": time.Now().Add(4 * time.Minute).UTC().Format(time.RFC3339),
			"Code": "Success",
		})
	default:
		rec.WriteHeader(http.StatusNotFound)
	}
	return rec.Result(), nil
}

func (m *metadataService) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

// TestCVMRole reads with the keys of a CVM role from the (stand-in) metadata service, renewed
// on use, and reports a role the instance does not have. Not parallel: it replaces
// http.DefaultClient's transport, the SDK's only seam for the metadata service.
func TestCVMRole(t *testing.T) {
	meta := &metadataService{role: "reader"}
	saved := http.DefaultClient.Transport
	http.DefaultClient.Transport = meta
	t.Cleanup(func() { http.DefaultClient.Transport = saved })

	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-cvm1", "A", "RUNNING", 2, 0)}})
	c := newTestClient(t, srv.URL(), func(cfg *Config) { cfg.SecretID, cfg.SecretKey, cfg.CAMRoleName = "", "", "reader" })
	for range 2 {
		if _, err := c.DescribeTask(context.Background(), req("job-cvm1", "A")); err != nil {
			t.Fatalf("DescribeTask: %v", err)
		}
	}
	reqs := srv.Requests(emulator.APITencentTask)
	if len(reqs) != 2 || reqs[0].AccessKeyID != emulator.TencentSecretID || reqs[0].SecurityToken != "cvm-token" {
		t.Errorf("requests = %+v, want the role's key and token", reqs)
	}
	if n := meta.count(); n < 3 {
		t.Errorf("%d metadata requests, want one at set-up and a renewal for each request", n)
	}

	_, err := NewClient(Config{CAMRoleName: "missing", Endpoints: Endpoints{Batch: srv.URL()}}, ClientOptions{Getenv: envOf(nil)})
	var cvmErr *CVMRoleError
	if !errors.As(err, &cvmErr) || cvmErr.RoleName != "missing" {
		t.Errorf("unknown role: err = %v, want a *CVMRoleError", err)
	}
}
