package wait

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a wait, a retry sleep or
// a limiter wait that is not released when its context ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
