package tfbench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WatchProcesses calls visit with the /proc directory of each process running the executable
// exe, at once and then every period, until the returned stop returns. visit is never called
// concurrently with itself. A process that lives shorter than the period may be missed; on
// systems without /proc nothing is seen.
func WatchProcesses(exe string, period time.Duration, visit func(procDir string)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			visitProcesses(exe, visit)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func visitProcesses(exe string, visit func(procDir string)) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		if target, err := os.Readlink(filepath.Join(dir, "exe")); err == nil && target == exe {
			visit(dir)
		}
	}
}

// StatusField reads a number from a /proc/<pid>/status text, such as 12345 from the line
// "VmHWM:   12345 kB"; 0 when the line is absent or not a number.
func StatusField(status []byte, name string) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			if fields := strings.Fields(rest); len(fields) > 0 {
				n, _ := strconv.ParseInt(fields[0], 10, 64)
				return n
			}
			return 0
		}
	}
	return 0
}

// peakSampler keeps the highest VmHWM of the processes running one executable. VmHWM only
// grows, so the last sample before a process exits is close to its peak.
type peakSampler struct {
	stopWatch func()
	mu        sync.Mutex
	peak      int64
}

const samplePeriod = 5 * time.Millisecond

func startPeakSampler(exe string) *peakSampler {
	s := &peakSampler{}
	s.stopWatch = WatchProcesses(exe, samplePeriod, func(dir string) {
		if hwm := vmHWMAt(dir); hwm > 0 {
			s.mu.Lock()
			s.peak = max(s.peak, hwm)
			s.mu.Unlock()
		}
	})
	return s
}

func (s *peakSampler) stop() int64 {
	s.stopWatch()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// VmHWM reads the peak resident set size of a process ("self" or a pid) from /proc, in bytes;
// 0 when it cannot be read.
func VmHWM(pid string) int64 {
	return vmHWMAt(filepath.Join("/proc", pid))
}

func vmHWMAt(procDir string) int64 {
	data, err := os.ReadFile(filepath.Join(procDir, "status"))
	if err != nil {
		return 0
	}
	return StatusField(data, "VmHWM:") * 1024
}
