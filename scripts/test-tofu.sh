#!/usr/bin/env bash
# make test-tofu: run the acceptance tests under OpenTofu instead of Terraform. Uses `tofu` from
# PATH (or TOFU=path); otherwise builds OpenTofu from its Go module into .tools/ once (about five
# minutes on 2 cores; its go.mod has replace directives, so `go install` refuses it, but a build
# inside the downloaded module works).
set -euo pipefail
cd "$(dirname "$0")/.."
go_cmd="${GO:-go}"
version="${TOFU_VERSION:-1.12.6}"

# A CLI configuration that does not exist is only a warning, but OpenTofu prints it within its
# version output, which the test framework parses.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
  unset TF_CLI_CONFIG_FILE
fi

tofu="${TOFU:-}"
if [ -z "$tofu" ] && command -v tofu >/dev/null 2>&1; then
  tofu=$(command -v tofu)
fi
if [ -z "$tofu" ]; then
  tofu="$(pwd)/.tools/tofu-$version/tofu"
  if [ ! -x "$tofu" ]; then
    echo "==> tofu is not on PATH: building OpenTofu $version from its Go module (a few minutes, once)"
    dir=$("$go_cmd" mod download -json "github.com/opentofu/opentofu@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
      echo "error: could not download github.com/opentofu/opentofu@v$version from the Go module proxy" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$tofu")"
    (cd "$dir" && GOFLAGS=-mod=mod "$go_cmd" build -trimpath -o "$tofu.tmp" ./cmd/tofu)
    mv "$tofu.tmp" "$tofu"
  fi
fi
echo "==> $("$tofu" version | head -n 1)"

# terraform-plugin-testing drives whichever CLI TF_ACC_TERRAFORM_PATH names. OpenTofu's default
# registry is registry.opentofu.org, so the in-process provider is announced under that host.
export TF_ACC=1
export TF_ACC_TERRAFORM_PATH="$tofu"
export TF_ACC_PROVIDER_HOST=registry.opentofu.org
"$go_cmd" test -count=1 -timeout 40m ./internal/provider/... "$@"
