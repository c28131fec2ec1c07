//go:build !unix

package alibaba

import (
	"fmt"
	"os"
)

// DisableSDKDebug, called first by main, refuses to run with "sdk" in DEBUG, which would make the Alibaba SDK print
// requests, the STS token in them, into Terraform's logs. Without exec there is no restarting
// with a cleaned environment here, so the user is asked to unset it.
func DisableSDKDebug() {
	if _, found := withoutSDKDebug(os.Getenv("DEBUG")); found {
		fmt.Fprintln(os.Stderr, "terraform-provider-cloudtask: DEBUG=sdk would print credentials into Terraform's logs; unset it and retry")
		os.Exit(1)
	}
}
