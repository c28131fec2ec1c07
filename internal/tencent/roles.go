package tencent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
)

// DefaultSTSEndpoint is the host of Tencent STS.
const DefaultSTSEndpoint = "sts.tencentcloudapi.com"

const (
	stsService = "sts"
	stsVersion = "2018-08-13"

	// ActionAssumeRole and ActionAssumeRoleWithWebIdentity name the STS calls in errors.
	ActionAssumeRole                = "AssumeRole"
	ActionAssumeRoleWithWebIdentity = "AssumeRoleWithWebIdentity"

	// maxRenewMargin bounds how long before expiry temporary credentials are renewed.
	maxRenewMargin = 5 * time.Minute
)

// AssumeRoleError reports that STS refused, or could not be asked, to issue a role's
// credentials. It holds no secret.
type AssumeRoleError struct {
	Action    string // ActionAssumeRole or ActionAssumeRoleWithWebIdentity
	RoleArn   string
	Code      string
	Message   string
	RequestID string
}

// Error names the call, the role and STS's answer.
func (e *AssumeRoleError) Error() string {
	msg := fmt.Sprintf("STS %s for role %s failed", e.Action, e.RoleArn)
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

func assumeRoleError(action, roleArn string, err error) *AssumeRoleError {
	e := &AssumeRoleError{Action: action, RoleArn: roleArn}
	var sdkErr *tcerr.TencentCloudSDKError
	var urlErr *url.Error
	switch {
	case errors.As(err, &sdkErr):
		e.Code, e.Message, e.RequestID = sdkErr.Code, clip(sdkErr.Message, maxClientMessage), sdkErr.RequestId
	case errors.As(err, &urlErr):
		e.Message = urlErr.Err.Error() // the URL is only the endpoint, but the cause is enough
	default:
		e.Message = clip(err.Error(), maxClientMessage)
	}
	return e
}

// stsHost turns the endpoints.sts override into the host[:port] the SDK wants; the SDK
// reaches STS over HTTPS only.
func stsHost(override string) (string, error) {
	if strings.TrimSpace(override) == "" {
		return DefaultSTSEndpoint, nil
	}
	ep, err := endpoint.Parse(override)
	if err != nil {
		return "", fmt.Errorf("tencent endpoints.sts: %w", err)
	}
	if ep.Scheme != "https" {
		return "", fmt.Errorf("tencent endpoints.sts %q: STS is reached over HTTPS only (tencentcloud-sdk-go); use an https URL or a bare host", override)
	}
	return ep.HostPort(), nil
}

// stsProfile is the SDK client profile of STS calls. The client's transport is the SDK's
// own, a clone of http.DefaultTransport, as for the SDK's RoleArnProvider.
func stsProfile(host string) *profile.ClientProfile {
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = host
	prof.HttpProfile.Scheme = "HTTPS"
	prof.HttpProfile.ReqMethod = "POST"
	prof.HttpProfile.ReqTimeout = int(requestTimeout / time.Second)
	prof.Language = "en-US"
	prof.RateLimitExceededMaxRetries = 0
	prof.NetworkFailureMaxRetries = 0
	prof.DisableRegionBreaker = true
	return prof
}

// temporaryKeys are one set of temporary credentials and when they expire.
type temporaryKeys struct {
	secretID, secretKey, token string
	issued, expires            time.Time
}

// renewMargin is how long before expiry the keys are renewed: a quarter of their lifetime,
// at most five minutes, so that no request is signed with keys about to lapse.
func (k temporaryKeys) renewMargin() time.Duration {
	return min(k.expires.Sub(k.issued)/4, maxRenewMargin)
}

// renewingCredential is a common.CredentialIface over temporary keys that asks for new ones
// before they expire. The SDK asks it for the keys on every request it signs, so a long wait
// always signs with valid keys. A failed renewal keeps the old keys while they last; after
// that, check reports the failure.
type renewingCredential struct {
	fetch func() (temporaryKeys, error)
	now   func() time.Time

	mu   sync.Mutex
	keys temporaryKeys
	err  error
}

func newRenewingCredential(fetch func() (temporaryKeys, error)) (*renewingCredential, error) {
	c := &renewingCredential{fetch: fetch, now: time.Now}
	keys, err := fetch()
	if err != nil {
		return nil, err
	}
	c.keys = keys
	return c, nil
}

func (c *renewingCredential) renewLocked() {
	if c.now().Before(c.keys.expires.Add(-c.keys.renewMargin())) {
		return
	}
	keys, err := c.fetch()
	if err != nil {
		c.err = err
		return
	}
	c.keys, c.err = keys, nil
}

// check renews the keys when due and returns the renewal's error once the keys expired.
func (c *renewingCredential) check() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.renewLocked()
	if c.err != nil && !c.now().Before(c.keys.expires) {
		return c.err
	}
	return nil
}

// GetCredential returns the keys, renewed when due; the SDK calls it for every request.
func (c *renewingCredential) GetCredential() (string, string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.renewLocked()
	return c.keys.secretID, c.keys.secretKey, c.keys.token
}

// GetSecretId implements common.CredentialIface.
func (c *renewingCredential) GetSecretId() string { id, _, _ := c.GetCredential(); return id }

// GetSecretKey implements common.CredentialIface.
func (c *renewingCredential) GetSecretKey() string { _, key, _ := c.GetCredential(); return key }

// GetToken implements common.CredentialIface.
func (c *renewingCredential) GetToken() string { _, _, token := c.GetCredential(); return token }

// stsAnswer is the part of an AssumeRole answer that is read.
type stsAnswer struct {
	Response struct {
		Credentials struct {
			Token        string `json:"Token"`
			TmpSecretID  string `json:"TmpSecretId"`
			TmpSecretKey string `json:"TmpSecretKey"`
		} `json:"Credentials"`
		ExpiredTime int64  `json:"ExpiredTime"`
		RequestID   string `json:"RequestId"`
	} `json:"Response"`
}

// assumeRoleCredential assumes ar with base, signed TC3 by the SDK's CommonClient. The SDK's
// RoleArnProvider is not used: it cannot send Policy or ExternalId.
func assumeRoleCredential(base common.CredentialIface, ar AssumeRole, region, host, requestClient string) (*renewingCredential, error) {
	client := common.NewCommonClient(base, region, stsProfile(host))
	if requestClient != "" {
		client.WithRequestClient(requestClient)
	}
	params := map[string]any{
		"RoleArn":         ar.RoleArn,
		"RoleSessionName": ar.SessionName,
		"DurationSeconds": ar.SessionDuration,
	}
	if ar.Policy != "" {
		// The API takes the policy URL-encoded.
		params["Policy"] = strings.ReplaceAll(url.QueryEscape(ar.Policy), "+", "%20")
	}
	if ar.ExternalID != "" {
		params["ExternalId"] = ar.ExternalID
	}
	fetch := func() (temporaryKeys, error) {
		req := tchttp.NewCommonRequest(stsService, stsVersion, ActionAssumeRole)
		if err := req.SetActionParameters(params); err != nil {
			return temporaryKeys{}, assumeRoleError(ActionAssumeRole, ar.RoleArn, err)
		}
		return exchange(client, req, ar.RoleArn)
	}
	return newRenewingCredential(fetch)
}

// exchange sends an STS request that answers temporary credentials and reads them.
func exchange(client *common.Client, req *tchttp.CommonRequest, roleArn string) (temporaryKeys, error) {
	action := req.GetAction()
	issued := time.Now()
	resp := &rawResponse{BaseResponse: &tchttp.BaseResponse{}}
	if err := client.Send(req, resp); err != nil {
		return temporaryKeys{}, assumeRoleError(action, roleArn, err)
	}
	var ans stsAnswer
	if err := json.Unmarshal(resp.body, &ans); err != nil || ans.Response.Credentials.TmpSecretID == "" || ans.Response.ExpiredTime == 0 {
		return temporaryKeys{}, &AssumeRoleError{Action: action, RoleArn: roleArn, Code: codeMalformedResponse,
			Message: "the answer holds no temporary credentials", RequestID: requestIDOf(resp.body)}
	}
	c := ans.Response.Credentials
	return temporaryKeys{secretID: c.TmpSecretID, secretKey: c.TmpSecretKey, token: c.Token,
		issued: issued, expires: time.Unix(ans.Response.ExpiredTime, 0)}, nil
}

// oidcCredential exchanges the OIDC token for the role's credentials (AssumeRoleWithWebIdentity,
// unsigned, sent by the SDK's CommonClient as its OIDCRoleArnProvider sends it) and renews them
// before they expire. A token file is read again for every exchange: a projected token (TKE,
// Kubernetes) is rotated by the kubelet and the one read at start may be gone by the renewal.
// The SDK's provider is not used: its RoleArnCredential renews with the token it was given.
func oidcCredential(o AssumeRoleWithOIDC, region, host, requestClient string) (*renewingCredential, error) {
	client := common.NewCommonClient(nil, region, stsProfile(host))
	if requestClient != "" {
		client.WithRequestClient(requestClient)
	}
	fetch := func() (temporaryKeys, error) {
		token := strings.TrimSpace(o.OIDCToken)
		if token == "" {
			var err error
			if token, err = readTokenFile(o.OIDCTokenFile); err != nil {
				return temporaryKeys{}, err
			}
		}
		req := tchttp.NewCommonRequest(stsService, stsVersion, ActionAssumeRoleWithWebIdentity)
		req.SetSkipSign(true)
		if err := req.SetActionParameters(map[string]any{
			"ProviderId":       o.ProviderID,
			"WebIdentityToken": token,
			"RoleArn":          o.RoleArn,
			"RoleSessionName":  o.SessionName,
			"DurationSeconds":  o.SessionDuration,
		}); err != nil {
			return temporaryKeys{}, assumeRoleError(ActionAssumeRoleWithWebIdentity, o.RoleArn, err)
		}
		return exchange(client, req, o.RoleArn)
	}
	return newRenewingCredential(fetch)
}

// validateRoleSettings checks what plan-time validation cannot see: values that came from
// the environment.
func validateRoleSettings(r resolved) error {
	check := func(block, roleArn string, duration int) error {
		if strings.TrimSpace(roleArn) == "" {
			return fmt.Errorf("tencent.%s.role_arn is not set: set it in the block or the environment variable %s", block, EnvAssumeRoleArn)
		}
		if duration < 1 || duration > MaxSessionDuration {
			return fmt.Errorf("tencent.%s.session_duration (or %s) must be a number of seconds from 1 to %d", block, EnvAssumeRoleSessionDuration, MaxSessionDuration)
		}
		return nil
	}
	if o := r.oidc; o != nil {
		if err := check("assume_role_with_oidc", o.RoleArn, o.SessionDuration); err != nil {
			return err
		}
		if strings.TrimSpace(o.OIDCToken) == "" && strings.TrimSpace(o.OIDCTokenFile) == "" {
			return fmt.Errorf("tencent.assume_role_with_oidc needs oidc_token or oidc_token_file (or %s, %s, %s)",
				EnvWebIdentityToken, EnvWebIdentityTokenFile, EnvTKETokenFile)
		}
	}
	if a := r.assumeRole; a != nil {
		if err := check("assume_role", a.RoleArn, a.SessionDuration); err != nil {
			return err
		}
	}
	return nil
}
