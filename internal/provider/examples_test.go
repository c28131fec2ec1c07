package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The examples under examples/ are what users copy and what the generated docs show, so every one
// of them must pass terraform validate against the provider's real schema.

// examplesRoot is examples/ seen from internal/provider, where the tests run.
var examplesRoot = filepath.Join("..", "..", "examples")

// exampleDirs lists the directories under examples/ that hold .tf files, relative to examplesRoot.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" {
			return err
		}
		rel, err := filepath.Rel(examplesRoot, filepath.Dir(path))
		if err == nil && !slices.Contains(dirs, rel) {
			dirs = append(dirs, rel)
		}
		return err
	})
	if err != nil {
		t.Fatalf("list the examples: %v", err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no .tf files under %s", examplesRoot)
	}
	return dirs
}

// exampleFiles reads the .tf files of one example directory, by file name.
func exampleFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(examplesRoot, dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]string, len(paths))
	for _, p := range paths {
		content, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = string(content)
	}
	return files
}

// requiredProvidersDeclared matches a required_providers block, which the demo has and the
// data source and provider examples (shown as snippets in the docs) leave out.
var requiredProvidersDeclared = regexp.MustCompile(`(?m)^\s*required_providers\s*\{`)

// dataSourceDeclared matches a data source of the provider.
var dataSourceDeclared = regexp.MustCompile(`(?m)^\s*data\s+"cloudtask_`)

// validateExample runs terraform validate on the files against the built provider. Files without
// their own required_providers get one, since Terraform would otherwise look for hashicorp/cloudtask.
// Terraform validates a provider block only when something uses the provider, so files without a
// data source (the provider example) get one.
func validateExample(t *testing.T, terraform string, files map[string]string) (string, error) {
	t.Helper()
	declaresProviders, usesProvider := false, false
	for _, content := range files {
		declaresProviders = declaresProviders || requiredProvidersDeclared.MatchString(content)
		usesProvider = usesProvider || dataSourceDeclared.MatchString(content)
	}
	if !declaresProviders {
		files["required_providers_test.tf"] = e2eRequiredProviders
	}
	if !usesProvider {
		files["provider_use_test.tf"] = `data "cloudtask_alidns_batch_result" "uses_the_provider" {}` + "\n"
	}
	ws := newTerraformWorkspaceFiles(t, terraform, files)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := ws.command(ctx, nil, &stdout, &stderr, "validate", "-no-color").Run()
	return stdout.String() + stderr.String(), err
}

func TestExamplesValidate(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	for _, dir := range exampleDirs(t) {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			out, err := validateExample(t, terraform, exampleFiles(t, dir))
			if err != nil || !strings.Contains(out, "The configuration is valid") {
				t.Fatalf("terraform validate on examples/%s: %v\n%s", filepath.ToSlash(dir), err, out)
			}
		})
	}
}

// TestExamplesValidateCatchesTypos shows the check above can fail: an example with a misspelled
// argument, in a data source or in the provider's nested blocks, does not validate.
func TestExamplesValidateCatchesTypos(t *testing.T) {
	terraform := requireTerraform(t)
	t.Parallel()
	for name, tc := range map[string]struct {
		dir, from, to string
	}{
		"data source argument": {filepath.Join("data-sources", "cloudtask_polardb_batch_task"), "batch_id ", "batch_idd "},
		"provider argument":    {"provider", "region ", "regoin "},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := exampleFiles(t, tc.dir)
			changed := false
			for file, content := range files {
				if strings.Contains(content, tc.from) {
					files[file] = strings.Replace(content, tc.from, tc.to, 1)
					changed = true
				}
			}
			if !changed {
				t.Fatalf("examples/%s no longer contains %q; pick another argument to misspell", tc.dir, tc.from)
			}
			out, err := validateExample(t, terraform, files)
			if err == nil {
				t.Fatalf("terraform validate accepted the misspelled %q:\n%s", strings.TrimSpace(tc.to), out)
			}
			if !strings.Contains(out, "Unsupported argument") {
				t.Fatalf("terraform validate failed, but not on the misspelled argument:\n%s", out)
			}
		})
	}
}
