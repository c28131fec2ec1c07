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
  alibaba {
    # A region where BDRC has an endpoint (cn-shanghai, ap-southeast-1, cn-shanghai-finance-1).
    region = "cn-shanghai"
    endpoints {
      polardb = var.emulator_url
      bdrc    = var.emulator_url
      alidns  = var.emulator_url
    }
  }
  tencent {
    region = "ap-guangzhou"
    endpoints { batch = var.emulator_url }
  }
}

# Blocks until the batch task is COMPLETED or FAILED, polling every second at first.
data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-demo01"
  wait_for_completion = true
  poll_interval       = "5s"
  timeouts {
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
    # Lists and values the API leaves out are null: default lists to [] and keep values in objects,
    # since a null in a "${...}" template is an error.
    sub_tasks = [for s in coalesce(data.cloudtask_polardb_batch_task.install.sub_tasks, []) : { instance = s.instance_id, status = s.status }]
  }
}

# A second batch task, which fails: one of its two sub tasks ends FAILED. The check below turns that
# into a warning, so the apply still completes (a postcondition, as on "install", would stop it).
data "cloudtask_polardb_batch_task" "upgrade" {
  batch_id            = "pcb-demo02"
  wait_for_completion = true
  poll_interval       = "5s"
  timeouts {
    read = "2m"
  }
}

check "upgrade_succeeded" {
  assert {
    condition = data.cloudtask_polardb_batch_task.upgrade.succeeded
    error_message = join("; ", concat(
      ["PolarDB batch task pcb-demo02 ended ${data.cloudtask_polardb_batch_task.upgrade.status}"],
      [for s in coalesce(data.cloudtask_polardb_batch_task.upgrade.sub_tasks, []) :
        "sub task ${s.task_id} on ${s.instance_id} ${s.status}: ${coalesce(s.error_msg, "no message")}"
      if trimspace(s.status) == "FAILED"],
    ))
  }
}

# Waits side by side with the PolarDB batch task: Tencent Batch DescribeTask, polled with the
# cheapest request (Limit 1), then every instance read once at the end.
data "cloudtask_tencent_batch_task" "render" {
  job_id              = "job-demo01"
  task_name           = "A"
  wait_for_completion = true
  poll_interval       = "5s"
  timeouts {
    read = "2m"
  }
}

data "cloudtask_polardb_tasks" "cluster" {
  db_cluster_id       = "pc-demo0000000001"
  start_time          = "2026-05-28T00:00Z"
  end_time            = "2026-05-29T00:00Z"
  wait_for_completion = true
}

data "cloudtask_bdrc_task" "refresh" {
  task_id             = "t-demo01"
  wait_for_completion = true
}

data "cloudtask_alidns_batch_result" "latest" {
  wait_for_completion = true
}

output "tencent_batch_task" {
  value = {
    task_state = data.cloudtask_tencent_batch_task.render.task_state
    succeeded  = data.cloudtask_tencent_batch_task.render.succeeded
    instances  = [for i in coalesce(data.cloudtask_tencent_batch_task.render.task_instance_set, []) : { index = i.task_instance_index, state = i.task_instance_state }]
  }
}

output "polardb_tasks" {
  value = [for t in coalesce(data.cloudtask_polardb_tasks.cluster.tasks, []) : {
    task_id = t.task_id
    action  = t.task_action
    status  = t.status
    steps   = length(coalesce(t.steps, []))
  }]
}

output "bdrc_task" {
  value = {
    task_status = data.cloudtask_bdrc_task.refresh.task_status
    # progress is on the API's 0..10000 scale, and null when the API returns none.
    progress_percent = data.cloudtask_bdrc_task.refresh.progress == null ? null : data.cloudtask_bdrc_task.refresh.progress / 100
  }
}

output "alidns_batch_result" {
  value = {
    task_id       = data.cloudtask_alidns_batch_result.latest.task_id
    status        = data.cloudtask_alidns_batch_result.latest.status
    success_count = data.cloudtask_alidns_batch_result.latest.success_count
    total_count   = data.cloudtask_alidns_batch_result.latest.total_count
  }
}
