package tencent

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeProfile writes <home>/.tccli/<name>.credential (and .configure when region is set).
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

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	t.Parallel()
	const (
		defaultCred = `{"secretId":"AKIDprofile","secretKey":"profile-key","token":"profile-token"}`
		defaultConf = `{"_sys_param":{"arrayCount":10,"output":"json","region":"ap-singapore"},"cvm":{"endpoint":"cvm.tencentcloudapi.com"}}`
		otherCred   = `{"secretId":"AKIDother","secretKey":"other-key"}`
		otherConf   = `{"_sys_param":{"region":"eu-frankfurt"}}`
	)
	tests := []struct {
		name      string
		cfg       Config
		env       map[string]string
		noProfile bool
		want      Credentials
	}{
		{
			name: "arguments win over environment and profile",
			cfg:  Config{SecretID: "AKIDarg", SecretKey: "arg-key", SecurityToken: "arg-token", Region: "ap-shanghai"},
			env:  map[string]string{EnvSecretID: "AKIDenv", EnvSecretKey: "env-key", EnvSecurityToken: "env-token", EnvRegion: "ap-beijing"},
			want: Credentials{SecretID: "AKIDarg", SecretKey: "arg-key", SecurityToken: "arg-token", Region: "ap-shanghai", Source: SourceArgument},
		},
		{
			name: "environment wins over profile",
			env:  map[string]string{EnvSecretID: "AKIDenv", EnvSecretKey: "env-key", EnvSecurityToken: "env-token", EnvRegion: "ap-beijing"},
			want: Credentials{SecretID: "AKIDenv", SecretKey: "env-key", SecurityToken: "env-token", Region: "ap-beijing", Source: SourceEnvironment},
		},
		{
			name: "profile default with its token and region",
			want: Credentials{SecretID: "AKIDprofile", SecretKey: "profile-key", SecurityToken: "profile-token", Region: "ap-singapore", Source: SourceProfile},
		},
		{
			name: "profile named by argument",
			cfg:  Config{Profile: "other"},
			env:  map[string]string{EnvProfile: "default"},
			want: Credentials{SecretID: "AKIDother", SecretKey: "other-key", Region: "eu-frankfurt", Source: SourceProfile},
		},
		{
			name: "profile named by environment",
			env:  map[string]string{EnvProfile: "other"},
			want: Credentials{SecretID: "AKIDother", SecretKey: "other-key", Region: "eu-frankfurt", Source: SourceProfile},
		},
		{
			name: "id from argument, key from environment, profile token not mixed in",
			cfg:  Config{SecretID: "AKIDarg"},
			env:  map[string]string{EnvSecretKey: "env-key"},
			want: Credentials{SecretID: "AKIDarg", SecretKey: "env-key", Region: "ap-singapore", Source: SourceArgument + "+" + SourceEnvironment},
		},
		{
			name: "region from environment over profile",
			env:  map[string]string{EnvRegion: "na-ashburn"},
			want: Credentials{SecretID: "AKIDprofile", SecretKey: "profile-key", SecurityToken: "profile-token", Region: "na-ashburn", Source: SourceProfile},
		},
		{
			name:      "region defaults without a profile",
			cfg:       Config{SecretID: "AKIDarg", SecretKey: "arg-key"},
			noProfile: true,
			want:      Credentials{SecretID: "AKIDarg", SecretKey: "arg-key", Region: DefaultRegion, Source: SourceArgument},
		},
		{
			name: "blank values fall through and values are trimmed",
			cfg:  Config{SecretID: "  ", SecretKey: " arg-key\n"},
			env:  map[string]string{EnvSecretID: " AKIDenv "},
			want: Credentials{SecretID: "AKIDenv", SecretKey: "arg-key", Region: "ap-singapore", Source: SourceEnvironment + "+" + SourceArgument},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			if !tt.noProfile {
				writeProfile(t, home, "default", defaultCred, defaultConf)
				writeProfile(t, home, "other", otherCred, otherConf)
			}
			got, err := Resolve(tt.cfg, envOf(tt.env), home)
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
	t.Parallel()
	tests := []struct {
		name      string
		cfg       Config
		env       map[string]string
		useHome   bool
		profile   string // credential file content of profile "default"
		wantAttr  string
		wantEnv   []string
		wantTried string
	}{
		{name: "nothing anywhere", useHome: true, wantAttr: "secret_id", wantEnv: []string{EnvSecretID}, wantTried: "default"},
		{name: "no home directory", wantAttr: "secret_id", wantEnv: []string{EnvSecretID}},
		{name: "key missing", cfg: Config{SecretID: "AKIDarg"}, useHome: true, wantAttr: "secret_key", wantEnv: []string{EnvSecretKey}, wantTried: "default"},
		{name: "profile without key", useHome: true, profile: `{"secretId":"AKIDprofile"}`, wantAttr: "secret_key", wantEnv: []string{EnvSecretKey}, wantTried: "default"},
		{name: "named profile absent", env: map[string]string{EnvProfile: "ci"}, useHome: true, wantAttr: "secret_id", wantEnv: []string{EnvSecretID}, wantTried: "ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := ""
			if tt.useHome {
				home = t.TempDir()
				if tt.profile != "" {
					writeProfile(t, home, "default", tt.profile, "")
				}
			}
			_, err := Resolve(tt.cfg, envOf(tt.env), home)
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

func TestResolveBadProfile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	const secret = "leaked-secret-key"
	writeProfile(t, home, "default", `{"secretId":"AKIDx","secretKey":"`+secret+`"`, "")
	_, err := Resolve(Config{}, envOf(nil), home)
	if err == nil {
		t.Fatal("Resolve accepted a truncated credential file")
	}
	var missing *MissingCredentialsError
	if errors.As(err, &missing) {
		t.Fatalf("got %v, want a parse error", err)
	}
	if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, home) {
		t.Errorf("error %q quotes the file or the home directory", msg)
	}

	if _, err := Resolve(Config{Profile: "../escape"}, envOf(nil), home); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("profile with a path separator: err = %v", err)
	}
}
