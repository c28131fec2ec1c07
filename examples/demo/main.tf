# The demo run by `make demo`: every endpoint points at the local emulator, whose scenario finishes
# each task a few seconds after it is first read.
terraform {
  required_providers {
    cloudtask = {
      source = "cloudtask/cloudtask"
    }
  }
}

variable "emulator_url" {
  description = "URL of the local cloud emulator, such as http://127.0.0.1:34567."
  type        = string
}

provider "cloudtask" {
  alibaba = {
    region = "cn-hangzhou"
    endpoints = {
      polardb = var.emulator_url
      bdrc    = var.emulator_url
      alidns  = var.emulator_url
    }
  }
  tencent = {
    region    = "ap-guangzhou"
    endpoints = { batch = var.emulator_url }
  }
}

# Blocks until the batch task is COMPLETED or FAILED, polling every second at first.
data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-demo01"
  wait_for_completion = true
  poll_interval       = "5s"
  timeouts = {
    read = "2m"
  }

  lifecycle {
    postcondition {
      condition     = self.succeeded
      error_message = "The batch task did not succeed."
    }
  }
}

output "polardb_batch_task" {
  value = {
    status        = data.cloudtask_polardb_batch_task.install.status
    terminal      = data.cloudtask_polardb_batch_task.install.terminal
    succeeded     = data.cloudtask_polardb_batch_task.install.succeeded
    success_count = data.cloudtask_polardb_batch_task.install.success_count
    total_count   = data.cloudtask_polardb_batch_task.install.total_count
    sub_tasks     = [for s in data.cloudtask_polardb_batch_task.install.sub_tasks : "${s.instance_id}: ${s.status}"]
  }
}

data "cloudtask_bdrc_task" "refresh" {
  task_id             = "t-demo01"
  wait_for_completion = true
}

data "cloudtask_alidns_batch_result" "latest" {
  wait_for_completion = true
}

output "bdrc_task" {
  value = "${data.cloudtask_bdrc_task.refresh.task_status} (${data.cloudtask_bdrc_task.refresh.progress / 100}%)"
}

output "alidns_batch_result" {
  value = "task ${data.cloudtask_alidns_batch_result.latest.task_id}: ${data.cloudtask_alidns_batch_result.latest.success_count} of ${data.cloudtask_alidns_batch_result.latest.total_count} succeeded"
}
