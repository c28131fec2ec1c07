package alibaba

import (
	"fmt"
	"slices"
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

// BDRCRegions are the regions with a documented BDRC endpoint, bdrc.<region>.aliyuncs.com.
// BDRC calls itself a centralized product and publishes no central host for the others.
var BDRCRegions = []string{"cn-shanghai", "ap-southeast-1", "cn-shanghai-finance-1"}

// DefaultEndpoint returns the documented host of a service in a region: PolarDB's central
// host for the regions the SDK maps to it and polardb.<region>.aliyuncs.com elsewhere,
// Alidns's central host everywhere, and bdrc.<region>.aliyuncs.com in BDRCRegions. It
// returns "" for an unknown service and for BDRC in any other region: a host is never
// guessed.
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
		if slices.Contains(BDRCRegions, region) {
			return "bdrc." + region + ".aliyuncs.com"
		}
	}
	return ""
}

// UnsupportedRegionError is a read of a service that has no documented endpoint in the
// configured region while no endpoint override is set. No request was sent.
type UnsupportedRegionError struct {
	Product string   // "BDRC"
	Service string   // the endpoints attribute, "bdrc"
	Region  string   // the configured region
	Regions []string // the regions that have a documented endpoint
}

// Error names the region, the regions that work and the override to set.
func (e *UnsupportedRegionError) Error() string {
	return fmt.Sprintf("%s has no endpoint in region %q (only in %s); set alibaba.region to one of those "+
		"or alibaba.endpoints.%s to the endpoint to use", e.Product, e.Region, strings.Join(e.Regions, ", "), e.Service)
}

// resolveEndpoint parses an override, or builds the https default of the service. With no
// override and no documented endpoint in the region it returns *UnsupportedRegionError.
func resolveEndpoint(service, override, region string) (endpoint.Endpoint, error) {
	if override == "" {
		host := DefaultEndpoint(service, region)
		if host == "" {
			return endpoint.Endpoint{}, &UnsupportedRegionError{Product: "BDRC", Service: service, Region: region, Regions: slices.Clone(BDRCRegions)}
		}
		return endpoint.Endpoint{Scheme: "https", Host: host}, nil
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
