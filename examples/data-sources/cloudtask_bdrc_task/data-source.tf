data "cloudtask_bdrc_task" "refresh" {
  task_id             = "t-0004d9ctt1iixxxxxxxx"
  wait_for_completion = true
}

output "bdrc_progress_percent" {
  # progress is on the API's 0..10000 scale
  value = data.cloudtask_bdrc_task.refresh.progress / 100
}
