package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// writeGuide prints what a newcomer needs to point their own configuration at the running
// emulator: the credentials it accepts, a provider block, the ids the scenario serves and, when
// providerDir is set, the CLI configuration that makes terraform use the provider built there.
func writeGuide(w io.Writer, url string, sc *emulator.Scenario, providerDir string) error {
	if sc == nil {
		sc = &emulator.Scenario{}
	}
	aliID, aliSecret := firstCredential(sc.AlibabaCredentials, emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret)
	tcID, tcSecret := firstCredential(sc.TencentCredentials, emulator.TencentSecretID, emulator.TencentSecretKey)

	var b strings.Builder
	fmt.Fprintf(&b, "\nThe cloudtask emulator is listening at %s; Ctrl-C stops it.\n", url)
	b.WriteString("Its credentials open only this emulator; they are not secrets.\n")
	b.WriteString("\n# A provider block that reads every data source from the emulator:\n")
	b.WriteString(emulator.ProviderBlock{URL: url, AlibabaAccessKeyID: aliID, AlibabaSecret: aliSecret,
		TencentSecretID: tcID, TencentSecretKey: tcSecret}.HCL())

	if ids := scenarioIDs(sc); len(ids) > 0 {
		b.WriteString("\n# Tasks the scenario serves:\n")
		for _, id := range ids {
			b.WriteString("#   " + id + "\n")
		}
	}
	if providerDir != "" {
		b.WriteString("\n# To use the provider built in " + providerDir + " without a registry, save this as a file\n")
		b.WriteString("# and point TF_CLI_CONFIG_FILE at it (terraform then skips `terraform init` for cloudtask):\n")
		fmt.Fprintf(&b, `provider_installation {
  dev_overrides {
    "cloudtask/cloudtask" = %q
  }
  direct {}
}
`, providerDir)
	}
	b.WriteString("\n# Watch a wait's progress: TF_LOG_PROVIDER=INFO terraform plan\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// firstCredential is the pair the scenario accepts first (by key order), or the default pair.
func firstCredential(creds map[string]string, defaultID, defaultSecret string) (string, string) {
	if len(creds) == 0 {
		return defaultID, defaultSecret
	}
	ids := make([]string, 0, len(creds))
	for id := range creds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids[0], creds[ids[0]]
}

// scenarioIDs lists, per data source, the arguments that read each task of the scenario.
func scenarioIDs(sc *emulator.Scenario) []string {
	var ids []string
	for _, t := range sc.PolarDBBatchTasks {
		ids = append(ids, fmt.Sprintf("cloudtask_polardb_batch_task  batch_id = %q", t.BatchID))
	}
	clusters := map[string]bool{}
	for _, t := range sc.PolarDBTasks {
		if !clusters[t.DBClusterID] {
			clusters[t.DBClusterID] = true
			ids = append(ids, fmt.Sprintf("cloudtask_polardb_tasks       db_cluster_id = %q", t.DBClusterID))
		}
	}
	for _, t := range sc.BDRCTasks {
		ids = append(ids, fmt.Sprintf("cloudtask_bdrc_task           task_id = %q", t.TaskID))
	}
	for _, t := range sc.TencentTasks {
		ids = append(ids, fmt.Sprintf("cloudtask_tencent_batch_task  job_id = %q, task_name = %q", t.JobID, t.TaskName))
	}
	for _, t := range sc.AlidnsTasks {
		ids = append(ids, fmt.Sprintf("cloudtask_alidns_batch_result task_id = %d", t.TaskID))
	}
	return ids
}
