// Package provider is the Terraform glue of the cloudtask provider: the provider configuration and
// the five data sources. Cloud access lives in internal/alibaba and internal/tencent, waiting in
// internal/wait; this package only maps between them and Terraform.
package provider

import (
	"context"
	"maps"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

var _ provider.Provider = (*cloudtaskProvider)(nil)

// New returns a constructor of the provider for providerserver.Serve and the acceptance tests.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &cloudtaskProvider{version: version}
	}
}

type cloudtaskProvider struct {
	version string
	tuning  tuning
}

// tuning holds the timings that production leaves at their defaults and tests shorten, so that
// retry and not-found paths run in seconds. The zero value means the defaults.
type tuning struct {
	backoff       *wait.Backoff // per-request retries; nil = wait.DefaultBackoff()
	notFoundGrace time.Duration // 0 = the wait engine's default (30s)
	clock         wait.Clock    // the wait's clock; nil = the wall clock
}

type providerModel struct {
	Alibaba *alibabaModel `tfsdk:"alibaba"`
	Tencent *tencentModel `tfsdk:"tencent"`
}

type alibabaModel struct {
	AccessKey     types.String           `tfsdk:"access_key"`
	SecretKey     types.String           `tfsdk:"secret_key"`
	SecurityToken types.String           `tfsdk:"security_token"`
	Region        types.String           `tfsdk:"region"`
	Profile       types.String           `tfsdk:"profile"`
	AssumeRole    *assumeRoleModel       `tfsdk:"assume_role"`
	Endpoints     *alibabaEndpointsModel `tfsdk:"endpoints"`
	// AssumeRoleWithOIDC is last so that the blocks above keep their lines.
	AssumeRoleWithOIDC *assumeRoleWithOIDCModel `tfsdk:"assume_role_with_oidc"`
}

// assumeRoleWithOIDCModel is alibaba.assume_role_with_oidc, named as the official alicloud
// provider names it.
type assumeRoleWithOIDCModel struct {
	OIDCProviderArn types.String `tfsdk:"oidc_provider_arn"`
	OIDCToken       types.String `tfsdk:"oidc_token"`
	OIDCTokenFile   types.String `tfsdk:"oidc_token_file"`
	RoleArn         types.String `tfsdk:"role_arn"`
	SessionName     types.String `tfsdk:"session_name"`
	Policy          types.String `tfsdk:"policy"`
	SessionDuration types.Int64  `tfsdk:"session_duration"`
}

type assumeRoleModel struct {
	RoleArn         types.String `tfsdk:"role_arn"`
	SessionName     types.String `tfsdk:"session_name"`
	SessionDuration types.Int64  `tfsdk:"session_duration"`
	Policy          types.String `tfsdk:"policy"`
	ExternalID      types.String `tfsdk:"external_id"`
}

type alibabaEndpointsModel struct {
	PolarDB types.String `tfsdk:"polardb"`
	BDRC    types.String `tfsdk:"bdrc"`
	Alidns  types.String `tfsdk:"alidns"`
	STS     types.String `tfsdk:"sts"`
}

type tencentModel struct {
	SecretID           types.String           `tfsdk:"secret_id"`
	SecretKey          types.String           `tfsdk:"secret_key"`
	SecurityToken      types.String           `tfsdk:"security_token"`
	Region             types.String           `tfsdk:"region"`
	Profile            types.String           `tfsdk:"profile"`
	CAMRoleName        types.String           `tfsdk:"cam_role_name"`
	AssumeRole         *assumeRoleModel       `tfsdk:"assume_role"`
	AssumeRoleWithOIDC *tencentOIDCModel      `tfsdk:"assume_role_with_oidc"`
	Endpoints          *tencentEndpointsModel `tfsdk:"endpoints"`
}

type tencentEndpointsModel struct {
	Batch types.String `tfsdk:"batch"`
	STS   types.String `tfsdk:"sts"`
}

func (p *cloudtaskProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudtask"
	resp.Version = p.version
}

func (p *cloudtaskProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoint := func(service, example string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Override of the " + service + " endpoint: a URL whose scheme is optional " +
				"(`https` when absent), such as `" + example + "` or `http://127.0.0.1:8080` for a local " +
				"emulator or private gateway. Only a scheme, host and port are allowed.",
			Validators: []validator.String{endpointValidator{}},
		}
	}
	bdrcRegions := backtickList(alibaba.BDRCRegions)
	bdrcEndpoint := endpoint("BDRC", "https://bdrc.cn-shanghai.aliyuncs.com")
	bdrcEndpoint.MarkdownDescription += " The default is `bdrc.<region>.aliyuncs.com`, and BDRC has endpoints " +
		"only in " + bdrcRegions + ": with another `region`, a BDRC read fails with an error " +
		"that asks for this override or one of those regions (no request is sent to a guessed host)."
	resp.Schema = schema.Schema{
		MarkdownDescription: "The cloudtask provider reads the outcome of asynchronous cloud tasks on " +
			"Alibaba Cloud and Tencent Cloud, and can block a Terraform run until a task reaches a " +
			"terminal state. Both blocks are optional: credentials of a cloud are only resolved when a " +
			"data source of that cloud is read.",
		Blocks: map[string]schema.Block{
			"alibaba": schema.SingleNestedBlock{
				MarkdownDescription: "Alibaba Cloud access, used by the PolarDB, BDRC and Alidns data " +
					"sources. Each argument falls back to its environment variables, then to the " +
					"profile in `~/.aliyun/config.json`.",
				Attributes: map[string]schema.Attribute{
					"access_key": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "AccessKey ID. Environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, " +
							"then `ALICLOUD_ACCESS_KEY`.",
					},
					"secret_key": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "AccessKey secret. Environment: `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, " +
							"then `ALICLOUD_SECRET_KEY`.",
					},
					"security_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "STS security token, for temporary credentials. Environment: " +
							"`ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`.",
					},
					"region": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Region ID, which also selects the default endpoints (BDRC has " +
							"endpoints only in " + bdrcRegions + "). " +
							"Environment: `ALIBABA_CLOUD_REGION_ID`, then `ALICLOUD_REGION`. Default `cn-hangzhou`.",
					},
					"profile": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Profile name in `~/.aliyun/config.json`, read with the official " +
							"credential library (credentials-go), so every aliyun CLI mode works: `AK`, `StsToken`, " +
							"`RamRoleArn`, `ChainableRamRoleArn`, `EcsRamRole`, `OIDC` and the others it knows. " +
							"Temporary credentials of a profile are refreshed during long waits. Environment: " +
							"`ALIBABA_CLOUD_PROFILE`, then `ALICLOUD_PROFILE`; otherwise the file's current " +
							"profile, then `default`.",
					},
				},
				Blocks: map[string]schema.Block{
					"assume_role": schema.SingleNestedBlock{
						MarkdownDescription: "Assume a RAM role (STS AssumeRole, through credentials-go's " +
							"RamRoleArn provider) on top of whatever supplied the base credentials: the " +
							"arguments, the environment or the profile. The temporary credentials are " +
							"refreshed before they expire, also during a long wait. Without the block, " +
							"`ALICLOUD_ASSUME_ROLE_ARN` alone assumes that role; with it, each unset attribute falls " +
							"back to its environment variable (the official alicloud provider's).",
						Attributes: map[string]schema.Attribute{
							"role_arn": schema.StringAttribute{
								Optional: true,
								MarkdownDescription: "ARN of the role, `acs:ram::<account>:role/<name>`; required " +
									"when the block is present. Environment: `ALICLOUD_ASSUME_ROLE_ARN`.",
							},
							"session_name": schema.StringAttribute{
								Optional: true,
								MarkdownDescription: "Role session name. Environment: `ALICLOUD_ASSUME_ROLE_SESSION_NAME`. " +
									"Default `terraform-provider-cloudtask`.",
							},
							"session_duration": schema.Int64Attribute{
								Optional: true,
								MarkdownDescription: "Lifetime of the temporary credentials in seconds, from 900 " +
									"to the role's maximum. Environment: `ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION`. Default 3600.",
								Validators: []validator.Int64{int64validator.AtLeast(900)},
							},
							"policy": schema.StringAttribute{
								Optional:            true,
								MarkdownDescription: "A policy document (JSON) that narrows the role's permissions.",
							},
							"external_id": schema.StringAttribute{
								Optional:  true,
								Sensitive: true,
								MarkdownDescription: "External ID the role's trust policy asks for. Sensitive, as in the " +
									"`tencent` block: it guards the role against a confused deputy, so it is kept out of plans " +
									"and logs.",
							},
						},
					},
					"assume_role_with_oidc": assumeRoleWithOIDCBlock(),
					"endpoints": schema.SingleNestedBlock{
						MarkdownDescription: "Endpoint overrides per service.",
						Attributes: map[string]schema.Attribute{
							"polardb": endpoint("PolarDB", "https://polardb.aliyuncs.com"),
							"bdrc":    bdrcEndpoint,
							"alidns":  endpoint("Alidns", "https://alidns.aliyuncs.com"),
							"sts": schema.StringAttribute{
								Optional: true,
								MarkdownDescription: "Override of the STS endpoint that `assume_role` calls, " +
									"such as `sts.cn-shanghai.aliyuncs.com`: a host and optional port, or an " +
									"`https` URL. credentials-go speaks only HTTPS to STS, so `http` is refused. " +
									"The default is `sts.aliyuncs.com`.",
								Validators: []validator.String{endpointValidator{}},
							},
						},
					},
				},
			},
			"tencent": schema.SingleNestedBlock{
				MarkdownDescription: "Tencent Cloud access, used by the Batch data source, through the credential " +
					"providers of the official SDK (tencentcloud-sdk-go's `common`). The base credentials come from " +
					"the arguments, then the environment, then the CVM role, then the tccli profile " +
					"(`~/.tccli/<profile>.credential`), then `~/.tencentcloud/credentials`; `assume_role` and " +
					"`assume_role_with_oidc` turn them into a role's temporary keys.",
				Attributes: mergeAttributes(map[string]schema.Attribute{
					"secret_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "SecretId. Environment: `TENCENTCLOUD_SECRET_ID`.",
					},
					"secret_key": schema.StringAttribute{
						Optional:            true,
						Sensitive:           true,
						MarkdownDescription: "SecretKey. Environment: `TENCENTCLOUD_SECRET_KEY`.",
					},
					"security_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Temporary security token, for temporary keys; it also replaces the token " +
							"of a profile. Environment: `TENCENTCLOUD_SECURITY_TOKEN`.",
					},
					"region": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Region sent with every request. Environment: " +
							"`TENCENTCLOUD_REGION`; then the tccli profile's `~/.tccli/<profile>.configure`. Default `ap-guangzhou`.",
					},
					"profile": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "tccli profile name: `~/.tccli/<profile>.credential` (keys `secretId`, " +
							"`secretKey`, `token`), read by the SDK's TccliProfileProvider when no keys are set as " +
							"arguments or in the environment. When no profile is named and that file does not exist, " +
							"`~/.tencentcloud/credentials` (section `[default]`, keys `secret_id`, `secret_key`; or the " +
							"file named by `TENCENTCLOUD_CREDENTIALS_FILE`) is read by the SDK's ProfileProvider. " +
							"Environment: `TENCENTCLOUD_PROFILE`, then `TCCLI_PROFILE`. Default `default`.",
					},
				}, tencentCredentialAttributes()),
				Blocks: mergeBlocks(map[string]schema.Block{
					"endpoints": schema.SingleNestedBlock{
						MarkdownDescription: "Endpoint overrides per service.",
						Attributes: map[string]schema.Attribute{
							"batch": endpoint("Batch", "https://batch.tencentcloudapi.com"),
							"sts":   tencentSTSEndpointAttribute(),
						},
					},
				}, tencentCredentialBlocks()),
			},
		},
	}
}

// mergeAttributes adds extra to base; the names are distinct.
func mergeAttributes(base, extra map[string]schema.Attribute) map[string]schema.Attribute {
	maps.Copy(base, extra)
	return base
}

// mergeBlocks adds extra to base; the names are distinct.
func mergeBlocks(base, extra map[string]schema.Block) map[string]schema.Block {
	maps.Copy(base, extra)
	return base
}

func (p *cloudtaskProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	// The provider's first log line says which build is running, as the User-Agent tells the clouds.
	tflog.Info(ctx, "Configuring terraform-provider-cloudtask "+p.version, map[string]any{"version": p.version})
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.DataSourceData = newProviderData(p.version, p.tuning, alibabaConfig(config.Alibaba), tencentConfig(config.Tencent))
}

func (p *cloudtaskProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}

func (p *cloudtaskProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPolarDBBatchTaskDataSource,
		NewBDRCTaskDataSource,
		NewAlidnsBatchResultDataSource,
		NewPolarDBTasksDataSource,
		NewTencentBatchTaskDataSource,
	}
}

// providerData is what every data source receives: the resolved configuration and the SDK clients,
// each built once, on the first read of its cloud, and then shared by all reads of the provider.
type providerData struct {
	userAgent string

	alibabaConfig alibaba.Config
	alibabaOnce   sync.Once
	alibabaClient *alibaba.Client
	alibabaErr    error

	tencentConfig tencent.Config
	tencentOnce   sync.Once
	tencentClient *tencent.Client
	tencentErr    error

	tuning tuning
}

func newProviderData(version string, t tuning, ali alibaba.Config, tc tencent.Config) *providerData {
	return &providerData{
		userAgent:     userAgent(version),
		alibabaConfig: ali,
		tencentConfig: tc,
		tuning:        t,
	}
}

// userAgent names the provider and its version in every request, as "terraform-provider-cloudtask/0.1.0".
func userAgent(version string) string {
	return "terraform-provider-cloudtask/" + version
}

// alibaba returns the shared Alibaba client, resolving credentials on first use. When the
// client cannot be built it reports why in diags and returns nil.
func (d *providerData) alibaba(diags *diag.Diagnostics) *alibaba.Client {
	d.alibabaOnce.Do(func() {
		d.alibabaClient, d.alibabaErr = alibaba.NewClient(d.alibabaConfig, alibaba.ClientOptions{
			Getenv:    os.Getenv,
			UserAgent: d.userAgent,
			Backoff:   d.tuning.backoff,
		})
	})
	if d.alibabaErr != nil {
		addClientError(diags, cloudAlibaba, d.alibabaErr)
		return nil
	}
	return d.alibabaClient
}

// tencent returns the shared Tencent client, resolving credentials on first use. When the
// client cannot be built it reports why in diags and returns nil.
func (d *providerData) tencent(diags *diag.Diagnostics) *tencent.Client {
	d.tencentOnce.Do(func() {
		d.tencentClient, d.tencentErr = tencent.NewClient(d.tencentConfig, tencent.ClientOptions{
			Getenv:    os.Getenv,
			UserAgent: d.userAgent,
			Backoff:   d.tuning.backoff,
		})
	})
	if d.tencentErr != nil {
		addClientError(diags, cloudTencent, d.tencentErr)
		return nil
	}
	return d.tencentClient
}

func alibabaConfig(m *alibabaModel) alibaba.Config {
	if m == nil {
		return alibaba.Config{}
	}
	cfg := alibaba.Config{
		AccessKey:     m.AccessKey.ValueString(),
		SecretKey:     m.SecretKey.ValueString(),
		SecurityToken: m.SecurityToken.ValueString(),
		Region:        m.Region.ValueString(),
		Profile:       m.Profile.ValueString(),
	}
	if m.Endpoints != nil {
		cfg.Endpoints = alibaba.Endpoints{
			PolarDB: m.Endpoints.PolarDB.ValueString(),
			BDRC:    m.Endpoints.BDRC.ValueString(),
			Alidns:  m.Endpoints.Alidns.ValueString(),
			STS:     m.Endpoints.STS.ValueString(),
		}
	}
	if o := m.AssumeRoleWithOIDC; o != nil {
		cfg.AssumeRoleWithOIDC = &alibaba.AssumeRoleWithOIDC{
			OIDCProviderArn: o.OIDCProviderArn.ValueString(),
			OIDCToken:       o.OIDCToken.ValueString(),
			OIDCTokenFile:   o.OIDCTokenFile.ValueString(),
			RoleArn:         o.RoleArn.ValueString(),
			SessionName:     o.SessionName.ValueString(),
			Policy:          o.Policy.ValueString(),
			SessionDuration: int(o.SessionDuration.ValueInt64()),
		}
	}
	if r := m.AssumeRole; r != nil {
		cfg.AssumeRole = &alibaba.AssumeRole{
			RoleArn:         r.RoleArn.ValueString(),
			SessionName:     r.SessionName.ValueString(),
			SessionDuration: int(r.SessionDuration.ValueInt64()),
			Policy:          r.Policy.ValueString(),
			ExternalID:      r.ExternalID.ValueString(),
		}
	}
	return cfg
}

func tencentConfig(m *tencentModel) tencent.Config {
	if m == nil {
		return tencent.Config{}
	}
	cfg := tencent.Config{
		SecretID:      m.SecretID.ValueString(),
		SecretKey:     m.SecretKey.ValueString(),
		SecurityToken: m.SecurityToken.ValueString(),
		Region:        m.Region.ValueString(),
		Profile:       m.Profile.ValueString(),
	}
	if m.Endpoints != nil {
		cfg.Endpoints = tencent.Endpoints{Batch: m.Endpoints.Batch.ValueString(), STS: m.Endpoints.STS.ValueString()}
	}
	tencentRoleConfig(m, &cfg)
	return cfg
}
