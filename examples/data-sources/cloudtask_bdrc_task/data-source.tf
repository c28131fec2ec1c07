# BDRC has endpoints only in cn-shanghai, ap-southeast-1 and cn-shanghai-finance-1: read it
# through a provider whose alibaba region is one of them (such as "cn-shanghai"), or set the
# alibaba endpoints' bdrc override. In any other region the read fails and names these regions.
data "cloudtask_bdrc_task" "refresh" {
  task_id             = "t-0004d9ctt1iixxxxxxxx"
  wait_for_completion = true
}

output "bdrc_progress_percent" {
  # progress is on the API's 0..10000 scale, and null when the API returns none.
  value = data.cloudtask_bdrc_task.refresh.progress == null ? null : data.cloudtask_bdrc_task.refresh.progress / 100
}

# Warn, without failing the run, when the task failed, expired or was canceled.
check "bdrc_task_complete" {
  assert {
    condition     = data.cloudtask_bdrc_task.refresh.succeeded
    error_message = "The BDRC task did not complete: ${coalesce(data.cloudtask_bdrc_task.refresh.error_message, "no error message")}"
  }
}
