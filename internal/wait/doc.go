// Package wait is the polling engine shared by every data source: a poll
// schedule that starts quick and backs off toward the user's interval,
// per-request retries with exponential backoff and jitter, a sliding-window
// rate limiter, an injectable clock, and typed errors that carry the last
// state seen.
//
// Deadlines come from the caller's context but are compared with the
// injected Clock, so a fake clock drives the whole engine in tests without
// real sleeps.
//
// The package imports neither the Terraform framework nor a cloud SDK.
package wait
