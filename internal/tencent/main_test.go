package tencent

import (
	"os"
	"testing"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/testenv"
)

// TestMain runs the tests without the developer's credential variables and profile files, so
// that they resolve the same credentials on every machine. A test that needs a variable or a
// HOME sets it with t.Setenv.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m.Run)) }
