package provider

import (
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
)

// The tencent block's credential settings: the CVM role, assume_role and assume_role_with_oidc,
// named as the official tencentcloud provider names them.

type tencentOIDCModel struct {
	RoleArn         types.String `tfsdk:"role_arn"`
	ProviderID      types.String `tfsdk:"provider_id"`
	OIDCToken       types.String `tfsdk:"oidc_token"`
	OIDCTokenFile   types.String `tfsdk:"oidc_token_file"`
	SessionName     types.String `tfsdk:"session_name"`
	SessionDuration types.Int64  `tfsdk:"session_duration"`
}

// tencentRoleArnPattern is a CAM role ARN: qcs::cam::uin/<account>:roleName/<name>.
var tencentRoleArnPattern = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:role(Name)?/[\w+=,.@-]+$`)

// tencentSessionNamePattern is RoleSessionName's documented alphabet and length.
var tencentSessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)

func tencentRoleArnValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(tencentRoleArnPattern,
		"must be a CAM role ARN such as `qcs::cam::uin/100000000001:roleName/reader`")}
}

func tencentSessionAttributes(call string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"session_name": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Role session name, 2 to 128 letters, digits and `=,.@-_`, shown in CloudAudit. " +
				"Environment: `" + tencent.EnvAssumeRoleSessionName + "`. Default `" + tencent.DefaultSessionName + "`.",
			Validators: []validator.String{stringvalidator.RegexMatches(tencentSessionNamePattern,
				"must be 2 to 128 letters, digits and =,.@-_")},
		},
		"session_duration": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Lifetime of the temporary credentials that " + call + " asks for, in seconds, " +
				"from 1 to " + strconv.Itoa(tencent.MaxSessionDuration) + " (and at most the role's maximum session " +
				"duration). They are renewed before they expire, also during a long wait. Environment: `" +
				tencent.EnvAssumeRoleSessionDuration + "`. Default " + strconv.Itoa(tencent.DefaultSessionDuration) + ".",
			Validators: []validator.Int64{int64validator.Between(1, tencent.MaxSessionDuration)},
		},
	}
}

// tencentCredentialAttributes are the tencent block's attributes added for issue 11.
func tencentCredentialAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"cam_role_name": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Name of the CAM role bound to the CVM instance Terraform runs on: the base " +
				"credentials are then the role's temporary keys from the instance metadata service " +
				"(`metadata.tencentyun.com`, through the SDK's CvmRoleProvider), renewed before they expire. " +
				"It cannot be combined with `secret_id`/`secret_key` or `assume_role_with_oidc`; as an argument it " +
				"beats keys from the environment. Environment: `" + tencent.EnvCAMRoleName + "`. The SDK's metadata address is " +
				"fixed, so this mode is tested with a stand-in for the metadata service inside the test process, " +
				"not with a real CVM instance nor through the terraform CLI.",
			Validators: []validator.String{stringvalidator.ConflictsWith(
				path.MatchRelative().AtParent().AtName("secret_id"), path.MatchRelative().AtParent().AtName("secret_key"))},
		},
	}
}

// tencentCredentialBlocks are the tencent block's role blocks.
func tencentCredentialBlocks() map[string]schema.Block {
	assumeRole := tencentSessionAttributes("AssumeRole")
	assumeRole["role_arn"] = schema.StringAttribute{
		// Required would be demanded even without the block; the block's validator asks for it.
		Optional: true,
		MarkdownDescription: "ARN of the role to assume, `qcs::cam::uin/<account>:roleName/<name>`; required " +
			"when the block is present. Without the " +
			"block, `" + tencent.EnvAssumeRoleArn + "` alone turns role assumption on (unless it serves " +
			"`assume_role_with_oidc`), with the other attributes from their environment variables.",
		Validators: tencentRoleArnValidators(),
	}
	assumeRole["policy"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "A policy document (JSON) that narrows the role's permissions for this session; it " +
			"is sent URL-encoded, as the API asks. No environment variable. Default: none.",
	}
	assumeRole["external_id"] = schema.StringAttribute{
		Optional:  true,
		Sensitive: true,
		MarkdownDescription: "External ID the role's trust policy asks for. Environment: `" +
			tencent.EnvAssumeRoleExternalID + "`. Default: none.",
	}

	oidc := tencentSessionAttributes("AssumeRoleWithWebIdentity")
	oidc["role_arn"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "ARN of the role to assume, `qcs::cam::uin/<account>:roleName/<name>`; required here " +
			"or in the environment: `" + tencent.EnvAssumeRoleArn + "`, then `" + tencent.EnvTKERoleArn + "`.",
		Validators: tencentRoleArnValidators(),
	}
	oidc["provider_id"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Name of the OIDC identity provider in CAM. Environment: `" + tencent.EnvProviderID +
			"`, then `" + tencent.EnvTKEProvider + "`. Default `" + tencent.DefaultOIDCProviderID + "`.",
	}
	oidc["oidc_token"] = schema.StringAttribute{
		Optional:  true,
		Sensitive: true,
		MarkdownDescription: "The OIDC token (a JWT) issued by the identity provider. Conflicts with " +
			"`oidc_token_file`. Environment: `" + tencent.EnvWebIdentityToken + "`.",
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("oidc_token_file"))},
	}
	oidc["oidc_token_file"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Path of a file holding the OIDC token, as TKE and CI runners write it (a JSON " +
			"object with a `web_identity_token` field is read too). It is read again for every " +
			"exchange, so the role's keys are renewed with the token the file holds then, as a projected " +
			"service-account token is rotated. Environment: `" +
			tencent.EnvWebIdentityTokenFile + "`, then `" + tencent.EnvTKETokenFile + "`.",
	}

	return map[string]schema.Block{
		"assume_role": schema.SingleNestedBlock{
			MarkdownDescription: "Assume a CAM role (STS AssumeRole, signed with the base credentials) on top of " +
				"whatever supplied them: the arguments, the environment, the CVM role, the profile, or " +
				"`assume_role_with_oidc`. The temporary keys are renewed before they expire, also during a long " +
				"wait. STS is `endpoints.sts`.",
			Attributes: assumeRole,
			Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("role_arn"))},
		},
		"assume_role_with_oidc": schema.SingleNestedBlock{
			MarkdownDescription: "Exchange an OIDC token for a CAM role's temporary keys (STS " +
				"AssumeRoleWithWebIdentity, unsigned, as the SDK's OIDCRoleArnProvider sends it), as on TKE with workload " +
				"identity or in CI. It replaces the base credentials, so it cannot be combined with `secret_id`, " +
				"`secret_key` or `cam_role_name`. Without the block, the mode is also on when no keys are set as " +
				"arguments or in the environment, no `cam_role_name` argument is set, and the environment holds `" +
				tencent.EnvWebIdentityToken + "` or `" + tencent.EnvWebIdentityTokenFile + "`, or TKE's `" +
				tencent.EnvTKERoleArn + "`, `" + tencent.EnvTKEProvider + "` and `" + tencent.EnvTKETokenFile + "`.",
			Attributes: oidc,
			Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("secret_id"),
				path.MatchRelative().AtParent().AtName("secret_key"), path.MatchRelative().AtParent().AtName("cam_role_name"))},
		},
	}
}

// tencentSTSEndpointAttribute is endpoints.sts of the tencent block.
func tencentSTSEndpointAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Override of the STS endpoint that `assume_role` and `assume_role_with_oidc` call, " +
			"such as `sts.ap-shanghai.tencentcloudapi.com`: a host and optional port, or an `https` URL. The SDK " +
			"speaks only HTTPS to STS, so `http` is refused. The default is `" + tencent.DefaultSTSEndpoint + "`.",
		Validators: []validator.String{endpointValidator{}},
	}
}

// tencentRoleConfig copies the role settings of m into cfg.
func tencentRoleConfig(m *tencentModel, cfg *tencent.Config) {
	cfg.CAMRoleName = m.CAMRoleName.ValueString()
	if r := m.AssumeRole; r != nil {
		cfg.AssumeRole = &tencent.AssumeRole{
			RoleArn:         r.RoleArn.ValueString(),
			SessionName:     r.SessionName.ValueString(),
			SessionDuration: int(r.SessionDuration.ValueInt64()),
			Policy:          r.Policy.ValueString(),
			ExternalID:      r.ExternalID.ValueString(),
		}
	}
	if o := m.AssumeRoleWithOIDC; o != nil {
		cfg.AssumeRoleWithOIDC = &tencent.AssumeRoleWithOIDC{
			RoleArn:         o.RoleArn.ValueString(),
			ProviderID:      o.ProviderID.ValueString(),
			OIDCToken:       o.OIDCToken.ValueString(),
			OIDCTokenFile:   o.OIDCTokenFile.ValueString(),
			SessionName:     o.SessionName.ValueString(),
			SessionDuration: int(o.SessionDuration.ValueInt64()),
		}
	}
}
