# Both blocks are optional; credentials are only needed for the cloud whose data sources you read.
provider "cloudtask" {
  alibaba {
    # cn-shanghai has all three Alibaba services; BDRC has endpoints only in cn-shanghai,
    # ap-southeast-1 and cn-shanghai-finance-1.
    region = "cn-shanghai" # credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ~/.aliyun/config.json
  }
  tencent {
    region = "ap-guangzhou" # credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, or ~/.tccli
  }
}
