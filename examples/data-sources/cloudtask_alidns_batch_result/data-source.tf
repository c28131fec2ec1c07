# Without task_id, the latest batch task of the account is read.
data "cloudtask_alidns_batch_result" "records" {
  batch_type          = "RR_ADD"
  wait_for_completion = true
  fail_on_failure     = true
}
