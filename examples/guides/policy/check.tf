# Warns: when an instance failed, plan and apply print a warning with this message and carry on.
data "cloudtask_tencent_batch_task" "render" {
  job_id              = "job-xxx"
  task_name           = "A"
  wait_for_completion = true
}

check "render_instances" {
  assert {
    condition = data.cloudtask_tencent_batch_task.render.succeeded
    error_message = join("; ", concat(
      ["Tencent Batch task A of job-xxx ended ${data.cloudtask_tencent_batch_task.render.task_state}"],
      [for i in coalesce(data.cloudtask_tencent_batch_task.render.task_instance_set, []) :
        "instance ${i.task_instance_index}: ${i.task_instance_state} (${coalesce(i.state_reason, "no reason")})"
      if contains(["FAILED", "FAILED_INTERRUPTED"], i.task_instance_state)],
    ))
  }
}
