package alibaba

import "strings"

// withoutSDKDebug removes the Alibaba SDK's "sdk" switch from a DEBUG value (a comma-separated
// list) and reports whether it was there.
func withoutSDKDebug(value string) (string, bool) {
	parts := strings.Split(value, ",")
	kept := parts[:0]
	found := false
	for _, p := range parts {
		if p == "sdk" {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ","), found
}
