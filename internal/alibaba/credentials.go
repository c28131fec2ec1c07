package alibaba

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
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
	// STS is the host (and port) of STS for AssumeRole; credentials-go reaches it over
	// HTTPS only. "" is sts.aliyuncs.com.
	STS string
}

// Config is the provider's alibaba block as configured (empty strings = not set).
type Config struct {
	AccessKey, SecretKey, SecurityToken, Region, Profile string
	// AssumeRole, when set, assumes a RAM role with the base credentials.
	AssumeRole *AssumeRole
	// AssumeRoleWithOIDC, when set, supplies the base credentials by exchanging an OIDC
	// token for a role's (STS AssumeRoleWithOIDC); AssumeRole may chain on top of it.
	AssumeRoleWithOIDC *AssumeRoleWithOIDC
	Endpoints          Endpoints
}

// AssumeRole is the provider's alibaba.assume_role block (zero values = not set).
type AssumeRole struct {
	RoleArn, SessionName string
	SessionDuration      int // seconds
	Policy, ExternalID   string
}

// DefaultSessionName is the role session name when assume_role names none.
const DefaultSessionName = "terraform-provider-cloudtask"

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

// Resolve applies the precedence of the provider configuration: the argument, then the
// environment variables in order, then the aliyun CLI profile in <home>/.aliyun/config.json.
//
// Each field is resolved on its own, as the alicloud provider does, so an access key in the
// configuration may be paired with a secret from the environment. The one exception is the
// profile's security token: it is used only when the profile also supplied the access key,
// because a security token is worthless with any other key. The profile is the argument,
// then ALIBABA_CLOUD_PROFILE, ALICLOUD_PROFILE, then the file's "current", then "default".
// The file is read only when a field is still unresolved. A profile's credentials come from
// credentials-go, so every mode of the aliyun CLI works (AK, StsToken, RamRoleArn,
// EcsRamRole, OIDC, ChainableRamRoleArn, ...); the values returned are the ones valid now.
//
// Before keys and profiles come the sources dynamicBase picks: the assume_role_with_oidc
// block, then, when no key or secret is set as an argument or in the environment, OIDC,
// a credentials URI or the ECS metadata service named by the environment. They still take
// the region from the profile when the argument and the environment give none.
//
// Resolve does not assume the role of cfg.AssumeRole: it returns the base credentials.
func Resolve(cfg Config, getenv func(string) string, home string) (Credentials, error) {
	r, err := resolve(cfg, getenv, home, "")
	if err != nil {
		return Credentials{}, err
	}
	return r.creds, nil
}

// resolved is the outcome of resolve: the credentials valid now, and the provider that
// gives the credentials of each later request (refreshing temporary ones).
type resolved struct {
	creds    Credentials
	provider providers.CredentialsProvider
	secrets  []string // besides the credentials, values to keep out of messages
}

func resolve(cfg Config, getenv func(string) string, home, ecsProxy string) (resolved, error) {
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

	dyn, err := dynamicBase(cfg, getenv, key.value != "" || secret.value != "", ecsProxy)
	if err != nil {
		return resolved{}, err
	}
	if dyn != nil {
		if region.value == "" {
			p, err := findProfile(home, profileName)
			if err != nil {
				return resolved{}, err
			}
			if p.found && p.regionID != "" {
				region = field{p.regionID, p.source()}
			}
		}
		return resolveDynamic(dyn, cmp.Or(region.value, DefaultRegion))
	}

	var profileProvider providers.CredentialsProvider
	tried := ""
	if key.value == "" || secret.value == "" || region.value == "" {
		p, err := findProfile(home, profileName)
		if err != nil {
			return resolved{}, err
		}
		tried = p.name
		if p.found {
			source := p.source()
			if region.value == "" && p.regionID != "" {
				region = field{p.regionID, source}
			}
			if key.value == "" || secret.value == "" {
				prov, cc, err := profileCredentials(p.file, p.name)
				if err != nil {
					return resolved{}, err
				}
				if key.value == "" && secret.value == "" && cc.AccessKeyId != "" && cc.AccessKeySecret != "" {
					// The profile supplies the whole credential: its provider serves every
					// request, refreshing temporary credentials as they near expiry.
					profileProvider = prov
				}
				if key.value == "" && cc.AccessKeyId != "" {
					key = field{cc.AccessKeyId, source}
					if token.value == "" && cc.SecurityToken != "" {
						token = field{cc.SecurityToken, source}
					}
				}
				if secret.value == "" && cc.AccessKeySecret != "" {
					secret = field{cc.AccessKeySecret, source}
				}
			}
		}
	}

	if key.value == "" {
		return resolved{}, &MissingCredentialsError{Attribute: "access_key", EnvVars: envAccessKey, ProfileTried: tried}
	}
	if secret.value == "" {
		return resolved{}, &MissingCredentialsError{Attribute: "secret_key", EnvVars: envSecretKey, ProfileTried: tried}
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
	creds := Credentials{
		AccessKey:     key.value,
		SecretKey:     secret.value,
		SecurityToken: token.value,
		Region:        region.value,
		Source:        source,
	}
	if profileProvider != nil && token.source != key.source && token.value != "" {
		// A token from the configuration or the environment overrides the profile's own:
		// the values are fixed, not the profile's provider.
		profileProvider = nil
	}
	if profileProvider != nil {
		return resolved{creds: creds, provider: profileProvider}, nil
	}
	p, err := staticProvider(creds)
	if err != nil {
		return resolved{}, err
	}
	return resolved{creds: creds, provider: p}, nil
}

// resolveDynamic fetches the first credentials of a source that is neither keys nor a
// profile; its provider then serves every request, refreshing them.
func resolveDynamic(d *dynamicSource, region string) (resolved, error) {
	cc, err := d.fetch()
	if err != nil {
		return resolved{}, err
	}
	return resolved{
		creds: Credentials{AccessKey: cc.AccessKeyId, SecretKey: cc.AccessKeySecret, SecurityToken: cc.SecurityToken,
			Region: region, Source: d.source},
		provider: d.provider,
		secrets:  d.secrets,
	}, nil
}

// staticProvider is credentials-go's provider of fixed credentials: AK, or StsToken when
// there is a security token.
func staticProvider(c Credentials) (providers.CredentialsProvider, error) {
	if c.SecurityToken != "" {
		return providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(c.AccessKey).WithAccessKeySecret(c.SecretKey).WithSecurityToken(c.SecurityToken).Build()
	}
	return providers.NewStaticAKCredentialsProviderBuilder().
		WithAccessKeyId(c.AccessKey).WithAccessKeySecret(c.SecretKey).Build()
}
