package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"
)

// APIAlibabaSTSOIDC is Alibaba STS AssumeRoleWithOIDC (RPC, Version 2015-04-01). It is an
// anonymous call: no AccessKeyId and no signature; the OIDC token is the proof of identity.
// Like AssumeRole it is reached over HTTPS (TLSHost) by credentials-go.
const APIAlibabaSTSOIDC = "sts:AssumeRoleWithOIDC"

// AlibabaOIDC is the OIDC identity provider the emulator's STS trusts, and the one role it
// may be exchanged for.
type AlibabaOIDC struct {
	// ProviderArn is the OIDC provider's ARN, acs:ram::<account>:oidc-provider/<name>.
	ProviderArn string `json:"provider_arn"`
	// RoleArn is the role the tokens may assume.
	RoleArn string `json:"role_arn"`
	// Tokens are the tokens the identity provider issues, in order; the first is current
	// at start. Only the current token is accepted: an earlier one is refused as expired.
	Tokens []string `json:"tokens"`
	// ExchangesPerToken rotates to the next token after that many successful exchanges of
	// the current one (the last token is never rotated out); 0 never rotates.
	ExchangesPerToken int `json:"exchanges_per_token,omitempty"`
	// TokenFile, when set, is where the emulator writes the current token, at Start and at
	// each rotation, as the kubelet writes a projected service-account token.
	TokenFile string `json:"token_file,omitempty"`
}

func (o *AlibabaOIDC) validate() error {
	var errs []error
	if o.ProviderArn == "" || o.RoleArn == "" {
		errs = append(errs, errors.New("alibaba_oidc needs provider_arn and role_arn"))
	}
	if len(o.Tokens) == 0 {
		errs = append(errs, errors.New("alibaba_oidc needs at least one token"))
	}
	for i, tok := range o.Tokens {
		if tok == "" {
			errs = append(errs, fmt.Errorf("alibaba_oidc token %d is empty", i))
		}
	}
	if o.ExchangesPerToken < 0 {
		errs = append(errs, errors.New("alibaba_oidc exchanges_per_token is negative"))
	}
	return errors.Join(errs...)
}

// oidcState is where the identity provider's rotation stands.
type oidcState struct {
	current   int // index in AlibabaOIDC.Tokens
	exchanges int // successful exchanges of the current token
}

// CurrentAlibabaOIDCToken is the token the scenario's identity provider issues now; empty
// without Scenario.AlibabaOIDC.
func (s *Server) CurrentAlibabaOIDCToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc.AlibabaOIDC == nil {
		return ""
	}
	return s.sc.AlibabaOIDC.Tokens[s.oidc.current]
}

// writeOIDCTokenFile writes the current token to the scenario's token file, if any. The
// caller holds s.mu or owns s alone.
func (s *Server) writeOIDCTokenFile() error {
	o := s.sc.AlibabaOIDC
	if o == nil || o.TokenFile == "" {
		return nil
	}
	if err := os.WriteFile(o.TokenFile, []byte(o.Tokens[s.oidc.current]), 0o600); err != nil {
		return fmt.Errorf("write the OIDC token file: %w", err)
	}
	return nil
}

// verifyAnonymousRPC checks what an unsigned RPC call still carries: a fresh timestamp in
// JSON format, and no access key (a signed call to an anonymous API is a client bug).
func verifyAnonymousRPC(c *call) *apiError {
	p := c.params
	for _, name := range []string{"Timestamp", "Format"} {
		if p[name] == "" {
			return missing(name)
		}
	}
	if p["Format"] != "JSON" {
		return invalidParam("Format")
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p["Timestamp"])
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}
	}
	return checkFreshness(c.now, ts, alibabaClockSkew)
}

// assumeRoleWithOIDC exchanges the scenario's current OIDC token for temporary credentials
// of its role, which expire like AssumeRole's.
func (s *Server) assumeRoleWithOIDC(c *call) ([]byte, *apiError) {
	p := c.params
	for _, name := range []string{"OIDCProviderArn", "RoleArn", "OIDCToken", "RoleSessionName"} {
		if p[name] == "" {
			return nil, missing(name)
		}
	}
	duration := 3600
	if d := p["DurationSeconds"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, invalidParam("DurationSeconds")
		}
		duration = n
	}
	s.mu.Lock()
	o := s.sc.AlibabaOIDC
	var e *apiError
	switch {
	case o == nil || p["OIDCProviderArn"] != o.ProviderArn:
		e = &apiError{http.StatusNotFound, "EntityNotExist.OIDCProvider", "The specified OIDC provider does not exist."}
	case p["RoleArn"] != o.RoleArn:
		e = &apiError{http.StatusNotFound, "EntityNotExist.Role", "The specified Role not exists."}
	case p["OIDCToken"] == o.Tokens[s.oidc.current]:
		s.oidc.exchanges++
		if o.ExchangesPerToken > 0 && s.oidc.exchanges >= o.ExchangesPerToken && s.oidc.current+1 < len(o.Tokens) {
			s.oidc.current++
			s.oidc.exchanges = 0
			if err := s.writeOIDCTokenFile(); err != nil {
				e = internalError()
			}
		}
	case slices.Contains(o.Tokens[:s.oidc.current], p["OIDCToken"]):
		e = &apiError{http.StatusBadRequest, "AuthenticationFail.OIDCToken.Expired", "The OIDC token is expired."}
	default:
		e = &apiError{http.StatusBadRequest, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid."}
	}
	s.mu.Unlock()
	if e != nil {
		return nil, e
	}
	return s.issueRoleCredentials(c, p["RoleArn"], p["RoleSessionName"], duration)
}
