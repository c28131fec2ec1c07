#!/usr/bin/env bash
# make demo: build the provider, start the local cloud emulator with the demo scenario, and run
# terraform on examples/demo through a dev_overrides CLI configuration (no registry needed). The
# data sources wait for tasks that the scenario finishes after a few seconds; terraform then prints
# their final values. The emulator is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-terraform.sh
terraform_bin="${TF_ACC_TERRAFORM_PATH:-terraform}"

work=".demo"
rm -rf "$work"
mkdir -p "$work/bin" "$work/run"

echo "==> building the provider and the emulator"
go build -o "$work/bin/terraform-provider-cloudtask" .
go build -o "$work/cloudtask-emulator" ./internal/emulator/cmd/cloudtask-emulator

echo "==> starting the emulator (scenario internal/emulator/testdata/demo.json)"
"$work/cloudtask-emulator" -addr 127.0.0.1:0 -scenario internal/emulator/testdata/demo.json \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^CLOUDTASK_EMULATOR_URL=//p' "$work/emulator.out" 2>/dev/null | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "the emulator exited early:" >&2
    cat "$work/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the emulator did not report its URL within 10 seconds" >&2
  exit 1
fi
echo "    emulator listening at $url"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "cloudtask/cloudtask" = "$(pwd)/$work/bin"
  }
  direct {}
}
RC
cp examples/demo/*.tf "$work/run/"

# The emulator's built-in demo credentials: not secrets, they only open the local emulator.
export TF_CLI_CONFIG_FILE="$(pwd)/$work/terraformrc"
export TF_IN_AUTOMATION=1
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorKey0001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-alibaba-secret
export TENCENTCLOUD_SECRET_ID=AKIDemulatorKey0001
export TENCENTCLOUD_SECRET_KEY=emulator-tencent-secret

color=()
[ -t 1 ] || color=(-no-color)

echo "==> terraform apply (the data sources wait for their tasks; progress is logged at INFO)"
start=$(date +%s)
TF_LOG_PROVIDER=INFO TF_LOG_PATH="$work/provider.log" \
  "$terraform_bin" -chdir="$work/run" apply -auto-approve -input=false "${color[@]}" -var "emulator_url=$url"
echo
echo "==> waited $(( $(date +%s) - start ))s; the provider's progress log (tflog, INFO):"
field() { grep -oE "$1=(\"[^\"]*\"|[^ ]+)" <<<"$2" | head -n 1 | cut -d= -f2- | tr -d '"'; }
grep -h "waiting for" "$work/provider.log" | while IFS= read -r line; do
  what=$(sed -E 's/.*(waiting for [^:]+):.*/\1/' <<<"$line")
  printf '  %-62s poll %-3s elapsed %-4s status %-18s %s\n' "$what" "$(field polls "$line")" \
    "$(field elapsed "$line")" "$(field status "$line")" "$(field progress "$line")"
done
echo
echo "==> requests the emulator answered, by API and answer"
grep -oE 'api=[^ ]+ code=[^ ]+' "$work/emulator.log" | sort | uniq -c | sed 's/^/  /' || true
