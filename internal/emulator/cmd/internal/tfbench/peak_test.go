package tfbench

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestStatusField(t *testing.T) {
	t.Parallel()
	status := []byte("Name:\tcloudtask\nVmHWM:\t   12345 kB\nThreads:\t9\nVmRSS:\n")
	for name, want := range map[string]int64{"VmHWM:": 12345, "Threads:": 9, "VmRSS:": 0, "Missing:": 0} {
		if got := StatusField(status, name); got != want {
			t.Errorf("StatusField(%q) = %d, want %d", name, got, want)
		}
	}
}

// TestWatchProcessesSeesItsOwnProcess watches the test binary itself, the one process sure to
// run it, and reads its peak memory.
func TestWatchProcessesSeesItsOwnProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 1)
	stop := WatchProcesses(exe, time.Millisecond, func(dir string) {
		select {
		case seen <- vmHWMAt(dir):
		default:
		}
	})
	defer stop()
	if hwm := <-seen; hwm <= 0 {
		t.Errorf("VmHWM of the test process = %d, want > 0", hwm)
	}
}
