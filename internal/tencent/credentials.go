package tencent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables read by Resolve, in the documented order.
const (
	EnvSecretID      = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey     = "TENCENTCLOUD_SECRET_KEY"
	EnvSecurityToken = "TENCENTCLOUD_SECURITY_TOKEN"
	EnvRegion        = "TENCENTCLOUD_REGION"
	EnvProfile       = "TENCENTCLOUD_PROFILE"
)

// DefaultRegion is the region used when neither the configuration, the environment nor the
// profile names one.
const DefaultRegion = "ap-guangzhou"

// DefaultProfile is the tccli profile read when none is configured.
const DefaultProfile = "default"

// Credential sources reported in Credentials.Source.
const (
	SourceArgument    = "provider configuration"
	SourceEnvironment = "environment"
	SourceProfile     = "tccli profile"
)

// Endpoints holds the endpoint overrides of the tencent block.
type Endpoints struct {
	Batch string // raw override (URL, scheme optional); "" = batch.tencentcloudapi.com
}

// Config is the tencent block of the provider configuration, as the user wrote it.
type Config struct {
	SecretID      string
	SecretKey     string
	SecurityToken string
	Region        string
	Profile       string
	Endpoints     Endpoints
}

// Credentials are the resolved credentials and region.
type Credentials struct {
	SecretID      string
	SecretKey     string
	SecurityToken string
	Region        string
	// Source says where the key pair came from: one of the Source constants, or several joined
	// with "+" when SecretID and SecretKey came from different places. It never holds a secret.
	Source string
}

// MissingCredentialsError reports a credential that no source provided.
type MissingCredentialsError struct {
	Attribute    string   // attribute inside the tencent block, e.g. "secret_id"
	EnvVars      []string // environment variables that were consulted
	ProfileTried string   // tccli profile that was consulted; "" when no home directory was known
}

// Error names the attribute, its environment variables and the profile that was tried.
func (e *MissingCredentialsError) Error() string {
	msg := fmt.Sprintf("no Tencent Cloud %s was found: set %q in the provider's tencent block or the environment variable %s",
		e.Attribute, e.Attribute, strings.Join(e.EnvVars, " or "))
	if e.ProfileTried != "" {
		msg += fmt.Sprintf(", or add it to the tccli profile %q (~/.tccli/%s.credential)", e.ProfileTried, e.ProfileTried)
	}
	return msg
}

// Resolve resolves each value in the documented order: the argument, then the environment
// variable, then the tccli profile (<home>/.tccli/<profile>.credential for keys and token,
// <home>/.tccli/<profile>.configure for the region). The profile is the argument, else
// TENCENTCLOUD_PROFILE, else "default". The region defaults to ap-guangzhou.
//
// A security token from the profile is used only when the key pair also came from the profile:
// a temporary token belongs to its own key pair and would break requests signed with another.
// getenv nil means os.Getenv; home "" skips the profile files.
func Resolve(cfg Config, getenv func(string) string, home string) (Credentials, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	profileName := firstNonEmpty(cfg.Profile, getenv(EnvProfile), DefaultProfile)
	prof := &tccliProfile{name: profileName, home: home}

	secretID, idSource, err := resolveValue(cfg.SecretID, getenv(EnvSecretID), prof.secretID)
	if err != nil {
		return Credentials{}, err
	}
	secretKey, keySource, err := resolveValue(cfg.SecretKey, getenv(EnvSecretKey), prof.secretKey)
	if err != nil {
		return Credentials{}, err
	}
	tried := ""
	if home != "" {
		tried = profileName
	}
	if secretID == "" {
		return Credentials{}, &MissingCredentialsError{Attribute: "secret_id", EnvVars: []string{EnvSecretID}, ProfileTried: tried}
	}
	if secretKey == "" {
		return Credentials{}, &MissingCredentialsError{Attribute: "secret_key", EnvVars: []string{EnvSecretKey}, ProfileTried: tried}
	}

	tokenFromProfile := func() (string, error) {
		if idSource != SourceProfile || keySource != SourceProfile {
			return "", nil
		}
		return prof.token()
	}
	token, _, err := resolveValue(cfg.SecurityToken, getenv(EnvSecurityToken), tokenFromProfile)
	if err != nil {
		return Credentials{}, err
	}
	region, _, err := resolveValue(cfg.Region, getenv(EnvRegion), prof.region)
	if err != nil {
		return Credentials{}, err
	}
	if region == "" {
		region = DefaultRegion
	}

	source := idSource
	if keySource != idSource {
		source = idSource + "+" + keySource
	}
	return Credentials{SecretID: secretID, SecretKey: secretKey, SecurityToken: token, Region: region, Source: source}, nil
}

// resolveValue returns the first non-blank of the argument, the environment value and the
// profile value, with its source. The profile is read only when it is needed.
func resolveValue(arg, env string, fromProfile func() (string, error)) (string, string, error) {
	if v := strings.TrimSpace(arg); v != "" {
		return v, SourceArgument, nil
	}
	if v := strings.TrimSpace(env); v != "" {
		return v, SourceEnvironment, nil
	}
	v, err := fromProfile()
	if err != nil {
		return "", "", err
	}
	if v = strings.TrimSpace(v); v != "" {
		return v, SourceProfile, nil
	}
	return "", "", nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// tccliProfile reads a tccli profile's two files lazily, each at most once.
type tccliProfile struct {
	name string
	home string

	credLoaded bool
	cred       struct {
		SecretID  string `json:"secretId"`
		SecretKey string `json:"secretKey"`
		Token     string `json:"token"`
	}
	confLoaded bool
	conf       struct {
		SysParam struct {
			Region string `json:"region"`
		} `json:"_sys_param"`
	}
}

func (p *tccliProfile) secretID() (string, error) {
	err := p.loadCredential()
	return p.cred.SecretID, err
}

func (p *tccliProfile) secretKey() (string, error) {
	err := p.loadCredential()
	return p.cred.SecretKey, err
}

func (p *tccliProfile) token() (string, error) {
	err := p.loadCredential()
	return p.cred.Token, err
}

func (p *tccliProfile) region() (string, error) {
	if !p.confLoaded {
		p.confLoaded = true
		if err := p.readJSON(".configure", &p.conf); err != nil {
			return "", err
		}
	}
	return p.conf.SysParam.Region, nil
}

func (p *tccliProfile) loadCredential() error {
	if p.credLoaded {
		return nil
	}
	p.credLoaded = true
	return p.readJSON(".credential", &p.cred)
}

// readJSON decodes <home>/.tccli/<profile><suffix> into v. A missing file (or no home) is not an
// error: the profile is the last source, and a missing value is reported by the caller.
func (p *tccliProfile) readJSON(suffix string, v any) error {
	if p.home == "" {
		return nil
	}
	if strings.ContainsAny(p.name, `/\`) || p.name == "." || p.name == ".." {
		return fmt.Errorf("tccli profile name %q is not valid: it must not contain path separators", p.name)
	}
	data, err := os.ReadFile(filepath.Join(p.home, ".tccli", p.name+suffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		// The path error would spell out the user's home directory; the cause alone is enough.
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return fmt.Errorf("reading tccli profile %q (~/.tccli/%s%s): %w", p.name, p.name, suffix, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		// The decoder's message may quote file content, which may be a secret.
		return fmt.Errorf("tccli profile %q (~/.tccli/%s%s) is not valid JSON", p.name, p.name, suffix)
	}
	return nil
}
