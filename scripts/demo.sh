#!/usr/bin/env bash
# make demo: build the provider, start the local cloud emulator with the demo scenario, and run
# terraform on examples/demo through a dev_overrides CLI configuration (no registry needed). The
# data sources wait for tasks that the scenario finishes after a few seconds; terraform then prints
# their final values. One batch task fails, and a check block warns about it. The script ends with
# each data source's progress log and a summary table. The emulator is stopped on exit, whatever
# happens.
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
  "$terraform_bin" -chdir="$work/run" apply -auto-approve -input=false "${color[@]}" -var "emulator_url=$url" \
  | tee "$work/apply.out"
applied=$(( $(date +%s) - start ))

echo
echo "==> how each data source waited: the provider's progress log (tflog, INFO), in order"
# The message of each progress line, without the structured fields that follow it.
grep -h "waiting for" "$work/provider.log" \
  | sed -E 's/.*provider\.terraform-provider-cloudtask: //; s/: [@a-z_]+=.*$//; s/^/  /'

echo
echo "==> requests the emulator answered, by API and answer"
grep -oE 'api=[^ ]+ code=[^ ]+' "$work/emulator.log" | sort | uniq -c | sed 's/^/  /' || true

# The summary joins the state (address, succeeded) with each data source's last progress line
# (waited, polls, final status). Lines are matched by data source type, and by the ids quoted in
# the message where several data sources share a type.
attr() { sed -nE "s/^    $1 += \"?([^\"]*)\"?\$/\1/p" <<<"$2" | head -n 1; }
field() { grep -oE " $1=(\"[^\"]*\"|[^ ]+)" <<<"$2" | head -n 1 | cut -d= -f2- | tr -d '"'; }
mapfile -t addresses < <("$terraform_bin" -chdir="$work/run" state list | grep '^data\.cloudtask_')
echo
echo "==> summary: terraform apply took ${applied}s"
printf '  %-46s %-7s %-6s %-15s %s\n' "DATA SOURCE" "WAITED" "POLLS" "FINAL STATUS" "SUCCEEDED"
failed=0
for address in "${addresses[@]}"; do
  type=$(cut -d. -f2 <<<"$address")
  state=$("$terraform_bin" -chdir="$work/run" state show -no-color "$address")
  lines=$(grep -h "waiting for" "$work/provider.log" | grep -F "tf_data_source_type=$type " || true)
  if [ "$(printf '%s\n' "${addresses[@]}" | grep -c "^data\.$type\.")" -gt 1 ]; then
    case "$type" in
      cloudtask_polardb_batch_task) ids=(batch_id) ;;
      cloudtask_polardb_tasks) ids=(db_cluster_id) ;;
      cloudtask_tencent_batch_task) ids=(job_id task_name) ;;
      *) ids=(task_id) ;;
    esac
    for id in "${ids[@]}"; do
      value=$(attr "$id" "$state")
      [ -n "$value" ] && lines=$(grep -F "\"$value\"" <<<"$lines" || true)
    done
  fi
  last=$(tail -n 1 <<<"$lines")
  succeeded=$(attr succeeded "$state")
  if [ "$succeeded" = "true" ]; then succeeded=yes; else succeeded=NO; failed=$((failed + 1)); fi
  printf '  %-46s %-7s %-6s %-15s %s\n' "$address" "$(field elapsed "$last")" "$(field polls "$last")" \
    "$(field status "$last")" "$succeeded"
done
echo
if grep -q "Check block assertion failed" "$work/apply.out"; then
  echo "  $failed task(s) failed; a check block warned about it (see \"Warning: Check block assertion failed\""
  echo "  above) and the apply still completed. A postcondition would have stopped the run instead."
elif [ "$failed" -gt 0 ]; then
  echo "  $failed task(s) failed, and no check block warned about it."
else
  echo "  Every task succeeded."
fi
