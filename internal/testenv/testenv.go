// Package testenv isolates a test binary from the developer's cloud set-up. The TestMain of
// every package whose code resolves credentials calls Isolate, so that an access key, a
// security token, a profile name or a profile file in the developer's environment cannot
// change what a test resolves, and so whether it passes. Only tests import this package.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// credentialPrefixes are the variables the Alibaba and Tencent credential chains read: keys,
// secrets, security tokens, regions, profile names, role ARNs and credential files (TCCLI_ is
// the SDK's tccli profile, TKE_ the pod identity TKE injects).
var credentialPrefixes = []string{"ALIBABA_CLOUD_", "ALICLOUD_", "TENCENTCLOUD_", "TCCLI_", "TKE_"}

// Ambient is the part of the environment Isolate removed, as the developer had it.
type Ambient struct {
	// Vars are the unset credential variables and their values.
	Vars map[string]string
	// Home and UserProfile are HOME and USERPROFILE before Isolate pointed them at an empty
	// directory.
	Home, UserProfile string
}

// Isolate unsets every credential variable and points HOME (and USERPROFILE) at a new empty
// directory, so that no ~/.aliyun/config.json or ~/.tencentcloud profile is found. It returns
// what it removed and a function that deletes the directory. Call it in TestMain before m.Run.
func Isolate() (Ambient, func(), error) {
	ambient := Ambient{Vars: map[string]string{}, Home: os.Getenv("HOME"), UserProfile: os.Getenv("USERPROFILE")}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		for _, prefix := range credentialPrefixes {
			if strings.HasPrefix(strings.ToUpper(name), prefix) {
				ambient.Vars[name] = value
				if err := os.Unsetenv(name); err != nil {
					return ambient, nil, fmt.Errorf("unset %s: %w", name, err)
				}
				break
			}
		}
	}
	if err := pinGoDirs(ambient.Home); err != nil {
		return ambient, nil, err
	}
	home, err := os.MkdirTemp("", "cloudtask-test-home-")
	if err != nil {
		return ambient, nil, fmt.Errorf("create an empty home directory: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(home) }
	for _, name := range []string{"HOME", "USERPROFILE"} {
		if err := os.Setenv(name, home); err != nil {
			cleanup()
			return ambient, nil, fmt.Errorf("set %s: %w", name, err)
		}
	}
	return ambient, cleanup, nil
}

// pinGoDirs sets GOPATH, GOCACHE and GOENV to where the go command finds them under the
// developer's HOME, when they are not set, so that the go builds some tests run (the provider
// binary) keep using the build cache, module cache and settings instead of starting empty.
func pinGoDirs(home string) error {
	defaults := map[string]func() (string, error){
		"GOPATH": func() (string, error) {
			if home == "" {
				return "", nil
			}
			return filepath.Join(home, "go"), nil
		},
		"GOCACHE": func() (string, error) {
			dir, err := os.UserCacheDir()
			return filepath.Join(dir, "go-build"), err
		},
		"GOENV": func() (string, error) {
			dir, err := os.UserConfigDir()
			return filepath.Join(dir, "go", "env"), err
		},
	}
	for name, value := range defaults {
		if os.Getenv(name) != "" {
			continue
		}
		dir, err := value()
		if err != nil || dir == "" {
			continue // the go command cannot find it either
		}
		if err := os.Setenv(name, dir); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	return nil
}

// Main runs a test binary isolated: it is the body of a TestMain, run is m.Run, and the
// result is the exit code.
func Main(run func() int) int {
	_, cleanup, err := Isolate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 2
	}
	defer cleanup()
	return run()
}
