package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tencent STS (Version 2018-08-13). The SDK reaches STS over HTTPS only, so tests point it at
// the TLS listener (TLSHost).
const (
	// APITencentAssumeRole is Tencent STS AssumeRole, signed TC3 with the caller's keys.
	APITencentAssumeRole = "tencent-sts:AssumeRole"
	// APITencentAssumeRoleWithWebIdentity is Tencent STS AssumeRoleWithWebIdentity, which the
	// SDK sends unsigned (Authorization: SKIP): the OIDC token is the proof.
	APITencentAssumeRoleWithWebIdentity = "tencent-sts:AssumeRoleWithWebIdentity"
)

const (
	tencentSTSService        = "sts"
	tencentSTSVersion        = "2018-08-13"
	tencentDefaultSTSSeconds = 7200
	tencentMaxSTSSeconds     = 43200
)

// tencentRoleArn is the shape of a CAM role ARN: qcs::cam::uin/<account>:roleName/<name>.
var tencentRoleArn = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:role(Name)?/[\w+=,.@-]+$`)

// tencentSessionName is RoleSessionName's documented alphabet and length.
var tencentSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)

// IssuedTencentCredential describes one temporary Tencent credential the emulator issued.
type IssuedTencentCredential struct {
	API                      string // APITencentAssumeRole or APITencentAssumeRoleWithWebIdentity
	SecretID, Token          string
	SecretKey                string // the temporary secret answered with SecretID
	RoleArn, RoleSessionName string
	ProviderID               string // AssumeRoleWithWebIdentity only
	OIDCToken                string // AssumeRoleWithWebIdentity only: the token exchanged
	Policy, ExternalID       string // AssumeRole only; Policy URL-decoded
	SignedBy                 string // the SecretId that signed AssumeRole
	DurationSeconds          int
	Expiration               time.Time
}

// IssuedTencentCredentials returns the temporary credentials Tencent STS issued, in order.
func (s *Server) IssuedTencentCredentials() []IssuedTencentCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]IssuedTencentCredential(nil), s.tencentIssued...)
}

// TencentIssuedSigners checks the recorded requests to api against the temporary credentials
// Tencent STS issued: it returns how many distinct SecretIds signed them, and the indexes of
// the requests signed with a SecretId STS did not issue or sent without that key's own token.
func (s *Server) TencentIssuedSigners(api string) (keys int, foreign []int) {
	issued := map[string]string{}
	for _, c := range s.IssuedTencentCredentials() {
		issued[c.SecretID] = c.Token
	}
	seen := map[string]bool{}
	for i, r := range s.Requests(api) {
		if token, ok := issued[r.AccessKeyID]; !ok || r.SecurityToken != token {
			foreign = append(foreign, i)
		}
		seen[r.AccessKeyID] = true
	}
	return len(seen), foreign
}

// tencentAction maps a Tencent X-TC-Action and X-TC-Version to the API, its service and
// version for the credential scope; ok is false for an action the emulator does not serve.
func tencentAction(action, version string) (api, service string, ok bool) {
	switch {
	case action == "DescribeTask":
		return APITencentTask, tencentService, true
	case action == "AssumeRole" && version == tencentSTSVersion:
		return APITencentAssumeRole, tencentSTSService, true
	case action == "AssumeRoleWithWebIdentity" && version == tencentSTSVersion:
		return APITencentAssumeRoleWithWebIdentity, tencentSTSService, true
	}
	return "", "", false
}

// tencentBodyParams decodes a Tencent JSON body into top-level strings and numbers.
func tencentBodyParams(body []byte) map[string]string {
	out := map[string]string{}
	flattenJSONBody(body, out)
	return out
}

// tencentSTSDuration validates DurationSeconds: default 7200, at most 43200.
func tencentSTSDuration(p map[string]string) (int, *apiError) {
	d := p["DurationSeconds"]
	if d == "" {
		return tencentDefaultSTSSeconds, nil
	}
	n, err := strconv.Atoi(d)
	if err != nil || n < 1 || n > tencentMaxSTSSeconds {
		return 0, &apiError{code: "InvalidParameter.ParamError", message: "DurationSeconds must be from 1 to 43200."}
	}
	return n, nil
}

// checkTencentRole validates the role ARN and session name and that the role exists.
func (s *Server) checkTencentRole(p map[string]string) *apiError {
	arn := p["RoleArn"]
	if !tencentRoleArn.MatchString(arn) {
		return &apiError{code: "InvalidParameter.ParamError", message: "RoleArn is not a CAM role ARN (qcs::cam::uin/<account>:roleName/<name>)."}
	}
	if !tencentSessionName.MatchString(p["RoleSessionName"]) {
		return &apiError{code: "InvalidParameter.ParamError", message: "RoleSessionName must be 2 to 128 characters of letters, digits and =,.@-_."}
	}
	s.mu.Lock()
	roles := s.sc.TencentRoles
	s.mu.Unlock()
	if roles != nil && !slices.Contains(roles, arn) {
		return &apiError{code: "ResourceNotFound.RoleNotExist", message: "The role does not exist."}
	}
	return nil
}

// tencentAssumeRole answers AssumeRole, signed with long-term or temporary keys.
func (s *Server) tencentAssumeRole(c *call) ([]byte, *apiError) {
	p := tencentBodyParams(c.body)
	if e := s.checkTencentRole(p); e != nil {
		return nil, e
	}
	duration, e := tencentSTSDuration(p)
	if e != nil {
		return nil, e
	}
	issued := IssuedTencentCredential{API: APITencentAssumeRole, RoleArn: p["RoleArn"], RoleSessionName: p["RoleSessionName"],
		ExternalID: p["ExternalId"], DurationSeconds: duration}
	if raw := p["Policy"]; raw != "" {
		policy, err := url.QueryUnescape(raw)
		if err != nil || !json.Valid([]byte(policy)) {
			return nil, &apiError{code: "InvalidParameter.PolicyTooLong", message: "Policy must be a URL-encoded JSON policy document."}
		}
		issued.Policy = policy
	}
	issued.SignedBy, _, _ = strings.Cut(strings.TrimPrefix(c.r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential="), "/")
	return s.issueTencent(c, issued)
}

// tencentAssumeRoleWithWebIdentity answers the unsigned OIDC exchange. Without
// Scenario.TencentOIDC the emulator takes any token with a JWT's three dot-separated parts
// from any provider; with it, only the provider's current token (see checkTencentOIDCToken).
func (s *Server) tencentAssumeRoleWithWebIdentity(c *call) ([]byte, *apiError) {
	p := tencentBodyParams(c.body)
	if p["ProviderId"] == "" {
		return nil, &apiError{code: "InvalidParameter.ParamError", message: "ProviderId is required."}
	}
	s.mu.Lock()
	scripted := s.sc.TencentOIDC != nil
	s.mu.Unlock()
	token := p["WebIdentityToken"]
	if parts := strings.Split(token, "."); !scripted && (len(parts) != 3 || slices.Contains(parts, "")) {
		return nil, &apiError{code: "InvalidParameter.WebIdentityTokenError", message: "The WebIdentityToken is not valid."}
	}
	if e := s.checkTencentRole(p); e != nil {
		return nil, e
	}
	duration, e := tencentSTSDuration(p)
	if e != nil {
		return nil, e
	}
	// Last, so that only an exchange that issues credentials counts towards the rotation.
	if e := s.checkTencentOIDCToken(p["ProviderId"], p["RoleArn"], token); e != nil {
		return nil, e
	}
	return s.issueTencent(c, IssuedTencentCredential{API: APITencentAssumeRoleWithWebIdentity, RoleArn: p["RoleArn"],
		RoleSessionName: p["RoleSessionName"], ProviderID: p["ProviderId"], OIDCToken: token, DurationSeconds: duration})
}

// issueTencent makes a temporary credential that lives DurationSeconds, or
// Scenario.TencentSTSLifetime when set, and answers it in STS's shape.
func (s *Server) issueTencent(c *call, issued IssuedTencentCredential) ([]byte, *apiError) {
	s.mu.Lock()
	lifetime, _ := time.ParseDuration(s.sc.TencentSTSLifetime) // Validate accepted it
	s.mu.Unlock()
	if lifetime <= 0 {
		lifetime = time.Duration(issued.DurationSeconds) * time.Second
	}
	// Whole seconds, as ExpiredTime (Unix seconds) can tell the client no finer.
	expires := c.now.Add(lifetime).Truncate(time.Second)
	issued.SecretID = "AKIDtmp" + strings.ReplaceAll(newUUID(false), "-", "")[:20]
	issued.SecretKey = "emu-tencent-tmp-secret-" + newUUID(false)
	issued.Token = "emu-tencent-token-" + newUUID(false)
	issued.Expiration = expires
	s.mu.Lock()
	if s.tencentSTS == nil {
		s.tencentSTS = map[string]stsCredential{}
	}
	s.tencentSTS[issued.SecretID] = stsCredential{secret: issued.SecretKey, token: issued.Token, expires: expires}
	s.tencentIssued = append(s.tencentIssued, issued)
	s.mu.Unlock()
	raw, err := json.Marshal(map[string]any{
		"Credentials": map[string]string{"Token": issued.Token, "TmpSecretId": issued.SecretID, "TmpSecretKey": issued.SecretKey},
		"ExpiredTime": expires.Unix(),
		"Expiration":  expires.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, internalError()
	}
	return tencentSuccess(c, raw)
}

// tencentTemporarySecret is the secret of a temporary SecretId, if it is one.
func (s *Server) tencentTemporarySecret(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cred, ok := s.tencentSTS[id]
	return cred.secret, ok
}

// checkTencentToken accepts a temporary SecretId only with its own X-TC-Token and before it
// expires; long-term keys need no token.
func (s *Server) checkTencentToken(id, token string, now time.Time) *apiError {
	s.mu.Lock()
	cred, temporary := s.tencentSTS[id]
	s.mu.Unlock()
	if !temporary {
		return nil
	}
	switch {
	case token == "":
		return authFailure("TokenFailure", "The temporary SecretId needs its token (X-TC-Token).")
	case token != cred.token:
		return authFailure("TokenFailure", "The token does not belong to the SecretId.")
	case !now.Before(cred.expires):
		return authFailure("TokenFailure", "The token has expired.")
	}
	return nil
}

// unsignedTencentAllowed reports whether api may be called without a signature.
func unsignedTencentAllowed(api string, r *http.Request) bool {
	return api == APITencentAssumeRoleWithWebIdentity && r.Header.Get("Authorization") == "SKIP"
}
