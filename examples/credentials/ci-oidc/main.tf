# In CI or a Kubernetes pod: no stored keys. The runner (or the pod's service-account token
# projection) writes a short-lived OIDC token to a file, and the provider exchanges it for a
# role's temporary credentials, again before they expire, re-reading the file each time. The
# same settings can come from the environment instead: ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
# ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (set by ACK's RRSA), or
# TKE_PROVIDER_ID, TKE_ROLE_ARN and TKE_WEB_IDENTITY_TOKEN_FILE (set by TKE), with no block at all.
variable "oidc_token_file" {
  type        = string
  description = "Path of the OIDC token the CI runner wrote for this job."
}

provider "cloudtask" {
  alibaba {
    region = "cn-shanghai"
    assume_role_with_oidc {
      oidc_provider_arn = "acs:ram::123456789012:oidc-provider/ci"
      role_arn          = "acs:ram::123456789012:role/terraform-reader"
      oidc_token_file   = var.oidc_token_file
      session_name      = "ci-task-wait"
    }
  }
  tencent {
    region = "ap-guangzhou"
    assume_role_with_oidc {
      provider_id     = "ci"
      role_arn        = "qcs::cam::uin/100000000001:roleName/terraform-reader"
      oidc_token_file = var.oidc_token_file
    }
  }
}
