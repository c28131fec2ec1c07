package alibaba

import "testing"

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
		{"", "bdrc.cn-hangzhou.aliyuncs.com", "", "https"},
		{"bdrc.example.com", "bdrc.example.com", "", "https"},
		{"http://127.0.0.1:8080", "127.0.0.1", "8080", "http"},
		{"http://[::1]:8080", "[::1]", "8080", "http"},
	}
	for _, tt := range tests {
		ep, err := resolveEndpoint(ServiceBDRC, tt.override, "cn-hangzhou")
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
