package tencent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// TestRenewingCredential checks when temporary keys are renewed, on a fake clock: a quarter of
// their lifetime before expiry, and a failed renewal keeps the old keys until they expire.
func TestRenewingCredential(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_700_000_000, 0)
	now := start
	var fetches int
	var fail error
	fetch := func() (temporaryKeys, error) {
		if fail != nil {
			return temporaryKeys{}, fail
		}
		fetches++
		id := "AKIDtmp" + string(rune('0'+fetches))
		return temporaryKeys{secretID: id, secretKey: "k", token: "t", issued: now, expires: now.Add(100 * time.Second)}, nil
	}
	c, err := newRenewingCredential(fetch)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return now }
	step := func(d time.Duration, wantID string) {
		t.Helper()
		now = now.Add(d)
		if id := c.GetSecretId(); id != wantID {
			t.Errorf("at +%s: SecretId %q, want %q", now.Sub(start), id, wantID)
		}
	}
	step(74*time.Second, "AKIDtmp1") // 26s left: more than a quarter of the lifetime
	step(1*time.Second, "AKIDtmp2")  // 25s left: renewed
	fail = errors.New("STS refused")
	step(80*time.Second, "AKIDtmp2") // due, renewal fails, the old keys still hold for 20s
	if err := c.check(); err != nil {
		t.Errorf("check before expiry = %v, want nil", err)
	}
	now = now.Add(20 * time.Second)
	if err := c.check(); err == nil || err.Error() != "STS refused" {
		t.Errorf("check after expiry = %v, want the renewal's error", err)
	}
	fail = nil
	step(0, "AKIDtmp3")
	if err := c.check(); err != nil {
		t.Errorf("check after a renewal = %v", err)
	}
}

// checkSignedWithTencentIssued fails unless every DescribeTask request was signed with a
// temporary SecretId the emulator issued and that key's own token; it returns how many keys.
func checkSignedWithTencentIssued(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	reqs := srv.Requests(emulator.APITencentTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeTask request reached the emulator")
	}
	keys, foreign := srv.TencentIssuedSigners(emulator.APITencentTask)
	for _, i := range foreign {
		t.Errorf("request %d signed with %q and a token that is not its issued one", i, reqs[i].AccessKeyID)
	}
	return keys
}

func TestAssumeRoleThroughEmulator(t *testing.T) {
	t.Parallel()
	const role = "qcs::cam::uin/100000000001:roleName/reader"
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-ar1", "A", "RUNNING", 2, 0)}})
	c := newTestClient(t, srv.URL(), func(cfg *Config) {
		cfg.AssumeRole = &AssumeRole{RoleArn: role, SessionName: "unit-test", SessionDuration: 900,
			Policy: `{"version":"2.0","statement":[{"effect":"allow","action":["batch:DescribeTask"],"resource":["*"]}]}`, ExternalID: "ext-1"}
		cfg.Endpoints.STS = srv.TLSHost()
	})
	if _, err := c.DescribeTask(context.Background(), req("job-ar1", "A")); err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	issued := srv.IssuedTencentCredentials()
	if len(issued) != 1 {
		t.Fatalf("%d credentials issued, want 1", len(issued))
	}
	got := issued[0]
	if got.RoleArn != role || got.RoleSessionName != "unit-test" || got.DurationSeconds != 900 || got.ExternalID != "ext-1" ||
		!strings.Contains(got.Policy, `"batch:DescribeTask"`) || got.SignedBy != emulator.TencentSecretID {
		t.Errorf("issued = %+v", got)
	}
	checkSignedWithTencentIssued(t, srv)
}

func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentRoles: []string{"qcs::cam::uin/1:roleName/known"}})
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("not-a-jwt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		mutate   func(*Config)
		wantCode string // AssumeRoleError's code; "" for a TokenFileError
	}{
		{name: "unknown role", mutate: func(cfg *Config) {
			cfg.AssumeRole = &AssumeRole{RoleArn: "qcs::cam::uin/1:roleName/unknown", SessionName: "s1", SessionDuration: 900}
		}, wantCode: "ResourceNotFound.RoleNotExist"},
		{name: "token refused", mutate: func(cfg *Config) {
			cfg.AssumeRoleWithOIDC = &AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/known", ProviderID: "OIDC", OIDCTokenFile: tokenFile,
				SessionName: "s1", SessionDuration: 900}
		}, wantCode: "InvalidParameter.WebIdentityTokenError"},
		{name: "token file missing", mutate: func(cfg *Config) {
			cfg.AssumeRoleWithOIDC = &AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/known", OIDCTokenFile: tokenFile + ".missing", SessionDuration: 900}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{SecretID: emulator.TencentSecretID, SecretKey: emulator.TencentSecretKey, Endpoints: Endpoints{Batch: srv.URL(), STS: srv.TLSHost()}}
			tt.mutate(&cfg)
			_, err := NewClient(cfg, ClientOptions{Getenv: envOf(nil)})
			if tt.wantCode == "" {
				var tokenErr *TokenFileError
				if !errors.As(err, &tokenErr) {
					t.Fatalf("NewClient error = %v, want a *TokenFileError", err)
				}
				return
			}
			var roleErr *AssumeRoleError
			if !errors.As(err, &roleErr) || roleErr.Code != tt.wantCode || roleErr.RequestID == "" {
				t.Fatalf("NewClient error = %v, want an *AssumeRoleError %s with a request id", err, tt.wantCode)
			}
		})
	}
	if n := srv.Calls(emulator.APITencentTask); n != 0 {
		t.Errorf("%d DescribeTask requests sent without credentials", n)
	}
}

// TestOIDCTokenFile exchanges a token file's token for a role's keys; the exchange is unsigned
// and the recorded request keeps no token.
func TestOIDCTokenFile(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentTasks: []emulator.TencentTask{generatedTask("job-oidc1", "A", "RUNNING", 2, 0)}})
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, srv.URL(), func(cfg *Config) {
		cfg.SecretID, cfg.SecretKey = "", ""
		cfg.AssumeRoleWithOIDC = &AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/ci", ProviderID: "github",
			OIDCTokenFile: tokenFile, SessionName: "ci-run", SessionDuration: 900}
		cfg.Endpoints.STS = srv.TLSHost()
	})
	if _, err := c.DescribeTask(context.Background(), req("job-oidc1", "A")); err != nil {
		t.Fatalf("DescribeTask: %v", err)
	}
	exchanges := srv.Requests(emulator.APITencentAssumeRoleWithWebIdentity)
	if len(exchanges) != 1 || exchanges[0].AccessKeyID != "" || exchanges[0].Params["WebIdentityToken"] != "(set)" || exchanges[0].Params["ProviderId"] != "github" {
		t.Errorf("exchanges = %+v", exchanges)
	}
	checkSignedWithTencentIssued(t, srv)
}

func TestSTSEndpointOverride(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": DefaultSTSEndpoint, "sts.ap-shanghai.tencentcloudapi.com": "sts.ap-shanghai.tencentcloudapi.com", "https://127.0.0.1:8443": "127.0.0.1:8443"} {
		if got, err := stsHost(in); err != nil || got != want {
			t.Errorf("stsHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := stsHost("http://127.0.0.1:8080"); err == nil || !strings.Contains(err.Error(), "HTTPS only") {
		t.Errorf("stsHost(http) error = %v", err)
	}
}

// TestOIDCTokenReadPerExchange renews OIDC credentials on a fake clock while the emulator
// rotates the token file after every exchange, as the kubelet rotates a projected token:
// each exchange must send the file's token of the moment (tok-1, tok-2, ...), never a
// superseded one. An inline token is sent as is every time.
func TestOIDCTokenReadPerExchange(t *testing.T) {
	t.Parallel()
	const n = 5
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok-%d", i+1)
	}
	role := "qcs::cam::uin/1:roleName/ci"
	tests := map[string]struct {
		oidc     func(file string) AssumeRoleWithOIDC
		rotate   int
		wantSent func(i int) string
	}{
		"token file": {
			oidc:     func(file string) AssumeRoleWithOIDC { return AssumeRoleWithOIDC{OIDCTokenFile: file} },
			rotate:   1,
			wantSent: func(i int) string { return tokens[i] },
		},
		"inline token": {
			oidc:     func(string) AssumeRoleWithOIDC { return AssumeRoleWithOIDC{OIDCToken: tokens[0]} },
			wantSent: func(int) string { return tokens[0] },
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "token")
			srv := emulator.NewTestServer(t, &emulator.Scenario{TencentOIDC: &emulator.TencentOIDC{ProviderID: "tke", RoleArn: role,
				Tokens: tokens, ExchangesPerToken: tt.rotate, TokenFile: file}})
			o := tt.oidc(file)
			o.RoleArn, o.ProviderID, o.SessionName, o.SessionDuration = role, "tke", "ci-run", 900
			cred, err := oidcCredential(o, "ap-guangzhou", srv.TLSHost(), "")
			if err != nil {
				t.Fatalf("first exchange: %v", err)
			}
			// The fake clock runs ahead of the emulator's: each step is past the expiry of the
			// 900-second keys just issued, so each check renews exactly once.
			now := time.Now()
			cred.now = func() time.Time { return now }
			for i := 1; i < n; i++ {
				now = now.Add(901 * time.Second)
				if err := cred.check(); err != nil {
					t.Fatalf("renewal %d: %v", i, err)
				}
				if id, _, token := cred.keysNow(); id != srv.IssuedTencentCredentials()[i].SecretID || token == "" {
					t.Fatalf("renewal %d: the credential holds %q, not the keys just issued", i, id)
				}
			}
			issued := srv.IssuedTencentCredentials()
			if len(issued) != n {
				t.Fatalf("%d exchanges, want %d", len(issued), n)
			}
			for i, c := range issued {
				if c.OIDCToken != tt.wantSent(i) {
					t.Errorf("exchange %d sent %q, want %q", i+1, c.OIDCToken, tt.wantSent(i))
				}
			}
		})
	}
}

// TestOIDCRenewalFailure reports a token file gone at renewal once the keys have expired, as
// check reports a refused AssumeRole.
func TestOIDCRenewalFailure(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	srv := emulator.NewTestServer(t, &emulator.Scenario{TencentOIDC: &emulator.TencentOIDC{ProviderID: "tke", Tokens: []string{"tok-1"}, TokenFile: file}})
	cred, err := oidcCredential(AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/ci", ProviderID: "tke", OIDCTokenFile: file,
		SessionName: "ci-run", SessionDuration: 900}, "ap-guangzhou", srv.TLSHost(), "")
	if err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	now := time.Now()
	cred.now = func() time.Time { return now }
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	now = now.Add(800 * time.Second) // renewal due, the keys still hold
	if err := cred.check(); err != nil {
		t.Errorf("check before expiry = %v, want nil", err)
	}
	now = now.Add(200 * time.Second)
	var tokenErr *TokenFileError
	if err := cred.check(); !errors.As(err, &tokenErr) {
		t.Errorf("check after expiry = %v, want a *TokenFileError", err)
	}
}

// keysNow returns the keys the credential holds, without renewing them.
func (c *renewingCredential) keysNow() (string, string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys.secretID, c.keys.secretKey, c.keys.token
}
