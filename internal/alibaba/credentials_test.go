package alibaba

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testProfiles = `{
  "current": "work",
  "profiles": [
    {"name": "default", "mode": "AK", "access_key_id": "AK_DEFAULT", "access_key_secret": "SK_DEFAULT", "region_id": "cn-beijing"},
    {"name": "work", "mode": "AK", "access_key_id": "AK_WORK", "access_key_secret": "SK_WORK", "region_id": "cn-shanghai"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.AK", "access_key_secret": "SK_STS", "sts_token": "TOKEN_STS", "region_id": "ap-southeast-1"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "AK_ROLE", "access_key_secret": "SK_ROLE", "region_id": "eu-central-1"},
    {"name": "noregion", "mode": "AK", "access_key_id": "AK_NR", "access_key_secret": "SK_NR"}
  ]
}`

func writeProfiles(t *testing.T, content string) string {
	t.Helper()
	home := t.TempDir()
	if content == "" {
		return home
	}
	if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestResolve(t *testing.T) {
	t.Parallel()
	profileSource := func(name string) string { return "profile " + name + " in ~/.aliyun/config.json" }
	allEnv := map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "AK_ENV1", "ALICLOUD_ACCESS_KEY": "AK_ENV2",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "SK_ENV1", "ALICLOUD_SECRET_KEY": "SK_ENV2",
		"ALIBABA_CLOUD_SECURITY_TOKEN": "TOKEN_ENV1", "ALICLOUD_SECURITY_TOKEN": "TOKEN_ENV2",
		"ALIBABA_CLOUD_REGION_ID": "cn-shenzhen", "ALICLOUD_REGION": "cn-qingdao",
	}
	secondEnv := map[string]string{
		"ALICLOUD_ACCESS_KEY": "AK_ENV2", "ALICLOUD_SECRET_KEY": "SK_ENV2",
		"ALICLOUD_SECURITY_TOKEN": "TOKEN_ENV2", "ALICLOUD_REGION": "cn-qingdao",
	}
	tests := []struct {
		name     string
		cfg      Config
		env      map[string]string
		profiles string
		want     Credentials
	}{
		{
			name:     "arguments win over environment and profile",
			cfg:      Config{AccessKey: "AK_ARG", SecretKey: "SK_ARG", SecurityToken: "TOKEN_ARG", Region: "us-west-1"},
			env:      allEnv,
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_ARG", SecretKey: "SK_ARG", SecurityToken: "TOKEN_ARG", Region: "us-west-1", Source: SourceConfig},
		},
		{
			name:     "first environment variables win over the second and the profile",
			env:      allEnv,
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_ENV1", SecretKey: "SK_ENV1", SecurityToken: "TOKEN_ENV1", Region: "cn-shenzhen", Source: SourceEnvironment},
		},
		{
			name:     "second environment variables win over the profile",
			env:      secondEnv,
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_ENV2", SecretKey: "SK_ENV2", SecurityToken: "TOKEN_ENV2", Region: "cn-qingdao", Source: SourceEnvironment},
		},
		{
			name:     "current profile of the file",
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_WORK", SecretKey: "SK_WORK", Region: "cn-shanghai", Source: profileSource("work")},
		},
		{
			name:     "profile argument wins over the environment's",
			cfg:      Config{Profile: "default"},
			env:      map[string]string{"ALIBABA_CLOUD_PROFILE": "sts"},
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_DEFAULT", SecretKey: "SK_DEFAULT", Region: "cn-beijing", Source: profileSource("default")},
		},
		{
			name:     "ALIBABA_CLOUD_PROFILE before ALICLOUD_PROFILE",
			env:      map[string]string{"ALIBABA_CLOUD_PROFILE": "default", "ALICLOUD_PROFILE": "sts"},
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_DEFAULT", SecretKey: "SK_DEFAULT", Region: "cn-beijing", Source: profileSource("default")},
		},
		{
			name:     "StsToken profile named by ALICLOUD_PROFILE",
			env:      map[string]string{"ALICLOUD_PROFILE": "sts"},
			profiles: testProfiles,
			want:     Credentials{AccessKey: "STS.AK", SecretKey: "SK_STS", SecurityToken: "TOKEN_STS", Region: "ap-southeast-1", Source: profileSource("sts")},
		},
		{
			name:     "default profile when the file names no current one",
			profiles: `{"profiles":[{"name":"default","mode":"AK","access_key_id":"AK_D","access_key_secret":"SK_D","region_id":"cn-hongkong"}]}`,
			want:     Credentials{AccessKey: "AK_D", SecretKey: "SK_D", Region: "cn-hongkong", Source: profileSource("default")},
		},
		{
			name:     "the profile's token is not paired with another key",
			cfg:      Config{AccessKey: "AK_ARG", Profile: "sts"},
			profiles: testProfiles,
			want: Credentials{AccessKey: "AK_ARG", SecretKey: "SK_STS", Region: "ap-southeast-1",
				Source: "access_key from provider configuration, secret_key from " + profileSource("sts")},
		},
		{
			name:     "fields resolved independently",
			cfg:      Config{AccessKey: "AK_ARG"},
			env:      map[string]string{"ALICLOUD_SECRET_KEY": "SK_ENV2"},
			profiles: testProfiles,
			want: Credentials{AccessKey: "AK_ARG", SecretKey: "SK_ENV2", Region: "cn-shanghai",
				Source: "access_key from provider configuration, secret_key from environment"},
		},
		{
			name: "region defaults to cn-hangzhou",
			cfg:  Config{AccessKey: "AK_ARG", SecretKey: "SK_ARG"},
			want: Credentials{AccessKey: "AK_ARG", SecretKey: "SK_ARG", Region: "cn-hangzhou", Source: SourceConfig},
		},
		{
			name:     "region defaults when the profile has none",
			cfg:      Config{Profile: "noregion"},
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_NR", SecretKey: "SK_NR", Region: "cn-hangzhou", Source: profileSource("noregion")},
		},
		{
			name:     "an unsupported mode still gives its region when the keys come from elsewhere",
			cfg:      Config{AccessKey: "AK_ARG", SecretKey: "SK_ARG", Profile: "role"},
			profiles: testProfiles,
			want:     Credentials{AccessKey: "AK_ARG", SecretKey: "SK_ARG", Region: "eu-central-1", Source: SourceConfig},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := writeProfiles(t, tt.profiles)
			got, err := Resolve(tt.cfg, func(k string) string { return tt.env[k] }, home)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if s := got.String(); strings.Contains(s, got.SecretKey) || (got.SecurityToken != "" && strings.Contains(s, got.SecurityToken)) {
				t.Errorf("String() reveals a secret: %s", s)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cfg       Config
		env       map[string]string
		profiles  string
		attribute string   // for *MissingCredentialsError
		envVars   []string // for *MissingCredentialsError
		tried     string
		contains  []string // for other errors
	}{
		{
			name:      "nothing anywhere",
			attribute: "access_key",
			envVars:   []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"},
			contains:  []string{"alibaba.access_key", "ALIBABA_CLOUD_ACCESS_KEY_ID or ALICLOUD_ACCESS_KEY", "no ~/.aliyun/config.json"},
		},
		{
			name:      "secret missing",
			env:       map[string]string{"ALICLOUD_ACCESS_KEY": "AK"},
			profiles:  `{"profiles":[]}`,
			attribute: "secret_key",
			envVars:   []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"},
			tried:     "default",
			contains:  []string{"alibaba.secret_key", `profile "default"`},
		},
		{
			// credentials-go supports mode RamRoleArn; this profile lacks its ram_role_arn.
			name:     "incomplete RamRoleArn profile",
			cfg:      Config{Profile: "role"},
			profiles: testProfiles,
			contains: []string{`profile "role"`, "RoleArn is empty"},
		},
		{
			name:     "mode credentials-go does not know",
			cfg:      Config{Profile: "odd"},
			profiles: `{"profiles":[{"name":"odd","mode":"Telepathy","access_key_id":"AK_ODD","access_key_secret":"SK_ODD"}]}`,
			contains: []string{`profile "odd"`, "unsupported profile mode 'Telepathy'"},
		},
		{
			name:     "named profile missing",
			env:      map[string]string{"ALICLOUD_PROFILE": "nope"},
			profiles: testProfiles,
			contains: []string{`profile "nope"`, "no profile of that name"},
		},
		{
			name:     "file is not JSON",
			profiles: `{"current":`,
			contains: []string{"~/.aliyun/config.json", "not valid JSON"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := writeProfiles(t, tt.profiles)
			_, err := Resolve(tt.cfg, func(k string) string { return tt.env[k] }, home)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			var missing *MissingCredentialsError
			if tt.attribute != "" {
				if !errors.As(err, &missing) {
					t.Fatalf("%v is no *MissingCredentialsError", err)
				}
				if missing.Attribute != tt.attribute || !reflect.DeepEqual(missing.EnvVars, tt.envVars) || missing.ProfileTried != tt.tried {
					t.Errorf("got %+v, want attribute %q, env %v, tried %q", *missing, tt.attribute, tt.envVars, tt.tried)
				}
			} else if errors.As(err, &missing) {
				t.Errorf("%v should not be a missing-credentials error", err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q lacks %q", err.Error(), s)
				}
			}
			if strings.Contains(err.Error(), home) || strings.Contains(err.Error(), "SK_") {
				t.Errorf("%q shows the home directory", err.Error())
			}
			if !IsAuthError(err) {
				t.Errorf("IsAuthError(%v) = false", err)
			}
		})
	}
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	c, err := NewClient(Config{AccessKey: "AK", SecretKey: "SK", Region: "ap-southeast-1",
		Endpoints: Endpoints{Alidns: "http://127.0.0.1:8080"}}, ClientOptions{Getenv: noEnv, Home: home})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region() != "ap-southeast-1" {
		t.Errorf("Region() = %q", c.Region())
	}
	for service, want := range map[string]string{
		ServicePolarDB: "https://polardb.ap-southeast-1.aliyuncs.com",
		ServiceBDRC:    "https://bdrc.ap-southeast-1.aliyuncs.com",
		ServiceAlidns:  "http://127.0.0.1:8080",
	} {
		if got := c.endpointURL(service); got != want {
			t.Errorf("Endpoint(%s) = %q, want %q", service, got, want)
		}
	}

	for name, cfg := range map[string]Config{
		"bad endpoint":  {AccessKey: "AK", SecretKey: "SK", Endpoints: Endpoints{BDRC: "ftp://example.com"}},
		"bad region":    {AccessKey: "AK", SecretKey: "SK", Region: "cn hangzhou"},
		"no credential": {},
	} {
		if _, err := NewClient(cfg, ClientOptions{Getenv: noEnv, Home: home}); err == nil {
			t.Errorf("%s: NewClient succeeded", name)
		}
	}
	var missing *MissingCredentialsError
	if _, err := NewClient(Config{}, ClientOptions{Getenv: noEnv, Home: home}); !errors.As(err, &missing) {
		t.Errorf("no credentials: %v, want *MissingCredentialsError", err)
	}
}

// TestResolveProvider checks which credentials-go provider signs the requests: the CLI
// profile provider when the profile supplies the whole credential (so its temporary
// credentials are refreshed), fixed values when any part comes from elsewhere.
func TestResolveProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cfg       Config
		env       map[string]string
		wantName  string
		wantToken string
	}{
		{name: "AK profile", cfg: Config{Profile: "work"}, wantName: "cli_profile"},
		{name: "StsToken profile", cfg: Config{Profile: "sts"}, wantName: "cli_profile", wantToken: "TOKEN_STS"},
		{name: "token from the environment", cfg: Config{Profile: "sts"}, env: map[string]string{"ALICLOUD_SECURITY_TOKEN": "TOKEN_ENV"},
			wantName: "static_sts", wantToken: "TOKEN_ENV"},
		{name: "key from the configuration", cfg: Config{AccessKey: "AK_ARG", Profile: "sts"}, wantName: "static_ak"},
		{name: "arguments", cfg: Config{AccessKey: "AK_ARG", SecretKey: "SK_ARG", SecurityToken: "TOKEN_ARG"}, wantName: "static_sts", wantToken: "TOKEN_ARG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := writeProfiles(t, testProfiles)
			r, err := resolve(tt.cfg, func(k string) string { return tt.env[k] }, home, "")
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if got := r.provider.GetProviderName(); got != tt.wantName {
				t.Errorf("provider %q, want %q", got, tt.wantName)
			}
			cc, err := r.provider.GetCredentials()
			if err != nil {
				t.Fatalf("GetCredentials: %v", err)
			}
			if cc.AccessKeyId != r.creds.AccessKey || cc.AccessKeySecret != r.creds.SecretKey || cc.SecurityToken != tt.wantToken {
				t.Errorf("provider gives %s/%s/%q, resolved %+v", cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken, r.creds)
			}
		})
	}
}
