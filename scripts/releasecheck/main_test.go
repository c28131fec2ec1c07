package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

const testVersion = "0.1.0"

var testTargets = []string{"linux_amd64", "windows_amd64"}

// releaseBuild is the build information of a release binary for target.
func releaseBuild(target string) *debug.BuildInfo {
	goos, goarch, _ := strings.Cut(target, "_")
	return &debug.BuildInfo{Path: modulePath, Settings: []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"},
		{Key: "CGO_ENABLED", Value: "0"},
		{Key: "GOOS", Value: goos},
		{Key: "GOARCH", Value: goarch},
	}}
}

// fakeDist is a dist directory in the making; write lays it out.
type fakeDist struct {
	zips   map[string]map[string][]byte // zip name -> entry -> content
	extra  []string                     // extra SHA256SUMS lines
	skip   map[string]bool              // files left out of SHA256SUMS
	builds map[string]*debug.BuildInfo  // binary content -> its build information
}

// goodDist is what goreleaser makes of .goreleaser.yml for testTargets.
func goodDist() *fakeDist {
	d := &fakeDist{zips: map[string]map[string][]byte{}, skip: map[string]bool{}, builds: map[string]*debug.BuildInfo{}}
	for _, t := range testTargets {
		binary := project + "_v" + testVersion
		if strings.HasPrefix(t, "windows_") {
			binary += ".exe"
		}
		content := "binary for " + t + " version " + testVersion
		d.builds[content] = releaseBuild(t)
		d.zips[fmt.Sprintf("%s_%s_%s.zip", project, testVersion, t)] = map[string][]byte{
			binary: []byte(content), "LICENSE": []byte("licence text\n"),
		}
	}
	return d
}

func (d *fakeDist) write(t *testing.T) options {
	t.Helper()
	root := t.TempDir()
	dist := filepath.Join(root, "dist")
	if err := os.Mkdir(dist, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(path string, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	manifest := []byte(`{"version":1,"metadata":{"protocol_versions":["6.0"]}}`)
	write(filepath.Join(root, "manifest.json"), manifest)
	write(filepath.Join(root, "LICENSE"), []byte("licence text\n"))
	write(filepath.Join(dist, "metadata.json"), []byte(`{"project_name":"`+project+`","version":"`+testVersion+`"}`))

	var sums strings.Builder
	sum := func(name string, data []byte) {
		if !d.skip[name] {
			h := sha256.Sum256(data)
			fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h[:]), name)
		}
	}
	for name, entries := range d.zips {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for entry, content := range entries {
			w, err := zw.Create(entry)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(dist, name), buf.Bytes())
		sum(name, buf.Bytes())
	}
	sum(fmt.Sprintf("%s_%s_manifest.json", project, testVersion), manifest)
	for _, line := range d.extra {
		sums.WriteString(line + "\n")
	}
	write(filepath.Join(dist, fmt.Sprintf("%s_%s_SHA256SUMS", project, testVersion)), []byte(sums.String()))

	return options{
		dist: dist, manifest: filepath.Join(root, "manifest.json"), license: filepath.Join(root, "LICENSE"),
		targets: testTargets,
		inspect: func(b []byte) (*debug.BuildInfo, error) {
			if info, ok := d.builds[string(b)]; ok {
				return info, nil
			}
			return nil, fmt.Errorf("not a Go binary")
		},
	}
}

func TestCheckAcceptsAGoodRelease(t *testing.T) {
	t.Parallel()
	version, problems := check(goodDist().write(t))
	if version != testVersion || len(problems) != 0 {
		t.Errorf("check = %q, %q; want %q and no problems", version, problems, testVersion)
	}
}

// TestCheckFindsEachFault breaks a good release one way at a time; each must be reported.
func TestCheckFindsEachFault(t *testing.T) {
	t.Parallel()
	linuxZip := fmt.Sprintf("%s_%s_linux_amd64.zip", project, testVersion)
	linuxBinary := "binary for linux_amd64 version " + testVersion
	tests := map[string]struct {
		breakIt func(d *fakeDist, o *options)
		want    string
	}{
		"zip named without the version": {func(d *fakeDist, _ *options) {
			d.zips[project+"_linux_amd64.zip"] = d.zips[linuxZip]
			delete(d.zips, linuxZip)
		}, "unexpected zip " + project + "_linux_amd64.zip"},
		"target missing": {func(_ *fakeDist, o *options) {
			o.targets = append(slices.Clone(testTargets), "darwin_arm64")
		}, "missing " + project + "_0.1.0_darwin_arm64.zip"},
		"zip not in SHA256SUMS": {func(d *fakeDist, _ *options) { d.skip[linuxZip] = true },
			"does not list " + linuxZip},
		"manifest not in SHA256SUMS": {func(d *fakeDist, _ *options) { d.skip[project+"_0.1.0_manifest.json"] = true },
			"does not list " + project + "_0.1.0_manifest.json"},
		"wrong checksum": {func(d *fakeDist, _ *options) {
			d.skip[linuxZip] = true
			d.extra = append(d.extra, strings.Repeat("0", 64)+"  "+linuxZip)
		}, "gives " + linuxZip + " the sha256 " + strings.Repeat("0", 64)},
		"stray SHA256SUMS line": {func(d *fakeDist, _ *options) {
			d.extra = append(d.extra, strings.Repeat("a", 64)+"  other.zip")
		}, "lists other.zip"},
		"binary without the v": {func(d *fakeDist, _ *options) {
			d.zips[linuxZip][project+"_"+testVersion] = d.zips[linuxZip][project+"_v"+testVersion]
			delete(d.zips[linuxZip], project+"_v"+testVersion)
		}, "lacks the binary " + project + "_v0.1.0"},
		"windows binary without .exe": {func(d *fakeDist, _ *options) {
			z := d.zips[project+"_0.1.0_windows_amd64.zip"]
			z[project+"_v"+testVersion] = z[project+"_v"+testVersion+".exe"]
			delete(z, project+"_v"+testVersion+".exe")
		}, "lacks the binary " + project + "_v0.1.0.exe"},
		"no licence": {func(d *fakeDist, _ *options) { delete(d.zips[linuxZip], "LICENSE") }, "lacks LICENSE"},
		"extra file": {func(d *fakeDist, _ *options) { d.zips[linuxZip]["README.md"] = []byte("x") }, "holds README.md"},
		"version not set": {func(d *fakeDist, _ *options) {
			binary := project + "_v" + testVersion
			d.zips[linuxZip][binary] = []byte("binary for linux_amd64 version dev")
			d.builds["binary for linux_amd64 version dev"] = releaseBuild("linux_amd64")
		}, `does not hold its version "0.1.0"`},
		"cgo on": {func(d *fakeDist, _ *options) {
			d.builds[linuxBinary].Settings[1].Value = "1"
		}, `CGO_ENABLED="1"`},
		"no trimpath": {func(d *fakeDist, _ *options) {
			d.builds[linuxBinary].Settings = d.builds[linuxBinary].Settings[1:]
		}, `-trimpath=""`},
		"wrong platform": {func(d *fakeDist, _ *options) {
			d.builds[linuxBinary].Settings[3].Value = "arm64"
		}, `GOARCH="arm64", want "amd64"`},
		"not a Go binary": {func(d *fakeDist, _ *options) {
			d.zips[linuxZip][project+"_v"+testVersion] = []byte("a shell script " + testVersion)
		}, "is not a Go binary"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := goodDist()
			var o options
			tt.breakIt(d, &o)
			opts := d.write(t)
			if o.targets != nil {
				opts.targets = o.targets
			}
			_, problems := check(opts)
			joined := strings.Join(problems, "\n")
			if !strings.Contains(joined, tt.want) {
				t.Errorf("problems lack %q:\n%s", tt.want, joined)
			}
		})
	}
}
