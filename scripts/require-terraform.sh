#!/usr/bin/env bash
# Stops with a clear message when the terraform CLI the acceptance tests and the demo need is missing.
set -euo pipefail
if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "${TF_ACC_TERRAFORM_PATH}" ]; then
  exit 0
fi
if ! command -v terraform >/dev/null 2>&1; then
  cat >&2 <<'MSG'
error: the terraform CLI was not found on PATH.
  The acceptance tests (make test) and the demo (make demo) run the real Terraform CLI.
  Install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install),
  or put an existing terraform binary on PATH (TF_ACC_TERRAFORM_PATH is honoured by the tests),
  then run the command again.
MSG
  exit 1
fi
