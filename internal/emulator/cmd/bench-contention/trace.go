package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// traceRun prints, for one run, where each process's time and rejected requests went: its
// requests as the emulator saw them, replayed through the emulator's sliding one-second window
// to tell the rejected ones apart, and a strip of requests per second (a digit per second, the
// rejected ones in parentheses).
func traceRun(w io.Writer, srv *emulator.Server, start time.Time, n int, countsRejected bool, elapsed []time.Duration) {
	reqs := srv.Requests(emulator.APITencentTask)
	slices.SortStableFunc(reqs, func(a, b emulator.Request) int { return a.At.Compare(b.At) })
	type procTrace struct {
		sent, rejected int
		first, last    time.Duration
		perSecond      map[int][2]int // second -> answered, rejected
	}
	procs := make([]procTrace, n)
	for p := range procs {
		procs[p].perSecond = map[int][2]int{}
		procs[p].first = -1
	}
	var hits []time.Time
	seconds := 0
	for _, r := range reqs {
		var p, wt int
		if _, err := fmt.Sscanf(r.Params["JobId"], "job-p%dw%d", &p, &wt); err != nil || p >= n {
			continue
		}
		kept := hits[:0]
		for _, t := range hits {
			if r.At.Sub(t) < time.Second {
				kept = append(kept, t)
			}
		}
		hits = kept
		rejected := len(hits) >= documentedRate
		if !rejected || countsRejected {
			hits = append(hits, r.At)
		}
		at := r.At.Sub(start)
		pt := &procs[p]
		pt.sent++
		if pt.first < 0 {
			pt.first = at
		}
		pt.last = at
		sec := int(at / time.Second)
		seconds = max(seconds, sec+1)
		c := pt.perSecond[sec]
		if rejected {
			pt.rejected++
			c[1]++
		} else {
			c[0]++
		}
		pt.perSecond[sec] = c
	}
	for p, pt := range procs {
		var strip strings.Builder
		for s := range seconds {
			c := pt.perSecond[s]
			switch {
			case c[1] > 0:
				_, _ = fmt.Fprintf(&strip, "%d(%d)", c[0], c[1])
			case c[0] > 0:
				_, _ = fmt.Fprintf(&strip, "%d", c[0])
			default:
				strip.WriteByte('.')
			}
		}
		_, _ = fmt.Fprintf(w, "  p%d: terraform %.1fs, requests %d (rejected %d), first at %.1fs, last at %.1fs\n      %s\n",
			p, elapsed[p].Seconds(), pt.sent, pt.rejected, pt.first.Seconds(), pt.last.Seconds(), strip.String())
	}
}
