package alibaba

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
)

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
