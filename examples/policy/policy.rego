# Deny a Terraform plan when a task that the cloudtask data sources read has failed, naming each
# failure: the data source's address, the task's id and the error the API gave.
#
# Input: `terraform show -json` of a saved plan. Data sources read at plan time are in the plan's
# prior_state (the state refreshed by the plan), in the root module or in any child module.
#
#   terraform plan -out=tfplan && terraform show -json tfplan > plan.json
#   opa eval --fail-defined --format raw -d policy.rego -i plan.json 'data.cloudtask.deny[_]'
#   conftest test --namespace cloudtask --policy policy.rego plan.json
package cloudtask

# read_data_sources are the cloudtask data source instances the plan read, in every module.
read_data_sources contains r if {
	walk(input.prior_state.values.root_module, [path, r])
	path[count(path) - 2] == "resources"
	r.mode == "data"
	startswith(r.type, "cloudtask_")
}

# A PolarDB batch task sub task that failed (DescribeBatchTask SubTasks[].Status).
deny contains msg if {
	some r in read_data_sources
	r.type == "cloudtask_polardb_batch_task"
	some sub in r.values.sub_tasks
	trim_space(sub.status) == "FAILED"
	msg := sprintf("%s: PolarDB batch task %s: sub task %s on instance %s FAILED: %s", [
		r.address, r.values.batch_id, sub.task_id, sub.instance_id, text_or_none(sub.error_msg),
	])
}

# A PolarDB cluster task that was stopped or reports an error code (DescribeTasks). The API writes
# the string "null" when there is no error code.
deny contains msg if {
	some r in read_data_sources
	r.type == "cloudtask_polardb_tasks"
	some task in r.values.tasks
	cluster_task_failed(task)
	msg := sprintf("%s: PolarDB cluster %s: task %s (%s) status %s, error %s: %s", [
		r.address, r.values.db_cluster_id, task.task_id, text_or_none(task.task_action), text_or_none(task.status),
		text_or_none(task.task_error_code), text_or_none(task.task_error_message),
	])
}

# A Tencent Batch task instance that failed (DescribeTask TaskInstanceSet[].TaskInstanceState).
deny contains msg if {
	some r in read_data_sources
	r.type == "cloudtask_tencent_batch_task"
	some inst in r.values.task_instance_set
	inst.task_instance_state in {"FAILED", "FAILED_INTERRUPTED"}
	msg := sprintf("%s: Tencent Batch job %s task %s: instance %d %s (exit code %v): %s", [
		r.address, r.values.job_id, r.values.task_name, inst.task_instance_index, inst.task_instance_state,
		value_or_none(inst.exit_code), text_or_none(inst.state_reason),
	])
}

# A cloudtask data source Terraform could not read at plan time (its arguments depend on values
# known only after apply) cannot be checked here; conftest prints warnings without failing.
warn contains msg if {
	some change in input.resource_changes
	change.mode == "data"
	startswith(change.type, "cloudtask_")
	"read" in change.change.actions
	msg := sprintf("%s: read during apply, not at plan time, so this policy cannot check it", [change.address])
}

cluster_task_failed(task) if task.status == "Stop"

cluster_task_failed(task) if not task.task_error_code in {null, "", "null"}

text_or_none(s) := "<none>" if s in {null, "", "null"}

else := s

value_or_none(v) := "<none>" if v == null

else := v
