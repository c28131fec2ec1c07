package alibaba

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// rotatingProvider is a credentials-go provider whose secret the test can change, counting
// how often it is asked.
type rotatingProvider struct {
	mu     sync.Mutex
	calls  int
	secret string
}

func (p *rotatingProvider) GetCredentials() (*providers.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	return &providers.Credentials{AccessKeyId: emulator.AlibabaAccessKeyID, AccessKeySecret: p.secret, ProviderName: "rotating"}, nil
}

func (p *rotatingProvider) GetProviderName() string { return "rotating" }

func (p *rotatingProvider) set(secret string) (calls int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secret = secret
	return p.calls
}

// TestClientAsksProviderPerRequest proves that every request is signed with the
// credentials the provider gives at that moment, not with those found at start: after the
// provider's secret changes, the emulator rejects the signature.
func TestClientAsksProviderPerRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{
		BatchID: "pcb-x", Phases: []emulator.Phase{{Response: raw(t, `{"BatchId":"pcb-x","Status":"RUNNING"}`)}},
	}}})
	c := newEmulatorClient(t, srv, Config{})
	p := &rotatingProvider{secret: emulator.AlibabaAccessKeySecret}
	c.provider = p
	for range 2 {
		if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
			t.Fatalf("DescribeBatchTask: %v", err)
		}
	}
	if calls := p.set("rotated-wrong-secret"); calls != 2 {
		t.Errorf("provider asked %d times for 2 requests", calls)
	}
	_, err := c.DescribeBatchTask(context.Background(), "pcb-x")
	if !IsAuthError(err) {
		t.Fatalf("with the rotated secret: %v, want an authentication error", err)
	}
	if strings.Contains(err.Error(), "rotated-wrong-secret") {
		t.Errorf("error reveals the refreshed secret: %v", err)
	}
}

// TestAssumeRole reads through a role assumed with the emulator's STS: the request is
// signed with the temporary key and carries its token, and the session settings reach STS.
func TestAssumeRole(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{
		BatchID: "pcb-x", Phases: []emulator.Phase{{Response: raw(t, `{"BatchId":"pcb-x","Status":"RUNNING"}`)}},
	}}})
	c := newEmulatorClient(t, srv, Config{
		AssumeRole: &AssumeRole{RoleArn: "acs:ram::1234:role/reader", SessionDuration: 1800, ExternalID: "ext-1"},
		Endpoints:  Endpoints{STS: srv.TLSHost()},
	})
	if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
		t.Fatalf("DescribeBatchTask: %v", err)
	}
	issued := srv.IssuedAlibabaCredentials()
	if len(issued) != 1 || issued[0].RoleArn != "acs:ram::1234:role/reader" || issued[0].RoleSessionName != DefaultSessionName {
		t.Fatalf("issued %+v", issued)
	}
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) != 1 || reqs[0].AccessKeyID != issued[0].AccessKeyID || reqs[0].SecurityToken != issued[0].SecurityToken {
		t.Errorf("request signed with %+v, issued %+v", reqs, issued[0])
	}
	sts := srv.Requests(emulator.APIAlibabaSTS)
	if len(sts) != 1 || sts[0].AccessKeyID != emulator.AlibabaAccessKeyID || sts[0].Params["DurationSeconds"] != "1800" || sts[0].Params["ExternalId"] != "ext-1" {
		t.Errorf("AssumeRole request %+v", sts)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, nil)
	for name, cfg := range map[string]Config{
		"no role ARN":    {AssumeRole: &AssumeRole{}, Endpoints: Endpoints{STS: srv.TLSHost()}},
		"http STS":       {AssumeRole: &AssumeRole{RoleArn: "acs:ram::1:role/r"}, Endpoints: Endpoints{STS: srv.URL()}},
		"refused by STS": {AssumeRole: &AssumeRole{RoleArn: "bad-arn"}, Endpoints: Endpoints{STS: srv.TLSHost()}},
	} {
		cfg.AccessKey, cfg.SecretKey = emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret
		_, err := NewClient(cfg, ClientOptions{Getenv: noEnv, Home: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "alibaba.") {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), emulator.AlibabaAccessKeySecret) || strings.Contains(err.Error(), "Signature=") {
			t.Errorf("%s: error reveals a credential: %v", name, err)
		}
	}
}

// TestAssumeRoleFromEnvironment: the official provider's ALICLOUD_ASSUME_ROLE_* variables
// assume a role without the block, and fill only what a present block leaves unset.
func TestAssumeRoleFromEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		EnvAssumeRoleArn:         "acs:ram::1234:role/from-env",
		EnvAssumeRoleSessionName: "env-session",
		EnvAssumeRoleDuration:    "1200",
	}
	getenv := func(k string) string { return env[k] }
	for name, tc := range map[string]struct {
		block                *AssumeRole
		wantArn, wantSession string
		wantDuration         string
	}{
		"environment alone": {nil, "acs:ram::1234:role/from-env", "env-session", "1200"},
		"block wins":        {&AssumeRole{RoleArn: "acs:ram::1234:role/block", SessionDuration: 900}, "acs:ram::1234:role/block", "env-session", "900"},
	} {
		srv := emulator.NewTestServer(t, nil)
		cfg := Config{AccessKey: emulator.AlibabaAccessKeyID, SecretKey: emulator.AlibabaAccessKeySecret,
			AssumeRole: tc.block, Endpoints: Endpoints{STS: srv.TLSHost()}}
		if _, err := NewClient(cfg, ClientOptions{Getenv: getenv, Home: t.TempDir()}); err != nil {
			t.Fatalf("%s: NewClient: %v", name, err)
		}
		sts := srv.Requests(emulator.APIAlibabaSTS)
		if len(sts) != 1 || sts[0].Params["RoleArn"] != tc.wantArn || sts[0].Params["RoleSessionName"] != tc.wantSession ||
			sts[0].Params["DurationSeconds"] != tc.wantDuration {
			t.Errorf("%s: AssumeRole request %+v", name, sts)
		}
	}

	srv := emulator.NewTestServer(t, nil)
	cfg := Config{AccessKey: emulator.AlibabaAccessKeyID, SecretKey: emulator.AlibabaAccessKeySecret, Endpoints: Endpoints{STS: srv.TLSHost()}}
	if _, err := NewClient(cfg, ClientOptions{Getenv: noEnv, Home: t.TempDir()}); err != nil {
		t.Fatalf("without the variables: %v", err)
	}
	if n := srv.Calls(emulator.APIAlibabaSTS); n != 0 {
		t.Errorf("without a block or %s, STS was called %d times", EnvAssumeRoleArn, n)
	}
	env[EnvAssumeRoleDuration] = "ten minutes"
	_, err := NewClient(cfg, ClientOptions{Getenv: getenv, Home: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), EnvAssumeRoleDuration) {
		t.Errorf("a non-numeric %s: %v, want an error naming it", EnvAssumeRoleDuration, err)
	}
}
