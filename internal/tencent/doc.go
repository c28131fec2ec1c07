// Package tencent is the provider's only door to Tencent Cloud: it resolves credentials (provider
// arguments, environment, tccli profile), signs requests with the official SDK's CommonClient
// (TC3-HMAC-SHA256), and calls Batch DescribeTask with typed requests and responses.
//
// The SDK's own retries are switched off because they resend the very same signed request; each
// retry here goes through wait.Retrier and is signed afresh. Every request, page and retry waits on
// a process-wide rate limiter per endpoint and SecretId, so concurrent reads stay within the API's
// documented 3 requests per second.
package tencent
