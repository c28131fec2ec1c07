package alibaba

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

func TestDefaultEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, region, want string
	}{
		{"polardb", "cn-hangzhou", "polardb.aliyuncs.com"},
		{"polardb", "cn-shanghai", "polardb.aliyuncs.com"},
		{"polardb", "cn-beijing", "polardb.aliyuncs.com"},
		{"polardb", "cn-hongkong", "polardb.aliyuncs.com"},
		{"polardb", "ap-southeast-1", "polardb.ap-southeast-1.aliyuncs.com"},
		{"polardb", "eu-central-1", "polardb.eu-central-1.aliyuncs.com"},
		{"PolarDB", "us-west-1", "polardb.us-west-1.aliyuncs.com"},
		{"alidns", "cn-hangzhou", "alidns.aliyuncs.com"},
		{"alidns", "ap-southeast-1", "alidns.aliyuncs.com"},
		{"bdrc", "cn-shanghai", "bdrc.cn-shanghai.aliyuncs.com"},
		{"bdrc", "ap-southeast-1", "bdrc.ap-southeast-1.aliyuncs.com"},
		{"bdrc", "cn-shanghai-finance-1", "bdrc.cn-shanghai-finance-1.aliyuncs.com"},
		// BDRC publishes no endpoint, central or regional, for other regions: none is made up.
		{"bdrc", "cn-hangzhou", ""},
		{"bdrc", "cn-beijing", ""},
		{"bdrc", "us-west-1", ""},
		{"ecs", "cn-hangzhou", ""},
	}
	for _, tt := range tests {
		if got := DefaultEndpoint(tt.service, tt.region); got != tt.want {
			t.Errorf("DefaultEndpoint(%q, %q) = %q, want %q", tt.service, tt.region, got, tt.want)
		}
	}
}

func TestResolveEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		override, domain, port, scheme string
	}{
		{"", "bdrc.cn-shanghai.aliyuncs.com", "", "https"},
		{"bdrc.example.com", "bdrc.example.com", "", "https"},
		{"http://127.0.0.1:8080", "127.0.0.1", "8080", "http"},
		{"http://[::1]:8080", "[::1]", "8080", "http"},
	}
	for _, tt := range tests {
		ep, err := resolveEndpoint(ServiceBDRC, tt.override, "cn-shanghai")
		if err != nil {
			t.Fatalf("%q: %v", tt.override, err)
		}
		if sdkDomain(ep) != tt.domain || ep.Port != tt.port || ep.Scheme != tt.scheme {
			t.Errorf("%q: domain %q port %q scheme %q; want %q %q %q", tt.override, sdkDomain(ep), ep.Port, ep.Scheme, tt.domain, tt.port, tt.scheme)
		}
	}
	if _, err := resolveEndpoint(ServiceBDRC, "https://host/path", "cn-hangzhou"); err == nil {
		t.Error("an endpoint with a path was accepted")
	}
}

func TestResolveEndpointBDRCOutsideItsRegions(t *testing.T) {
	t.Parallel()
	_, err := resolveEndpoint(ServiceBDRC, "", "cn-hangzhou")
	var unsupported *UnsupportedRegionError
	if !errors.As(err, &unsupported) {
		t.Fatalf("err = %v, want *UnsupportedRegionError", err)
	}
	if unsupported.Region != "cn-hangzhou" || !slices.Equal(unsupported.Regions, BDRCRegions) {
		t.Errorf("error = %+v", unsupported)
	}
	for _, want := range []string{"cn-hangzhou", "cn-shanghai, ap-southeast-1, cn-shanghai-finance-1", "alibaba.endpoints.bdrc"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not name %q", err, want)
		}
	}
	if IsRetryable(err) || IsNotFound(err) {
		t.Error("an unsupported region is neither retryable nor not found")
	}
	// An override works in any region.
	if ep, err := resolveEndpoint(ServiceBDRC, "https://bdrc.example.com", "cn-hangzhou"); err != nil || ep.Host != "bdrc.example.com" {
		t.Errorf("override in cn-hangzhou: %v, %v", ep, err)
	}
}

// countingTransport counts the requests that leave the process, whatever their host.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// TestBDRCReadOutsideItsRegions: the client builds (PolarDB and Alidns reads must keep
// working in cn-hangzhou), and the first BDRC read fails without sending anything to any
// host. It swaps the shared transport, so it does not run in parallel (parallel tests only
// start once the sequential ones are done).
func TestBDRCReadOutsideItsRegions(t *testing.T) {
	counting := &countingTransport{next: sharedTransport}
	sharedTransport = counting
	t.Cleanup(func() { sharedTransport = counting.next })
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		BDRCTasks:   []emulator.BDRCTask{{TaskID: "t-1", Phases: []emulator.Phase{{Response: json.RawMessage(`{"TaskId":"t-1","TaskStatus":"COMPLETE"}`)}}}},
		AlidnsTasks: []emulator.AlidnsTask{{TaskID: 1, Phases: []emulator.Phase{{Response: json.RawMessage(`{"TaskId":1,"Status":1}`)}}}},
	})
	c, err := NewClient(Config{
		AccessKey: emulator.AlibabaAccessKeyID, SecretKey: emulator.AlibabaAccessKeySecret, Region: "cn-hangzhou",
		Endpoints: Endpoints{PolarDB: srv.URL(), Alidns: srv.URL()},
	}, ClientOptions{Getenv: noEnv, Home: t.TempDir()})
	if err != nil {
		t.Fatalf("NewClient in cn-hangzhou without a BDRC override: %v", err)
	}
	if got := c.endpointURL(ServiceBDRC); got != "" {
		t.Errorf("Endpoint(bdrc) = %q, want none", got)
	}
	_, err = c.DescribeBDRCTask(context.Background(), "t-1")
	var unsupported *UnsupportedRegionError
	if !errors.As(err, &unsupported) {
		t.Fatalf("DescribeBDRCTask: %v, want *UnsupportedRegionError", err)
	}
	if _, err := c.DescribeBatchResultCount(context.Background(), BatchResultRequest{}); err != nil {
		t.Errorf("Alidns read in the same client: %v", err)
	}
	if n := counting.n.Load(); n != 1 {
		t.Errorf("requests sent = %d, want 1 (the Alidns read only)", n)
	}
}
