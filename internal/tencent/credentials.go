package tencent

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// Environment variables read by Resolve. The names are those of the official tencentcloud
// provider and SDK.
const (
	EnvSecretID      = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey     = "TENCENTCLOUD_SECRET_KEY"
	EnvSecurityToken = "TENCENTCLOUD_SECURITY_TOKEN"
	EnvRegion        = "TENCENTCLOUD_REGION"
	EnvProfile       = "TENCENTCLOUD_PROFILE"
	// EnvTccliProfile is the SDK's name for the tccli profile, read after EnvProfile.
	EnvTccliProfile = common.EnvTCCLIProfile
	// EnvCredentialsFile replaces ~/.tencentcloud/credentials; the SDK reads it itself.
	EnvCredentialsFile = common.EnvCredentialFile
	EnvCAMRoleName     = "TENCENTCLOUD_CAM_ROLE_NAME"

	EnvAssumeRoleArn             = "TENCENTCLOUD_ASSUME_ROLE_ARN"
	EnvAssumeRoleSessionName     = "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME"
	EnvAssumeRoleSessionDuration = "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION"
	EnvAssumeRoleExternalID      = "TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID"
	EnvWebIdentityToken          = "TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN"
	EnvWebIdentityTokenFile      = "TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN_FILE"
	EnvProviderID                = "TENCENTCLOUD_ASSUME_ROLE_PROVIDER_ID"

	// The variables TKE sets in a pod whose service account is bound to a CAM role.
	EnvTKERoleArn   = "TKE_ROLE_ARN"
	EnvTKEProvider  = "TKE_PROVIDER_ID"
	EnvTKETokenFile = "TKE_WEB_IDENTITY_TOKEN_FILE"
)

// DefaultRegion is the region used when neither the configuration, the environment nor the
// profile names one.
const DefaultRegion = "ap-guangzhou"

// DefaultProfile is the tccli profile read when none is configured.
const DefaultProfile = "default"

// Defaults of the role blocks.
const (
	DefaultSessionName     = "terraform-provider-cloudtask"
	DefaultSessionDuration = 7200 // seconds, as the SDK and the official provider
	MaxSessionDuration     = 43200
	DefaultOIDCProviderID  = "OIDC"
)

// Credential sources reported in Credentials.Source.
const (
	SourceArgument        = "provider configuration"
	SourceEnvironment     = "environment"
	SourceProfile         = "tccli profile"
	SourceCredentialsFile = "~/.tencentcloud/credentials"
	SourceCVMRole         = "CVM role"
	SourceOIDC            = "OIDC role"
)

// Endpoints holds the endpoint overrides of the tencent block.
type Endpoints struct {
	Batch string // raw override (URL, scheme optional); "" = batch.tencentcloudapi.com
	// STS is the host (and port) of STS for the role blocks; the SDK reaches it over HTTPS
	// only. "" is sts.tencentcloudapi.com.
	STS string
}

// Config is the tencent block of the provider configuration, as the user wrote it.
type Config struct {
	SecretID      string
	SecretKey     string
	SecurityToken string
	Region        string
	Profile       string
	// CAMRoleName, when set, takes the base credentials from the CVM instance's role.
	CAMRoleName string
	// AssumeRole, when set, assumes a CAM role with the base credentials.
	AssumeRole *AssumeRole
	// AssumeRoleWithOIDC, when set, exchanges an OIDC token for a role's credentials; no
	// base credentials are needed.
	AssumeRoleWithOIDC *AssumeRoleWithOIDC
	Endpoints          Endpoints
}

// AssumeRole is the tencent.assume_role block (zero values = not set; each falls back to its
// environment variable).
type AssumeRole struct {
	RoleArn, SessionName string
	SessionDuration      int // seconds
	Policy, ExternalID   string
}

// AssumeRoleWithOIDC is the tencent.assume_role_with_oidc block (zero values = not set).
type AssumeRoleWithOIDC struct {
	RoleArn, ProviderID, OIDCToken, OIDCTokenFile, SessionName string
	SessionDuration                                            int
}

// Credentials are the resolved base credentials and region.
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
	ProfileTried string   // tccli profile that was consulted; "" when none was read
}

// Error names the attribute, its environment variables and the profile that was tried.
func (e *MissingCredentialsError) Error() string {
	msg := fmt.Sprintf("no Tencent Cloud %s was found: set %q in the provider's tencent block or the environment variable %s",
		e.Attribute, e.Attribute, strings.Join(e.EnvVars, " or "))
	if e.ProfileTried != "" {
		msg += fmt.Sprintf(", or add it to the tccli profile %q (~/.tccli/%s.credential) or ~/.tencentcloud/credentials", e.ProfileTried, e.ProfileTried)
	}
	return msg
}

// ProfileError reports a profile file that exists but cannot be used. It never quotes the
// file, which holds secrets, nor the home directory.
type ProfileError struct {
	File   string // as shown to users, e.g. "~/.tccli/default.credential"
	Reason string
}

// Error names the file and why it cannot be used.
func (e *ProfileError) Error() string {
	return fmt.Sprintf("Tencent Cloud profile file %s %s", e.File, e.Reason)
}

// CVMRoleError reports that the CVM metadata service gave no credentials for the role.
type CVMRoleError struct {
	RoleName string
	Reason   string
}

// Error names the role and why it gave no credentials.
func (e *CVMRoleError) Error() string {
	return fmt.Sprintf("no credentials for the CVM role %q from the instance metadata service: %s", e.RoleName, e.Reason)
}

// TokenFileError reports an OIDC token file that cannot be used.
type TokenFileError struct {
	Reason string
}

// Error says why the token file cannot be used; the path is the user's own setting and is
// left to the caller.
func (e *TokenFileError) Error() string {
	return "the OIDC token file (oidc_token_file) " + e.Reason
}

// Resolve resolves the base credentials and the region (it assumes no role):
//
//   - keys: secret_id and secret_key from the arguments, each falling back to its environment
//     variable; else the CVM role of cam_role_name (argument, then TENCENTCLOUD_CAM_ROLE_NAME);
//     else the whole credential of the tccli profile (~/.tccli/<profile>.credential, through the
//     SDK's TccliProfileProvider), else, when no profile was named, ~/.tencentcloud/credentials
//     (or TENCENTCLOUD_CREDENTIALS_FILE, through the SDK's ProfileProvider). A cam_role_name
//     argument beats keys from the environment, as arguments beat the environment.
//   - region: the argument, TENCENTCLOUD_REGION, the tccli profile's .configure, ap-guangzhou.
//
// The profile is the argument, else TENCENTCLOUD_PROFILE, else TCCLI_PROFILE, else "default".
// The SDK's providers find the profile files under HOME (USERPROFILE on Windows). A security
// token from the profile is used only with the profile's own keys. getenv nil means os.Getenv.
func Resolve(cfg Config, getenv func(string) string) (Credentials, error) {
	r, err := resolve(cfg, getenv)
	if err != nil {
		return Credentials{}, err
	}
	if r.cred != nil {
		r.creds.SecretID, r.creds.SecretKey, r.creds.SecurityToken = r.cred.GetCredential()
	}
	return r.creds, nil
}

// resolved is the outcome of resolve: the base credential (which refreshes itself when it is
// temporary), its description, and the settings of the role blocks with their environment
// fallbacks applied.
type resolved struct {
	creds      Credentials // Region and Source; the keys only for fixed credentials
	cred       common.CredentialIface
	assumeRole *AssumeRole
	oidc       *AssumeRoleWithOIDC
}

func resolve(cfg Config, getenv func(string) string) (resolved, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	profileName := firstNonEmpty(cfg.Profile, env(EnvProfile), env(EnvTccliProfile))
	explicitProfile := profileName != ""
	profileName = cmp.Or(profileName, DefaultProfile)
	if strings.ContainsAny(profileName, `/\`) || profileName == "." || profileName == ".." {
		return resolved{}, fmt.Errorf("tccli profile name %q is not valid: it must not contain path separators", profileName)
	}

	var r resolved
	region, err := resolveRegion(cfg.Region, env(EnvRegion), profileName)
	if err != nil {
		return resolved{}, err
	}
	r.creds.Region = region
	r.oidc = oidcSettings(cfg, env)
	r.assumeRole = assumeRoleSettings(cfg, env, r.oidc != nil)
	if r.oidc != nil {
		// The OIDC exchange is unsigned: it needs no base credentials.
		r.creds.Source = SourceOIDC
		return r, nil
	}

	idArg, keyArg := strings.TrimSpace(cfg.SecretID), strings.TrimSpace(cfg.SecretKey)
	idEnv, keyEnv := env(EnvSecretID), env(EnvSecretKey)
	camArg, camEnv := strings.TrimSpace(cfg.CAMRoleName), env(EnvCAMRoleName)
	switch {
	case idArg != "" || keyArg != "":
	case camArg != "":
		return withCVMRole(r, camArg)
	case idEnv != "" || keyEnv != "":
	case camEnv != "":
		return withCVMRole(r, camEnv)
	default:
		cred, source, err := profileCredential(profileName, explicitProfile)
		if err != nil {
			return resolved{}, err
		}
		if cred == nil {
			return resolved{}, &MissingCredentialsError{Attribute: "secret_id", EnvVars: []string{EnvSecretID}, ProfileTried: profileName}
		}
		r.cred, r.creds.Source = cred, source
		if token := firstNonEmpty(cfg.SecurityToken, env(EnvSecurityToken)); token != "" {
			// A token given explicitly overrides the profile's own.
			id, key, _ := cred.GetCredential()
			r.cred = common.NewTokenCredential(id, key, token)
		}
		return r, nil
	}

	id, idSource := pick(idArg, idEnv)
	key, keySource := pick(keyArg, keyEnv)
	if id == "" {
		return resolved{}, &MissingCredentialsError{Attribute: "secret_id", EnvVars: []string{EnvSecretID}}
	}
	if key == "" {
		return resolved{}, &MissingCredentialsError{Attribute: "secret_key", EnvVars: []string{EnvSecretKey}}
	}
	token := firstNonEmpty(cfg.SecurityToken, env(EnvSecurityToken))
	r.creds.Source = idSource
	if keySource != idSource {
		r.creds.Source = idSource + "+" + keySource
	}
	r.cred = common.NewTokenCredential(id, key, token)
	return r, nil
}

// pick returns the argument, else the environment value, with its source.
func pick(arg, env string) (string, string) {
	if arg != "" {
		return arg, SourceArgument
	}
	if env != "" {
		return env, SourceEnvironment
	}
	return "", ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// withCVMRole takes the base credentials from the SDK's CvmRoleProvider. Its credential asks
// the metadata service again shortly before the temporary keys expire.
func withCVMRole(r resolved, roleName string) (resolved, error) {
	cred, err := common.NewCvmRoleProvider(roleName).GetCredential()
	if err != nil {
		return resolved{}, &CVMRoleError{RoleName: roleName, Reason: sdkMessage(err)}
	}
	r.cred, r.creds.Source = cred, SourceCVMRole
	return r, nil
}
