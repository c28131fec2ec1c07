package tencent

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeProfile writes <home>/.tccli/<name>.credential (and .configure when configure is set).
func writeProfile(t *testing.T, home, name, credential, configure string) {
	t.Helper()
	dir := filepath.Join(home, ".tccli")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if credential != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".credential"), []byte(credential), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if configure != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".configure"), []byte(configure), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// writeCredentialsFile writes <home>/.tencentcloud/credentials.
func writeCredentialsFile(t *testing.T, home, content string) {
	t.Helper()
	dir := filepath.Join(home, ".tencentcloud")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// useHome points HOME (where the SDK's profile providers look) at a new directory. The test
// cannot be parallel.
func useHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	return home
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const (
	defaultCred = `{"secretId":"AKIDprofile","secretKey":"profile-key","token":"profile-token"}`
	defaultConf = `{"_sys_param":{"arrayCount":10,"output":"json","region":"ap-singapore"},"cvm":{"endpoint":"cvm.tencentcloudapi.com"}}`
	otherCred   = `{"secretId":"AKIDother","secretKey":"other-key"}`
	otherConf   = `{"_sys_param":{"region":"eu-frankfurt"}}`
	iniCred     = "[default]\nsecret_id = AKIDfile\nsecret_key = file-key\n"
)

// TestResolve checks the precedence of the base credentials: arguments, then the environment,
// then the tccli profile (read by the SDK's TccliProfileProvider), then
// ~/.tencentcloud/credentials (the SDK's ProfileProvider).
func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		env      map[string]string
		tccli    bool // write the default and other tccli profiles
		iniFile  bool // write ~/.tencentcloud/credentials
		realEnv  map[string]string
		want     Credentials
		wantFrom string
	}{
		{
			name:  "arguments win over environment and profile",
			cfg:   Config{SecretID: "AKIDarg", SecretKey: "arg-key", SecurityToken: "arg-token", Region: "ap-shanghai"},
			env:   map[string]string{EnvSecretID: "AKIDenv", EnvSecretKey: "env-key", EnvSecurityToken: "env-token", EnvRegion: "ap-beijing"},
			tccli: true, iniFile: true,
			want: Credentials{SecretID: "AKIDarg", SecretKey: "arg-key", SecurityToken: "arg-token", Region: "ap-shanghai", Source: SourceArgument},
		},
		{
			name:  "environment wins over profile",
			env:   map[string]string{EnvSecretID: "AKIDenv", EnvSecretKey: "env-key", EnvSecurityToken: "env-token", EnvRegion: "ap-beijing"},
			tccli: true, iniFile: true,
			want: Credentials{SecretID: "AKIDenv", SecretKey: "env-key", SecurityToken: "env-token", Region: "ap-beijing", Source: SourceEnvironment},
		},
		{
			name:  "tccli profile with its token and region, before the credentials file",
			tccli: true, iniFile: true,
			want: Credentials{SecretID: "AKIDprofile", SecretKey: "profile-key", SecurityToken: "profile-token", Region: "ap-singapore", Source: SourceProfile},
		},
		{
			name:  "profile named by argument",
			cfg:   Config{Profile: "other"},
			env:   map[string]string{EnvProfile: "default"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDother", SecretKey: "other-key", Region: "eu-frankfurt", Source: SourceProfile},
		},
		{
			name:  "profile named by TENCENTCLOUD_PROFILE before TCCLI_PROFILE",
			env:   map[string]string{EnvProfile: "other", EnvTccliProfile: "default"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDother", SecretKey: "other-key", Region: "eu-frankfurt", Source: SourceProfile},
		},
		{
			name:  "profile named by TCCLI_PROFILE",
			env:   map[string]string{EnvTccliProfile: "other"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDother", SecretKey: "other-key", Region: "eu-frankfurt", Source: SourceProfile},
		},
		{
			name:    "credentials file without a tccli profile",
			iniFile: true,
			want:    Credentials{SecretID: "AKIDfile", SecretKey: "file-key", Region: DefaultRegion, Source: SourceCredentialsFile},
		},
		{
			name:    "TENCENTCLOUD_CREDENTIALS_FILE names the credentials file",
			realEnv: map[string]string{EnvCredentialsFile: "elsewhere"},
			want:    Credentials{SecretID: "AKIDelsewhere", SecretKey: "elsewhere-key", Region: DefaultRegion, Source: SourceCredentialsFile},
		},
		{
			name:  "an explicit token replaces the profile's",
			env:   map[string]string{EnvSecurityToken: "env-token"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDprofile", SecretKey: "profile-key", SecurityToken: "env-token", Region: "ap-singapore", Source: SourceProfile},
		},
		{
			name:  "id from argument, key from environment, profile token not mixed in",
			cfg:   Config{SecretID: "AKIDarg"},
			env:   map[string]string{EnvSecretKey: "env-key"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDarg", SecretKey: "env-key", Region: "ap-singapore", Source: SourceArgument + "+" + SourceEnvironment},
		},
		{
			name:  "region from environment over profile",
			env:   map[string]string{EnvRegion: "na-ashburn"},
			tccli: true,
			want:  Credentials{SecretID: "AKIDprofile", SecretKey: "profile-key", SecurityToken: "profile-token", Region: "na-ashburn", Source: SourceProfile},
		},
		{
			name: "region defaults without a profile",
			cfg:  Config{SecretID: "AKIDarg", SecretKey: "arg-key"},
			want: Credentials{SecretID: "AKIDarg", SecretKey: "arg-key", Region: DefaultRegion, Source: SourceArgument},
		},
		{
			name:  "blank values fall through and values are trimmed",
			cfg:   Config{SecretID: "  ", SecretKey: " arg-key\n"},
			env:   map[string]string{EnvSecretID: " AKIDenv "},
			tccli: true,
			want:  Credentials{SecretID: "AKIDenv", SecretKey: "arg-key", Region: "ap-singapore", Source: SourceEnvironment + "+" + SourceArgument},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := useHome(t)
			if tt.tccli {
				writeProfile(t, home, "default", defaultCred, defaultConf)
				writeProfile(t, home, "other", otherCred, otherConf)
			}
			if tt.iniFile {
				writeCredentialsFile(t, home, iniCred)
			}
			for k, v := range tt.realEnv {
				if k == EnvCredentialsFile {
					v = filepath.Join(home, v)
					if err := os.WriteFile(v, []byte("[default]\nsecret_id=AKIDelsewhere\nsecret_key=elsewhere-key\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				t.Setenv(k, v)
			}
			got, err := Resolve(tt.cfg, envOf(tt.env))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got != tt.want {
				t.Errorf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveMissing(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		env       map[string]string
		profile   string // credential file content of tccli profile "default"
		iniFile   bool
		wantAttr  string
		wantEnv   []string
		wantTried string
	}{
		{name: "nothing anywhere", wantAttr: "secret_id", wantEnv: []string{EnvSecretID}, wantTried: "default"},
		{name: "key missing", cfg: Config{SecretID: "AKIDarg"}, wantAttr: "secret_key", wantEnv: []string{EnvSecretKey}},
		{name: "id missing, key in environment", env: map[string]string{EnvSecretKey: "k"}, wantAttr: "secret_id", wantEnv: []string{EnvSecretID}},
		{name: "named profile absent, credentials file not read for it", env: map[string]string{EnvProfile: "ci"}, iniFile: true,
			wantAttr: "secret_id", wantEnv: []string{EnvSecretID}, wantTried: "ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := useHome(t)
			if tt.profile != "" {
				writeProfile(t, home, "default", tt.profile, "")
			}
			if tt.iniFile {
				writeCredentialsFile(t, home, iniCred)
			}
			_, err := Resolve(tt.cfg, envOf(tt.env))
			var missing *MissingCredentialsError
			if !errors.As(err, &missing) {
				t.Fatalf("Resolve error = %v, want *MissingCredentialsError", err)
			}
			if missing.Attribute != tt.wantAttr || !reflect.DeepEqual(missing.EnvVars, tt.wantEnv) || missing.ProfileTried != tt.wantTried {
				t.Errorf("error = %+v, want attribute %q, env %v, profile %q", missing, tt.wantAttr, tt.wantEnv, tt.wantTried)
			}
			msg := err.Error()
			for _, want := range append([]string{tt.wantAttr}, tt.wantEnv...) {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not name %q", msg, want)
				}
			}
		})
	}
}

// TestResolveBadProfile checks that a profile file that cannot be used is an error that quotes
// neither the file, which holds secrets, nor the home directory.
func TestResolveBadProfile(t *testing.T) {
	const secret = "leaked-secret-key"
	tests := []struct {
		name, tccli, ini, wantFile string
	}{
		{name: "truncated tccli profile", tccli: `{"secretId":"AKIDx","secretKey":"` + secret + `"`, wantFile: "~/.tccli/default.credential"},
		{name: "tccli profile without a key", tccli: `{"secretId":"AKIDx","token":"` + secret + `"}`, wantFile: "~/.tccli/default.credential"},
		{name: "credentials file without a key", ini: "[default]\nsecret_id = " + secret + "\n", wantFile: SourceCredentialsFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := useHome(t)
			if tt.tccli != "" {
				writeProfile(t, home, "default", tt.tccli, "")
			}
			if tt.ini != "" {
				writeCredentialsFile(t, home, tt.ini)
			}
			_, err := Resolve(Config{}, envOf(nil))
			var bad *ProfileError
			if !errors.As(err, &bad) || bad.File != tt.wantFile {
				t.Fatalf("Resolve error = %v, want a *ProfileError for %s", err, tt.wantFile)
			}
			if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, home) {
				t.Errorf("error %q quotes the file or the home directory", msg)
			}
		})
	}
	t.Run("profile name with a path separator", func(t *testing.T) {
		useHome(t)
		if _, err := Resolve(Config{Profile: "../escape"}, envOf(nil)); err == nil || !strings.Contains(err.Error(), "not valid") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestRoleSettings checks which role modes the configuration and the environment turn on, and
// the environment fallbacks of their attributes.
func TestRoleSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		env      map[string]string
		wantRole *AssumeRole
		wantOIDC *AssumeRoleWithOIDC
	}{
		{name: "nothing", cfg: Config{SecretID: "a", SecretKey: "b"}},
		{
			name:     "assume_role block with environment fallbacks",
			cfg:      Config{SecretID: "a", SecretKey: "b", AssumeRole: &AssumeRole{RoleArn: "qcs::cam::uin/1:roleName/r"}},
			env:      map[string]string{EnvAssumeRoleSessionName: "env-session", EnvAssumeRoleSessionDuration: "900", EnvAssumeRoleExternalID: "ext"},
			wantRole: &AssumeRole{RoleArn: "qcs::cam::uin/1:roleName/r", SessionName: "env-session", SessionDuration: 900, ExternalID: "ext"},
		},
		{
			name:     "assume role from the environment alone",
			cfg:      Config{SecretID: "a", SecretKey: "b"},
			env:      map[string]string{EnvAssumeRoleArn: "qcs::cam::uin/1:roleName/env"},
			wantRole: &AssumeRole{RoleArn: "qcs::cam::uin/1:roleName/env", SessionName: DefaultSessionName, SessionDuration: DefaultSessionDuration},
		},
		{
			name:     "bad duration in the environment is passed on for validation",
			cfg:      Config{AssumeRole: &AssumeRole{RoleArn: "r"}},
			env:      map[string]string{EnvAssumeRoleSessionDuration: "two hours"},
			wantRole: &AssumeRole{RoleArn: "r", SessionName: DefaultSessionName, SessionDuration: -1},
		},
		{
			name: "OIDC from TKE's variables",
			env:  map[string]string{EnvTKERoleArn: "qcs::cam::uin/1:roleName/tke", EnvTKEProvider: "tke-provider", EnvTKETokenFile: "/var/run/token"},
			wantOIDC: &AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/tke", ProviderID: "tke-provider", OIDCTokenFile: "/var/run/token",
				SessionName: DefaultSessionName, SessionDuration: DefaultSessionDuration},
		},
		{
			name: "OIDC from TENCENTCLOUD variables, which win over TKE's; the role ARN serves OIDC only",
			env: map[string]string{EnvAssumeRoleArn: "qcs::cam::uin/1:roleName/ci", EnvWebIdentityToken: "a.b.c", EnvProviderID: "github",
				EnvTKERoleArn: "qcs::cam::uin/1:roleName/tke", EnvTKEProvider: "tke-provider", EnvTKETokenFile: "/var/run/token"},
			wantOIDC: &AssumeRoleWithOIDC{RoleArn: "qcs::cam::uin/1:roleName/ci", ProviderID: "github", OIDCToken: "a.b.c",
				SessionName: DefaultSessionName, SessionDuration: DefaultSessionDuration},
		},
		{
			name: "keys as arguments keep OIDC variables off",
			cfg:  Config{SecretID: "a", SecretKey: "b"},
			env:  map[string]string{EnvWebIdentityTokenFile: "/t"},
		},
		{
			// As in the SDK's default chain and on the Alibaba side: keys in the environment come
			// before OIDC from the environment.
			name: "keys in the environment keep OIDC variables off",
			env: map[string]string{EnvSecretID: "a", EnvSecretKey: "b",
				EnvTKERoleArn: "qcs::cam::uin/1:roleName/tke", EnvTKEProvider: "tke-provider", EnvTKETokenFile: "/t"},
		},
		{
			name:     "OIDC block: its own token wins, provider defaults to OIDC",
			cfg:      Config{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{RoleArn: "r", OIDCTokenFile: "/mine", SessionDuration: 1000}},
			env:      map[string]string{EnvWebIdentityToken: "x.y.z"},
			wantOIDC: &AssumeRoleWithOIDC{RoleArn: "r", ProviderID: DefaultOIDCProviderID, OIDCTokenFile: "/mine", SessionName: DefaultSessionName, SessionDuration: 1000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := envOf(tt.env)
			trimmed := func(k string) string { return strings.TrimSpace(env(k)) }
			oidc := oidcSettings(tt.cfg, trimmed)
			role := assumeRoleSettings(tt.cfg, trimmed, oidc != nil)
			if !reflect.DeepEqual(oidc, tt.wantOIDC) {
				t.Errorf("OIDC = %+v, want %+v", oidc, tt.wantOIDC)
			}
			if !reflect.DeepEqual(role, tt.wantRole) {
				t.Errorf("assume role = %+v, want %+v", role, tt.wantRole)
			}
		})
	}
}
