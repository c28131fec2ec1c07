package alibaba

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

const (
	oidcProvider = "acs:ram::1234:oidc-provider/ci"
	oidcRole     = "acs:ram::1234:role/ci-reader"
)

// oidcServer is an emulator whose STS trusts oidcProvider for oidcRole with tokens, written
// to the returned token file and rotated after each exchange when rotate is set.
func oidcServer(t *testing.T, lifetime string, rotate bool, tokens ...string) (*emulator.Server, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	o := &emulator.AlibabaOIDC{ProviderArn: oidcProvider, RoleArn: oidcRole, Tokens: tokens, TokenFile: file}
	if rotate {
		o.ExchangesPerToken = 1
	}
	srv := emulator.NewTestServer(t, &emulator.Scenario{
		AlibabaOIDC:        o,
		AlibabaSTSLifetime: lifetime,
		PolarDBBatchTasks: []emulator.BatchTask{{BatchID: "pcb-x", Phases: []emulator.Phase{
			{Response: raw(t, `{"BatchId":"pcb-x","Status":"RUNNING"}`)},
		}}},
	})
	return srv, file
}

// dynamicClient is a client of srv's endpoints whose credentials come from cfg and env only.
func dynamicClient(t *testing.T, srv *emulator.Server, cfg Config, env map[string]string, opts ClientOptions) (*Client, error) {
	t.Helper()
	cfg.Endpoints = Endpoints{PolarDB: srv.URL(), BDRC: srv.URL(), Alidns: srv.URL(), STS: srv.TLSHost()}
	backoff := testBackoff
	opts.Getenv = func(k string) string { return env[k] }
	opts.Backoff = &backoff
	if opts.Home == "" {
		opts.Home = t.TempDir()
	}
	return NewClient(cfg, opts)
}

// checkSignedByIssued fails unless every DescribeBatchTask was signed with a key that STS
// AssumeRoleWithOIDC issued, with its own token.
func checkSignedByIssued(t *testing.T, srv *emulator.Server) {
	t.Helper()
	issued := map[string]string{}
	for _, c := range srv.IssuedAlibabaCredentials() {
		if c.API == emulator.APIAlibabaSTSOIDC {
			issued[c.AccessKeyID] = c.SecurityToken
		}
	}
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) == 0 {
		t.Fatal("no DescribeBatchTask reached the emulator")
	}
	for i, r := range reqs {
		if tok, ok := issued[r.AccessKeyID]; !ok || tok != r.SecurityToken {
			t.Errorf("request %d signed with %q, not an OIDC-issued key with its token", i, r.AccessKeyID)
		}
	}
}

// TestOIDCTokenFile reads through credentials exchanged for the token in the file, with
// every setting from the block, and the STS call anonymous.
func TestOIDCTokenFile(t *testing.T) {
	t.Parallel()
	srv, file := oidcServer(t, "", false, "jwt-1")
	c, err := dynamicClient(t, srv, Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{
		OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCTokenFile: file, SessionName: "ci-run", SessionDuration: 1800,
		Policy: `{"Version":"1"}`,
	}}, nil, ClientOptions{})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
		t.Fatalf("DescribeBatchTask: %v", err)
	}
	checkSignedByIssued(t, srv)
	sts := srv.Requests(emulator.APIAlibabaSTSOIDC)
	if len(sts) == 0 {
		t.Fatal("no AssumeRoleWithOIDC")
	}
	p := sts[0].Params
	if sts[0].AccessKeyID != "" || p["OIDCToken"] != "jwt-1" || p["RoleSessionName"] != "ci-run" || p["DurationSeconds"] != "1800" || p["Policy"] != `{"Version":"1"}` {
		t.Errorf("AssumeRoleWithOIDC %+v", sts[0])
	}
	if c.creds.Source != "alibaba.assume_role_with_oidc" {
		t.Errorf("source %q", c.creds.Source)
	}
}

// TestOIDCRereadsTokenFile rotates the token after every exchange: each read must exchange
// the token the file holds now, or STS refuses the superseded one.
func TestOIDCRereadsTokenFile(t *testing.T) {
	t.Parallel()
	// Credentials of a minute are within credentials-go's 3-minute refresh margin at once,
	// so each read exchanges the token again.
	srv, file := oidcServer(t, "1m", true, "jwt-1", "jwt-2", "jwt-3", "jwt-4")
	c, err := dynamicClient(t, srv, Config{}, map[string]string{
		"ALIBABA_CLOUD_OIDC_TOKEN_FILE": file, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": oidcProvider, "ALIBABA_CLOUD_ROLE_ARN": oidcRole,
	}, ClientOptions{})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	for range 3 {
		if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
			t.Fatalf("DescribeBatchTask: %v", err)
		}
	}
	var sent []string
	for _, r := range srv.Requests(emulator.APIAlibabaSTSOIDC) {
		sent = append(sent, r.Params["OIDCToken"])
	}
	if strings.Join(sent, ",") != "jwt-1,jwt-2,jwt-3,jwt-4" {
		t.Errorf("tokens exchanged %v, want each rotation's", sent)
	}
	checkSignedByIssued(t, srv)
	if c.creds.Source != "environment (OIDC)" {
		t.Errorf("source %q", c.creds.Source)
	}
}

// TestBaseCredentialPrecedence checks which source supplies the base credentials when
// several are set: the block, then keys, then OIDC, credentials URI and ECS variables,
// then the profile; and each OIDC setting's argument before its variable.
func TestBaseCredentialPrecedence(t *testing.T) {
	t.Parallel()
	srv, file := oidcServer(t, "", false, "jwt-1")
	uri := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"Code":"Success","AccessKeyId":"` + emulator.AlibabaAccessKeyID + `","AccessKeySecret":"` +
			emulator.AlibabaAccessKeySecret + `","SecurityToken":"uri-token","Expiration":"2099-01-01T00:00:00Z"}`))
	}))
	t.Cleanup(uri.Close)
	oidcEnv := map[string]string{"ALIBABA_CLOUD_OIDC_TOKEN_FILE": file, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": oidcProvider, "ALIBABA_CLOUD_ROLE_ARN": oidcRole}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	block := &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCTokenFile: file}
	tests := []struct {
		name, want, region string
		cfg                Config
		env                map[string]string
	}{
		{name: "block before key variables", cfg: Config{AssumeRoleWithOIDC: block},
			env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "AK_ENV", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "SK_ENV"}, want: "alibaba.assume_role_with_oidc"},
		{name: "block arguments before their variables", cfg: Config{AssumeRoleWithOIDC: block},
			env: with(oidcEnv, "ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1234:role/other", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", filepath.Join(t.TempDir(), "none")), want: "alibaba.assume_role_with_oidc"},
		{name: "block settings from variables", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{}}, env: oidcEnv, want: "alibaba.assume_role_with_oidc"},
		{name: "key variables before OIDC variables", env: with(oidcEnv, "ALICLOUD_ACCESS_KEY", emulator.AlibabaAccessKeyID, "ALICLOUD_SECRET_KEY", emulator.AlibabaAccessKeySecret), want: SourceEnvironment},
		{name: "OIDC variables before the credentials URI", env: with(oidcEnv, "ALIBABA_CLOUD_CREDENTIALS_URI", uri.URL), want: "environment (OIDC)"},
		{name: "credentials URI before ECS", env: map[string]string{"ALICLOUD_CREDENTIALS_URI": uri.URL, "ALIBABA_CLOUD_ECS_METADATA": "role"}, want: "environment (credentials URI)"},
		{name: "OIDC variables before the profile, region from the profile", env: oidcEnv, want: "environment (OIDC)", region: "cn-shanghai"},
		{name: "region argument before the profile's", cfg: Config{Region: "cn-beijing", AssumeRoleWithOIDC: block}, want: "alibaba.assume_role_with_oidc", region: "cn-beijing"},
	}
	for _, tt := range tests {
		home := writeProfiles(t, testProfiles)
		c, err := dynamicClient(t, srv, tt.cfg, tt.env, ClientOptions{Home: home})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if c.creds.Source != tt.want {
			t.Errorf("%s: source %q, want %q", tt.name, c.creds.Source, tt.want)
		}
		if tt.region != "" && c.Region() != tt.region {
			t.Errorf("%s: region %q, want %q", tt.name, c.Region(), tt.region)
		}
	}
}

// TestCredentialSourceErrors checks the error of each way a source gives no credentials:
// its kind, its words, and that the token never shows.
func TestCredentialSourceErrors(t *testing.T) {
	t.Parallel()
	srv, file := oidcServer(t, "", false, "jwt-secret-1")
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no credentials for you", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	missing := filepath.Join(t.TempDir(), "absent")
	tests := []struct {
		name     string
		cfg      Config
		env      map[string]string
		kind     CredentialErrorKind
		contains []string
	}{
		{name: "token file missing", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCTokenFile: missing}},
			kind: CredentialTokenFile, contains: []string{"OIDC token file", "absent", "no such file"}},
		{name: "STS refuses the role", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: "acs:ram::1234:role/admin", OIDCToken: "jwt-secret-1"}},
			kind: CredentialRefused, contains: []string{"EntityNotExist.Role"}},
		{name: "STS refuses the token", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCToken: "jwt-secret-forged"}},
			kind: CredentialRefused, contains: []string{"AuthenticationFail.OIDCToken.Invalid"}},
		{name: "no provider ARN", env: map[string]string{"ALIBABA_CLOUD_OIDC_TOKEN_FILE": file, "ALIBABA_CLOUD_ROLE_ARN": oidcRole},
			kind: CredentialIncomplete, contains: []string{"alibaba.assume_role_with_oidc.oidc_provider_arn", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"}},
		{name: "no role ARN", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, OIDCTokenFile: file}},
			kind: CredentialIncomplete, contains: []string{"alibaba.assume_role_with_oidc.role_arn", "ALIBABA_CLOUD_ROLE_ARN"}},
		{name: "no token", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole}},
			kind: CredentialIncomplete, contains: []string{"oidc_token_file", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"}},
		{name: "block with keys", cfg: Config{AccessKey: "AK", AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCTokenFile: file}},
			kind: CredentialIncomplete, contains: []string{"cannot be combined", "alibaba.access_key"}},
		{name: "token file argument and token variable", cfg: Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderArn: oidcProvider, RoleArn: oidcRole, OIDCTokenFile: file}},
			env: map[string]string{"ALIBABA_CLOUD_OIDC_TOKEN": "jwt-secret-1"}, kind: CredentialIncomplete, contains: []string{"ALIBABA_CLOUD_OIDC_TOKEN", "unset"}},
		{name: "credentials URI fails", env: map[string]string{"ALIBABA_CLOUD_CREDENTIALS_URI": failing.URL},
			kind: CredentialRefused, contains: []string{"Credentials URI", "no credentials for you"}},
	}
	for _, tt := range tests {
		_, err := dynamicClient(t, srv, tt.cfg, tt.env, ClientOptions{})
		var ce *CredentialError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v, want a *CredentialError", tt.name, err)
			continue
		}
		if ce.Kind != tt.kind {
			t.Errorf("%s: kind %d, want %d (%v)", tt.name, ce.Kind, tt.kind, err)
		}
		for _, s := range tt.contains {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q lacks %q", tt.name, err.Error(), s)
			}
		}
		if strings.Contains(err.Error(), "jwt-secret") {
			t.Errorf("%s: error shows the token: %v", tt.name, err)
		}
		if !IsAuthError(err) {
			t.Errorf("%s: IsAuthError false", tt.name)
		}
	}
}

// credentialsJSON is what a credentials URI and the ECS metadata service answer.
func credentialsJSON(token string, expires time.Time) []byte {
	b, _ := json.Marshal(map[string]string{"Code": "Success", "AccessKeyId": emulator.AlibabaAccessKeyID,
		"AccessKeySecret": emulator.AlibabaAccessKeySecret, "SecurityToken": token,
		"Expiration": expires.UTC().Format("2006-01-02T15:04:05Z"), "LastUpdated": time.Now().UTC().Format("2006-01-02T15:04:05Z")})
	return b
}

// TestCredentialsURI signs with the credentials the URI serves, asking again for each
// request while they are within credentials-go's refresh margin.
func TestCredentialsURI(t *testing.T) {
	t.Parallel()
	srv, _ := oidcServer(t, "", false, "unused")
	var mu sync.Mutex
	served := 0
	uri := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		served++
		n := served
		mu.Unlock()
		// Expiring within the margin, so every request fetches anew.
		_, _ = w.Write(credentialsJSON("uri-token-"+string(rune('0'+n)), time.Now().Add(time.Minute)))
	}))
	t.Cleanup(uri.Close)
	c, err := dynamicClient(t, srv, Config{}, map[string]string{"ALIBABA_CLOUD_CREDENTIALS_URI": uri.URL}, ClientOptions{})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	for range 2 {
		if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
			t.Fatalf("DescribeBatchTask: %v", err)
		}
	}
	reqs := srv.Requests(emulator.APIPolarDBBatchTask)
	if len(reqs) != 2 || reqs[0].SecurityToken == reqs[1].SecurityToken || !strings.HasPrefix(reqs[1].SecurityToken, "uri-token-") {
		t.Errorf("requests signed with tokens %+v, want a fresh one from the URI each time", reqs)
	}
	if c.creds.Source != "environment (credentials URI)" {
		t.Errorf("source %q", c.creds.Source)
	}
}

// TestECSRAMRole reads the instance's role credentials from a stand-in for the metadata
// service, reached through credentials-go's HTTP proxy option: the real one lives at
// 100.100.100.200, which a test cannot serve.
func TestECSRAMRole(t *testing.T) {
	t.Parallel()
	srv, _ := oidcServer(t, "", false, "unused")
	var mu sync.Mutex
	var paths []string
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Host+r.URL.Path)
		mu.Unlock()
		switch {
		case r.URL.Host != "100.100.100.200":
			http.Error(w, "not the metadata service", http.StatusBadGateway)
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			_, _ = w.Write([]byte("md-token"))
		case r.URL.Path == "/latest/meta-data/ram/security-credentials/ecs-reader" && r.Header.Get("X-Aliyun-Ecs-Metadata-Token") == "md-token":
			_, _ = w.Write(credentialsJSON("ecs-token", time.Now().Add(time.Hour)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(metadata.Close)
	c, err := dynamicClient(t, srv, Config{}, map[string]string{"ALICLOUD_ECS_ROLE_NAME": "ecs-reader"}, ClientOptions{ecsMetadataProxy: metadata.URL})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
		t.Fatalf("DescribeBatchTask: %v", err)
	}
	if reqs := srv.Requests(emulator.APIPolarDBBatchTask); len(reqs) != 1 || reqs[0].SecurityToken != "ecs-token" {
		t.Errorf("request not signed with the role's credentials: %+v", reqs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) < 2 || !strings.Contains(strings.Join(paths, " "), "security-credentials/ecs-reader") {
		t.Errorf("metadata requests %v", paths)
	}
}
