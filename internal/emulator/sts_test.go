package emulator

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

// TestAlibabaAssumeRole issues temporary credentials through a signed AssumeRole and
// checks that the task APIs take them only with their token, and only until they expire.
func TestAlibabaAssumeRole(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	sc := happyScenario()
	sc.AlibabaSTSLifetime = "10m"
	s := startServer(t, Options{Scenario: sc, Now: clock.Now})
	if s.TLSHost() == "" {
		t.Fatal("no TLS listener")
	}
	base := alibabaClient(t, AlibabaAccessKeyID, AlibabaAccessKeySecret)

	assume := rpcRequest(t, s, "2015-04-01", "AssumeRole", nil)
	assume.FormParams["RoleArn"] = "acs:ram::1234:role/reader"
	assume.FormParams["RoleSessionName"] = "test"
	assume.FormParams["DurationSeconds"] = "3600"
	body, _, code := alibabaCall(t, base, assume)
	if code != "" {
		t.Fatalf("AssumeRole: %s", code)
	}
	var got struct {
		Credentials struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration string }
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	cr := got.Credentials
	exp, err := time.Parse("2006-01-02T15:04:05Z", cr.Expiration)
	if err != nil || exp.Sub(clock.Now()) > 11*time.Minute || exp.Sub(clock.Now()) < 9*time.Minute {
		t.Errorf("Expiration %q (%v), want 10 minutes from now", cr.Expiration, err)
	}
	if issued := s.IssuedAlibabaCredentials(); len(issued) != 1 || issued[0].AccessKeyID != cr.AccessKeyId || issued[0].SecurityToken != cr.SecurityToken ||
		issued[0].AccessKeySecret != cr.AccessKeySecret {
		t.Errorf("IssuedAlibabaCredentials = %+v", issued)
	}

	read := func(c *sdk.Client) string {
		req := rpcRequest(t, s, "2017-08-01", "DescribeBatchTask", map[string]string{"BatchId": "pcb-happy"})
		_, _, code := alibabaCall(t, c, req)
		return code
	}
	stsClient := func(token string) *sdk.Client {
		c, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewStsTokenCredential(cr.AccessKeyId, cr.AccessKeySecret, token))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if code := read(alibabaClient(t, cr.AccessKeyId, cr.AccessKeySecret)); code != "MissingSecurityToken" {
		t.Errorf("temporary key without token: %q", code)
	}
	if code := read(stsClient("another-token")); code != "InvalidSecurityToken.Mismatch" {
		t.Errorf("temporary key with another token: %q", code)
	}
	if code := read(stsClient(cr.SecurityToken)); code != "" {
		t.Errorf("temporary key with its token: %q", code)
	}
	if _, _, code := alibabaCall(t, stsClient(cr.SecurityToken), roaRequest(t, s, "t-happy")); code != "" {
		t.Errorf("ROA with the temporary key and token: %q", code)
	}
	reqs := s.Requests(APIPolarDBBatchTask)
	if last := reqs[len(reqs)-1]; last.AccessKeyID != cr.AccessKeyId || last.SecurityToken != cr.SecurityToken {
		t.Errorf("recorded %q/%q", last.AccessKeyID, last.SecurityToken)
	}
	// Within the 15 minutes of signature freshness.
	clock.Advance(10 * time.Minute)
	if code := read(stsClient(cr.SecurityToken)); code != "InvalidSecurityToken.Expired" {
		t.Errorf("after expiry: %q", code)
	}

	bad := rpcRequest(t, s, "2015-04-01", "AssumeRole", nil)
	bad.FormParams["RoleArn"] = "not-an-arn"
	bad.FormParams["RoleSessionName"] = "test"
	if _, status, code := alibabaCall(t, base, bad); status != http.StatusBadRequest || code != "InvalidParameter.RoleArn" {
		t.Errorf("bad role ARN: %d %q", status, code)
	}
}

// TestTLSCertificatePEM trusts the TLS listener with the exported certificate alone, as a
// client in another process would.
func TestTLSCertificatePEM(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{Scenario: happyScenario()})
	pemBytes, err := TLSCertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("no certificate in %q", pemBytes)
	}
	conn, err := tls.Dial("tcp", s.TLSHost(), &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS with the exported certificate: %v", err)
	}
	_ = conn.Close()
}
