# Wait for a batch task, list the sub tasks that failed, and warn (without failing the run) when
# the task did not succeed. To fail the run instead, set `fail_on_failure = true`: the read then
# fails with the failed sub tasks and their error messages, so nothing below would see a failure.
data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-xxx"
  wait_for_completion = true
  poll_interval       = "30s"
  timeouts {
    read = "40m"
  }
}

locals {
  # sub_tasks is null when the API returns no SubTasks, so default it to an empty list.
  install_failures = [
    for s in coalesce(data.cloudtask_polardb_batch_task.install.sub_tasks, []) : {
      task_id     = s.task_id
      instance_id = s.instance_id
      error_msg   = s.error_msg
    } if s.status == "FAILED"
  ]
}

output "failed_sub_tasks" {
  value = local.install_failures
}

check "install_succeeded" {
  assert {
    condition     = data.cloudtask_polardb_batch_task.install.succeeded
    error_message = "The batch task did not succeed: ${length(local.install_failures)} sub tasks failed (see the failed_sub_tasks output)."
  }
}
