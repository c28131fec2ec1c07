package tfbench

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peakSampler polls /proc for processes running one executable and keeps the highest VmHWM.
// VmHWM only grows, so the last sample before a process exits is close to its peak; a process
// that lives shorter than the period may be missed. On systems without /proc it sees nothing.
type peakSampler struct {
	exe  string
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak int64
}

const samplePeriod = 5 * time.Millisecond

func startPeakSampler(exe string) *peakSampler {
	s := &peakSampler{exe: exe, done: make(chan struct{})}
	s.wg.Go(func() {
		t := time.NewTicker(samplePeriod)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *peakSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *peakSampler) sample() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err != nil || exe != s.exe {
			continue
		}
		if hwm := VmHWM(e.Name()); hwm > 0 {
			s.mu.Lock()
			s.peak = max(s.peak, hwm)
			s.mu.Unlock()
		}
	}
}

// VmHWM reads the peak resident set size of a process ("self" or a pid) from /proc, in bytes;
// 0 when it cannot be read.
func VmHWM(pid string) int64 {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return 0
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
