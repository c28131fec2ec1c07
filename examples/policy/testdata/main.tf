# The configuration policy_test.go plans against the local emulator: three data sources with literal
# ids, so Terraform reads them (and waits) during plan, and a change that the policy gates.
terraform {
  required_providers {
    cloudtask = {
      source = "cloudtask/cloudtask"
    }
  }
}

variable "emulator_url" {
  description = "URL of the local cloud emulator."
  type        = string
}

provider "cloudtask" {
  alibaba {
    region = "cn-hangzhou"
    endpoints {
      polardb = var.emulator_url
    }
  }
  tencent {
    region = "ap-guangzhou"
    endpoints {
      batch = var.emulator_url
    }
  }
}

data "cloudtask_polardb_batch_task" "install" {
  batch_id            = "pcb-policy01"
  wait_for_completion = true
}

data "cloudtask_polardb_tasks" "cluster" {
  db_cluster_id       = "pc-policy000000001"
  start_time          = "2026-05-28T00:00Z"
  end_time            = "2026-05-29T00:00Z"
  wait_for_completion = true
}

data "cloudtask_tencent_batch_task" "render" {
  job_id              = "job-policy01"
  task_name           = "A"
  wait_for_completion = true
}

# The change the pipeline would apply once the policy allows it.
resource "terraform_data" "release" {
  input = {
    batch_status  = data.cloudtask_polardb_batch_task.install.status
    tencent_state = data.cloudtask_tencent_batch_task.render.task_state
  }
}
