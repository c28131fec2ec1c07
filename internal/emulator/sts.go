package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIAlibabaSTS is Alibaba STS AssumeRole (RPC, Version 2015-04-01). credentials-go sends it
// over HTTPS only, so the emulator also listens with TLS (TLSHost, TLSRootCAs).
const APIAlibabaSTS = "sts:AssumeRole"

// stsCredential is a temporary Alibaba credential issued by AssumeRole.
type stsCredential struct {
	secret, token string
	expires       time.Time
}

// IssuedCredential describes one temporary credential the emulator issued.
type IssuedCredential struct {
	AccessKeyID, SecurityToken, RoleArn, RoleSessionName string
	// AccessKeySecret is the temporary secret answered with the key, for tests that must
	// not find it anywhere the client writes.
	AccessKeySecret string
	Expiration      time.Time
	// API is the call that issued it: APIAlibabaSTS or APIAlibabaSTSOIDC.
	API string
}

// IssuedAlibabaCredentials returns the temporary credentials STS issued, in order.
func (s *Server) IssuedAlibabaCredentials() []IssuedCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]IssuedCredential(nil), s.issued...)
}

// assumeRole answers STS AssumeRole with a fresh temporary credential that expires after
// Scenario.AlibabaSTSLifetime, or after DurationSeconds when that is zero.
func (s *Server) assumeRole(c *call) ([]byte, *apiError) {
	p := c.params
	arn := p["RoleArn"]
	if arn == "" {
		return nil, missing("RoleArn")
	}
	if !strings.HasPrefix(arn, "acs:ram::") || !strings.Contains(arn, ":role/") {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed."}
	}
	if p["RoleSessionName"] == "" {
		return nil, missing("RoleSessionName")
	}
	duration := 3600
	if d := p["DurationSeconds"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, invalidParam("DurationSeconds")
		}
		duration = n
	}
	return s.issueRoleCredentials(c, arn, p["RoleSessionName"], duration)
}

// issueRoleCredentials answers AssumeRole or AssumeRoleWithOIDC with a fresh temporary
// credential of the role.
func (s *Server) issueRoleCredentials(c *call, arn, session string, duration int) ([]byte, *apiError) {
	s.mu.Lock()
	// Validate accepted the scenario, so a lifetime that is set parses.
	lifetime, _ := time.ParseDuration(s.sc.AlibabaSTSLifetime)
	s.mu.Unlock()
	if lifetime <= 0 {
		lifetime = time.Duration(duration) * time.Second
	}
	id := "STS.emu" + strings.ReplaceAll(newUUID(false), "-", "")[:16]
	cred := stsCredential{secret: "emu-sts-secret-" + newUUID(false), token: "emu-sts-token-" + newUUID(false), expires: c.now.Add(lifetime)}
	s.mu.Lock()
	if s.sts == nil {
		s.sts = map[string]stsCredential{}
	}
	s.sts[id] = cred
	s.issued = append(s.issued, IssuedCredential{AccessKeyID: id, SecurityToken: cred.token, RoleArn: arn,
		RoleSessionName: session, AccessKeySecret: cred.secret, Expiration: cred.expires, API: c.api})
	s.mu.Unlock()
	raw, err := json.Marshal(map[string]any{
		"AssumedRoleUser": map[string]string{"Arn": arn + "/" + session, "AssumedRoleId": "3000:" + session},
		"Credentials": map[string]string{
			"AccessKeyId": id, "AccessKeySecret": cred.secret, "SecurityToken": cred.token,
			"Expiration": cred.expires.UTC().Format("2006-01-02T15:04:05Z"),
		},
	})
	if err != nil {
		return nil, internalError()
	}
	return alibabaSuccess(c, raw)
}

// checkSecurityToken rejects a temporary access key used without its token, with another
// token, or after it expired; long-term keys need none.
func (s *Server) checkSecurityToken(ak, token string, now time.Time) *apiError {
	s.mu.Lock()
	cred, temporary := s.sts[ak]
	s.mu.Unlock()
	if !temporary {
		return nil
	}
	switch {
	case token == "":
		return &apiError{http.StatusBadRequest, "MissingSecurityToken", "SecurityToken is mandatory for this action."}
	case token != cred.token:
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey."}
	case !now.Before(cred.expires):
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."}
	}
	return nil
}

var (
	tlsOnce sync.Once
	tlsCert tls.Certificate
	tlsPool *x509.CertPool
	errTLS  error
)

// emulatorCertificate is a self-signed certificate for 127.0.0.1 and localhost, made once
// per process.
func emulatorCertificate() (tls.Certificate, *x509.CertPool, error) {
	tlsOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			errTLS = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "cloudtask emulator"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			DNSNames:              []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			errTLS = err
			return
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			errTLS = err
			return
		}
		tlsCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
		tlsPool = x509.NewCertPool()
		tlsPool.AddCert(leaf)
	})
	return tlsCert, tlsPool, errTLS
}

// TLSRootCAs is the pool that trusts every emulator's TLS listener in this process.
func TLSRootCAs() (*x509.CertPool, error) {
	_, pool, err := emulatorCertificate()
	return pool, err
}

// TLSCertificatePEM is the certificate of every emulator's TLS listener in this process,
// PEM-encoded: a client in another process trusts the listener with it (a Go program through
// SSL_CERT_FILE, for example).
func TLSCertificatePEM() ([]byte, error) {
	cert, _, err := emulatorCertificate()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Leaf.Raw}), nil
}

// startTLS listens with TLS on the host of addr, any port, serving the same APIs.
func (s *Server) startTLS(addr string) error {
	cert, _, err := emulatorCertificate()
	if err != nil {
		return fmt.Errorf("emulator certificate: %w", err)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("listen with TLS on %s: %w", host, err)
	}
	s.tlsListener = ln
	s.tlsSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	go func() { _ = s.tlsSrv.ServeTLS(ln, "", "") }()
	return nil
}

// TLSHost is the host:port of the TLS listener, for clients such as credentials-go that
// only speak HTTPS; empty before Start. Trust it with TLSRootCAs.
func (s *Server) TLSHost() string {
	if s.tlsListener == nil {
		return ""
	}
	return s.tlsListener.Addr().String()
}

// TrustInDefaultTransport makes http.DefaultTransport trust the emulator's TLS listeners as
// well as the system's roots. It is for test binaries, called from TestMain before any
// test runs: credentials-go builds each STS request's transport from a clone of
// http.DefaultTransport and offers no other way to trust a local certificate.
func TrustInDefaultTransport() error {
	cert, _, err := emulatorCertificate()
	if err != nil {
		return err
	}
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AddCert(cert.Leaf)
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t.TLSClientConfig.RootCAs = pool
	return nil
}
