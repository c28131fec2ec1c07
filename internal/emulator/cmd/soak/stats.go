package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

// totals adds up the outcomes of every round, with the faults served and the process figures.
type totals struct {
	outcome
	faults  int
	stats   []procStats
	elapsed time.Duration
}

func (t *totals) add(os ...outcome) {
	for _, o := range os {
		t.reads += o.reads
		t.waits += o.waits
		t.right += o.right
		t.diagnosed += o.diagnosed
		t.wrong += o.wrong
		t.unverified += o.unverified
	}
}

func (t *totals) report(w io.Writer, s settings) {
	var peakKB, peakFDs, endFDs, peakThreads, endGoroutines, maxEndGoroutines int
	for _, st := range t.stats {
		peakKB = max(peakKB, st.hwmKB)
		peakFDs = max(peakFDs, st.peakFDs)
		endFDs = max(endFDs, st.lastFDs)
		peakThreads = max(peakThreads, st.peakThreads)
		if st.goroutines > 0 {
			endGoroutines = st.goroutines
			maxEndGoroutines = max(maxEndGoroutines, st.goroutines)
		}
	}
	_, _ = fmt.Fprintf(w, "soak: %d rounds x (%d + 3) reads, seed %d, -parallelism %d, %s\n", s.rounds, s.reads, s.seed, s.parallelism, t.elapsed.Round(time.Second))
	_, _ = fmt.Fprintf(w, "| reads | waiting | right final state | expected diagnostic | wrong answers | not verified | faults served |\n|---|---|---|---|---|---|---|\n")
	_, _ = fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %d | %d |\n", t.reads, t.waits, t.right, t.diagnosed, t.wrong, t.unverified, t.faults)
	_, _ = fmt.Fprintf(w, "provider process: peak memory (VmHWM) %.1f MiB; open files at most %d during a read, %d at the last sample; threads at most %d; goroutines at the end of the last read %d (at most %d over all applies)\n",
		float64(peakKB)/1024, peakFDs, endFDs, peakThreads, endGoroutines, maxEndGoroutines)
}

// procStats are the /proc figures of the provider processes of one apply.
type procStats struct {
	hwmKB, peakFDs, lastFDs, peakThreads, goroutines int
}

// sampler polls /proc for processes running the provider binary until stopped.
type sampler struct {
	stopWatch func()
	mu        sync.Mutex
	stats     procStats
}

func startSampler(bin string) *sampler {
	s := &sampler{}
	s.stopWatch = tfbench.WatchProcesses(bin, 100*time.Millisecond, s.sample)
	return s
}

func (s *sampler) stop() procStats {
	s.stopWatch()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *sampler) sample(dir string) {
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.peakFDs = max(s.stats.peakFDs, len(fds))
	s.stats.lastFDs = len(fds)
	s.stats.hwmKB = max(s.stats.hwmKB, int(tfbench.StatusField(status, "VmHWM:")))
	s.stats.peakThreads = max(s.stats.peakThreads, int(tfbench.StatusField(status, "Threads:")))
}
