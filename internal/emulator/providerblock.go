package emulator

import "fmt"

// ProviderBlock is a `provider "cloudtask"` block that points every data source at an emulator.
// Empty credentials are the emulator's defaults.
type ProviderBlock struct {
	URL                               string // the emulator's base URL
	AlibabaAccessKeyID, AlibabaSecret string
	TencentSecretID, TencentSecretKey string
}

// HCL renders the block: both clouds with their credentials, cn-shanghai for Alibaba Cloud (the
// region of every API here, BDRC included) and ap-guangzhou for Tencent Cloud, and every
// endpoint overridden with the emulator's URL.
func (b ProviderBlock) HCL() string {
	aliID, aliSecret := orDefault(b.AlibabaAccessKeyID, AlibabaAccessKeyID), orDefault(b.AlibabaSecret, AlibabaAccessKeySecret)
	tcID, tcKey := orDefault(b.TencentSecretID, TencentSecretID), orDefault(b.TencentSecretKey, TencentSecretKey)
	return fmt.Sprintf(`provider "cloudtask" {
  alibaba {
    access_key = %[2]q
    secret_key = %[3]q
    region     = "cn-shanghai"
    endpoints {
      polardb = %[1]q
      bdrc    = %[1]q
      alidns  = %[1]q
    }
  }
  tencent {
    secret_id  = %[4]q
    secret_key = %[5]q
    region     = "ap-guangzhou"
    endpoints {
      batch = %[1]q
    }
  }
}
`, b.URL, aliID, aliSecret, tcID, tcKey)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
