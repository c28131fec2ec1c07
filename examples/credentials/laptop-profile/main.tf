# On a laptop: the CLI profiles you already use. `aliyun configure --profile dev` writes
# ~/.aliyun/config.json (any mode: AK, StsToken, RamRoleArn, ...), and `tccli configure --profile
# dev` writes ~/.tccli/dev.credential and ~/.tccli/dev.configure. Nothing secret goes into the
# configuration; the region comes from the profile too when it is not set here.
provider "cloudtask" {
  alibaba {
    profile = "dev" # or ALIBABA_CLOUD_PROFILE; default: the file's current profile
  }
  tencent {
    profile = "dev" # or TENCENTCLOUD_PROFILE; default: "default"
  }
}
