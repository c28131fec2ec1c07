package alibaba

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// The base credential sources besides keys and profiles, all through credentials-go:
// assume_role_with_oidc (RRSA, CI workload identity), a credentials URI and the ECS
// metadata service. Each gives temporary credentials that credentials-go refreshes before
// they expire.

// Environment variables of the OIDC, credentials URI and ECS RAM role sources, each list in
// order of precedence. The OIDC names are the official alicloud provider's and
// credentials-go's; neither reads an ALICLOUD_* alias for them. The URI and ECS aliases are
// the official provider's.
var (
	envOIDCProviderArn = []string{"ALIBABA_CLOUD_OIDC_PROVIDER_ARN"}
	envOIDCToken       = []string{"ALIBABA_CLOUD_OIDC_TOKEN"}
	envOIDCTokenFile   = []string{"ALIBABA_CLOUD_OIDC_TOKEN_FILE"}
	envRoleArn         = []string{"ALIBABA_CLOUD_ROLE_ARN"}
	envRoleSessionName = []string{"ALIBABA_CLOUD_ROLE_SESSION_NAME"}
	envCredentialsURI  = []string{"ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI"}
	envECSRoleName     = []string{"ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"}
)

// Credential modes, as named in CredentialError and Credentials.Source.
const (
	ModeOIDC           = "OIDC"
	ModeCredentialsURI = "Credentials URI"
	ModeECSRAMRole     = "ECS RAM Role"
)

// AssumeRoleWithOIDC is the provider's alibaba.assume_role_with_oidc block (zero values =
// not set). The OIDC attribute names are the official alicloud provider's; session_name and
// session_duration are named as in this provider's assume_role block.
type AssumeRoleWithOIDC struct {
	OIDCProviderArn, OIDCToken, OIDCTokenFile string
	RoleArn, SessionName, Policy              string
	SessionDuration                           int // seconds
}

// CredentialErrorKind says what went wrong with a credential source.
type CredentialErrorKind int

const (
	// CredentialIncomplete: a setting the source needs is not set anywhere.
	CredentialIncomplete CredentialErrorKind = iota
	// CredentialTokenFile: the OIDC token file cannot be read.
	CredentialTokenFile
	// CredentialRefused: the source (STS, the URI, the metadata service) gave no credentials.
	CredentialRefused
)

// CredentialError reports a base credential source (Mode) that gives no credentials. Its
// message never holds a secret.
type CredentialError struct {
	Mode   string // ModeOIDC, ModeCredentialsURI or ModeECSRAMRole
	Kind   CredentialErrorKind
	Reason string
}

// Error names the mode and the reason.
func (e *CredentialError) Error() string {
	return fmt.Sprintf("Alibaba Cloud %s credentials: %s", e.Mode, e.Reason)
}

// dynamicSource is a base credential source found by dynamicBase.
type dynamicSource struct {
	mode     string
	source   string // for Credentials.Source
	provider providers.CredentialsProvider
	secrets  []string // values to keep out of messages, such as an inline OIDC token
	// tokenFile is the OIDC token file, whose read failures are CredentialTokenFile.
	tokenFile string
}

// dynamicBase picks the base credential source that is neither keys nor a profile, in the
// order of the documented precedence:
//
//  1. the assume_role_with_oidc block (each of its settings: the argument, then the
//     environment);
//  2. when no access key or secret is set as an argument or in the environment: OIDC from
//     the environment alone (ALIBABA_CLOUD_OIDC_TOKEN_FILE or ALIBABA_CLOUD_OIDC_TOKEN
//     present), then ALIBABA_CLOUD_CREDENTIALS_URI, then ALIBABA_CLOUD_ECS_METADATA.
//
// keysSet reports whether an access key or secret is set as an argument or in the
// environment. It returns nil when no source here applies: keys or the profile supply the
// credentials.
func dynamicBase(cfg Config, getenv func(string) string, keysSet bool, ecsProxy string) (*dynamicSource, error) {
	first := func(env []string) string {
		for _, name := range env {
			if v := getenv(name); v != "" {
				return v
			}
		}
		return ""
	}
	switch {
	case cfg.AssumeRoleWithOIDC != nil:
		if cfg.AccessKey != "" || cfg.SecretKey != "" {
			return nil, &CredentialError{Mode: ModeOIDC, Kind: CredentialIncomplete,
				Reason: "alibaba.assume_role_with_oidc cannot be combined with alibaba.access_key or alibaba.secret_key: remove one of them"}
		}
		return oidcSource(*cfg.AssumeRoleWithOIDC, cfg.Endpoints.STS, first, "alibaba.assume_role_with_oidc")
	case keysSet:
		return nil, nil
	case first(envOIDCTokenFile) != "" || first(envOIDCToken) != "":
		return oidcSource(AssumeRoleWithOIDC{}, cfg.Endpoints.STS, first, "environment (OIDC)")
	case first(envCredentialsURI) != "":
		uri := first(envCredentialsURI)
		b := providers.NewURLCredentialsProviderBuilder().WithUrl(uri)
		p, err := b.Build()
		if err != nil {
			return nil, &CredentialError{Mode: ModeCredentialsURI, Kind: CredentialIncomplete, Reason: err.Error()}
		}
		return &dynamicSource{mode: ModeCredentialsURI, source: "environment (credentials URI)", provider: p}, nil
	case first(envECSRoleName) != "":
		b := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(first(envECSRoleName))
		if ecsProxy != "" {
			// The tests' stand-in for the metadata service at its fixed address.
			b = b.WithHttpOptions(&providers.HttpOptions{Proxy: ecsProxy})
		}
		p, err := b.Build()
		if err != nil {
			return nil, &CredentialError{Mode: ModeECSRAMRole, Kind: CredentialRefused, Reason: err.Error()}
		}
		return &dynamicSource{mode: ModeECSRAMRole, source: "environment (ECS RAM role)", provider: p}, nil
	}
	return nil, nil
}

// oidcSource builds credentials-go's OIDC provider. Each setting is the argument, then its
// environment variable. The token file is read again at every exchange, so a rotated
// token (a Kubernetes projected service-account token) is picked up.
func oidcSource(o AssumeRoleWithOIDC, stsOverride string, first func([]string) string, source string) (*dynamicSource, error) {
	incomplete := func(attr string, env []string) error {
		return &CredentialError{Mode: ModeOIDC, Kind: CredentialIncomplete, Reason: fmt.Sprintf(
			"alibaba.assume_role_with_oidc.%s is not set: set it in the provider configuration or the environment variable %s",
			attr, strings.Join(env, " or "))}
	}
	providerArn := cmp.Or(o.OIDCProviderArn, first(envOIDCProviderArn))
	roleArn := cmp.Or(o.RoleArn, first(envRoleArn))
	sessionName := cmp.Or(o.SessionName, first(envRoleSessionName), DefaultSessionName)
	token, tokenFile := o.OIDCToken, o.OIDCTokenFile
	if token == "" && tokenFile == "" {
		token, tokenFile = first(envOIDCToken), first(envOIDCTokenFile)
		if token != "" {
			// As credentials-go and the official provider do: an inline token wins.
			tokenFile = ""
		}
	}
	switch {
	case token == "" && tokenFile == "":
		return nil, incomplete("oidc_token_file", append(append([]string{}, envOIDCTokenFile...), envOIDCToken...))
	case providerArn == "":
		return nil, incomplete("oidc_provider_arn", envOIDCProviderArn)
	case roleArn == "":
		return nil, incomplete("role_arn", envRoleArn)
	}
	if token == "" && first(envOIDCToken) != "" {
		// credentials-go sends ALIBABA_CLOUD_OIDC_TOKEN in preference to a configured token
		// file; rather than let the environment silently beat the argument, refuse.
		return nil, &CredentialError{Mode: ModeOIDC, Kind: CredentialIncomplete, Reason: "alibaba.assume_role_with_oidc.oidc_token_file " +
			"is set and so is the environment variable ALIBABA_CLOUD_OIDC_TOKEN, which credentials-go would send instead " +
			"of the file's token: unset the variable, or set oidc_token instead of oidc_token_file"}
	}
	host, err := stsHost(stsOverride)
	if err != nil {
		return nil, err
	}
	b := providers.NewOIDCCredentialsProviderBuilder().
		WithOIDCProviderARN(providerArn).
		WithRoleArn(roleArn).
		WithRoleSessionName(sessionName).
		WithDurationSeconds(o.SessionDuration).
		WithPolicy(o.Policy)
	if token != "" {
		b = b.WithOIDCToken(token)
	} else {
		b = b.WithOIDCTokenFilePath(tokenFile)
	}
	if host != "" {
		b = b.WithSTSEndpoint(host)
	}
	p, err := b.Build()
	if err != nil {
		return nil, &CredentialError{Mode: ModeOIDC, Kind: CredentialIncomplete, Reason: err.Error()}
	}
	return &dynamicSource{mode: ModeOIDC, source: source, provider: p, secrets: []string{token}, tokenFile: tokenFile}, nil
}

// fetch asks the source for its first credentials, so that a source that gives none is a
// set-up error that says why, not a failed read.
func (d *dynamicSource) fetch() (*providers.Credentials, error) {
	cc, err := d.provider.GetCredentials()
	if err == nil {
		return cc, nil
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// A request's URL may hold a token or signature: keep the cause only.
		err = urlErr.Err
	}
	redact := newRedactor(d.secrets...)
	var pathErr *fs.PathError
	if d.tokenFile != "" && errors.As(err, &pathErr) {
		return nil, &CredentialError{Mode: d.mode, Kind: CredentialTokenFile, Reason: fmt.Sprintf(
			"the OIDC token file %q cannot be read: %s", d.tokenFile, unwrapPathError(err))}
	}
	return nil, &CredentialError{Mode: d.mode, Kind: CredentialRefused, Reason: redact.clean(err.Error())}
}
