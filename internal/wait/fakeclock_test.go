package wait

import "github.com/cloudtask/terraform-provider-cloudtask/internal/wait/waittest"

// The fake clock lives in waittest so that the adapters' and the provider's tests can drive
// the engine on it too; these names keep this package's tests short.
type FakeClock = waittest.FakeClock

var NewFakeClock = waittest.NewFakeClock
