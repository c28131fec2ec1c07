package emulator

import (
	"bytes"
	"encoding/json"
	"time"
)

// lifecycle is the progress of one task through its phases. Phases only move
// forward; time-based phases are laid out on one timeline anchored at the
// task's first request, so "DISPATCHING 2s, RUNNING 4s" ends RUNNING 6s after
// the first read no matter how often the task is polled.
type lifecycle struct {
	started      bool
	phase        int
	callsInPhase int
	phaseStart   time.Time
	// timeline is the bookkeeping TaskTimelines reports (see timeline.go).
	timeline TaskTimeline
}

// step records one read of the task at now and returns the phase that
// answers it.
func (l *lifecycle) step(now time.Time, timings []timing) int {
	if !l.started {
		l.started = true
		l.phaseStart = now
	}
	for l.phase < len(timings)-1 {
		t := timings[l.phase]
		if t.calls > 0 && l.callsInPhase >= t.calls {
			l.phase++
			l.callsInPhase = 0
			l.phaseStart = now
			continue
		}
		if d, ok := parseDuration(t.duration); ok && !now.Before(l.phaseStart.Add(d)) {
			l.phase++
			l.callsInPhase = 0
			l.phaseStart = l.phaseStart.Add(d)
			continue
		}
		break
	}
	l.callsInPhase++
	l.timeline.observe(now, l.phase, len(timings), l.phaseStart)
	return l.phase
}

// parseDuration parses a validated phase duration; "" means none.
func parseDuration(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// isJSONObject reports whether raw is a syntactically valid JSON object.
func isJSONObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) >= 2 && t[0] == '{' && json.Valid(t)
}

// objectKeys returns the top-level keys of a JSON object.
func objectKeys(raw json.RawMessage) map[string]bool {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

// field is one member added to a JSON object.
type field struct {
	name  string
	value any
}

// extendObject returns the object raw with fields prepended, skipping any
// field the object already has. The scenario's own bytes are kept verbatim so
// tests control every value (nulls, trailing spaces, strings "null").
func extendObject(raw json.RawMessage, fields ...field) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	if len(t) < 2 {
		t = []byte("{}")
	}
	have := objectKeys(t)
	inner := bytes.TrimSpace(t[1 : len(t)-1])
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	for _, f := range fields {
		if have[f.name] {
			continue
		}
		k, err := json.Marshal(f.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
		n++
	}
	if len(inner) > 0 {
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(inner)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// stringField reads a top-level string member of a JSON object.
func stringField(raw json.RawMessage, name string) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return "", false
	}
	v, ok := m[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
