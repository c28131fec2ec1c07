package alibaba

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
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

// Environment variables of the assume_role block, the official alicloud provider's. They apply
// without the block too: ALICLOUD_ASSUME_ROLE_ARN alone assumes that role.
const (
	EnvAssumeRoleArn         = "ALICLOUD_ASSUME_ROLE_ARN"
	EnvAssumeRoleSessionName = "ALICLOUD_ASSUME_ROLE_SESSION_NAME"
	EnvAssumeRoleDuration    = "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"
)

// assumeRoleSettings completes the assume_role block with its environment variables, each
// used only where the block leaves the attribute unset. It returns nil when neither the block
// nor ALICLOUD_ASSUME_ROLE_ARN asks for a role.
func assumeRoleSettings(block *AssumeRole, getenv func(string) string) (*AssumeRole, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if block == nil && getenv(EnvAssumeRoleArn) == "" {
		return nil, nil
	}
	ar := AssumeRole{}
	if block != nil {
		ar = *block
	}
	ar.RoleArn = cmp.Or(ar.RoleArn, getenv(EnvAssumeRoleArn))
	ar.SessionName = cmp.Or(ar.SessionName, getenv(EnvAssumeRoleSessionName))
	if v := getenv(EnvAssumeRoleDuration); ar.SessionDuration == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 {
			return nil, fmt.Errorf("alibaba.assume_role: %s=%q is not a number of seconds of at least 900", EnvAssumeRoleDuration, v)
		}
		ar.SessionDuration = n
	}
	return &ar, nil
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

// profileIndex is what this provider reads of the aliyun CLI configuration file itself: the
// current profile, the profile names and their regions, which credentials-go does not expose.
// The credentials of a profile, in every mode, come from credentials-go's CLI profile provider.
type profileIndex struct {
	Current  string `json:"current"`
	Profiles []struct {
		Name     string `json:"name"`
		RegionID string `json:"region_id"`
	} `json:"profiles"`
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

// profileLookup is the profile that supplies what the configuration and the environment
// leave unset.
type profileLookup struct {
	file, name string // name is empty when there is no profile file
	found      bool
	regionID   string
}

func (p profileLookup) source() string {
	return fmt.Sprintf("profile %s in %s", p.name, profileFileDisplay)
}

// findProfile looks up the profile named by the argument or the environment (name), else the
// file's current profile, else "default". A profile named explicitly must exist; a missing
// file is no error.
func findProfile(home, name string) (profileLookup, error) {
	file, index, err := readProfileIndex(home)
	if err != nil || index == nil {
		return profileLookup{}, err
	}
	explicit := name != ""
	if !explicit {
		name = index.Current
	}
	p := profileLookup{file: file, name: cmp.Or(name, "default")}
	for _, entry := range index.Profiles {
		if entry.Name == p.name {
			p.found, p.regionID = true, entry.RegionID
			break
		}
	}
	if !p.found && explicit {
		return profileLookup{}, &ProfileError{Profile: p.name, Reason: "no profile of that name"}
	}
	return p, nil
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

// profileCredentials builds credentials-go's CLI profile provider for one profile of file
// and fetches its current credentials. The library's messages name the file by its real
// path, which is replaced with profileFileDisplay.
func profileCredentials(file, name string) (providers.CredentialsProvider, *providers.Credentials, error) {
	clean := func(err error) error {
		// A failed request's URL holds its signature and any security token: keep the cause.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		msg := strings.ReplaceAll(err.Error(), file, profileFileDisplay)
		return &ProfileError{Profile: name, Reason: msg}
	}
	p, err := providers.NewCLIProfileCredentialsProviderBuilder().
		WithProfileFile(file).WithProfileName(name).Build()
	if err != nil {
		return nil, nil, clean(err)
	}
	cc, err := p.GetCredentials()
	if err != nil {
		return nil, nil, clean(err)
	}
	return p, cc, nil
}

// readProfileIndex reads <home>/.aliyun/config.json; a missing file (or no home) is
// "", nil, nil. It returns the file's path for credentials-go.
func readProfileIndex(home string) (string, *profileIndex, error) {
	if home == "" {
		return "", nil, nil
	}
	file := filepath.Join(home, ".aliyun", "config.json")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, &ProfileError{Reason: "cannot be read: " + unwrapPathError(err).Error()}
	}
	var index profileIndex
	// The file holds secrets: the message is json's own, which never quotes the input.
	if err := json.Unmarshal(data, &index); err != nil {
		return "", nil, &ProfileError{Reason: "is not valid JSON: " + err.Error()}
	}
	return file, &index, nil
}

// unwrapPathError drops the file path from an *fs.PathError so messages stay machine-neutral.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// assumeRoleProvider wraps base in credentials-go's RamRoleArn provider for cfg.AssumeRole.
func assumeRoleProvider(cfg Config, base providers.CredentialsProvider) (providers.CredentialsProvider, error) {
	ar := cfg.AssumeRole
	if ar.RoleArn == "" {
		return nil, errors.New("alibaba.assume_role.role_arn is not set: set it, or ALICLOUD_ASSUME_ROLE_ARN, when the assume_role block is present")
	}
	host, err := stsHost(cfg.Endpoints.STS)
	if err != nil {
		return nil, err
	}
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(base).
		WithRoleArn(ar.RoleArn).
		WithRoleSessionName(cmp.Or(ar.SessionName, DefaultSessionName)).
		WithDurationSeconds(ar.SessionDuration).
		WithPolicy(ar.Policy).
		WithExternalId(ar.ExternalID)
	if host != "" {
		b = b.WithStsEndpoint(host)
	}
	p, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("alibaba.assume_role: %w", err)
	}
	return p, nil
}

// stsHost turns the endpoints.sts override into the host[:port] credentials-go wants.
func stsHost(override string) (string, error) {
	if override == "" {
		return "", nil
	}
	ep, err := endpoint.Parse(override)
	if err != nil {
		return "", fmt.Errorf("alibaba.endpoints.sts: %w", err)
	}
	if ep.Scheme != "https" {
		return "", fmt.Errorf("alibaba.endpoints.sts %q: STS is reached over HTTPS only (credentials-go); use an https URL or a bare host", override)
	}
	return ep.HostPort(), nil
}
