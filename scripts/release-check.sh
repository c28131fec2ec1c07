#!/usr/bin/env bash
# make release-check: validate .goreleaser.yml, build an unsigned snapshot release of a few
# platforms with it, and check what came out the way the Terraform Registry would: zip names,
# the SHA256SUMS file (every zip and the manifest, with their sha256) and each zip's binary
# (named terraform-provider-cloudtask_vVERSION, built with -X main.version, CGO off, -trimpath).
#
# GORELEASER is the command that runs goreleaser (make passes a pinned `go run`); RELEASE_TARGETS
# the platforms of the snapshot. The snapshot goes to dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a goreleaser <<<"${GORELEASER:-go run github.com/goreleaser/goreleaser/v2@v2.17.0}"
read -r -a targets <<<"${RELEASE_TARGETS:-linux_amd64 darwin_arm64 windows_amd64}"

echo "==> goreleaser check"
"${goreleaser[@]}" check

# The snapshot uses .goreleaser.yml with its platform matrix replaced by the targets: goreleaser
# builds only the targets a build lists when it lists any.
config=$(mktemp -t goreleaser-check.XXXXXX)
trap 'rm -f "$config"' EXIT
marker='  - id: terraform-provider-cloudtask'
if [ "$(grep -cxF -- "$marker" .goreleaser.yml)" != 1 ]; then
  echo ".goreleaser.yml must have exactly one build starting with the line '$marker'" >&2
  exit 1
fi
awk -v marker="$marker" -v targets="${targets[*]}" '
  { print }
  $0 == marker {
    print "    targets:"
    n = split(targets, t, " ")
    for (i = 1; i <= n; i++) print "      - " t[i]
  }' .goreleaser.yml >"$config"

echo "==> goreleaser snapshot release of ${targets[*]} (unsigned)"
"${goreleaser[@]}" release --snapshot --clean --skip=sign --config "$config"

echo "==> checking dist/"
go run ./scripts/releasecheck -dist dist -manifest terraform-registry-manifest.json -license LICENSE "${targets[@]}"
