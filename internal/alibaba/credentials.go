package alibaba

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultRegion is the region used when none is configured anywhere.
const DefaultRegion = "cn-hangzhou"

// Credential sources, as reported in Credentials.Source.
const (
	SourceConfig      = "provider configuration" // the provider's alibaba block
	SourceEnvironment = "environment"            // ALIBABA_CLOUD_* or ALICLOUD_* variables
)

// profileFileDisplay is how the aliyun CLI configuration file is named in messages; the real
// home directory is left out so that diagnostics read the same on every machine.
const profileFileDisplay = "~/.aliyun/config.json"

// Environment variables, each list in order of precedence.
var (
	envAccessKey     = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envSecretKey     = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"}
	envRegion        = []string{"ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"}
	envProfile       = []string{"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"}
)

// Endpoints holds the raw endpoint overrides of the provider configuration; "" means the
// service's default endpoint for the region.
type Endpoints struct {
	PolarDB, BDRC, Alidns string
}

// Config is the provider's alibaba block as configured (empty strings = not set).
type Config struct {
	AccessKey, SecretKey, SecurityToken, Region, Profile string
	Endpoints                                            Endpoints
}

// Credentials are the resolved values a client signs with.
type Credentials struct {
	AccessKey, SecretKey, SecurityToken, Region string
	// Source says where the access key and secret came from: SourceConfig, SourceEnvironment,
	// "profile NAME in ~/.aliyun/config.json", or a per-field list when they came from
	// different places.
	Source string
}

// String describes the credentials without revealing the secret or the token.
func (c Credentials) String() string {
	return fmt.Sprintf("access key %s from %s, region %s", c.AccessKey, c.Source, c.Region)
}

// MissingCredentialsError reports a credential that no source provides. It names the
// attribute inside the provider's alibaba block and the environment variables that could
// provide it.
type MissingCredentialsError struct {
	Attribute string   // "access_key" or "secret_key"
	EnvVars   []string // in order of precedence
	// ProfileTried is the aliyun CLI profile that was looked up; empty when the profile file
	// does not exist.
	ProfileTried string
}

// Error names the attribute, its environment variables and the profile looked up.
func (e *MissingCredentialsError) Error() string {
	profile := "no " + profileFileDisplay + " file was found"
	if e.ProfileTried != "" {
		profile = fmt.Sprintf("profile %q in %s does not provide it", e.ProfileTried, profileFileDisplay)
	}
	return fmt.Sprintf("Alibaba Cloud %s is not set: set alibaba.%s in the provider configuration or the environment variable %s (%s)",
		e.Attribute, e.Attribute, strings.Join(e.EnvVars, " or "), profile)
}

// ProfileError reports an aliyun CLI profile that cannot be used.
type ProfileError struct {
	Profile string
	Reason  string
}

// Error names the profile and why it cannot be used.
func (e *ProfileError) Error() string {
	if e.Profile == "" {
		return fmt.Sprintf("Alibaba Cloud profile file %s: %s", profileFileDisplay, e.Reason)
	}
	return fmt.Sprintf("Alibaba Cloud profile %q in %s: %s", e.Profile, profileFileDisplay, e.Reason)
}

// cliConfig is the subset of the aliyun CLI configuration file this provider reads.
type cliConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
}

// Resolve applies the precedence of the provider configuration: the argument, then the
// environment variables in order, then the aliyun CLI profile in <home>/.aliyun/config.json.
//
// Each field is resolved on its own, as the alicloud provider does, so an access key in the
// configuration may be paired with a secret from the environment. The one exception is the
// profile's sts_token: it is used only when the profile also supplied the access key,
// because a security token is worthless with any other key. The profile is the argument,
// then ALIBABA_CLOUD_PROFILE, ALICLOUD_PROFILE, then the file's "current", then "default".
// The file is read only when a field is still unresolved; a profile in a mode other than AK
// or StsToken is an error when it would have to supply the credentials.
func Resolve(cfg Config, getenv func(string) string, home string) (Credentials, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	type field struct {
		value, source string
	}
	pick := func(arg string, env []string) field {
		if arg != "" {
			return field{arg, SourceConfig}
		}
		for _, name := range env {
			if v := getenv(name); v != "" {
				return field{v, SourceEnvironment}
			}
		}
		return field{}
	}
	key := pick(cfg.AccessKey, envAccessKey)
	secret := pick(cfg.SecretKey, envSecretKey)
	token := pick(cfg.SecurityToken, envSecurityToken)
	region := pick(cfg.Region, envRegion)
	profileName := pick(cfg.Profile, envProfile).value

	tried := ""
	if key.value == "" || secret.value == "" || region.value == "" {
		file, err := readCLIConfig(home)
		if err != nil {
			return Credentials{}, err
		}
		if file != nil {
			explicit := profileName != ""
			if !explicit {
				profileName = file.Current
			}
			if profileName == "" {
				profileName = "default"
			}
			tried = profileName
			p := file.find(profileName)
			if p == nil && explicit {
				return Credentials{}, &ProfileError{Profile: profileName, Reason: "no profile of that name"}
			}
			if p != nil {
				source := fmt.Sprintf("profile %s in %s", profileName, profileFileDisplay)
				if region.value == "" && p.RegionID != "" {
					region = field{p.RegionID, source}
				}
				if key.value == "" || secret.value == "" {
					switch p.Mode {
					case "", "AK", "StsToken":
					default:
						return Credentials{}, &ProfileError{Profile: profileName, Reason: fmt.Sprintf(
							"mode %q is not supported; use a profile in mode AK or StsToken, or set access_key and secret_key", p.Mode)}
					}
					if key.value == "" && p.AccessKeyID != "" {
						key = field{p.AccessKeyID, source}
						if token.value == "" && p.Mode == "StsToken" && p.StsToken != "" {
							token = field{p.StsToken, source}
						}
					}
					if secret.value == "" && p.AccessKeySecret != "" {
						secret = field{p.AccessKeySecret, source}
					}
				}
			}
		}
	}

	if key.value == "" {
		return Credentials{}, &MissingCredentialsError{Attribute: "access_key", EnvVars: envAccessKey, ProfileTried: tried}
	}
	if secret.value == "" {
		return Credentials{}, &MissingCredentialsError{Attribute: "secret_key", EnvVars: envSecretKey, ProfileTried: tried}
	}
	if region.value == "" {
		region.value = DefaultRegion
	}
	source := key.source
	if secret.source != key.source || (token.value != "" && token.source != key.source) {
		parts := []string{"access_key from " + key.source, "secret_key from " + secret.source}
		if token.value != "" {
			parts = append(parts, "security_token from "+token.source)
		}
		source = strings.Join(parts, ", ")
	}
	return Credentials{
		AccessKey:     key.value,
		SecretKey:     secret.value,
		SecurityToken: token.value,
		Region:        region.value,
		Source:        source,
	}, nil
}

// readCLIConfig reads <home>/.aliyun/config.json; a missing file (or no home) is nil, nil.
func readCLIConfig(home string) (*cliConfig, error) {
	if home == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(home, ".aliyun", "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &ProfileError{Reason: "cannot be read: " + unwrapPathError(err).Error()}
	}
	var file cliConfig
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, &ProfileError{Reason: "is not valid JSON: " + err.Error()}
	}
	return &file, nil
}

// unwrapPathError drops the file path from an *fs.PathError so messages stay machine-neutral.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (c *cliConfig) find(name string) *cliProfile {
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i]
		}
	}
	return nil
}
