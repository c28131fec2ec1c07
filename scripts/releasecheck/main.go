// Command releasecheck checks a goreleaser dist directory the way the Terraform Registry reads a
// provider release: one zip per platform named terraform-provider-cloudtask_VERSION_OS_ARCH.zip
// holding the binary terraform-provider-cloudtask_vVERSION (and the licence), and a
// terraform-provider-cloudtask_VERSION_SHA256SUMS file that lists every zip and the registry
// manifest with their sha256. It also reads each binary's Go build information to check it was
// built as the release builds it (CGO off, -trimpath, for its platform) and looks for VERSION in
// it, which only -X main.version puts there.
//
// Usage: go run ./scripts/releasecheck -dist dist -manifest terraform-registry-manifest.json \
//
//	-license LICENSE linux_amd64 darwin_arm64 ...
//
// The platforms are those the dist must hold, no more and no fewer. It prints each problem and
// exits 1 when there is any.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
)

const (
	project    = "terraform-provider-cloudtask"
	modulePath = "github.com/cloudtask/terraform-provider-cloudtask"
)

// options say what the dist must hold.
type options struct {
	dist     string   // the goreleaser dist directory
	manifest string   // the registry manifest the checksums must cover
	license  string   // the licence each zip must carry; "" = none expected
	targets  []string // platforms as GOOS_GOARCH
	// inspect reads the Go build information of a binary; tests replace it.
	inspect func(binary []byte) (*debug.BuildInfo, error)
}

func main() {
	var opts options
	flag.StringVar(&opts.dist, "dist", "dist", "goreleaser dist directory")
	flag.StringVar(&opts.manifest, "manifest", "terraform-registry-manifest.json", "the registry manifest")
	flag.StringVar(&opts.license, "license", "", "the licence file each zip must carry")
	flag.Parse()
	opts.targets = flag.Args()
	opts.inspect = func(b []byte) (*debug.BuildInfo, error) { return buildinfo.Read(bytes.NewReader(b)) }
	if len(opts.targets) == 0 {
		fmt.Fprintln(os.Stderr, "usage: releasecheck [-dist dir] [-manifest file] [-license file] GOOS_GOARCH...")
		os.Exit(2)
	}
	version, problems := check(opts)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "release check: "+p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("release check: %s %s: %d zips, SHA256SUMS and manifest as the registry expects\n",
		project, version, len(opts.targets))
}

// semver is the registry's version syntax (goreleaser's snapshot versions included).
var semver = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// check returns the release's version and every way the dist falls short.
func check(opts options) (string, []string) {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	version, err := distVersion(opts.dist)
	if err != nil {
		return "", []string{err.Error()}
	}
	if !semver.MatchString(version) {
		fail("version %q is not a semantic version, so no registry constraint could select it", version)
	}

	// Zips: exactly one per target, named project_VERSION_OS_ARCH.zip.
	found, err := filepath.Glob(filepath.Join(opts.dist, "*.zip"))
	if err != nil {
		return version, []string{err.Error()}
	}
	want := map[string]string{} // zip name -> target
	for _, t := range opts.targets {
		want[fmt.Sprintf("%s_%s_%s.zip", project, version, t)] = t
	}
	for _, path := range found {
		if _, ok := want[filepath.Base(path)]; !ok {
			fail("unexpected zip %s (want %s_%s_OS_ARCH.zip for %s)", filepath.Base(path), project, version, strings.Join(opts.targets, ", "))
		}
	}

	// Checksums: every zip and the manifest, nothing else, each with its sha256.
	sumsName := fmt.Sprintf("%s_%s_SHA256SUMS", project, version)
	sums, err := readSums(filepath.Join(opts.dist, sumsName))
	if err != nil {
		fail("%s: %v", sumsName, err)
		sums = map[string]string{}
	}
	manifestName := fmt.Sprintf("%s_%s_manifest.json", project, version)
	if manifest, err := os.ReadFile(opts.manifest); err != nil {
		fail("read the manifest: %v", err)
	} else {
		checkSum(sums, sumsName, manifestName, manifest, fail)
		// goreleaser may also copy it into dist; that copy must be the manifest too.
		if copied, err := os.ReadFile(filepath.Join(opts.dist, manifestName)); err == nil && !bytes.Equal(copied, manifest) {
			fail("%s differs from %s", manifestName, opts.manifest)
		}
	}
	var license []byte
	if opts.license != "" {
		if license, err = os.ReadFile(opts.license); err != nil {
			fail("read the licence: %v", err)
		}
	}

	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(opts.dist, name))
		if err != nil {
			fail("missing %s: %v", name, err)
			continue
		}
		checkSum(sums, sumsName, name, data, fail)
		checkZip(name, data, want[name], version, license, opts.inspect, fail)
	}
	for name := range sums {
		if _, ok := want[name]; !ok && name != manifestName {
			fail("%s lists %s, which is neither a zip of this release nor its manifest", sumsName, name)
		}
	}
	return version, problems
}

// distVersion reads the version goreleaser built from its metadata.json.
func distVersion(dist string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return "", fmt.Errorf("read goreleaser's metadata: %w", err)
	}
	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return "", fmt.Errorf("metadata.json: %w", err)
	}
	if meta.ProjectName != project {
		return "", fmt.Errorf("metadata.json: project %q, want %q", meta.ProjectName, project)
	}
	if meta.Version == "" {
		return "", fmt.Errorf("metadata.json names no version")
	}
	return meta.Version, nil
}

// sumLine is a sha256sum line: 64 hex digits, two spaces (or a space and a binary-mode star), a name.
var sumLine = regexp.MustCompile(`^([0-9a-f]{64}) [ *](\S+)$`)

// readSums parses a SHA256SUMS file into name -> hex digest.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		m := sumLine.FindStringSubmatch(sc.Text())
		if m == nil {
			return nil, fmt.Errorf("line %d is not \"<sha256>  <file>\": %q", n, sc.Text())
		}
		if _, dup := sums[m[2]]; dup {
			return nil, fmt.Errorf("line %d lists %s again", n, m[2])
		}
		sums[m[2]] = m[1]
	}
	return sums, sc.Err()
}

func checkSum(sums map[string]string, sumsName, name string, data []byte, fail func(string, ...any)) {
	sum := sha256.Sum256(data)
	got, ok := sums[name]
	switch {
	case !ok:
		fail("%s does not list %s", sumsName, name)
	case got != hex.EncodeToString(sum[:]):
		fail("%s gives %s the sha256 %s, but it is %s", sumsName, name, got, hex.EncodeToString(sum[:]))
	}
}

// checkZip checks a zip holds the binary under the registry's name, and the licence when one is
// expected, and nothing else; and that the binary was built for target as a release.
func checkZip(name string, data []byte, target, version string, license []byte, inspect func([]byte) (*debug.BuildInfo, error), fail func(string, ...any)) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		fail("%s: %v", name, err)
		return
	}
	binary := project + "_v" + version
	if strings.HasPrefix(target, "windows_") {
		binary += ".exe"
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		seen[f.Name] = true
		switch {
		case f.Name == binary:
			content, err := readZipFile(f)
			if err != nil {
				fail("%s: %s: %v", name, f.Name, err)
				continue
			}
			info, err := inspect(content)
			if err != nil {
				fail("%s: %s is not a Go binary with build information: %v", name, f.Name, err)
				continue
			}
			for _, p := range checkBuildInfo(info, target) {
				fail("%s: %s: %s", name, f.Name, p)
			}
			// -trimpath keeps -ldflags out of the build information, so the version set with
			// -X main.version is looked for in the binary itself; make release-check gives the
			// snapshot a version no dependency could spell, such as 0.1.0-snapshot.
			if !bytes.Contains(content, []byte(version)) {
				fail("%s: %s does not hold its version %q: was it built with -X main.version?", name, f.Name, version)
			}
		case f.Name == "LICENSE" && license != nil:
			content, err := readZipFile(f)
			if err != nil {
				fail("%s: %s: %v", name, f.Name, err)
			} else if !bytes.Equal(content, license) {
				fail("%s: LICENSE differs from the repository's", name)
			}
		default:
			fail("%s holds %s; want only %s%s", name, f.Name, binary, map[bool]string{true: " and LICENSE"}[license != nil])
		}
	}
	if !seen[binary] {
		fail("%s lacks the binary %s (the registry's name for version %s)", name, binary, version)
	}
	if license != nil && !seen["LICENSE"] {
		fail("%s lacks LICENSE", name)
	}
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

// checkBuildInfo returns how a binary's build differs from a release build for target.
func checkBuildInfo(info *debug.BuildInfo, target string) []string {
	var problems []string
	if info.Path != modulePath {
		problems = append(problems, fmt.Sprintf("built from %q, want %s", info.Path, modulePath))
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	goos, goarch, _ := strings.Cut(target, "_")
	want := []struct{ key, value, why string }{
		{"GOOS", goos, "the zip's platform"},
		{"GOARCH", goarch, "the zip's platform"},
		{"CGO_ENABLED", "0", "a static binary"},
		{"-trimpath", "true", "no build machine paths"},
	}
	for _, w := range want {
		if got := settings[w.key]; got != w.value {
			problems = append(problems, fmt.Sprintf("%s=%q, want %q (%s)", w.key, got, w.value, w.why))
		}
	}
	return problems
}
