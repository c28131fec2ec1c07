# Wait for a batch task and fail the run when any sub task failed, listing their error messages.
data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-xxx"
  wait_for_completion = true
  fail_on_failure     = true
  poll_interval       = "30s"
  timeouts {
    read = "40m"
  }
}

output "failed_instances" {
  value = [for s in data.cloudtask_polardb_batch_task.install.sub_tasks : s.instance_id if s.status == "FAILED"]
}
