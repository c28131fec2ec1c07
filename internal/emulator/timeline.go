package emulator

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// TaskTimeline is what the emulator saw of one scripted task: when it was first read, when its
// last phase began (the task's end), and when an answer first came from that last phase. For a
// task whose phases end by Duration the end is on the timeline anchored at the first read, so
// FirstFinalAnswer minus Ended is how late a client noticed the end; a phase that ends by Calls
// ends at the read that moves past it, which is then also the first final answer.
type TaskTimeline struct {
	// Key names the task: "batch/<BatchId>", "bdrc/<TaskId>", "alidns/<TaskId>",
	// "tencent/<JobId>/<TaskName>" or "polardb/<index in PolarDBTasks>".
	Key string
	// Reads is the number of answers the lifecycle gave (every request that read the task).
	Reads int
	// FirstRead is the server time of the first read.
	FirstRead time.Time
	// Ended is when the last phase began; zero while no read has reached it.
	Ended time.Time
	// FirstFinalAnswer is the server time of the first answer from the last phase.
	FirstFinalAnswer time.Time
	// ReadsToEnd is Reads at the first final answer, that answer included.
	ReadsToEnd int
}

// Latency is how long after the end the first final answer went out; false before one.
func (t TaskTimeline) Latency() (time.Duration, bool) {
	if t.FirstFinalAnswer.IsZero() {
		return 0, false
	}
	return t.FirstFinalAnswer.Sub(t.Ended), true
}

// observe records one answer at now from phase of n phases; phaseStart is when that phase began.
func (t *TaskTimeline) observe(now time.Time, phase, n int, phaseStart time.Time) {
	if t.Reads == 0 {
		t.FirstRead = now
	}
	t.Reads++
	if phase == n-1 && t.FirstFinalAnswer.IsZero() {
		t.Ended = phaseStart
		t.FirstFinalAnswer = now
		t.ReadsToEnd = t.Reads
	}
}

// TaskTimelines returns the timelines of the tasks read since the scenario was installed,
// sorted by Key. Generated PolarDB tasks have no lifecycle and no timeline.
func (s *Server) TaskTimelines() []TaskTimeline {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskTimeline, 0, len(s.lifecycles))
	for key, l := range s.lifecycles {
		t := l.timeline
		t.Key = strings.ReplaceAll(key, "\x00", "/")
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b TaskTimeline) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Connections is the number of TCP connections the server has accepted since Start. Divided by
// TotalCalls it tells how well clients reuse connections (keep-alive) across requests.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// countConnections is the http.Server.ConnState hook that counts new connections.
func (s *Server) countConnections(_ net.Conn, state http.ConnState) {
	if state != http.StateNew {
		return
	}
	s.mu.Lock()
	s.connections++
	s.mu.Unlock()
}
