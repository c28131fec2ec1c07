package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// assumeRoleWithOIDCBlock is the schema of alibaba.assume_role_with_oidc. Its OIDC attribute
// names and environment variables are the official alicloud provider's; session_name and
// session_duration match the assume_role block (the official provider's role_session_name and
// session_expiration), so both role blocks read alike.
func assumeRoleWithOIDCBlock() schema.SingleNestedBlock {
	sibling := func(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }
	return schema.SingleNestedBlock{
		MarkdownDescription: "Base credentials from an OIDC token (RRSA on ACK, CI workload identity): " +
			"STS AssumeRoleWithOIDC through credentials-go's OIDC provider, which exchanges the token again, " +
			"re-reading the token file, before the temporary credentials expire, also during a long wait. " +
			"Each attribute falls back to its environment variable. Without this block, OIDC is still used " +
			"when `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (or `ALIBABA_CLOUD_OIDC_TOKEN`) is set and no access key or " +
			"secret is set as an argument or in the environment.\n\n" +
			"Base credentials come from the first of: `access_key`/`secret_key` or this block (they cannot be " +
			"combined); the key variables; OIDC variables; `ALIBABA_CLOUD_CREDENTIALS_URI` (then " +
			"`ALICLOUD_CREDENTIALS_URI`), a URL answering the credentials JSON; `ALIBABA_CLOUD_ECS_METADATA` (then " +
			"`ALICLOUD_ECS_ROLE_NAME`), the RAM role of the ECS instance, read from its metadata service (tested " +
			"only against a stand-in reached through credentials-go's HTTP proxy option, as the real service " +
			"lives at a fixed link-local address); then the profile. `assume_role`, when present, is assumed " +
			"on top of the base credentials, whichever supplied them.",
		Validators: []validator.Object{
			objectvalidator.ConflictsWith(sibling("access_key"), sibling("secret_key")),
		},
		Attributes: map[string]schema.Attribute{
			"oidc_provider_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ARN of the OIDC identity provider, `acs:ram::<account>:oidc-provider/<name>`. " +
					"Environment: `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`. Required, here or there.",
			},
			"oidc_token_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the file holding the OIDC token; read again at every exchange, so a " +
					"rotated token is picked up. Environment: `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. One of " +
					"`oidc_token_file` and `oidc_token` is required. When this is set, " +
					"`ALIBABA_CLOUD_OIDC_TOKEN` must not be: credentials-go would send that instead.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"oidc_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The OIDC token itself, such as a CI job's ID token. It is never refreshed, " +
					"so credentials last at most as long as the token is accepted. Environment: " +
					"`ALIBABA_CLOUD_OIDC_TOKEN`. Conflicts with `oidc_token_file`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(sibling("oidc_token_file")),
				},
			},
			"role_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ARN of the RAM role to assume, `acs:ram::<account>:role/<name>`. " +
					"Environment: `ALIBABA_CLOUD_ROLE_ARN`. Required, here or there.",
			},
			"session_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Role session name. Environment: `ALIBABA_CLOUD_ROLE_SESSION_NAME`. " +
					"Default `terraform-provider-cloudtask`.",
			},
			"policy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A policy document (JSON) that narrows the role's permissions.",
			},
			"session_duration": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Lifetime of the temporary credentials in seconds, from 900 to the role's " +
					"maximum. Default 3600.",
				Validators: []validator.Int64{int64validator.AtLeast(900)},
			},
		},
	}
}
