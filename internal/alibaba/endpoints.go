package alibaba

import (
	"fmt"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/polardb"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
)

// Service names accepted by DefaultEndpoint.
const (
	ServicePolarDB = "polardb"
	ServiceBDRC    = "bdrc"
	ServiceAlidns  = "alidns"
)

var (
	polarDBCentralOnce sync.Once
	polarDBCentral     map[string]string
)

// polarDBCentralHosts returns a private copy of the SDK's PolarDB endpoint map (the regions
// served by the central host). The SDK fills its package variable lazily without a lock, so it
// is read once here and never again.
func polarDBCentralHosts() map[string]string {
	polarDBCentralOnce.Do(func() {
		src := polardb.GetEndpointMap()
		polarDBCentral = make(map[string]string, len(src))
		for k, v := range src {
			polarDBCentral[k] = v
		}
	})
	return polarDBCentral
}

// DefaultEndpoint returns the documented host of a service in a region: PolarDB's central
// host for the regions the SDK maps to it and polardb.<region>.aliyuncs.com elsewhere,
// Alidns's central host everywhere, and bdrc.<region>.aliyuncs.com. An unknown service
// yields "".
func DefaultEndpoint(service, region string) string {
	switch strings.ToLower(service) {
	case ServicePolarDB:
		if host, ok := polarDBCentralHosts()[region]; ok {
			return host
		}
		return "polardb." + region + ".aliyuncs.com"
	case ServiceAlidns:
		return "alidns.aliyuncs.com"
	case ServiceBDRC:
		return "bdrc." + region + ".aliyuncs.com"
	}
	return ""
}

// resolveEndpoint parses an override, or builds the https default of the service.
func resolveEndpoint(service, override, region string) (endpoint.Endpoint, error) {
	if override == "" {
		return endpoint.Endpoint{Scheme: "https", Host: DefaultEndpoint(service, region)}, nil
	}
	ep, err := endpoint.Parse(override)
	if err != nil {
		return endpoint.Endpoint{}, fmt.Errorf("alibaba.endpoints.%s: %w", service, err)
	}
	return ep, nil
}

// sdkDomain is the host as the SDK wants it in a request's Domain: it formats URLs as
// scheme://Domain:Port, so an IPv6 literal needs its brackets here.
func sdkDomain(ep endpoint.Endpoint) string {
	if strings.Contains(ep.Host, ":") {
		return "[" + ep.Host + "]"
	}
	return ep.Host
}
