# Blocks: when the batch task ended in failure, plan (or apply) stops here with this message,
# before Terraform changes anything that depends on the data source.
data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-xxx"
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition = self.succeeded
      error_message = join("; ", concat(
        ["PolarDB batch task ${self.batch_id} ended ${self.status}"],
        # sub_tasks and error_msg are null when the API returns none.
        [for s in coalesce(self.sub_tasks, []) : "${s.instance_id}: ${coalesce(s.error_msg, "no message")}"
        if trimspace(s.status) == "FAILED"],
      ))
    }
  }
}
