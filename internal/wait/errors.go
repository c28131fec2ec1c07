package wait

import (
	"fmt"
	"time"
)

// TimeoutError reports that the wait hit its deadline (ctx's deadline or
// Poller.Timeout) before a terminal state.
type TimeoutError struct {
	Last    State         // the last state seen; zero when Seen is false
	Seen    bool          // whether any poll succeeded
	Elapsed time.Duration // time from the start of the wait
	Polls   int           // number of polls made
	// LastErr is the error of the last poll when it failed with a not-found answer that was
	// still within the grace period; nil when the last poll succeeded.
	LastErr error
	// NeverFound is true when polls were made and every one answered not found: the
	// deadline came before the not-found grace ended, and the object may not exist at all.
	NeverFound bool
	// CutErr is the error of the poll the deadline cut short, such as the API error its
	// request retries kept getting; nil when the deadline came between polls.
	CutErr error
}

// Error names the elapsed time and the last status and summary, and the last poll error.
func (e *TimeoutError) Error() string {
	msg := "timed out after " + formatElapsed(e.Elapsed) + " waiting for a terminal state; "
	if e.NeverFound {
		msg += "every poll answered not found"
	} else {
		msg += describeLast(e.Last, e.Seen)
	}
	msg += " (" + pollsText(e.Polls) + ")"
	if e.LastErr != nil {
		msg += "; last poll: " + e.LastErr.Error()
	}
	return msg
}

// Unwrap returns the last poll error, if the last poll failed.
func (e *TimeoutError) Unwrap() error { return e.LastErr }

// InterruptedError reports that the wait was cancelled (for example by
// Terraform's Ctrl-C) before a terminal state. It is not a timeout.
type InterruptedError struct {
	Last    State         // the last state seen; zero when Seen is false
	Seen    bool          // whether any poll succeeded
	Elapsed time.Duration // time from the start of the wait
	Polls   int           // number of polls made
	Cause   error         // ctx.Err(), normally context.Canceled
}

// Error names the elapsed time, the last status and summary, and the cause.
func (e *InterruptedError) Error() string {
	msg := "wait interrupted after " + formatElapsed(e.Elapsed) + "; " +
		describeLast(e.Last, e.Seen) + " (" + pollsText(e.Polls) + ")"
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause, so errors.Is(err, context.Canceled) holds.
func (e *InterruptedError) Unwrap() error { return e.Cause }

// NotFoundError reports that the polled object was still not found when the
// not-found grace period ended.
type NotFoundError struct {
	Err     error         // the last poll error, as the API reported it
	Elapsed time.Duration // how long the not-found answers lasted, from the first of the run
	Polls   int           // number of polls made
}

// Error names the elapsed time and the last poll error.
func (e *NotFoundError) Error() string {
	msg := "still not found after " + formatElapsed(e.Elapsed) + " (" + pollsText(e.Polls) + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the last poll error.
func (e *NotFoundError) Unwrap() error { return e.Err }

func describeLast(s State, seen bool) string {
	if !seen {
		return "no status was seen yet"
	}
	status := s.Status
	if status == "" {
		status = "unknown"
	}
	msg := "last status " + status
	if s.Summary != "" {
		msg += ", " + s.Summary
	}
	return msg
}

func pollsText(n int) string {
	if n == 1 {
		return "1 poll"
	}
	return fmt.Sprintf("%d polls", n)
}

// formatElapsed rounds to what a person reads: whole seconds above a
// second, milliseconds below.
func formatElapsed(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
