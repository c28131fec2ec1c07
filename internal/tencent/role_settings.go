package tencent

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// oidcSettings returns the OIDC role settings, each falling back to its environment
// variables, or nil when the mode is off. It is on with the assume_role_with_oidc block, or
// when the environment carries a web identity token (TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN
// or _FILE) or TKE's pod identity (TKE_ROLE_ARN, TKE_PROVIDER_ID and TKE_WEB_IDENTITY_TOKEN_FILE)
// while no keys are set as arguments or in the environment and no CVM role as an argument: keys
// in the environment come before OIDC from the environment, as in the SDK's default chain and
// on the Alibaba side.
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
