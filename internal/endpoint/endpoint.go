// Package endpoint parses the endpoint overrides of the provider configuration.
//
// Both cloud adapters take an override as a URL whose scheme is optional (https when absent), so
// "https://polardb.aliyuncs.com", "polardb.aliyuncs.com" and "http://127.0.0.1:8080" all work.
// The SDKs want the parts separately (the Alibaba SDK's ROA requests need host and port apart),
// which is why an override is parsed once here and handed over as an Endpoint.
package endpoint

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Endpoint is a parsed override: scheme, host and optional port.
type Endpoint struct {
	Scheme string // "http" or "https"
	Host   string // host name or IP address, without port
	Port   string // empty when the scheme's default port is meant
}

// HostPort returns host:port, or the host alone when no port was given. An IPv6 literal is
// in brackets either way, so that the result can follow "scheme://" in a URL.
func (e Endpoint) HostPort() string {
	if e.Port == "" {
		if strings.Contains(e.Host, ":") {
			return "[" + e.Host + "]"
		}
		return e.Host
	}
	return net.JoinHostPort(e.Host, e.Port)
}

// String returns the endpoint as a URL.
func (e Endpoint) String() string {
	return e.Scheme + "://" + e.HostPort()
}

// Parse parses an override. Only a scheme, a host and a port are allowed: a path, query, fragment
// or user information would be silently ignored by the SDKs, so they are rejected instead.
func Parse(raw string) (Endpoint, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Endpoint{}, fmt.Errorf("endpoint is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Endpoint{}, fmt.Errorf("endpoint %q is not a valid URL: %w", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Endpoint{}, fmt.Errorf("endpoint %q has scheme %q; use http or https", raw, u.Scheme)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("endpoint %q must be a scheme, host and optional port only", raw)
	}
	host := u.Hostname()
	if host == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q has no host", raw)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("endpoint %q has an invalid port", raw)
		}
	}
	return Endpoint{Scheme: scheme, Host: host, Port: port}, nil
}
