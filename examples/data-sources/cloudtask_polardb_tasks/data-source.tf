# Wait until no task of the cluster in the window is Waiting, Running or Pause,
# then read every task in its final state.
data "cloudtask_polardb_tasks" "creation" {
  db_cluster_id       = "pc-xxxxxxxxxxxxxxx"
  start_time          = "2026-11-25T00:00Z"
  end_time            = "2026-11-26T00:00Z"
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition     = self.succeeded
      error_message = "A PolarDB task stopped or reported an error."
    }
  }
}

output "cluster_tasks" {
  # tasks, and a task's steps, are null when the API returns none: default them to empty lists.
  value = [
    for t in coalesce(data.cloudtask_polardb_tasks.creation.tasks, []) : {
      task_id = t.task_id
      action  = t.task_action
      status  = t.status
      steps   = length(coalesce(t.steps, []))
    }
  ]
}
