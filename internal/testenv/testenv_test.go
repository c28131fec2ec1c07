package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsolate sets a variable of each credential family and checks that Isolate removes it,
// reports it, and leaves HOME an empty directory. Not parallel: it changes the environment.
func TestIsolate(t *testing.T) {
	set := map[string]string{
		"ALIBABA_CLOUD_SECURITY_TOKEN": "token",
		"ALICLOUD_PROFILE":             "default",
		"TENCENTCLOUD_SECURITY_TOKEN":  "token",
		"TENCENTCLOUD_PROFILE":         "default",
	}
	for name, value := range set {
		t.Setenv(name, value)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("CLOUDTASK_KEEP", "kept")
	t.Setenv("GOPATH", "")
	t.Setenv("GOCACHE", "")
	oldHome := os.Getenv("HOME")

	ambient, cleanup, err := Isolate()
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for name, value := range set {
		if v, ok := os.LookupEnv(name); ok {
			t.Errorf("%s is still set to %q", name, v)
		}
		if ambient.Vars[name] != value {
			t.Errorf("Ambient.Vars[%s] = %q, want %q", name, ambient.Vars[name], value)
		}
	}
	if os.Getenv("CLOUDTASK_KEEP") != "kept" {
		t.Error("a variable outside the credential families was removed")
	}
	// The go command keeps its caches where it found them before HOME moved.
	if got, want := os.Getenv("GOPATH"), filepath.Join(oldHome, "go"); got != want {
		t.Errorf("GOPATH = %q, want %q", got, want)
	}
	if got, want := os.Getenv("GOCACHE"), filepath.Join(oldHome, ".cache", "go-build"); os.Getenv("XDG_CACHE_HOME") == "" && got != want {
		t.Errorf("GOCACHE = %q, want %q", got, want)
	}
	home := os.Getenv("HOME")
	if home == oldHome || ambient.Home != oldHome {
		t.Fatalf("HOME = %q (Ambient.Home %q), want a new directory instead of %q", home, ambient.Home, oldHome)
	}
	if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
		t.Errorf("HOME %s: %d entries, %v; want an empty directory", home, len(entries), err)
	}
}
