// Package policy holds policy.rego, an OPA policy that denies a Terraform plan when a task read by
// the cloudtask data sources has failed, and its test: a plan made by the real terraform CLI with the
// provider built from this repository, against the local cloud emulator.
//
// The package is a Go module of its own so that OPA stays out of the provider's dependencies.
package policy
