data "cloudtask_tencent_batch_task" "render" {
  job_id              = "job-97zcl3wt"
  task_name           = "A"
  wait_for_completion = true
}

locals {
  # Instances that failed or were interrupted. task_instance_metrics, or a count in it, is null
  # when the API returns none: such a count is taken as 0.
  render_failed_instances = sum([
    for n in [
      try(data.cloudtask_tencent_batch_task.render.task_instance_metrics.failed_count, null),
      try(data.cloudtask_tencent_batch_task.render.task_instance_metrics.failed_interrupted_count, null),
    ] : coalesce(n, 0)
  ])
}

# Warn, without failing the run, when an instance failed or was interrupted.
check "render_instances" {
  assert {
    condition     = local.render_failed_instances == 0
    error_message = "${local.render_failed_instances} render instances failed or were interrupted."
  }
}
