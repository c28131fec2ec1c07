package alibaba

import "testing"

func TestWithoutSDKDebug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		found    bool
	}{
		{"", "", false},
		{"sdk", "", true},
		{"tea,sdk,signer", "tea,signer", true},
		{"sdk,sdk", "", true},
		{"sdkx,xsdk", "sdkx,xsdk", false},
		{"signer", "signer", false},
	}
	for _, tt := range tests {
		got, found := withoutSDKDebug(tt.in)
		if got != tt.want || found != tt.found {
			t.Errorf("withoutSDKDebug(%q) = %q, %v; want %q, %v", tt.in, got, found, tt.want, tt.found)
		}
	}
}
