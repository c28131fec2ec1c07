#!/usr/bin/env bash
# Usage: scripts/install-provider.sh BINARY VERSION MIRROR [OS_ARCH]
#
# Puts a built provider binary into a Terraform filesystem mirror (the unpacked layout) under the
# registry address cloudtask/cloudtask, where `terraform init` finds it without any registry:
#
#   MIRROR/registry.terraform.io/cloudtask/cloudtask/VERSION/OS_ARCH/terraform-provider-cloudtask_vVERSION
#
# With MIRROR = ~/.terraform.d/plugins (make install's default) this is Terraform's implied local
# mirror, used when the CLI configuration has no provider_installation block (OpenTofu reads it
# too, under its own registry host: REGISTRY_HOST=registry.opentofu.org). VERSION must be a
# semantic version such as 0.1.0, or no version constraint could select it. OS_ARCH defaults to the
# Go toolchain's, e.g. linux_amd64.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 BINARY VERSION MIRROR [OS_ARCH]" >&2
  exit 2
fi
binary=$1
version=$2
mirror=$3
os_arch=${4:-$(go env GOOS)_$(go env GOARCH)}

if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "VERSION must be a semantic version such as 0.1.0, not \"$version\"" >&2
  exit 2
fi
if ! [[ $os_arch =~ ^[a-z0-9]+_[a-z0-9]+$ ]]; then
  echo "OS_ARCH must look like linux_amd64, not \"$os_arch\"" >&2
  exit 2
fi
if [ ! -f "$binary" ]; then
  echo "no provider binary at $binary" >&2
  exit 1
fi

exe=""
case $os_arch in windows_*) exe=".exe" ;; esac
dir="$mirror/${REGISTRY_HOST:-registry.terraform.io}/cloudtask/cloudtask/$version/$os_arch"
# A stale file next to the binary would change the package's h1: hash.
rm -rf "$dir"
mkdir -p "$dir"
install -m 0755 "$binary" "$dir/terraform-provider-cloudtask_v$version$exe"
echo "installed cloudtask/cloudtask $version ($os_arch) in $dir"
