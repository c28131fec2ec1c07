package emulator

import (
	"errors"
	"fmt"
	"os"
	"slices"
)

// TencentOIDC is the OIDC identity provider that Tencent STS AssumeRoleWithWebIdentity
// trusts, with the tokens it issues in turn, as AlibabaOIDC is for Alibaba.
type TencentOIDC struct {
	// ProviderID is the identity provider's name in CAM, sent as ProviderId.
	ProviderID string `json:"provider_id"`
	// RoleArn, when set, is the one role the tokens may assume; empty trusts every role
	// (Scenario.TencentRoles still applies).
	RoleArn string `json:"role_arn,omitempty"`
	// Tokens are the tokens the identity provider issues, in order; the first is current at
	// start. Only the current token is accepted: an earlier one is refused as expired.
	Tokens []string `json:"tokens"`
	// ExchangesPerToken rotates to the next token after that many successful exchanges of
	// the current one (the last token is never rotated out); 0 never rotates.
	ExchangesPerToken int `json:"exchanges_per_token,omitempty"`
	// TokenFile, when set, is where the emulator writes the current token, at Start and at
	// each rotation, as the kubelet writes a projected service-account token.
	TokenFile string `json:"token_file,omitempty"`
}

func (o *TencentOIDC) validate() error {
	var errs []error
	if o.ProviderID == "" {
		errs = append(errs, errors.New("tencent_oidc needs provider_id"))
	}
	if len(o.Tokens) == 0 {
		errs = append(errs, errors.New("tencent_oidc needs at least one token"))
	}
	for i, tok := range o.Tokens {
		if tok == "" {
			errs = append(errs, fmt.Errorf("tencent_oidc token %d is empty", i))
		}
	}
	if o.ExchangesPerToken < 0 {
		errs = append(errs, errors.New("tencent_oidc exchanges_per_token is negative"))
	}
	return errors.Join(errs...)
}

// CurrentTencentOIDCToken is the token the scenario's Tencent identity provider issues now;
// empty without Scenario.TencentOIDC.
func (s *Server) CurrentTencentOIDCToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc.TencentOIDC == nil {
		return ""
	}
	return s.sc.TencentOIDC.Tokens[s.tencentOIDC.current]
}

// writeTencentOIDCTokenFile writes the current token to the scenario's token file, if any.
// The caller holds s.mu or owns s alone.
func (s *Server) writeTencentOIDCTokenFile() error {
	o := s.sc.TencentOIDC
	if o == nil || o.TokenFile == "" {
		return nil
	}
	if err := os.WriteFile(o.TokenFile, []byte(o.Tokens[s.tencentOIDC.current]), 0o600); err != nil {
		return fmt.Errorf("write the Tencent OIDC token file: %w", err)
	}
	return nil
}

// checkTencentOIDCToken accepts the scenario's current token for its provider and role, and
// counts the exchange towards the token's rotation. The caller has checked the token's shape
// when the scenario names no provider (then every token is taken).
func (s *Server) checkTencentOIDCToken(providerID, roleArn, token string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.sc.TencentOIDC
	switch {
	case o == nil:
		return nil
	case providerID != o.ProviderID:
		return &apiError{code: "InvalidParameter.ParamError", message: "ProviderId names no OIDC identity provider of the account."}
	case o.RoleArn != "" && roleArn != o.RoleArn:
		return &apiError{code: "UnauthorizedOperation", message: "The role's trust policy does not trust the OIDC identity provider."}
	case token == o.Tokens[s.tencentOIDC.current]:
		s.tencentOIDC.exchanges++
		if o.ExchangesPerToken > 0 && s.tencentOIDC.exchanges >= o.ExchangesPerToken && s.tencentOIDC.current+1 < len(o.Tokens) {
			s.tencentOIDC.current++
			s.tencentOIDC.exchanges = 0
			if err := s.writeTencentOIDCTokenFile(); err != nil {
				return &apiError{code: "InternalError.SystemError", message: "The identity provider could not rotate its token."}
			}
		}
		return nil
	case slices.Contains(o.Tokens[:s.tencentOIDC.current], token):
		return &apiError{code: "InvalidParameter.WebIdentityTokenError", message: "The WebIdentityToken has expired."}
	default:
		return &apiError{code: "InvalidParameter.WebIdentityTokenError", message: "The WebIdentityToken is not valid."}
	}
}
