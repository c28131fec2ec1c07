# Both blocks are optional; credentials are only needed for the cloud whose data sources you read.
provider "cloudtask" {
  alibaba {
    region = "cn-hangzhou" # credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ~/.aliyun/config.json
  }
  tencent {
    region = "ap-guangzhou" # credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, or ~/.tccli
  }
}
