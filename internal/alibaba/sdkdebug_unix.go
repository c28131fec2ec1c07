//go:build unix

package alibaba

import (
	"fmt"
	"os"
	"syscall"
)

// DisableSDKDebug restarts the provider without "sdk" in DEBUG; main calls it first. The Alibaba SDK prints every
// request, the STS token in it, to stdout when DEBUG lists "sdk", and Terraform copies a
// provider's stdout into its logs. The SDK reads the switch once, when its package initialises
// before main runs, so starting again without it is the only way to turn it off.
func DisableSDKDebug() {
	cleaned, found := withoutSDKDebug(os.Getenv("DEBUG"))
	if !found {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		err = os.Setenv("DEBUG", cleaned)
	}
	if err == nil {
		err = syscall.Exec(exe, os.Args, os.Environ()) // returns only when it failed
	}
	fmt.Fprintf(os.Stderr, "terraform-provider-cloudtask: DEBUG=sdk would print credentials; unset it and retry (restart failed: %v)\n", err)
	os.Exit(1)
}
