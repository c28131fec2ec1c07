package endpoint

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, is deterministic, and that an accepted endpoint
// is only a scheme, a host and a port in range, which parses back to itself from String().
// Its committed seeds are in testdata/fuzz/FuzzParse/.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"https://polardb.aliyuncs.com", "polardb.aliyuncs.com", "http://127.0.0.1:8080",
		"bdrc.cn-shanghai.aliyuncs.com", "https://batch.tencentcloudapi.com", "https://sts.tencentcloudapi.com/",
		"http://[::1]:65535", "https://user@host", "https://host/path", "https://host?q", "ftp://host",
		"https://host:0", "https://host:99999", "  https://HOST  ", "https://:80", "://", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ep, err := Parse(raw)
		again, err2 := Parse(raw)
		if ep != again || (err == nil) != (err2 == nil) {
			t.Fatalf("Parse(%q) differs between calls: %+v %v / %+v %v", raw, ep, err, again, err2)
		}
		if err != nil {
			if ep != (Endpoint{}) {
				t.Errorf("Parse(%q) failed but returned %+v", raw, ep)
			}
			return
		}
		if ep.Scheme != "http" && ep.Scheme != "https" {
			t.Errorf("Parse(%q) scheme %q", raw, ep.Scheme)
		}
		if ep.Host == "" || strings.ContainsAny(ep.Host, "/?#@") {
			t.Errorf("Parse(%q) host %q", raw, ep.Host)
		}
		if ep.Port != "" {
			if n, err := strconv.Atoi(ep.Port); err != nil || n < 1 || n > 65535 {
				t.Errorf("Parse(%q) port %q", raw, ep.Port)
			}
		}
		back, err := Parse(ep.String())
		if err != nil || back != ep {
			t.Errorf("Parse(%q) = %+v, but its String() %q parses to %+v, %v", raw, ep, ep.String(), back, err)
		}
	})
}
