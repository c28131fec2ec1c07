package tencent

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
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

// profileCredential reads the tccli profile with the SDK's TccliProfileProvider and, when the
// profile was not named and has no file, the SDK's ProfileProvider (~/.tencentcloud/credentials
// or TENCENTCLOUD_CREDENTIALS_FILE). No file at all is nil, "", nil.
func profileCredential(name string, explicit bool) (common.CredentialIface, string, error) {
	display := "~/.tccli/" + name + ".credential"
	cred, err := common.NewTccliProfileProvider(name).GetCredential()
	switch {
	case err == nil:
		return cred, SourceProfile, nil
	case !isNoFile(err):
		return nil, "", &ProfileError{File: display, Reason: profileReason(err, "secretId and secretKey")}
	case explicit:
		return nil, "", nil
	}
	cred, err = common.DefaultProfileProvider().GetCredential()
	switch {
	case err == nil:
		return cred, SourceCredentialsFile, nil
	case isNoFile(err):
		return nil, "", nil
	default:
		return nil, "", &ProfileError{File: SourceCredentialsFile, Reason: profileReason(err, "secret_id and secret_key in its [default] section")}
	}
}

// isNoFile reports the SDK's "no such profile file" error, which its provider chain skips.
func isNoFile(err error) bool {
	var sdkErr *tcerr.TencentCloudSDKError
	return errors.As(err, &sdkErr) && sdkErr.Message == "could not find config file"
}

// profileReason turns the SDK's error about a profile file into a reason that quotes neither
// the file (it holds secrets) nor its path.
func profileReason(err error, keys string) string {
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) && strings.HasPrefix(sdkErr.Message, "Failed to parse") {
		return "does not hold " + keys
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return "cannot be read: " + pathErr.Err.Error()
	}
	return "cannot be read or is not valid"
}

// sdkMessage is the message of an SDK error without its decoration, or the error's text.
func sdkMessage(err error) string {
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) {
		if sdkErr.Code != "" && !strings.HasPrefix(sdkErr.Code, "ClientError") {
			return sdkErr.Code + ": " + sdkErr.Message
		}
		return sdkErr.Message
	}
	return err.Error()
}

// resolveRegion is the argument, the environment, the tccli profile's region, the default.
// The SDK reads no region, so the profile's .configure file is read here for that one value.
func resolveRegion(arg, env, profileName string) (string, error) {
	if v := firstNonEmpty(arg, env); v != "" {
		return v, nil
	}
	region, err := profileRegion(profileName)
	if err != nil {
		return "", err
	}
	return cmp.Or(region, DefaultRegion), nil
}

// profileRegion reads _sys_param.region of <home>/.tccli/<profile>.configure; a missing file
// is "". The home directory is the SDK's: HOME, or USERPROFILE on Windows.
func profileRegion(name string) (string, error) {
	home := os.Getenv("HOME")
	if runtime.GOOS == "windows" {
		home = os.Getenv("USERPROFILE")
	}
	if home == "" {
		return "", nil
	}
	data, err := os.ReadFile(filepath.Join(home, ".tccli", name+".configure"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	display := "~/.tccli/" + name + ".configure"
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return "", &ProfileError{File: display, Reason: "cannot be read: " + err.Error()}
	}
	var conf struct {
		SysParam struct {
			Region string `json:"region"`
		} `json:"_sys_param"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		return "", &ProfileError{File: display, Reason: "is not valid JSON"}
	}
	return strings.TrimSpace(conf.SysParam.Region), nil
}

// oidcSettings returns the OIDC role settings, each falling back to its environment
// variables, or nil when the mode is off. It is on with the assume_role_with_oidc block, or,
// when no keys are set as arguments or in the environment and no CVM role as an argument (keys
// in the environment beat OIDC from the environment, as in the SDK's default chain and on the
// Alibaba side), when the environment carries a web
// identity token (TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN[_FILE]) or TKE's pod identity
// (TKE_ROLE_ARN, TKE_PROVIDER_ID and TKE_WEB_IDENTITY_TOKEN_FILE).
func oidcSettings(cfg Config, env func(string) string) *AssumeRoleWithOIDC {
	var o AssumeRoleWithOIDC
	if cfg.AssumeRoleWithOIDC != nil {
		o = *cfg.AssumeRoleWithOIDC
	} else {
		if firstNonEmpty(cfg.SecretID, cfg.SecretKey, cfg.CAMRoleName, env(EnvSecretID), env(EnvSecretKey)) != "" {
			return nil
		}
		tke := env(EnvTKERoleArn) != "" && env(EnvTKEProvider) != "" && env(EnvTKETokenFile) != ""
		if env(EnvWebIdentityToken) == "" && env(EnvWebIdentityTokenFile) == "" && !tke {
			return nil
		}
	}
	o.RoleArn = firstNonEmpty(o.RoleArn, env(EnvAssumeRoleArn), env(EnvTKERoleArn))
	o.ProviderID = firstNonEmpty(o.ProviderID, env(EnvProviderID), env(EnvTKEProvider), DefaultOIDCProviderID)
	if strings.TrimSpace(o.OIDCToken) == "" && strings.TrimSpace(o.OIDCTokenFile) == "" {
		o.OIDCToken = env(EnvWebIdentityToken)
		if o.OIDCToken == "" {
			o.OIDCTokenFile = firstNonEmpty(env(EnvWebIdentityTokenFile), env(EnvTKETokenFile))
		}
	}
	o.SessionName = firstNonEmpty(o.SessionName, env(EnvAssumeRoleSessionName), DefaultSessionName)
	if o.SessionDuration == 0 {
		o.SessionDuration = envDuration(env)
	}
	return &o
}

// assumeRoleSettings returns the assume_role settings, each falling back to its environment
// variable, or nil when the mode is off. It is on with the block, or with
// TENCENTCLOUD_ASSUME_ROLE_ARN when that variable does not already serve the OIDC mode.
func assumeRoleSettings(cfg Config, env func(string) string, oidc bool) *AssumeRole {
	var a AssumeRole
	if cfg.AssumeRole != nil {
		a = *cfg.AssumeRole
	} else if oidc || env(EnvAssumeRoleArn) == "" {
		return nil
	}
	a.RoleArn = firstNonEmpty(a.RoleArn, env(EnvAssumeRoleArn))
	a.SessionName = firstNonEmpty(a.SessionName, env(EnvAssumeRoleSessionName), DefaultSessionName)
	a.ExternalID = firstNonEmpty(a.ExternalID, env(EnvAssumeRoleExternalID))
	if a.SessionDuration == 0 {
		a.SessionDuration = envDuration(env)
	}
	return &a
}

// envDuration is TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION, or the default. A value that is
// not a number is passed on as -1 so that validation names the variable.
func envDuration(env func(string) string) int {
	v := env(EnvAssumeRoleSessionDuration)
	if v == "" {
		return DefaultSessionDuration
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// readTokenFile reads an OIDC token file: the token itself, as TKE and CI runners write it,
// or a JSON object with a web_identity_token field, as the official provider reads it.
func readTokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return "", &TokenFileError{Reason: "cannot be read: " + err.Error()}
	}
	token := strings.TrimSpace(string(data))
	if strings.HasPrefix(token, "{") {
		var wrapped struct {
			Token string `json:"web_identity_token"`
		}
		if json.Unmarshal(data, &wrapped) == nil {
			token = strings.TrimSpace(wrapped.Token)
		}
	}
	if token == "" {
		return "", &TokenFileError{Reason: "is empty"}
	}
	return token, nil
}
